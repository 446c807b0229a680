/**
 * The preload script runs in a sandbox where it can require only 'electron'. These tests compile it
 * the way the build does (CommonJS) and run it with a fake 'electron' to check what it exposes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../core/common/protocol.js';
import { IPC_CHANNELS } from '../../electron/ipc.js';

interface Bridge {
  mode: string;
  call: Record<string, (params?: unknown) => Promise<unknown>>;
  onEvents(listener: (batch: unknown) => void): () => void;
  onMenu(listener: (action: unknown) => void): () => void;
  pathForFile(file: { name: string }): string;
}

function loadPreload(
  reply: (channel: string, request: { id: number; method: string; params: unknown }) => unknown,
) {
  const source = readFileSync(join(import.meta.dirname, '../../electron/preload.cts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const exposed: Record<string, unknown> = {};
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const required: string[] = [];
  const electron = {
    webUtils: { getPathForFile: (file: { name: string }) => `/picked/${file.name}` },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: {
      invoke: async (channel: string, request: { id: number; method: string; params: unknown }) =>
        reply(channel, request),
      on: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)?.add(listener);
      },
      removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) =>
        listeners.get(channel)?.delete(listener),
    },
  };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require "${name}"`);
    return electron;
  };
  const module = { exports: {} };
  runInNewContext(outputText, { require: sandboxRequire, exports: module.exports, module });
  const emit = (channel: string, payload: unknown): void => {
    for (const listener of listeners.get(channel) ?? []) listener({}, payload);
  };
  return { bridge: exposed.o2o as Bridge, required, emit, listeners };
}

describe('preload bridge', () => {
  it('exposes exactly one function per protocol method, and requires only electron', () => {
    const { bridge, required } = loadPreload(() => ({ id: 0, result: null }));
    expect(bridge.mode).toBe('electron');
    expect(Object.keys(bridge.call).sort()).toEqual([...METHODS].sort());
    expect(required).toEqual(['electron']);
    expect(bridge.pathForFile({ name: 'data.arrow' })).toBe('/picked/data.arrow');
  });

  it('sends {id, method, params} on the call channel and resolves with the result', async () => {
    const seen: unknown[] = [];
    const { bridge } = loadPreload((channel, request) => {
      seen.push({ channel, ...request });
      return { id: request.id, result: { echoed: request.method } };
    });
    expect(await bridge.call['runs.pause']({ runId: 'r1' })).toEqual({ echoed: 'runs.pause' });
    expect(await bridge.call['app.info']()).toEqual({ echoed: 'app.info' });
    expect(seen).toEqual([
      { channel: IPC_CHANNELS.call, id: 1, method: 'runs.pause', params: { runId: 'r1' } },
      { channel: IPC_CHANNELS.call, id: 2, method: 'app.info', params: {} },
    ]);
  });

  it('rejects with the protocol error code and issues', async () => {
    const { bridge } = loadPreload((_channel, request) => ({
      id: request.id,
      error: {
        message: 'invalid params',
        code: 'invalid-params',
        issues: [{ path: 'runId', message: 'bad' }],
      },
    }));
    await expect(bridge.call['runs.stop']({ runId: '' })).rejects.toEqual({
      name: 'CommandError',
      message: 'invalid params',
      code: 'invalid-params',
      issues: [{ path: 'runId', message: 'bad' }],
    });
  });

  it('delivers event batches and menu actions until unsubscribed', () => {
    const { bridge, emit } = loadPreload(() => null);
    const batches: unknown[] = [];
    const menus: unknown[] = [];
    const stopEvents = bridge.onEvents((batch) => batches.push(batch));
    bridge.onMenu((action) => menus.push(action));
    emit(IPC_CHANNELS.events, { runId: 'r', events: [] });
    emit(IPC_CHANNELS.menu, { type: 'navigate', view: 'live' });
    stopEvents();
    emit(IPC_CHANNELS.events, { runId: 'r2', events: [] });
    expect(batches).toEqual([{ runId: 'r', events: [] }]);
    expect(menus).toEqual([{ type: 'navigate', view: 'live' }]);
    expect(() => bridge.onEvents('not a function' as unknown as () => void)).toThrow(/function/);
  });
});
