/**
 * The whole app in a real browser: `o2o serve` with the real engine, the built renderer in Debian's
 * chromium. Opens a shipped dataset, starts a tiny run, watches the β and ESS charts receive data,
 * pauses and resumes, stops, exports the policy and plays a rollout. Screenshots go to test-artifacts/e2e/.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, findChromium, launchChromium, ROOT, startServe, type ServedApp } from './harness.js';

const browser = findChromium();
const skipReason = 'reason' in browser ? browser.reason : undefined;
if (skipReason) {
  if (process.env.CI) throw new Error(`the browser end-to-end tests need chromium: ${skipReason}`);
  console.warn(`browser-mode end-to-end tests SKIPPED: ${skipReason}`);
}

/** A run small enough for a test: tiny nets, a few hundred updates per phase. */
function tinyRunConfig(datasetPath: string | undefined) {
  return {
    env: { id: 'pendulum-v1' },
    ...(datasetPath ? { dataset: { path: datasetPath } } : {}),
    seed: 7,
    agent: { hiddenSizes: [16, 16], batchSize: 32 },
    replay: { priority: 'roer', mode: 'weight', mixing: 'union' },
    beta: { kind: 'track', initialBeta: 1, targetEssFraction: 0.5 },
    offline: { steps: datasetPath ? 400 : 0, evalInterval: 0 },
    // Long enough that the Stop below, not the budget, ends it (the native kernels finish 2k steps in seconds).
    online: { envSteps: 50_000, updatesPerStep: 1, warmupSteps: datasetPath ? 0 : 64 },
    eval: { episodes: 1, interval: 1_000 },
    checkpoint: { interval: 200 },
  };
}

const byTestId = (page: Page, id: string) => page.getByTestId(id);

/** Points a chart has received: `data-total-points` (before any thinning for display), else `data-points`. */
async function chartPoints(page: Page, id: string): Promise<number> {
  const chart = byTestId(page, id).first();
  const value = (await chart.getAttribute('data-total-points')) ?? (await chart.getAttribute('data-points'));
  return Number(value ?? 0);
}

const title = skipReason ? `browser mode end to end (skipped: ${skipReason})` : 'browser mode end to end';

