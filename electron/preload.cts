/**
 * The preload bridge (sandboxed, so CommonJS and self-contained: it may require only 'electron').
 * It exposes `window.o2o` with one function per protocol method, an event subscription and a
 * menu subscription. Payloads are checked in the main process with the protocol schemas; this
 * side only shapes calls. The method list must equal METHODS in core/common/protocol.ts (a test
 * checks it).
 */
// A sandboxed preload is a CommonJS script; with verbatimModuleSyntax this is how it imports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';

const { contextBridge, ipcRenderer, webUtils } = electron;

const CALL_CHANNEL = 'o2o:call';
const EVENTS_CHANNEL = 'o2o:events';
const MENU_CHANNEL = 'o2o:menu';

const BRIDGE_METHODS = [
  'app.info',
  'envs.list',
  'presets.list',
  'datasets.list',
  'datasets.inspect',
  'config.validate',
  'config.schema',
  'runs.list',
  'runs.start',
  'runs.pause',
  'runs.resume',
  'runs.stop',
  'runs.history',
  'runs.update',
  'runs.delete',
  'runs.export',
  'runs.download',
  'runs.rollout',
  'policies.rollout',
  'dialog.openDataset',
  'dialog.saveExport',
] as const;

interface ErrorPayload {
  message: string;
  code: string;
  issues?: { path: string; message: string }[];
}

type Response = { id: number; result: unknown } | { id: number; error: ErrorPayload };

let nextId = 1;

/**
 * Run one command. A failure rejects with a plain object {name, message, code, issues?}: objects
 * cross the context bridge intact, whereas an Error would lose its code and issues.
 */
async function call(method: string, params: unknown): Promise<unknown> {
  const response = (await ipcRenderer.invoke(CALL_CHANNEL, {
    id: nextId++,
    method,
    params: params ?? {},
  })) as Response;
  if ('error' in response) {
    throw { name: 'CommandError', ...response.error };
  }
  return response.result;
}

function subscribe(channel: string, listener: (payload: unknown) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const bridgeCalls: Record<string, (params?: unknown) => Promise<unknown>> = {};
for (const method of BRIDGE_METHODS) bridgeCalls[method] = (params?: unknown) => call(method, params);

contextBridge.exposeInMainWorld('o2o', {
  mode: 'electron',
  call: bridgeCalls,
  onEvents: (listener: (batch: unknown) => void) => subscribe(EVENTS_CHANNEL, listener),
  onMenu: (listener: (action: unknown) => void) => subscribe(MENU_CHANNEL, listener),
  /** File-system path of a dropped or picked File (empty for files that have none). */
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});
