import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineService, type EngineServiceHandle } from '../../core/server/engine-service.js';
import {
  createCallHandler,
  desktopService,
  type HostDialogs,
  type IpcEventLike,
} from '../../electron/ipc.js';
import { createFakeEngineApiSync } from '../core/server/fake-engine-api.js';

let root: string;
let engine: EngineServiceHandle;
const dialogCalls: string[] = [];
/** What the user answers to the next confirmation dialogs. */
const consent = { answer: false };
const dialogs: HostDialogs = {
  async openDataset() {
    dialogCalls.push('open');
    return { path: '/data/picked.arrow' };
  },
  async saveExport(format, defaultName) {
    dialogCalls.push(`save:${format}:${defaultName ?? ''}`);
    return { path: null };
  },
  async confirmAccess(access, path) {
    dialogCalls.push(`confirm:${access}:${path}`);
    if (consent.answer) engine.grantAccess(access, path);
    return consent.answer;
  },
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'o2o-ipc-'));
  engine = createEngineService(createFakeEngineApiSync(), {
    runsDirectory: join(root, 'runs'),
    datasetsDirectory: join(root, 'datasets'),
    baseDirectory: root,
    mode: 'electron',
    version: '2.0.0',
  });
});

afterAll(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

const appFrame = (url = 'o2o://app/index.html'): IpcEventLike => ({ senderFrame: { url, parent: null } });

describe('IPC command handler', () => {
  it('runs a valid command from the app page', async () => {
    const handle = createCallHandler(desktopService(engine, dialogs, root));
    expect(await handle(appFrame(), { id: 1, method: 'app.info', params: {} })).toEqual({
      id: 1,
      result: {
        version: '2.0.0',
        backend: 'cpu',
        backendNote: '',
        mode: 'electron',
        runsDirectory: join(root, 'runs'),
        baseDirectory: root,
      },
    });
    expect(
      await handle(appFrame('o2o://app/runs/live'), { id: 2, method: 'envs.list', params: {} }),
    ).toMatchObject({
      id: 2,
      result: [{ id: 'walk-v0' }],
    });
  });

  it('refuses senders that are not the app’s own top-level page, before anything runs', async () => {
    const handle = createCallHandler(desktopService(engine, dialogs, root));
    const before = dialogCalls.length;
    const foreign: IpcEventLike[] = [
      { senderFrame: null },
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: 'file:///etc/passwd', parent: null } },
      { senderFrame: { url: 'o2o://other/index.html', parent: null } },
      { senderFrame: { url: 'http://127.0.0.1:8080/?token=x', parent: null } },
      // An iframe inside the app page is not trusted either.
      { senderFrame: { url: 'o2o://app/index.html', parent: {} } },
      { senderFrame: { url: 'not a url', parent: null } },
    ];
    for (const event of foreign) {
      const response = await handle(event, { id: 9, method: 'dialog.openDataset', params: {} });
      expect(response).toMatchObject({ id: 9, error: { code: 'forbidden' } });
    }
    expect(dialogCalls.length).toBe(before);
  });

  it('rejects bad payloads with the key path of each problem', async () => {
    const handle = createCallHandler(desktopService(engine, dialogs, root));
    expect(await handle(appFrame(), 'runs.start')).toMatchObject({
      id: -1,
      error: { code: 'invalid-request' },
    });
    expect(await handle(appFrame(), { id: 3, method: 'shell.exec', params: {} })).toMatchObject({
      error: { code: 'unknown-method' },
    });
    const bad = await handle(appFrame(), {
      id: 4,
      method: 'runs.rollout',
      params: { runId: 'a/b', episodes: 500 },
    });
    expect(bad).toMatchObject({ id: 4, error: { code: 'invalid-params' } });
    if (!('error' in bad)) throw new Error('expected an error');
    expect(bad.error.issues?.map((issue) => issue.path).sort()).toEqual(['episodes', 'runId']);
    const extra = await handle(appFrame(), { id: 5, method: 'dialog.saveExport', params: { format: 'exe' } });
    expect(extra).toMatchObject({ error: { code: 'invalid-params', issues: [{ path: 'format' }] } });
  });

  it('answers the dialog methods in the main process', async () => {
    const handle = createCallHandler(desktopService(engine, dialogs, root));
    expect(await handle(appFrame(), { id: 6, method: 'dialog.openDataset', params: {} })).toEqual({
      id: 6,
      result: { path: '/data/picked.arrow' },
    });
    expect(
      await handle(appFrame(), {
        id: 7,
        method: 'dialog.saveExport',
        params: { format: 'onnx', defaultName: 'p.onnx' },
      }),
    ).toEqual({ id: 7, result: { path: null } });
    expect(dialogCalls.slice(-2)).toEqual(['open', 'save:onnx:p.onnx']);
  });

  it('asks the user, in a native dialog, before the engine reads or writes outside its folders', async () => {
    const handle = createCallHandler(desktopService(engine, dialogs, root));
    const outside = join(root, 'elsewhere', 'dropped.arrow');
    consent.answer = false;
    expect(
      await handle(appFrame(), { id: 10, method: 'datasets.inspect', params: { path: outside } }),
    ).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(dialogCalls.at(-1)).toBe(`confirm:read:${outside}`);
    consent.answer = true;
    expect(
      await handle(appFrame(), { id: 11, method: 'datasets.inspect', params: { path: outside } }),
    ).toMatchObject({
      result: { path: outside },
    });
    // Inside the app's folders nothing is asked.
    const asked = dialogCalls.length;
    await handle(appFrame(), { id: 12, method: 'datasets.inspect', params: { path: 'datasets/x.arrow' } });
    expect(dialogCalls.length).toBe(asked);
    consent.answer = false;
  });
});
