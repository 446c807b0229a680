/**
 * The renderer's one door to the engine. Everything the UI asks or hears goes through here; no
 * other module talks to a transport. Two transports, picked once at start-up:
 *
 * - Electron: the preload bridge `window.o2o` (one function per method, an event subscription).
 * - Browser mode (no bridge): a WebSocket to `/api` on the page's own host, authorised by the
 *   session token taken from the page URL; reconnects with backoff and reports its state so the
 *   UI can show a banner while it is down.
 *
 * There is no simulated engine: the UI is developed and tested against the real one (`o2o serve`,
 * or `npm run dev:renderer` with O2O_SERVER pointing at it).
 */
import type { CommandParams, CommandResults, EventBatch, Method } from '../../../core/common/protocol.js';
import { ApiError, RpcClient, apiSocketUrl, reconnectDelay, stripTokenFromUrl, toApiError } from './rpc.js';

export { ApiError, errorMessage } from './rpc.js';

export type ApiMode = 'electron' | 'browser';

export interface ConnectionState {
  status: 'connecting' | 'open' | 'closed';
  /** Reconnect attempts since the last successful connection. */
  attempt: number;
  /** When closed: milliseconds until the next attempt. */
  retryInMs: number;
  message: string;
}

/** Commands from the desktop app's menu (Electron only). */
export type MenuAction =
  | { type: 'open-dataset'; path: string }
  | { type: 'navigate'; view: 'datasets' | 'new-run' | 'runs' | 'live' | 'export' };

export interface Api {
  readonly mode: ApiMode;
  call<M extends Method>(method: M, params: CommandParams<M>): Promise<CommandResults[M]>;
  /** The native open dialog; ApiError code 'unsupported' outside the desktop app. */
  openDatasetDialog(): Promise<string | null>;
  /** The native save dialog; ApiError code 'unsupported' outside the desktop app. */
  saveExportDialog(format: string, defaultName?: string): Promise<string | null>;
  onEvents(listener: (batch: EventBatch) => void): () => void;
  onMenu(listener: (action: MenuAction) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** The file-system path of a dropped file, where the host can tell it (desktop app). */
  pathForFile(file: File): string | null;
}

/** What the desktop app's preload script exposes. */
interface ElectronBridge {
  mode: 'electron';
  call: Record<string, (params: unknown) => Promise<unknown>>;
  onEvents(listener: (batch: EventBatch) => void): () => void;
  onMenu?(listener: (action: MenuAction) => void): () => void;
  pathForFile?(file: File): string;
}

class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T): void {
    for (const listener of this.set) {
      try {
        listener(value);
      } catch (error) {
        console.error('listener failed', error);
      }
    }
  }
}

const unsupported = (what: string) =>
  Promise.reject(new ApiError(`${what} is only available in the desktop app`, 'unsupported'));

function electronApi(bridge: ElectronBridge): Api {
  const invoke = async (method: string, params: unknown): Promise<unknown> => {
    const fn = bridge.call[method];
    if (typeof fn !== 'function')
      throw new ApiError(`the desktop app does not offer ${method}`, 'unsupported');
    try {
      return await fn(params);
    } catch (error) {
      throw toApiError(error, method);
    }
  };
  return {
    mode: 'electron',
    call: (method, params) => invoke(method, params) as never,
    openDatasetDialog: async () => ((await invoke('dialog.openDataset', {})) as { path: string | null }).path,
    saveExportDialog: async (format, defaultName) =>
      (
        (await invoke('dialog.saveExport', defaultName ? { format, defaultName } : { format })) as {
          path: string | null;
        }
      ).path,
    onEvents: (listener) => bridge.onEvents(listener),
    onMenu: (listener) => bridge.onMenu?.(listener) ?? (() => {}),
    onConnection: (listener) => {
      listener({ status: 'open', attempt: 0, retryInMs: 0, message: '' });
      return () => {};
    },
    pathForFile: (file) => {
      try {
        return bridge.pathForFile?.(file) || null;
      } catch {
        return null;
      }
    },
  };
}

const TOKEN_KEY = 'o2o.token';

/** The session token: from the URL on first load (then removed from the address bar), else from sessionStorage. */
function takeToken(): string | null {
  const { token, href } = stripTokenFromUrl(window.location.href);
  if (token !== null) {
    sessionStorage.setItem(TOKEN_KEY, token);
    window.history.replaceState(window.history.state, '', href);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function browserApi(): Api {
  const events = new Listeners<EventBatch>();
  const connection = new Listeners<ConnectionState>();
  let state: ConnectionState = { status: 'connecting', attempt: 0, retryInMs: 0, message: '' };
  const setState = (next: ConnectionState) => {
    state = next;
    connection.emit(state);
  };
  const rpc = new RpcClient((message) => events.emit(message.batch as EventBatch));
  const url = apiSocketUrl(window.location, takeToken());
  let attempt = 0;

  const connect = () => {
    setState({ status: 'connecting', attempt, retryInMs: 0, message: '' });
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      scheduleReconnect(String(error));
      return;
    }
    socket.onopen = () => {
      attempt = 0;
      rpc.connected((text) => socket.send(text));
      setState({ status: 'open', attempt: 0, retryInMs: 0, message: '' });
    };
    socket.onmessage = (message) => {
      if (typeof message.data === 'string') rpc.receive(message.data);
    };
    socket.onclose = (close) => {
      rpc.disconnected(close.reason || `code ${close.code}`);
      scheduleReconnect(
        close.reason || (close.code === 1006 ? 'the engine is not reachable' : `closed (${close.code})`),
      );
    };
  };
  const scheduleReconnect = (message: string) => {
    const delay = reconnectDelay(attempt);
    attempt++;
    setState({ status: 'closed', attempt, retryInMs: delay, message });
    setTimeout(connect, delay);
  };
  connect();

  return {
    mode: 'browser',
    call: (method, params) => rpc.request(method, params) as never,
    openDatasetDialog: () => unsupported('The file dialog'),
    saveExportDialog: () => unsupported('The save dialog'),
    onEvents: (listener) => events.add(listener),
    onMenu: () => () => {},
    onConnection: (listener) => {
      listener(state);
      return connection.add(listener);
    },
    pathForFile: () => null,
  };
}

let instance: Api | null = null;

/** Pick the transport. Call once before the app mounts. */
export async function initApi(): Promise<Api> {
  if (instance) return instance;
  const bridge = (window as unknown as { o2o?: ElectronBridge }).o2o;
  if (bridge && typeof bridge.call === 'object') {
    instance = electronApi(bridge);
  } else {
    instance = browserApi();
  }
  return instance;
}

/** The API chosen by initApi(). */
export function api(): Api {
  if (!instance) throw new Error('api() called before initApi()');
  return instance;
}
