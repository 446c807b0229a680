/**
 * Main process of the desktop app. It owns the window, menu, native dialogs and files; the engine
 * runs in a worker thread (core/server/engine-host.ts), so training never blocks the window.
 *
 * Security: the renderer is sandboxed with context isolation and no Node integration; its pages
 * come from the privileged `o2o://app/` scheme with a strict CSP; navigation and new windows are
 * refused, frames included (allow-listed https links open in the system browser); permission,
 * device and screen-capture requests are denied; DevTools are off in packaged builds; every IPC
 * command is checked for its sender frame and validated with the protocol schemas before it runs
 * (electron/ipc.ts); and the engine reads and writes only where the user allowed: files picked in
 * a dialog, or confirmed in one (core/server/path-access.ts).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import { MIME_TYPES, resolveStaticPath } from '../core/server/browser-server.js';
import { EngineWorkerHost } from '../core/server/engine-host.js';
import type { EventBatch } from '../core/common/protocol.js';
import { packageInfo } from '../core/util/package-info.js';
import { createCallHandler, desktopService, IPC_CHANNELS, type HostDialogs } from './ipc.js';
import { menuTemplate, type AppView } from './menu.js';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_SCHEME,
  DESKTOP_CONTENT_SECURITY_POLICY,
  isAllowedExternalUrl,
  isAppUrl,
} from './security.js';
import { loadWindowState, placeWindow, saveWindowState, type WindowState } from './window-state.js';

const root = packageInfo().root;
const rendererDirectory = join(root, 'renderer', 'dist');
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));

// Must happen before `ready`: the app scheme behaves like https (secure context, fetch, CSP 'self').
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let mainWindow: BrowserWindow | undefined;
let engine: EngineWorkerHost | undefined;

/** Serve the built renderer on o2o://app/ with the CSP on every response. */
function registerAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveStaticPath(rendererDirectory, url.pathname) : undefined;
    const headers = {
      'Content-Security-Policy': DESKTOP_CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    };
    if (!file) return new Response('not found', { status: 404, headers });
    const target = extname(file) === '' ? join(rendererDirectory, 'index.html') : file;
    try {
      const body = await readFile(target);
      return new Response(body, {
        status: 200,
        headers: { ...headers, 'Content-Type': MIME_TYPES[extname(target)] ?? 'application/octet-stream' },
      });
    } catch {
      return new Response('not found', { status: 404, headers });
    }
  });
}

/**
 * Refuse navigation (of the window and of any frame), new windows, webviews, permission requests,
 * device access (HID, serial, USB, Bluetooth) and screen capture for every web contents.
 */
function lockDownWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-frame-navigate', (event) => {
      if (!isAppUrl(event.url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('select-bluetooth-device', (event, _devices, callback) => {
      event.preventDefault();
      callback('');
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.setDevicePermissionHandler(() => false);
  defaultSession.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  defaultSession.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  defaultSession.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  defaultSession.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
}

const dialogs: HostDialogs = {
  async openDataset() {
    const options = {
      title: 'Open dataset',
      properties: ['openFile' as const],
      filters: [
        { name: 'Datasets', extensions: ['arrow', 'parquet', 'feather'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const result = mainWindow
      ? await dialog.showOpenDialog(mainWindow, options)
      : await dialog.showOpenDialog(options);
    const path = result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
    // The user chose it: the engine may read it from now on.
    if (path) engine?.grant('read', path);
    return { path };
  },
  async saveExport(format, defaultName) {
    const extension = format === 'onnx' ? 'onnx' : format === 'json' ? 'json' : 'tfjs';
    const options = {
      title: 'Export policy',
      defaultPath: join(app.getPath('documents'), defaultName ?? `policy.${extension}`),
      filters: [{ name: format.toUpperCase(), extensions: [extension] }],
    };
    const result = mainWindow
      ? await dialog.showSaveDialog(mainWindow, options)
      : await dialog.showSaveDialog(options);
    const path = result.canceled || !result.filePath ? null : result.filePath;
    if (path) engine?.grant('write', path);
    return { path };
  },
  async confirmAccess(access, path) {
    const options = {
      type: 'question' as const,
      buttons: ['Cancel', access === 'read' ? 'Open' : 'Export'],
      defaultId: 0,
      cancelId: 0,
      title:
        access === 'read' ? 'Open a file outside the app’s folders?' : 'Write outside the app’s folders?',
      message:
        access === 'read'
          ? `Let O2O Studio read ${path}?`
          : `Let O2O Studio write the policy export to ${path}?`,
      detail:
        'O2O Studio uses only the shipped datasets, its runs folder and the files you pick. Allow this one only if you chose it yourself.',
    };
    const { response } = mainWindow
      ? await dialog.showMessageBox(mainWindow, options)
      : await dialog.showMessageBox(options);
    if (response !== 1) return false;
    engine?.grant(access, path);
    return true;
  },
};

function sendMenuAction(
  action: { type: 'open-dataset'; path: string } | { type: 'navigate'; view: AppView },
): void {
  mainWindow?.webContents.send(IPC_CHANNELS.menu, action);
}

function installMenu(): void {
  const template = menuTemplate(
    {
      openDataset: () => {
        void dialogs.openDataset().then(({ path }) => {
          if (path) sendMenuAction({ type: 'open-dataset', path });
        });
      },
      navigate: (view) => sendMenuAction({ type: 'navigate', view }),
      openExternal: (url) => {
        if (isAllowedExternalUrl(url)) void shell.openExternal(url);
      },
      about: () => {
        void dialog.showMessageBox({
          type: 'info',
          title: 'About O2O Studio',
          message: `O2O Studio ${app.getVersion()}`,
          detail:
            'Offline-to-online reinforcement learning: ROER-prioritised SAC with an adaptive temperature.',
        });
      },
    },
    { platform: process.platform, developer: !app.isPackaged },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function windowStateFile(): string {
  return join(app.getPath('userData'), 'window-state.json');
}

function createWindow(): BrowserWindow {
  const areas = screen.getAllDisplays().map((display) => display.workArea);
  const primary = screen.getPrimaryDisplay().workArea;
  const placed = placeWindow(loadWindowState(windowStateFile()), [
    primary,
    ...areas.filter((a) => a !== primary),
  ]);
  const window = new BrowserWindow({
    ...placed,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'O2O Studio',
    backgroundColor: '#111418',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // DevTools only in development; a packaged build keeps them closed.
      devTools: !app.isPackaged,
    },
  });
  if (placed.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const rememberState = (): void => {
    if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return;
    const bounds = window.isMaximized() ? window.getNormalBounds() : window.getBounds();
    const state: WindowState = { ...bounds, maximized: window.isMaximized() };
    try {
      saveWindowState(windowStateFile(), state);
    } catch {
      // Losing the window position is not worth interrupting the user for.
    }
  };
  const scheduleSave = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(rememberState, 500);
  };
  window.on('resize', scheduleSave);
  window.on('move', scheduleSave);
  window.on('close', () => {
    if (saveTimer) clearTimeout(saveTimer);
    rememberState();
  });
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  void window.loadURL(APP_ENTRY_URL);
  return window;
}

/**
 * The app's own folder in the user's documents: runs live in it, and relative dataset and export
 * paths typed in the app resolve against it (the UI shows it).
 */
function studioFolder(): string {
  return join(app.getPath('documents') || homedir(), 'O2O Studio');
}

async function startEngine(): Promise<EngineWorkerHost> {
  const host = await EngineWorkerHost.start({
    service: {
      runsDirectory: process.env.O2O_RUNS_DIR ?? join(studioFolder(), 'runs'),
      datasetsDirectory: join(root, 'datasets'),
      baseDirectory: studioFolder(),
      mode: 'electron',
      version: packageInfo().version,
    },
  });
  host.onEvents((batch: EventBatch) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(IPC_CHANNELS.events, batch);
    }
  });
  return host;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  await app.whenReady();
  lockDownWebContents();
  registerAppProtocol();
  engine = await startEngine();
  ipcMain.handle(
    IPC_CHANNELS.call,
    createCallHandler(desktopService(engine.service, dialogs, studioFolder())),
  );
  installMenu();
  mainWindow = createWindow();

  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !engine) return;
    // Let running trainings write their final checkpoints before the process ends.
    event.preventDefault();
    quitting = true;
    void engine.close().finally(() => app.quit());
  });
}

main().catch((error: unknown) => {
  dialog.showErrorBox('O2O Studio could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