describe.skipIf(skipReason !== undefined)(title, () => {
  let runs: string;
  let served: ServedApp;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    runs = mkdtempSync(join(tmpdir(), 'o2o-e2e-runs-'));
    served = await startServe(runs);
    context = await launchChromium((browser as { path: string }).path);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Failed requests are recorded with their URL below; the console line repeats them without it.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(`console: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()} ${response.url()}`);
    });
  });

  afterAll(async () => {
    await context?.close();
    const code = await served?.stop();
    // Ctrl-C is a clean shutdown: runs stopped, exit code 130.
    expect(code).toBe(130);
    rmSync(runs, { recursive: true, force: true });
  });

  it('refuses the page without the token', async () => {
    const response = await page.goto(served.origin + '/');
    expect(response?.status()).toBe(401);
    const wrong = await page.goto(`${served.origin}/?token=${'0'.repeat(64)}`);
    expect(wrong?.status()).toBe(403);
  });

  it('opens a shipped dataset', async () => {
    pageErrors.length = 0; // the refusals above were the point of the previous test
    const response = await page.goto(served.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await byTestId(page, 'nav-datasets').click();
    const items = byTestId(page, 'dataset-item');
    await expect.poll(() => items.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: artifact('01-datasets.png'), fullPage: true });
    await items.first().click();
    await byTestId(page, 'dataset-card').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: artifact('02-dataset-card.png'), fullPage: true });
    // A chart's CSV button downloads its data: one row per bin below the header.
    const histogram = byTestId(page, 'dataset-histogram').first();
    const bins = Number(await histogram.getAttribute('data-points'));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      histogram.getByRole('button', { name: /as CSV$/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('bin start,bin end,count');
    expect(lines).toHaveLength(bins + 1);
  });

  it('starts a tiny run and sees the β and ESS charts update, pauses, resumes and stops it', async () => {
    const pendulum = join(ROOT, 'datasets', 'pendulum-medium-v1.arrow');
    const config = tinyRunConfig(existsSync(pendulum) ? pendulum : undefined);
    await byTestId(page, 'nav-new-run').click();
    const editor = byTestId(page, 'run-config');
    const status = byTestId(page, 'config-status');
    await editor.waitFor();
    // Let the form load its first preset (which fills the editor) before typing over it.
    await expect.poll(() => editor.inputValue(), { timeout: 60_000 }).not.toBe('{}');
    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toMatch(/Ready to start/);
    await editor.fill(JSON.stringify(config, null, 2));
    await byTestId(page, 'run-name').fill('e2e tiny');
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/Ready to start/);
    await page.screenshot({ path: artifact('03-new-run.png'), fullPage: true });
    await byTestId(page, 'run-start').click();

    // The app moves to the live view; the charts fill as update batches arrive.
    const state = byTestId(page, 'run-state');
    await state.waitFor({ timeout: 60_000 });
    // The engine received the config as typed.
    const [runDirectory] = readdirSync(runs);
    const stored = JSON.parse(readFileSync(join(runs, runDirectory, 'config.json'), 'utf8')) as {
      agent: { hiddenSizes: number[] };
      offline: { steps: number };
    };
    expect(stored.agent.hiddenSizes).toEqual([16, 16]);
    expect(stored.offline.steps).toBe(config.offline.steps);
    await expect
      .poll(() => chartPoints(page, 'chart-beta'), { timeout: 180_000, interval: 250 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => chartPoints(page, 'chart-ess'), { timeout: 60_000, interval: 250 })
      .toBeGreaterThan(0);
    // The learner's losses arrive with the same update records and hold finite values (no "No data" overlay).
    await expect
      .poll(() => chartPoints(page, 'chart-learner-losses'), { timeout: 60_000, interval: 250 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => byTestId(page, 'chart-learner-losses').locator('.empty').count(), { timeout: 30_000 })
      .toBe(0);
    const betaBefore = await chartPoints(page, 'chart-beta');
    await expect
      .poll(() => chartPoints(page, 'chart-beta'), { timeout: 120_000, interval: 250 })
      .toBeGreaterThan(betaBefore);
    await page.screenshot({ path: artifact('04-live-charts.png'), fullPage: true });

    await byTestId(page, 'run-pause').click();
    await expect.poll(() => state.innerText(), { timeout: 60_000 }).toBe('paused');
    // While paused the step counter holds still (the engine delivers pre-pause updates before it replies).
    const pausedStep = Number(await byTestId(page, 'run-step').innerText());
    await page.waitForTimeout(1_500);
    expect(Number(await byTestId(page, 'run-step').innerText())).toBe(pausedStep);
    await page.screenshot({ path: artifact('05-paused.png'), fullPage: true });

    await byTestId(page, 'run-resume').click();
    await expect
      .poll(async () => Number(await byTestId(page, 'run-step').innerText()), { timeout: 120_000 })
      .toBeGreaterThan(pausedStep);
    await byTestId(page, 'run-stop').click();
    await expect.poll(() => state.innerText(), { timeout: 120_000 }).toMatch(/^(stopped|finished)$/);
    await page.screenshot({ path: artifact('06-stopped.png'), fullPage: true });

    // A stopped run goes on with a larger online budget: config.json says so and the steps advance.
    const stoppedStep = Number(await byTestId(page, 'run-step').innerText());
    await byTestId(page, 'extend-env-steps').fill('60000');
    await byTestId(page, 'run-extend').click();
    await expect.poll(() => state.innerText(), { timeout: 60_000 }).toBe('running');
    const [extended] = readdirSync(runs);
    expect(JSON.parse(readFileSync(join(runs, extended, 'config.json'), 'utf8')).online.envSteps).toBe(
      60_000,
    );
    await expect
      .poll(async () => Number(await byTestId(page, 'run-step').innerText()), { timeout: 120_000 })
      .toBeGreaterThan(stoppedStep);
    await byTestId(page, 'run-stop').click();
    await expect.poll(() => state.innerText(), { timeout: 120_000 }).toMatch(/^(stopped|finished)$/);
  });

  it('exports the policy as ONNX into the run directory', async () => {
    await byTestId(page, 'nav-export').click();
    await byTestId(page, 'export-format').selectOption('onnx');
    await byTestId(page, 'export-run').click();
    const result = byTestId(page, 'export-result');
    const failure = byTestId(page, 'error-message');
    await result.or(failure).first().waitFor({ timeout: 120_000 });
    if (await failure.isVisible()) throw new Error(`the export failed: ${await failure.first().innerText()}`);
    await page.screenshot({ path: artifact('07-exported.png'), fullPage: true });
    const [runDirectory] = readdirSync(runs);
    const exported = join(runs, runDirectory, 'export', 'policy.onnx');
    expect(existsSync(exported)).toBe(true);
    expect(statSync(exported).size).toBeGreaterThan(100);
    expect(await result.innerText()).toContain('policy.onnx');
  });

  it('plays a deterministic rollout of the exported run', async () => {
    await byTestId(page, 'rollout-run').click();
    const viewer = byTestId(page, 'policy-viewer');
    const failure = byTestId(page, 'error-message');
    await viewer.or(failure).first().waitFor({ timeout: 120_000 });
    if (await failure.isVisible())
      throw new Error(`the rollout failed: ${await failure.first().innerText()}`);
    await page.screenshot({ path: artifact('08-rollout.png'), fullPage: true });
  });

  it('ran without errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
