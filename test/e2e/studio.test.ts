/**
 * The app as a TensorBoard or W&B user expects it, in Debian's chromium against `o2o serve` with
 * the real engine: honest charts (raw values, optional smoothing, raw CSV and hover), the Live
 * view (elapsed and ETA, x-axes, ESS/n, progress across a reload and a second tab, goal-only
 * success rate, log-scale notes, Reset zoom beside the options, priorities beside the batch's
 * unclipped weights, Learner charts from the run's metric descriptors), a New-run form that never
 * contradicts itself, run management in the Runs view, and paths and files (base folder, ~,
 * missing folders, downloads, opening an exported policy). The stored runs are recorded real runs
 * (test/fixtures/recorded-runs); one more tiny run is trained for the export. Screenshots of each
 * view at 1280×800 and 1920×1080, light and dark, go to test-artifacts/e2e/.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestEvaluation } from '../../core/common/best-evaluation.js';
import { readCsvLog } from '../../core/train/metrics-log.js';
import { storedEvaluations } from '../helpers/evaluations.js';
import { artifact, findChromium, launchChromium, ROOT, startNodeEntry, type ServedApp } from './harness.js';

const browser = findChromium();
const skipReason = 'reason' in browser ? browser.reason : undefined;
if (skipReason && process.env.CI)
  throw new Error(`the browser end-to-end tests need chromium: ${skipReason}`);

const FIXTURES = join(ROOT, 'test', 'fixtures', 'recorded-runs');
const ROER_1 = '20260101T000000Z-pendulum-roer-seed-1';
const ROER_2 = '20260101T000100Z-pendulum-roer-seed-2';
const UNIFORM_1 = '20260101T000200Z-pendulum-uniform-seed-1';

const byTestId = (page: Page, id: string) => page.getByTestId(id);

/** The CSV a chart's download button produces, as rows of cells. */
async function chartCsv(page: Page, chart: Locator): Promise<string[][]> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    chart.getByRole('button', { name: /as CSV$/ }).click(),
  ]);
  return readFileSync(await download.path(), 'utf8')
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','));
}

function lastFinite(values: (number | string)[]): number {
  for (let i = values.length - 1; i >= 0; i--)
    if (typeof values[i] === 'number' && Number.isFinite(values[i])) return values[i] as number;
  return Number.NaN;
}

/** Set a range input's value the way a user's drag does (input event). */
async function setRange(locator: Locator, value: number): Promise<void> {
  await locator.evaluate((element, v) => {
    const input = element as unknown as { value: string; dispatchEvent(event: unknown): boolean };
    input.value = String(v);
    input.dispatchEvent(
      new (globalThis as unknown as { Event: new (type: string, init: object) => unknown }).Event('input', {
        bubbles: true,
      }),
    );
  }, value);
}

/** The best evaluation of a run directory's evaluations.csv, by the engine's rule. */
function storedBest(runDirectory: string) {
  const evaluations = storedEvaluations(runDirectory);
  expect(evaluations.length).toBeGreaterThan(1);
  return bestEvaluation(evaluations)!;
}

async function openRunInLive(page: Page, runId: string): Promise<void> {
  await byTestId(page, 'nav-runs').click();
  await page
    .locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
    .getByRole('button', { name: 'Open' })
    .click();
  await byTestId(page, 'run-state').waitFor();
  await expect
    .poll(async () => Number(await byTestId(page, 'chart-returns').getAttribute('data-points')), {
      timeout: 30_000,
    })
    .toBeGreaterThan(0);
}

const title = skipReason ? `studio end to end (skipped: ${skipReason})` : 'studio end to end';

