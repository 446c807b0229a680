/**
 * The main process, run for real against a stand-in for the 'electron' module (no Electron binary
 * is needed): it must open one sandboxed window on the app scheme, serve the renderer with its CSP,
 * refuse navigation, pop-ups and permissions, answer IPC only from its own page, remember the
 * window's bounds, stop the engine before quitting, and give way to an instance already running.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    lock: true,
    userData: '',
    appListeners: new Map<string, Listener>(),
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    privilegedSchemes: [] as unknown[],
    ipcHandlers: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    opened: [] as string[],
    quitCalls: 0,
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    devicePermission: undefined as Listener | undefined,
    displayMedia: undefined as Listener | undefined,
    sessionListeners: new Map<string, Listener>(),
    menu: undefined as unknown,
  };
  class FakeWindow {
    readonly listeners = new Map<string, Listener[]>();
    readonly webContents = {
      sent: [] as unknown[],
      send: (...args: unknown[]) => this.webContents.sent.push(args),
    };
    url = '';
    constructor(readonly options: Record<string, unknown>) {
      state.windows.push(this);
    }
    on(event: string, listener: Listener): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Listener): this {
      return this.on(event, listener);
    }
    emit(event: string, ...args: unknown[]): void {
      for (const listener of this.listeners.get(event) ?? []) listener(...args);
    }
    loadURL(url: string): Promise<void> {
      this.url = url;
      return Promise.resolve();
    }
    maximize(): void {}
    show(): void {}
    focus(): void {}
    restore(): void {}
    isDestroyed = () => false;
    isMinimized = () => false;
    isFullScreen = () => false;
    isMaximized = () => false;
    getBounds = () => ({ x: 40, y: 30, width: 1000, height: 700 });
    getNormalBounds = () => ({ x: 40, y: 30, width: 1000, height: 700 });
    static getAllWindows(): FakeWindow[] {
      return state.windows;
    }
  }
  const workArea = { x: 0, y: 0, width: 1920, height: 1080 };
  const electron = {
    app: {
      requestSingleInstanceLock: () => state.lock,
      quit: () => {
        state.quitCalls++;
      },
      exit: () => {},
      on: (event: string, listener: Listener) => state.appListeners.set(event, listener),
      whenReady: () => Promise.resolve(),
      getPath: (name: string) => join(state.userData, name),
      getVersion: () => '0.0.0-test',
      // a packaged build: DevTools and the developer menu must be off
      isPackaged: true,
    },
    BrowserWindow: FakeWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) =>
        state.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (state.permissionRequest = handler),
        setPermissionCheckHandler: (handler: Listener) => (state.permissionCheck = handler),
        setDevicePermissionHandler: (handler: Listener) => (state.devicePermission = handler),
        setDisplayMediaRequestHandler: (handler: Listener) => (state.displayMedia = handler),
        on: (event: string, listener: Listener) => state.sessionListeners.set(event, listener),
      },
    },
    ipcMain: { handle: (channel: string, handler: Listener) => state.ipcHandlers.set(channel, handler) },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => (state.menu = menu),
    },
    screen: { getAllDisplays: () => [{ workArea }], getPrimaryDisplay: () => ({ workArea }) },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showSaveDialog: async () => ({ canceled: true }),
      showMessageBox: async () => ({}),
      showErrorBox: (title: string, message: string) => {
        throw new Error(`${title}: ${message}`);
      },
    },
    shell: { openExternal: async (url: string) => void state.opened.push(url) },
  };
  return { state, electron };
});

vi.mock('electron', () => fake.electron);

const scratch = mkdtempSync(join(tmpdir(), 'o2o-main-'));
const rendererBuilt = existsSync(join(import.meta.dirname, '../../renderer/dist/index.html'));

beforeAll(async () => {
  fake.state.userData = join(scratch, 'user');
  mkdirSync(join(fake.state.userData, 'userData'), { recursive: true });
  // A remembered window that is still on screen.
  writeFileSync(
    join(fake.state.userData, 'userData', 'window-state.json'),
    JSON.stringify({ x: 100, y: 80, width: 1100, height: 760, maximized: false }),
  );
  process.env.O2O_RUNS_DIR = join(scratch, 'runs');
  await import('../../electron/main.js');
  // main() finishes by creating the window; wait for it (the engine worker starts first).
  await vi.waitFor(() => expect(fake.state.windows.length).toBe(1), { timeout: 60_000, interval: 50 });
}, 90_000);

afterAll(async () => {
  const beforeQuit = fake.state.appListeners.get('before-quit');
  if (beforeQuit && fake.state.quitCalls === 0) beforeQuit({ preventDefault: () => {} });
  await vi.waitFor(() => expect(fake.state.quitCalls).toBeGreaterThan(0), { timeout: 30_000 });
  delete process.env.O2O_RUNS_DIR;
  rmSync(scratch, { recursive: true, force: true });
});

const appFrame = { senderFrame: { url: 'o2o://app/index.html', parent: null } };

describe('Electron main process', () => {
  it('opens one sandboxed, isolated window on the app scheme where it was left', () => {
    const [window] = fake.state.windows;
    const preferences = window.options.webPreferences as Record<string, unknown>;
    expect(preferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
    });
    expect(String(preferences.preload)).toMatch(/preload\.cjs$/);
    expect(window.url).toBe('o2o://app/index.html');
    expect(window.options).toMatchObject({ x: 100, y: 80, width: 1100, height: 760 });
    expect(fake.state.privilegedSchemes).toEqual([
      { scheme: 'o2o', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.state.menu).toBeInstanceOf(Array);
  });

  it.runIf(rendererBuilt)('serves the renderer with its CSP and nothing outside it', async () => {
    const handler = fake.state.protocolHandlers.get('o2o');
    if (!handler) throw new Error('no o2o protocol handler');
    const page = await handler({ url: 'o2o://app/index.html' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="app"');
    expect((await handler({ url: 'o2o://app/../../package.json' })).status).not.toBe(200);
    expect((await handler({ url: 'o2o://app/%2e%2e/%2e%2e/package.json' })).status).toBe(404);
    expect((await handler({ url: 'o2o://elsewhere/index.html' })).status).toBe(404);
    expect((await handler({ url: 'o2o://app/assets/missing.js' })).status).toBe(404);
  });

  it('blocks navigation and pop-ups, and opens only allow-listed links outside', () => {
    const created = fake.state.appListeners.get('web-contents-created');
    if (!created) throw new Error('no web-contents-created listener');
    const listeners = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    created(
      {},
      {
        on: (event: string, listener: Listener) => listeners.set(event, listener),
        setWindowOpenHandler: (handler: Listener) => (openHandler = handler),
      },
    );
    const navigate = (url: string): boolean => {
      let prevented = false;
      listeners.get('will-navigate')?.({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('o2o://app/index.html')).toBe(false);
    const navigateFrame = (url: string): boolean => {
      let prevented = false;
      listeners.get('will-frame-navigate')?.({ url, preventDefault: () => (prevented = true) });
      return prevented;
    };
    expect(navigateFrame('https://evil.example/')).toBe(true);
    expect(navigateFrame('o2o://app/index.html')).toBe(false);
    let bluetooth: unknown;
    listeners.get('select-bluetooth-device')?.(
      { preventDefault: () => {} },
      [{ deviceId: 'x' }],
      (id: string) => (bluetooth = id),
    );
    expect(bluetooth).toBe('');
    let webviewPrevented = false;
    listeners.get('will-attach-webview')?.({ preventDefault: () => (webviewPrevented = true) });
    expect(webviewPrevented).toBe(true);
    expect(openHandler?.({ url: 'https://arxiv.org/abs/2407.03995' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(fake.state.opened).toEqual(['https://arxiv.org/abs/2407.03995']);
  });

  it('denies every permission request, device access and screen capture', () => {
    let granted: boolean | undefined;
    fake.state.permissionRequest?.({}, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    expect(fake.state.permissionCheck?.({}, 'notifications')).toBe(false);
    expect(fake.state.devicePermission?.({ deviceType: 'usb' })).toBe(false);
    let streams: unknown = 'unanswered';
    fake.state.displayMedia?.({}, (answer: unknown) => (streams = answer));
    expect(streams).toBeNull();
    for (const event of ['select-hid-device', 'select-usb-device']) {
      let chosen: unknown = 'unanswered';
      fake.state.sessionListeners.get(event)?.(
        { preventDefault: () => {} },
        {},
        (id?: string) => (chosen = id),
      );
      expect(chosen, event).toBeUndefined();
    }
    let port: unknown;
    fake.state.sessionListeners.get('select-serial-port')?.(
      { preventDefault: () => {} },
      [],
      {},
      (id: string) => (port = id),
    );
    expect(port).toBe('');
  });

  it('answers IPC commands from its page through the engine worker and refuses others', async () => {
    const handle = fake.state.ipcHandlers.get('o2o:call');
    if (!handle) throw new Error('no o2o:call handler');
    expect(await handle(appFrame, { id: 1, method: 'app.info', params: {} })).toMatchObject({
      id: 1,
      result: { mode: 'electron', runsDirectory: join(scratch, 'runs') },
    });
    expect(await handle(appFrame, { id: 2, method: 'dialog.openDataset', params: {} })).toEqual({
      id: 2,
      result: { path: null },
    });
    expect(
      await handle(
        { senderFrame: { url: 'https://evil.example/', parent: null } },
        { id: 3, method: 'app.info' },
      ),
    ).toMatchObject({ id: 3, error: { code: 'forbidden' } });
  });

  it('remembers the window bounds when the window closes', () => {
    fake.state.windows[0].emit('close');
    const saved = JSON.parse(
      readFileSync(join(fake.state.userData, 'userData', 'window-state.json'), 'utf8'),
    );
    expect(saved).toEqual({ x: 40, y: 30, width: 1000, height: 700, maximized: false });
  });

  it('brings its window forward when a second instance starts', () => {
    const window = fake.state.windows[0];
    const focus = vi.spyOn(window, 'focus');
    fake.state.appListeners.get('second-instance')?.();
    expect(focus).toHaveBeenCalledOnce();
  });

  it('stops the engine before quitting', async () => {
    const beforeQuit = fake.state.appListeners.get('before-quit');
    let prevented = false;
    beforeQuit?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(fake.state.quitCalls).toBe(1), { timeout: 30_000 });
    // The second quit (after the engine stopped) goes through.
    let preventedAgain = false;
    beforeQuit?.({ preventDefault: () => (preventedAgain = true) });
    expect(preventedAgain).toBe(false);
  });

  it('as a second instance, quits at once without a window', async () => {
    vi.resetModules();
    fake.state.lock = false;
    const windows = fake.state.windows.length;
    const quits = fake.state.quitCalls;
    await import('../../electron/main.js');
    expect(fake.state.quitCalls).toBe(quits + 1);
    expect(fake.state.windows.length).toBe(windows);
  });
});
