/**
 * The desktop app itself, driven by Playwright's Electron support. It needs an Electron binary and
 * a display; where either is missing (as on machines that cannot download the binary) the test is
 * skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { displayProblem, findElectronBinary } from '../../electron/launch.js';
import { artifact, ROOT } from './harness.js';

const lookup = findElectronBinary();
const skipReason = !lookup.ok ? lookup.reason : displayProblem();
if (skipReason) console.warn(`Electron end-to-end test SKIPPED: ${skipReason}`);

const title = skipReason ? `desktop app end to end (skipped: ${skipReason})` : 'desktop app end to end';

describe.skipIf(skipReason !== undefined)(title, () => {
  it('opens a sandboxed window whose bridge reaches the engine', async () => {
    if (!existsSync(join(ROOT, 'dist', 'electron', 'main.js'))) {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    }
    const runs = mkdtempSync(join(tmpdir(), 'o2o-electron-runs-'));
    const app = await electron.launch({
      executablePath: (lookup as { binary: string }).binary,
      args: [ROOT],
      env: { ...process.env, O2O_RUNS_DIR: runs },
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('nav-datasets').waitFor({ timeout: 60_000 });
      // Runs in the page (no DOM types in this project's TypeScript config, hence the casts).
      const facts = await page.evaluate(async () => {
        const scope = globalThis as unknown as {
          o2o: { mode: string; call: Record<string, (params: unknown) => Promise<unknown>> };
          open(url: string): unknown;
          require?: unknown;
          process?: unknown;
          location: { origin: string };
        };
        const info = (await scope.o2o.call['app.info']({})) as { mode: string };
        const popup = scope.open('https://example.com');
        return {
          mode: scope.o2o.mode,
          infoMode: info.mode,
          methods: Object.keys(scope.o2o.call).length,
          nodeRequire: typeof scope.require,
          nodeProcess: typeof scope.process,
          popupOpened: popup !== null,
          origin: scope.location.origin,
        };
      });
      expect(facts).toMatchObject({
        mode: 'electron',
        infoMode: 'electron',
        nodeRequire: 'undefined',
        nodeProcess: 'undefined',
        popupOpened: false,
        origin: 'o2o://app',
      });
      expect(facts.methods).toBeGreaterThan(10);
      await page.screenshot({ path: artifact('electron-window.png') });
    } finally {
      await app.close();
      rmSync(runs, { recursive: true, force: true });
    }
  });
});
