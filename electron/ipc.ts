/**
 * The IPC command handler of the main process, independent of Electron so it is tested with fake
 * events: it refuses senders that are not the app's own top-level page, validates the payload with
 * the protocol schemas (the same ones the browser mode and the CLI use), answers the native-dialog
 * methods in the main process, and forwards everything else to the engine worker.
 */
import type { CommandResponse, CommandResults, EngineService } from '../core/common/protocol.js';
import { resolveUserPath } from '../core/util/paths.js';
import { requestId, respond } from '../core/server/respond.js';
import { isTrustedSender, type SenderFrameLike } from './security.js';

/** IPC channel names shared with the preload script (which cannot import this module). */
export const IPC_CHANNELS = {
  call: 'o2o:call',
  events: 'o2o:events',
  menu: 'o2o:menu',
} as const;

/** Native dialogs of the main process. A path the user picks or confirms becomes usable by the engine. */
export interface HostDialogs {
  openDataset(): Promise<CommandResults['dialog.openDataset']>;
  saveExport(
    format: 'onnx' | 'tfjs' | 'json',
    defaultName?: string,
  ): Promise<CommandResults['dialog.saveExport']>;
  /** Ask whether the engine may read (or write) `path`, outside its folders; true when the user agreed. */
  confirmAccess(access: 'read' | 'write', path: string): Promise<boolean>;
}

export interface IpcEventLike {
  senderFrame: SenderFrameLike | null;
}

/**
 * The service the desktop app exposes: the engine's commands with the dialogs answered by the
 * host. A dataset or export path the engine refuses as outside its folders (a dropped or typed
 * path) is put to the user in a native dialog, which the page cannot answer for them; when they
 * agree, the command runs again. Paths resolve against `baseDirectory` (with `~` expanded), as in the engine.
 */
export function desktopService(
  engine: EngineService,
  dialogs: HostDialogs,
  baseDirectory: string,
): EngineService {
  const withConsent = async <T>(
    access: 'read' | 'write',
    path: unknown,
    run: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (typeof path !== 'string' || (error as { code?: unknown }).code !== 'forbidden') throw error;
      if (!(await dialogs.confirmAccess(access, resolveUserPath(path, baseDirectory)))) throw error;
      return run();
    }
  };
  return {
    ...engine,
    'datasets.inspect': (params) =>
      withConsent('read', params.path, () => engine['datasets.inspect'](params)),
    'runs.start': (params) =>
      withConsent('read', (params.config as { dataset?: { path?: unknown } } | null)?.dataset?.path, () =>
        engine['runs.start'](params),
      ),
    'runs.export': (params) => withConsent('write', params.path, () => engine['runs.export'](params)),
    'policies.rollout': (params) =>
      withConsent('read', params.path, () => engine['policies.rollout'](params)),
    'dialog.openDataset': () => dialogs.openDataset(),
    'dialog.saveExport': ({ format, defaultName }) => dialogs.saveExport(format, defaultName),
  };
}

/** Handler for `ipcMain.handle(IPC_CHANNELS.call, …)`. Never throws; refusals are error responses. */
export function createCallHandler(
  service: EngineService,
): (event: IpcEventLike, request: unknown) => Promise<CommandResponse> {
  return async (event, request) => {
    if (!isTrustedSender(event.senderFrame)) {
      return {
        id: requestId(request),
        error: { message: 'refused: commands are accepted only from the app’s own page', code: 'forbidden' },
      };
    }
    return respond(service, request);
  };
}
