/**
 * `npm start` where no Electron binary can run: the launcher says why and falls back to the
 * browser mode, printing a URL that serves the app (and refuses requests without the token).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startNodeEntry, type ServedApp } from './harness.js';

describe('npm start without an Electron binary', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'o2o-launch-e2e-'));
  let served: ServedApp | undefined;

  afterAll(async () => {
    await served?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('explains why and serves the app in browser mode instead', async () => {
    // An empty override directory stands for "no binary", whatever this machine has installed.
    served = await startNodeEntry('electron/start.ts', ['--runs', join(scratch, 'runs'), '--no-open'], {
      ...process.env,
      ELECTRON_OVERRIDE_DIST_PATH: join(scratch, 'no-electron-here'),
    });
    expect(served.output()).toContain('Electron cannot start here: ELECTRON_OVERRIDE_DIST_PATH is set but');
    expect(served.output()).toContain('Falling back to the browser mode.');
    const page = await fetch(served.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"');
    expect((await fetch(served.origin + '/')).status).toBe(401);
    expect(await served.stop()).toBe(130);
  });
});