describe.skipIf(skipReason !== undefined)(title, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'o2o-studio-e2e-'));
  const runs = join(scratch, 'runs');
  const home = join(scratch, 'home');
  let trained = '';
  let served: ServedApp;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(runs, { recursive: true });
    mkdirSync(join(home, 'data'), { recursive: true });
    for (const id of [ROER_1, ROER_2, UNIFORM_1])
      cpSync(join(FIXTURES, id), join(runs, id), { recursive: true });
    copyFileSync(join(ROOT, 'datasets', 'pendulum-medium-v1.arrow'), join(home, 'data', 'pendulum.arrow'));
    // one tiny trained run with a checkpoint, for the export and policy-viewer tests
    const train = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'core/cli/main.ts',
        'train',
        '--preset',
        'pendulum-online',
        '--runs',
        runs,
        '--name',
        'trained',
        '--set',
        'online.envSteps=200',
        '--set',
        'online.warmupSteps=150',
        '--set',
        'eval.interval=100',
        '--set',
        'eval.episodes=1',
        '--set',
        'agent.hiddenSizes=[8,8]',
        '--set',
        'agent.batchSize=32',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: home } },
    );
    if (train.status !== 0) throw new Error(`training the export run failed: ${train.stderr}`);
    trained = readdirSync(runs).find((name) => name.endsWith('-trained'))!;
    // The browser may read and write only where the user allowed it: ~/data and ~/exports here.
    served = await startNodeEntry(
      'core/cli/main.ts',
      [
        'serve',
        '--port',
        '0',
        '--runs',
        runs,
        '--data',
        join(home, 'data'),
        '--exports',
        join(home, 'exports'),
      ],
      {
        ...process.env,
        HOME: home,
      },
    );
    context = await launchChromium((browser as { path: string }).path);
    page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(served.url);
    await byTestId(page, 'nav-datasets').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await served?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  describe('honest charts', () => {
    it('draws raw evaluation values unsmoothed by default; hover and CSV give raw values, ASCII headers', async () => {
      await openRunInLive(page, ROER_1);
      const returns = byTestId(page, 'chart-returns');
      expect(await returns.getAttribute('data-series')).toBe('mean return|mean + std|mean - std');
      const stored = readCsvLog(join(runs, ROER_1, 'evaluations.csv')).columns;
      const rows = await chartCsv(page, returns);
      expect(rows[0]).toEqual(['update step', 'mean return', 'mean + std', 'mean - std']);
      for (const cell of rows[0]) expect(cell).toMatch(/^[\x20-\x7e]+$/);
      expect(Number(rows.at(-1)![1])).toBe(lastFinite(stored.meanReturn));
      // hover over the last point: the legend shows the raw value
      const plot = returns.locator('.plot');
      const box = (await plot.locator('.u-over').boundingBox())!;
      await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
      const legend = returns.locator('.u-legend .u-series').nth(1).locator('.u-value');
      await expect
        .poll(async () => Number((await legend.innerText()).replace(/,/g, '')), { timeout: 10_000 })
        .toBeCloseTo(lastFinite(stored.meanReturn), 1);
      await page.screenshot({ path: artifact('13-01-returns-raw.png') });
      // the best evaluation so far, the one whose policy Export → Best evaluation writes
      const best = storedBest(join(runs, ROER_1));
      expect(await byTestId(page, 'best-evaluation').innerText()).toContain(
        `at update ${best.step.toLocaleString('en-US')}`,
      );
    });

    it('adds a smoothed line over the raw one when asked, with a labelled smoothed CSV column', async () => {
      await setRange(byTestId(page, 'returns-smoothing'), 0.6);
      const returns = byTestId(page, 'chart-returns');
      await expect
        .poll(() => returns.getAttribute('data-series'))
        .toBe('mean return|mean return (smoothed)|mean + std|mean - std');
      const rows = await chartCsv(page, returns);
      expect(rows[0]).toEqual([
        'update step',
        'mean return',
        'mean + std',
        'mean - std',
        'mean return (smoothed: EMA weight 0.60)',
      ]);
      const stored = readCsvLog(join(runs, ROER_1, 'evaluations.csv')).columns;
      expect(Number(rows.at(-1)![1])).toBe(lastFinite(stored.meanReturn));
      expect(Number(rows.at(-1)![4])).not.toBe(lastFinite(stored.meanReturn));
      // dense series: smoothing on by default, with the raw line drawn too
      expect(await byTestId(page, 'chart-beta').getAttribute('data-series')).toBe('β|β (smoothed)');
      await setRange(byTestId(page, 'returns-smoothing'), 0);
    });
  });

  describe('the Live view', () => {
    it('shows ESS/n, elapsed time and ETA in the header, and progress from the stored config', async () => {
      const stored = readCsvLog(join(runs, ROER_1, 'updates.csv')).columns;
      const ess = Number(await byTestId(page, 'run-ess-fraction').innerText());
      expect(ess).toBeCloseTo(lastFinite(stored.essFraction), 2);
      expect(await byTestId(page, 'run-elapsed').innerText()).toMatch(/^\d+(s|m \d\ds|h \d\dm)$/);
      expect(await byTestId(page, 'run-eta').innerText()).toBe('done');
      expect(await byTestId(page, 'run-progress').innerText()).toMatch(/^100\.0% of the planned work/);
    });

    it('keeps the run and its progress across a reload and in a second tab', async () => {
      await page.reload();
      await expect
        .poll(() => byTestId(page, 'run-progress').innerText(), { timeout: 30_000 })
        .toMatch(/^100\.0%/);
      expect(await byTestId(page, 'live-run-select').inputValue()).toBe(ROER_1);
      const second = await context.newPage();
      try {
        await second.setViewportSize({ width: 1280, height: 800 });
        await second.goto(served.url);
        await byTestId(second, 'nav-live').click();
        await byTestId(second, 'live-run-select').selectOption(ROER_2);
        await expect
          .poll(() => byTestId(second, 'run-progress').innerText(), { timeout: 30_000 })
          .toMatch(/^100\.0%/);
      } finally {
        await second.close();
      }
    });

    it('offers env-step and wall-time axes', async () => {
      const stored = readCsvLog(join(runs, ROER_1, 'updates.csv')).columns;
      await byTestId(page, 'live-x-axis').selectOption('envStep');
      let rows = await chartCsv(page, byTestId(page, 'chart-beta'));
      expect(rows[0][0]).toBe('env step');
      expect(Number(rows.at(-1)![0])).toBe(stored.envStep.at(-1));
      await byTestId(page, 'live-x-axis').selectOption('time');
      rows = await chartCsv(page, byTestId(page, 'chart-beta'));
      expect(rows[0][0]).toBe('wall time (min)');
      const last = stored.time.at(-1) as number;
      const first = stored.time[0] as number;
      expect(Number(rows.at(-1)![0])).toBeCloseTo((last - first) / 60, 6);
      await page.screenshot({ path: artifact('13-02-live-wall-time.png'), fullPage: true });
      await byTestId(page, 'live-x-axis').selectOption('step');
    });

    it('shows the success-rate chart only for goal tasks, and explains log-y with values ≤ 0', async () => {
      expect(await byTestId(page, 'chart-success').count()).toBe(0);
      expect(await byTestId(page, 'log-note').count()).toBe(0);
      await byTestId(page, 'returns-log').check();
      const note = byTestId(page, 'chart-returns').getByTestId('log-note');
      await expect.poll(() => note.innerText()).toMatch(/values are ≤ 0 and cannot be drawn/);
      await byTestId(page, 'returns-log').uncheck();
    });

    it('keeps Reset zoom clear of the chart options', async () => {
      const chart = byTestId(page, 'chart-beta');
      await chart.scrollIntoViewIfNeeded();
      const over = (await chart.locator('.u-over').boundingBox())!;
      await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
      await page.mouse.down();
      await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
      await page.mouse.up();
      const reset = chart.getByTestId('reset-zoom');
      await reset.waitFor();
      const a = (await reset.boundingBox())!;
      const b = (await chart.getByTestId('beta-log').locator('xpath=..').boundingBox())!;
      const overlap =
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(overlap).toBe(false);
      await page.screenshot({
        path: artifact('13-03-reset-zoom.png'),
        clip: { x: a.x - 400, y: a.y - 20, width: 500, height: 80 },
      });
      await reset.click();
    });

    it('shows the unclipped batch weights beside the stored priorities, and how many sit at the floor', async () => {
      const weights = byTestId(page, 'chart-batch-weights');
      expect(Number(await weights.getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await byTestId(page, 'chart-priority-note').innerText()).toMatch(
        /^\d+% of the last batch sits at the floor 1/,
      );
      await weights.scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifact('13-04-priorities-and-weights.png') });
    });

    it("draws the Learner section from the run's metric descriptors", async () => {
      const meta = JSON.parse(readFileSync(join(runs, ROER_1, 'meta.json'), 'utf8')) as {
        metrics: { key: string; group: string; label: string }[];
      };
      // one chart per group of metrics the learner declared and this run reported (AWR's only in-sample)
      const logged = readCsvLog(join(runs, ROER_1, 'updates.csv')).columns;
      const reported = meta.metrics.filter((m) =>
        (logged[m.key] ?? []).some((v) => typeof v === 'number' && Number.isFinite(v)),
      );
      const groups = [...new Set(reported.map((m) => m.group))];
      const charts = byTestId(page, 'learner-charts').locator('figure');
      expect(await charts.count()).toBe(groups.length);
      const losses = byTestId(page, 'chart-learner-losses');
      expect(await losses.getAttribute('data-series')).toContain('critic loss');
      expect(await losses.locator('.empty').count()).toBe(0);
    });
  });

  describe('the New-run form', () => {
    it('names the run after the preset until the user types a name', async () => {
      await byTestId(page, 'nav-new-run').click();
      const preset = byTestId(page, 'run-preset');
      const name = byTestId(page, 'run-name');
      await expect.poll(() => preset.inputValue(), { timeout: 30_000 }).not.toBe('');
      const options = await preset.locator('option').allInnerTexts();
      const pendulum = options.find((o) => o.startsWith('pendulum'))!;
      const maze = options.find((o) => o.startsWith('pointmaze'))!;
      await preset.selectOption(maze);
      await expect.poll(() => name.inputValue()).toBe(maze);
      await preset.selectOption(pendulum);
      await expect.poll(() => name.inputValue()).toBe(pendulum);
      await name.fill('my own name');
      await preset.selectOption(maze);
      await expect
        .poll(() => byTestId(page, 'config-status').innerText(), { timeout: 30_000 })
        .not.toBe('Checking…');
      expect(await name.inputValue()).toBe('my own name');
      await name.fill('');
    });

    it('does not let a dataset that was only looked at replace the presets', async () => {
      await byTestId(page, 'nav-datasets').click();
      const maze = byTestId(page, 'dataset-item').filter({ hasText: 'pointmaze-umaze' });
      await maze.click();
      await byTestId(page, 'dataset-card').waitFor({ timeout: 60_000 });
      await byTestId(page, 'nav-new-run').click();
      const preset = byTestId(page, 'run-preset');
      await expect.poll(() => preset.inputValue(), { timeout: 30_000 }).not.toBe('');
      const pendulum = (await preset.locator('option').allInnerTexts()).find((o) =>
        o.startsWith('pendulum'),
      )!;
      await preset.selectOption(pendulum);
      await expect
        .poll(
          async () =>
            (JSON.parse(await byTestId(page, 'run-config').inputValue()) as { env: { id: string } }).env.id,
        )
        .toBe('pendulum-v1');
      expect(await byTestId(page, 'used-dataset').count()).toBe(0);
    });

    it('takes field types from the schema, edits hidden sizes, and shows full labels with help', async () => {
      const editor = byTestId(page, 'run-config');
      const status = byTestId(page, 'config-status');
      const envSteps = page.locator('#field-online-envSteps');
      await envSteps.fill('abc');
      await envSteps.press('Tab');
      await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/problem/);
      expect(await byTestId(page, 'run-start').isDisabled()).toBe(true);
      await envSteps.fill('2000');
      await envSteps.press('Tab');
      await expect
        .poll(
          async () =>
            (JSON.parse(await editor.inputValue()) as { online: { envSteps: unknown } }).online.envSteps,
        )
        .toBe(2000);
      await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/Ready to start/);
      expect(await byTestId(page, 'run-start').isDisabled()).toBe(false);
      const hidden = page.locator('#field-agent-hiddenSizes');
      await hidden.fill('32, 32');
      await hidden.press('Tab');
      await expect
        .poll(
          async () =>
            (JSON.parse(await editor.inputValue()) as { agent: { hiddenSizes: unknown } }).agent.hiddenSizes,
        )
        .toEqual([32, 32]);
      // no label is cut off, and every field has help text from the schema
      const truncated = await page
        .locator('.field label')
        .evaluateAll(
          (labels) =>
            labels.filter(
              (label) =>
                (label as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth >
                (label as unknown as { clientWidth: number }).clientWidth + 1,
            ).length,
        );
      expect(truncated).toBe(0);
      const helps = await byTestId(page, 'field-help').allInnerTexts();
      expect(helps.length).toBe(await page.locator('.field').count());
      for (const help of helps) expect(help.trim().length).toBeGreaterThan(10);
      await page.screenshot({ path: artifact('13-05-new-run-form.png'), fullPage: true });
    });

    it('calls a config with a missing dataset a problem and keeps Start disabled', async () => {
      const path = page.locator('#field-dataset-path');
      await path.fill('datasets/no-such-file.arrow');
      await path.press('Tab');
      const status = byTestId(page, 'config-status');
      await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/1 problem/);
      expect(
        await page.locator('[data-path="dataset.path"]').getByTestId('field-issue').innerText(),
      ).toContain('no such file');
      expect(await byTestId(page, 'run-start').isDisabled()).toBe(true);
      expect(await status.innerText()).not.toMatch(/Ready|valid/);
    });

    it('uses a dataset the user chose to train on, once', async () => {
      await byTestId(page, 'nav-datasets').click();
      await byTestId(page, 'dataset-item').filter({ hasText: 'pendulum-medium' }).click();
      // Wait for this dataset's card: an earlier test may have left another one open.
      await expect
        .poll(() => byTestId(page, 'dataset-card').locator('h3').first().innerText(), { timeout: 60_000 })
        .toContain('pendulum-medium-v1.arrow');
      await byTestId(page, 'dataset-new-run').click();
      await byTestId(page, 'used-dataset').waitFor({ timeout: 30_000 });
      const config = JSON.parse(await byTestId(page, 'run-config').inputValue()) as {
        env: { id: string };
        dataset: { path: string };
      };
      expect(config.env.id).toBe('pendulum-v1');
      expect(config.dataset.path).toContain('pendulum-medium-v1.arrow');
    });
  });

  describe('run management', () => {
    const row = (runId: string) => page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);

    it('filters, renames, tags and annotates runs', async () => {
      await byTestId(page, 'nav-runs').click();
      await expect.poll(() => byTestId(page, 'run-row').count(), { timeout: 30_000 }).toBe(4);
      await byTestId(page, 'runs-filter').fill('uniform');
      expect(await byTestId(page, 'run-row').count()).toBe(1);
      await byTestId(page, 'runs-filter').fill('');
      await row(ROER_2).getByTestId('run-edit').click();
      await byTestId(page, 'run-edit-name').fill('roer repeat');
      await byTestId(page, 'run-edit-tags').fill('keep, seed-2');
      await byTestId(page, 'run-edit-notes').fill('second seed of the ROER run');
      await byTestId(page, 'run-edit-save').click();
      await expect.poll(() => row(ROER_2).getByTestId('run-name-cell').innerText()).toBe('roer repeat');
      expect(await row(ROER_2).getByTestId('run-tag').allInnerTexts()).toEqual(['keep', 'seed-2']);
      const meta = JSON.parse(readFileSync(join(runs, ROER_2, 'meta.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(meta).toMatchObject({
        name: 'roer repeat',
        tags: ['keep', 'seed-2'],
        notes: 'second seed of the ROER run',
      });
      await byTestId(page, 'runs-filter').fill('#keep');
      expect(await byTestId(page, 'run-row').count()).toBe(1);
      await byTestId(page, 'runs-filter').fill('');
    });

    it('shows config columns and the config differences of the selected runs', async () => {
      const headers = await byTestId(page, 'config-column').allInnerTexts();
      expect(headers).toEqual(expect.arrayContaining(['replay.priority', 'seed']));
      await page.locator('details.columns-picker summary').click();
      await page.locator('[data-testid="config-column-toggle"][data-path="agent.batchSize"]').check();
      expect(await byTestId(page, 'config-column').allInnerTexts()).toContain('agent.batchSize');
      for (const id of [ROER_1, ROER_2, UNIFORM_1]) await row(id).getByTestId('run-compare-toggle').check();
      const diff = byTestId(page, 'config-diff');
      await diff.waitFor();
      const keys = await diff.locator('tbody th').allInnerTexts();
      expect(keys).toEqual(expect.arrayContaining(['replay.priority', 'seed']));
      expect(keys).not.toContain('env.id');
    });

    it('groups runs by config for mean ± std, and never averages different configs', async () => {
      await byTestId(page, 'compare-aggregate').check();
      expect(await byTestId(page, 'group-note').innerText()).toMatch(/form 2 groups/);
      const chart = byTestId(page, 'chart-compare').first();
      await expect.poll(() => chart.getAttribute('data-series')).toContain('(mean of 2 runs)');
      expect(await chart.getAttribute('data-series')).toContain('(mean of 1 run)');
      await page.screenshot({ path: artifact('13-06-runs-grouped.png'), fullPage: true });
      await byTestId(page, 'compare-aggregate').uncheck();
    });

    it('shows several metrics at once, on a log axis, against steps since fine-tuning began', async () => {
      await page.locator('[data-testid="compare-metric"][data-metric="updates:beta"]').check();
      await page.locator('[data-testid="compare-metric"][data-metric="updates:criticLoss"]').check();
      await expect.poll(() => byTestId(page, 'chart-compare').count()).toBe(3);
      await byTestId(page, 'compare-log').check();
      await expect
        .poll(() => byTestId(page, 'chart-compare').first().getByTestId('log-note').count())
        .toBe(1);
      await byTestId(page, 'compare-x-axis').selectOption('sinceOnline');
      const rows = await chartCsv(page, byTestId(page, 'chart-compare').nth(1));
      expect(rows[0][0]).toBe('updates since fine-tuning began');
      expect(Number(rows[1][0])).toBeLessThan(0);
      await page.screenshot({ path: artifact('13-07-runs-several-metrics.png'), fullPage: true });
      await byTestId(page, 'compare-log').uncheck();
    });

    it('deletes a run only after confirmation, with its directory', async () => {
      await row(UNIFORM_1).getByTestId('run-delete').click();
      await byTestId(page, 'delete-dialog').getByText('cannot be undone').waitFor();
      await page.screenshot({ path: artifact('13-08-delete-confirmation.png') });
      await byTestId(page, 'delete-cancel').click();
      expect(existsSync(join(runs, UNIFORM_1))).toBe(true);
      await row(UNIFORM_1).getByTestId('run-delete').click();
      await byTestId(page, 'delete-confirm').click();
      await expect.poll(() => row(UNIFORM_1).count()).toBe(0);
      expect(existsSync(join(runs, UNIFORM_1))).toBe(false);
    });
  });

  describe('paths and files', () => {
    it('shows the base folder, resolves relative paths against it and expands ~', async () => {
      await byTestId(page, 'nav-datasets').click();
      expect(await byTestId(page, 'base-folder').innerText()).toBe(ROOT);
      await byTestId(page, 'dataset-open-path').fill('~/data/pendulum.arrow');
      await byTestId(page, 'dataset-open-button').click();
      await expect
        .poll(() => byTestId(page, 'dataset-card').locator('h3').first().innerText(), { timeout: 60_000 })
        .toBe('~/data/pendulum.arrow');
      await byTestId(page, 'dataset-open-path').fill('datasets/pendulum-medium-v1.arrow');
      await byTestId(page, 'dataset-open-button').click();
      await expect
        .poll(() => byTestId(page, 'dataset-card').locator('h3').first().innerText(), { timeout: 60_000 })
        .toBe('datasets/pendulum-medium-v1.arrow');
    });

    it('refuses to export into a missing folder until the user creates it, and downloads exports', async () => {
      await byTestId(page, 'nav-export').click();
      await byTestId(page, 'export-run-select').selectOption(trained);
      await byTestId(page, 'export-format').selectOption('onnx');
      await byTestId(page, 'export-path').fill('~/exports/new/policy.onnx');
      await byTestId(page, 'export-run').click();
      await byTestId(page, 'export-create-folder').waitFor({ timeout: 60_000 });
      expect(await byTestId(page, 'error-message').first().innerText()).toContain('does not exist');
      expect(existsSync(join(home, 'exports'))).toBe(false);
      await page.screenshot({ path: artifact('13-09-export-missing-folder.png') });
      await byTestId(page, 'export-create-folder').click();
      await byTestId(page, 'export-result').waitFor({ timeout: 120_000 });
      expect(statSync(join(home, 'exports', 'new', 'policy.onnx')).size).toBeGreaterThan(100);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        byTestId(page, 'export-download').click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${trained}-policy.onnx`);
      expect(statSync(await download.path()).size).toBe(
        statSync(join(runs, trained, 'export', 'policy.onnx')).size,
      );
    });

    it("exports the policy of the run's best evaluation and says which evaluation it was", async () => {
      await byTestId(page, 'export-format').selectOption('json');
      await byTestId(page, 'export-policy').selectOption('best');
      await byTestId(page, 'export-path').fill('~/exports/best.json');
      await byTestId(page, 'export-run').click();
      const result = byTestId(page, 'export-result').filter({ hasText: 'best.json' });
      await result.waitFor({ timeout: 120_000 });
      const expected = storedBest(join(runs, trained));
      const written = JSON.parse(readFileSync(join(home, 'exports', 'best.json'), 'utf8')) as {
        metadata: { envSteps: number; evaluation: { metric: string; score: number } };
      };
      expect(written.metadata.envSteps).toBe(expected.envStep);
      expect(written.metadata.evaluation).toMatchObject({ metric: expected.metric, score: expected.score });
      expect(await result.innerText()).toContain(
        `the policy of the best evaluation, ${expected.metric === 'meanReturn' ? 'mean return' : 'normalised score'}`,
      );
      await page.screenshot({ path: artifact('13-09b-export-best.png') });
      await byTestId(page, 'export-policy').selectOption('latest');
    });

    it('opens an exported policy file in the policy viewer', async () => {
      await byTestId(page, 'rollout-source').selectOption('file');
      await byTestId(page, 'rollout-path').fill('~/exports/new/policy.onnx');
      await byTestId(page, 'rollout-run').click();
      const viewer = byTestId(page, 'policy-viewer');
      const failure = byTestId(page, 'error-message');
      await viewer.or(failure).first().waitFor({ timeout: 120_000 });
      if (await failure.isVisible())
        throw new Error(`the rollout failed: ${await failure.first().innerText()}`);
      await page.screenshot({ path: artifact('13-10-policy-from-file.png'), fullPage: true });
    });
  });

  it('looks right at 1280×800 and 1920×1080, light and dark', async () => {
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const theme of ['light', 'dark']) {
        const toggle = byTestId(page, 'theme-toggle');
        if ((await toggle.innerText()).includes(theme === 'dark' ? 'Dark' : 'Light')) await toggle.click();
        for (const view of ['datasets', 'new-run', 'live', 'runs', 'export']) {
          await byTestId(page, `nav-${view}`).click();
          await page.waitForTimeout(300);
          await page.screenshot({ path: artifact(`13-view-${view}-${width}x${height}-${theme}.png`) });
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('ran without errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
