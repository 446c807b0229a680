/**
 * The offline-to-online pieces of the app in Debian's chromium against `o2o serve` with the real
 * engine: the New-run form offers the offline objective and its settings (with their ranges), a run
 * with an in-sample objective and a critic warm-up shows the warm-up on its phase timeline and the
 * AWR weight statistics among its Learner charts, and a maze preset's success rate rises during
 * the offline phase. Screenshots go to test-artifacts/e2e/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvLog } from '../../core/train/metrics-log.js';
import { artifact, findChromium, launchChromium, ROOT, startNodeEntry, type ServedApp } from './harness.js';

const browser = findChromium();
const skipReason = 'reason' in browser ? browser.reason : undefined;
if (skipReason && process.env.CI)
  throw new Error(`the browser end-to-end tests need chromium: ${skipReason}`);

const title = skipReason
  ? `offline to online in the app (skipped: ${skipReason})`
  : 'offline to online in the app';

/** Train a run with the CLI into `runs`; returns its directory name. */
function train(runs: string, name: string, sets: string[]): string {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'core/cli/main.ts',
      'train',
      '--preset',
      'pointmaze-umaze',
      '--runs',
      runs,
      '--name',
      name,
      ...sets.flatMap((s) => ['--set', s]),
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`training ${name} failed: ${result.stderr}`);
  return readdirSync(runs).find((entry) => entry.endsWith(`-${name}`))!;
}

describe.skipIf(skipReason !== undefined)(title, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'o2o-o2o-e2e-'));
  const runs = join(scratch, 'runs');
  let warmupRun = '';
  let served: ServedApp;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(runs, { recursive: true });
    // U-maze: the preset's in-sample IQL offline long enough to reach the goal, then a critic warm-up and a short online phase.
    warmupRun = train(runs, 'warmup', [
      'agent.hiddenSizes=[64,64]',
      'offline.steps=1500',
      'offline.evalInterval=100',
      'online.envSteps=400',
      'online.criticWarmupSteps=200',
      'eval.interval=200',
      'eval.episodes=5',
      'checkpoint.interval=100000',
    ]);
    served = await startNodeEntry('core/cli/main.ts', ['serve', '--port', '0', '--runs', runs], process.env);
    context = await launchChromium((browser as { path: string }).path);
    page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(served.url);
    await page.getByTestId('nav-datasets').waitFor();
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the maze run reached the goal during the offline phase (success rises from its first evaluation)', () => {
    const evaluations = readCsvLog(join(runs, warmupRun, 'evaluations.csv')).columns;
    const offline = evaluations.phase
      .map((phase, i) => (phase === 'offline' ? Number(evaluations.successRate[i]) : Number.NaN))
      .filter(Number.isFinite);
    expect(offline.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...offline)).toBeGreaterThan(offline[0]);
    expect(offline.at(-1)).toBeGreaterThanOrEqual(0.6);
  });

  it('shows the critic warm-up on the phase timeline and the AWR weights among the Learner charts', async () => {
    await page.getByTestId('nav-runs').click();
    await page
      .locator(`[data-testid="run-row"][data-run-id="${warmupRun}"]`)
      .getByRole('button', { name: 'Open' })
      .click();
    await page.getByTestId('run-state').waitFor();
    const warmup = page.getByTestId('timeline-warmup');
    await expect.poll(() => warmup.count(), { timeout: 30_000 }).toBe(1);
    // 200 warm-up updates of 1500 + 400 planned: about a tenth of the track.
    const track = await page.getByTestId('phase-timeline').locator('.track').boundingBox();
    const segment = await warmup.boundingBox();
    expect(segment!.width / track!.width).toBeGreaterThan(0.08);
    expect(segment!.width / track!.width).toBeLessThan(0.13);
    expect(await page.getByTestId('phase-timeline').innerText()).toMatch(/critic warm-up of 200 updates/);
    const awr = page.getByTestId('chart-learner-awr-weights-in-sample-offline-objectives');
    await expect.poll(() => awr.count(), { timeout: 30_000 }).toBe(1);
    expect(await awr.getAttribute('data-series')).toMatch(/weight/i);
    expect(Number(await awr.getAttribute('data-points'))).toBeGreaterThan(0);
    await page.getByTestId('phase-timeline').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('09-timeline-critic-warmup.png') });
  });

  it('the New-run form offers the offline objective and refuses its settings out of range', async () => {
    await page.getByTestId('nav-new-run').click();
    const preset = page.getByTestId('run-preset');
    await expect.poll(() => preset.inputValue(), { timeout: 30_000 }).not.toBe('');
    const options = await preset.locator('option').allInnerTexts();
    await preset.selectOption(options.find((o) => o.startsWith('pointmaze-umaze'))!);
    const objective = page.locator('[data-path="offline.objective"] select');
    expect(await objective.locator('option').allInnerTexts()).toEqual(
      expect.arrayContaining(['xql', 'iql', 'cql', 'sac']),
    );
    expect(await objective.inputValue()).toBe('iql'); // the maze presets run IQL (docs/training.md)
    const expectile = page.locator('[data-path="offline.expectile"] input');
    await expectile.fill('1.5');
    await expectile.dispatchEvent('change');
    await expect
      .poll(() => page.locator('[data-path="offline.expectile"] [data-testid="field-issue"]').count(), {
        timeout: 10_000,
      })
      .toBe(1);
    expect(await page.getByTestId('run-start').isDisabled()).toBe(true);
    await page.locator('[data-path="offline.expectile"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifact('09-new-run-offline-objective.png') });
    await expectile.fill('0.8');
    await expectile.dispatchEvent('change');
    await expect
      .poll(() => page.locator('[data-path="offline.expectile"] [data-testid="field-issue"]').count(), {
        timeout: 10_000,
      })
      .toBe(0);
  });
});
