/**
 * The IPC command handler of the main process, independent of Electron so it is tested with fake
 * events: it refuses senders that are not the app's own top-level page, validates the payload with
 * the protocol schemas (the same ones the browser mode and the CLI use), answers the native-dialog
 * methods in the main process, and forwards everything else to the engine worker.
 */
import type { CommandResponse, CommandResults, EngineService } from '../core/server/protocol.js';
import { requestId, respond } from '../core/server/respond.js';
import { isTrustedSender, type SenderFrameLike } from './security.js';

/** IPC channel names shared with the preload script (which cannot import this module). */
export const IPC_CHANNELS = {
  call: 'o2o:call',
  events: 'o2o:events',
  menu: 'o2o:menu',
} as const;

export interface HostDialogs {
  openDataset(): Promise<CommandResults['dialog.openDataset']>;
  saveExport(
    format: 'onnx' | 'tfjs' | 'json',
    defaultName?: string,
  ): Promise<CommandResults['dialog.saveExport']>;
}

export interface IpcEventLike {
  senderFrame: SenderFrameLike | null;
}

/** The service the desktop app exposes: the engine's commands with the dialogs answered by the host. */
export function desktopService(engine: EngineService, dialogs: HostDialogs): EngineService {
  return {
    ...engine,
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
