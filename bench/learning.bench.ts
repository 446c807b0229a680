/**
 * Learning benchmark (a benchmark, not a test): point-maze medium offline-to-online from the
 * shipped diverse dataset with SAC under uniform replay, PER, ROER with a fixed β, and ROER with
 * adaptive β (track, solve, and track with the shift-scheduled target), several seeds each; plus
 * Pendulum online from scratch as a sanity check. Every budget is a flag, because the machine that
 * runs it decides what fits:
 *
 *   npx tsx bench/learning.bench.ts --seeds 3 --offline-steps 5000 --env-steps 20000 \
 *     [--eval-interval 2500] [--eval-episodes 10] [--hidden 64,64] [--batch 128] \
 *     [--variants uniform,per,roer-fixed,roer-track,roer-solve,roer-shift] [--pendulum-steps 10000] \
 *     [--dataset datasets/pointmaze-medium-diverse-v1.arrow] [--runs runs/bench-learning] [--write-docs] \
 *     [--env pointmaze-umaze-v1 --env-options '{"reward":"dense"}' --label pointmaze-umaze-dense]
 *
 * `npm run bench -- learning` runs a quick budget. Runs that already finished in the runs
 * directory with the same config are reused (delete it to start over). Prints one JSON line per figure; with
 * --write-docs it also writes the plots (SVG) and the "Learning" section of docs/benchmarks.md.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../core/data/load.js';
import { makeEnv } from '../core/envs/registry.js';
import { readCsvLog, type CsvTable } from '../core/train/metrics-log.js';
import { canonicalJson } from '../core/export/policy.js';
import { parseRunConfig, resolveDatasetPath } from '../core/train/config.js';
import { mean, standardDeviation } from '../core/train/evaluate.js';
import { readRunConfig, readRunStatus, RUN_FILES } from '../core/train/run-directory.js';
import { startTrainingRun } from '../core/train/run.js';
import { packageInfo } from '../core/util/package-info.js';
import { linePlot, type PlotSeries } from './learning/svg.js';
import { report } from './util.js';

const { values: flags } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1' },
    'offline-steps': { type: 'string', default: '500' },
    'env-steps': { type: 'string', default: '1000' },
    'eval-interval': { type: 'string' },
    'eval-episodes': { type: 'string', default: '5' },
    hidden: { type: 'string', default: '64,64' },
    batch: { type: 'string', default: '128' },
    variants: { type: 'string', default: 'uniform,per,roer-fixed,roer-track,roer-solve,roer-shift' },
    'pendulum-steps': { type: 'string', default: '2000' },
    dataset: { type: 'string', default: 'datasets/pointmaze-medium-diverse-v1.arrow' },
    env: { type: 'string', default: 'pointmaze-medium-v1' },
    'env-options': { type: 'string', default: '{}' },
    label: { type: 'string' },
    runs: { type: 'string', default: 'runs/bench-learning' },
    'write-docs': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const root = packageInfo().root;
const seeds = Number(flags.seeds);
const offlineSteps = Number(flags['offline-steps']);
const envSteps = Number(flags['env-steps']);
const evalInterval = Number(
  flags['eval-interval'] ?? Math.max(1, Math.round((offlineSteps + envSteps) / 10)),
);
const evalEpisodes = Number(flags['eval-episodes']);
const hiddenSizes = flags.hidden.split(',').map(Number);
const batchSize = Number(flags.batch);
const pendulumSteps = Number(flags['pendulum-steps']);
const runsDirectory = resolve(root, flags.runs);
const datasetPath = resolve(root, flags.dataset);
const envOptions = JSON.parse(flags['env-options']) as Record<string, unknown>;
/** Name of the task in the report (subsection, figure files, figure names): the env id unless --label is given. */
const label = flags.label ?? flags.env;
/** The headline number: success rate on goal tasks, else the normalised score (else the return). */
const probeEnv = makeEnv(flags.env, envOptions);
const metric = probeEnv.goalConditioned
  ? { column: 'successRate', name: 'success rate' }
  : probeEnv.referenceScores
    ? { column: 'normalizedScore', name: 'normalised score' }
    : { column: 'meanReturn', name: 'return' };

/** The compared methods, as overrides of one base config. */
const VARIANTS: Record<string, { label: string; config: Record<string, unknown> }> = {
  uniform: {
    label: 'SAC, uniform replay',
    config: { replay: { priority: 'uniform' }, beta: { kind: 'fixed', initialBeta: 1 } },
  },
  per: {
    label: 'SAC + PER',
    config: {
      replay: { priority: 'per', mode: 'sample' },
      beta: { kind: 'fixed', initialBeta: 1 },
      agent: { tdSource: 'q' },
    },
  },
  'roer-fixed': {
    label: 'ROER, fixed β = 0.4',
    config: { replay: { priority: 'roer' }, beta: { kind: 'fixed', initialBeta: 0.4 } },
  },
  'roer-track': {
    label: 'ROER, adaptive β (track)',
    config: {
      replay: { priority: 'roer' },
      beta: { kind: 'track', initialBeta: 0.4, targetEssFraction: 0.5 },
    },
  },
  'roer-solve': {
    label: 'ROER, adaptive β (solve)',
    config: {
      replay: { priority: 'roer' },
      beta: { kind: 'solve', initialBeta: 0.4, targetEssFraction: 0.5 },
    },
  },
  'roer-shift': {
    label: 'ROER, adaptive β (shift-scheduled target)',
    config: {
      replay: { priority: 'roer' },
      beta: {
        kind: 'track',
        initialBeta: 0.4,
        targetSchedule: { signal: 'onlineShare', low: 0.3, high: 0.8 },
      },
    },
  },
};

function mazeConfig(variant: string, seed: number): Record<string, unknown> {
  const overrides = VARIANTS[variant].config as {
    replay: Record<string, unknown>;
    beta: Record<string, unknown>;
    agent?: Record<string, unknown>;
  };
  return {
    env: { id: flags.env, options: envOptions },
    dataset: { path: datasetPath },
    seed,
    agent: { hiddenSizes, batchSize, ...overrides.agent },
    replay: { mode: 'weight', mixing: 'union', roerMinClip: 1, roerMaxClip: 50, ...overrides.replay },
    beta: overrides.beta,
    offline: { steps: offlineSteps, evalInterval: offlineSteps > 0 ? evalInterval : 0 },
    online: { envSteps, updatesPerStep: 1, warmupSteps: 0 },
    eval: { episodes: evalEpisodes, interval: evalInterval },
    checkpoint: { interval: Math.max(1000, Math.round((offlineSteps + envSteps) / 4)) },
  };
}

function pendulumConfig(seed: number): Record<string, unknown> {
  return {
    env: { id: 'pendulum-v1' },
    seed,
    agent: { hiddenSizes, batchSize },
    replay: { priority: 'uniform' },
    beta: { kind: 'fixed', initialBeta: 1 },
    offline: { steps: 0, evalInterval: 0 },
    online: {
      envSteps: pendulumSteps,
      updatesPerStep: 1,
      warmupSteps: Math.max(batchSize, Math.min(1000, Math.round(pendulumSteps / 4))),
    },
    eval: { episodes: evalEpisodes, interval: Math.max(1, Math.round(pendulumSteps / 10)) },
    checkpoint: { interval: Math.max(1000, Math.round(pendulumSteps / 4)) },
  };
}

/** Train one run in `directory` unless it already finished there; returns wall seconds (0 when reused). */
async function ensureRun(directory: string, config: Record<string, unknown>, name: string): Promise<number> {
  if (existsSync(join(directory, RUN_FILES.status))) {
    // reuse a finished run only when it was trained with exactly this config
    const stored = canonicalJson(readRunConfig(directory));
    const wanted = canonicalJson(resolveDatasetPath(parseRunConfig(config), root));
    if (readRunStatus(directory).state === 'finished' && stored === wanted) return 0;
    rmSync(directory, { recursive: true, force: true });
  }
  const started = performance.now();
  const run = await startTrainingRun({ config, directory, name });
  const state = await run.done;
  if (state !== 'finished') throw new Error(`${name}: run ended ${state}: ${String(run.error)}`);
  return (performance.now() - started) / 1000;
}

/** x coordinate of a record on the shared axis: offline updates, then offline.steps + env steps. */
function progressOf(step: number, envStep: number, phase: string, offline: number): number {
  return phase === 'offline' ? step : offline + envStep;
}

interface Curve {
  x: number[];
  y: number[];
}

/** x coordinate of row i of an updates or evaluations table. */
function progressAt(table: CsvTable, i: number, offline: number): number {
  return progressOf(
    Number(table.columns.step[i]),
    Number(table.columns.envStep[i]),
    String(table.columns.phase[i]),
    offline,
  );
}

function readLog(directory: string, file: string): CsvTable {
  return readCsvLog(join(directory, file));
}

function evaluationCurve(table: CsvTable, column: string, offline: number): Curve {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < table.rows; i++) {
    x.push(progressAt(table, i, offline));
    y.push(Number(table.columns[column][i]));
  }
  return { x, y };
}

/** Update records binned into `bins` equal spans of the x axis (mean per bin). */
function updateCurve(table: CsvTable, column: string, offline: number, bins = 120): Curve {
  const xs: number[] = [];
  for (let i = 0; i < table.rows; i++) xs.push(progressAt(table, i, offline));
  const xMax = Math.max(...xs, 1);
  const sums = new Float64Array(bins);
  const counts = new Float64Array(bins);
  xs.forEach((x, i) => {
    const bin = Math.min(bins - 1, Math.floor((x / xMax) * bins));
    const value = Number(table.columns[column][i]);
    if (Number.isFinite(value)) {
      sums[bin] += value;
      counts[bin]++;
    }
  });
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    x.push(((b + 0.5) / bins) * xMax);
    y.push(sums[b] / counts[b]);
  }
  return { x, y };
}

/** Mean and ± one standard deviation across seeds, on the x values all curves share. */
function aggregate(name: string, curves: Curve[]): PlotSeries {
  const shared = curves[0].x.filter((x) => curves.every((curve) => curve.x.includes(x)));
  const means: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (const x of shared) {
    const values = curves.map((curve) => curve.y[curve.x.indexOf(x)]);
    const m = mean(values);
    const sd = standardDeviation(values);
    means.push(m);
    lower.push(m - sd);
    upper.push(m + sd);
  }
  return { name, x: shared, y: means, lower, upper };
}

function meanStd(values: number[]): { mean: number; std: number } {
  return { mean: mean(values), std: standardDeviation(values) };
}

const format = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

async function main(): Promise<void> {
  mkdirSync(runsDirectory, { recursive: true });
  const variants = flags.variants.split(',').filter((name) => name.length > 0);
  for (const variant of variants) if (!VARIANTS[variant]) throw new Error(`unknown variant ${variant}`);
  if (!existsSync(datasetPath)) throw new Error(`dataset ${datasetPath} not found (see datasets/)`);

  const wallSeconds: Record<string, number> = {};
  for (const variant of variants) {
    for (let seed = 0; seed < seeds; seed++) {
      const directory = join(runsDirectory, `${variant}-seed${seed}`);
      const seconds = await ensureRun(directory, mazeConfig(variant, seed), `${variant}-seed${seed}`);
      wallSeconds[`${variant}-seed${seed}`] = seconds;
      process.stderr.write(
        `${variant} seed ${seed}: ${seconds > 0 ? `${seconds.toFixed(0)} s` : 'reused'}\n`,
      );
    }
  }
  if (pendulumSteps > 0) {
    for (let seed = 0; seed < seeds; seed++) {
      const seconds = await ensureRun(
        join(runsDirectory, `pendulum-seed${seed}`),
        pendulumConfig(seed),
        `pendulum-seed${seed}`,
      );
      process.stderr.write(`pendulum seed ${seed}: ${seconds > 0 ? `${seconds.toFixed(0)} s` : 'reused'}\n`);
    }
  }

  const rows: string[] = [];
  const successSeries: PlotSeries[] = [];
  const betaSeries: PlotSeries[] = [];
  const essSeries: PlotSeries[] = [];
  for (const variant of variants) {
    const directories = Array.from({ length: seeds }, (_, seed) =>
      join(runsDirectory, `${variant}-seed${seed}`),
    );
    // each run's logs are read once; its β and ESS curves come from the same updates table
    const evaluations = directories.map((directory) => readLog(directory, RUN_FILES.evaluations));
    const success = evaluations.map((table) => evaluationCurve(table, metric.column, offlineSteps));
    const series = aggregate(VARIANTS[variant].label, success);
    successSeries.push(series);
    const updateCurves = directories.map((directory) => {
      const updates = readLog(directory, RUN_FILES.updates);
      return {
        beta: updateCurve(updates, 'beta', offlineSteps),
        ess: updateCurve(updates, 'essFraction', offlineSteps),
      };
    });
    betaSeries.push(
      aggregate(
        VARIANTS[variant].label,
        updateCurves.map((curves) => curves.beta),
      ),
    );
    essSeries.push(
      aggregate(
        VARIANTS[variant].label,
        updateCurves.map((curves) => curves.ess),
      ),
    );
    const final = meanStd(success.map((curve) => curve.y.at(-1)!));
    const boundaryIndex = success[0].x.indexOf(offlineSteps);
    const boundary =
      boundaryIndex >= 0
        ? meanStd(success.map((curve) => curve.y[curve.x.indexOf(offlineSteps)]))
        : undefined;
    const averaged = meanStd(success.map((curve) => curve.y.reduce((a, b) => a + b, 0) / curve.y.length));
    const bias = meanStd(
      evaluations.map((table) => evaluationCurve(table, 'valueBias', offlineSteps).y.at(-1)!),
    );
    const betaFinal = meanStd(updateCurves.map((curves) => curves.beta.y.at(-1)!));
    const essFinal = meanStd(updateCurves.map((curves) => curves.ess.y.at(-1)!));
    report({
      name: `learning.${label}.${variant}.final-${metric.column}`,
      value: final.mean,
      std: final.std,
      seeds,
      offlineSteps,
      envSteps,
      atPhaseBoundary: boundary?.mean ?? null,
      meanOverEvaluations: averaged.mean,
      finalValueBias: bias.mean,
      finalBeta: betaFinal.mean,
      finalEssFraction: essFinal.mean,
    });
    rows.push(
      `| ${VARIANTS[variant].label} | ${boundary ? `${format(boundary.mean)} ± ${format(boundary.std)}` : '–'} | ${format(final.mean)} ± ${format(final.std)} | ${format(averaged.mean)} | ${format(betaFinal.mean, 3)} | ${format(essFinal.mean)} | ${format(bias.mean)} |`,
    );
  }

  let pendulumRow = '';
  let pendulumSeries: PlotSeries | undefined;
  if (pendulumSteps > 0) {
    const curves = Array.from({ length: seeds }, (_, seed) =>
      evaluationCurve(
        readLog(join(runsDirectory, `pendulum-seed${seed}`), RUN_FILES.evaluations),
        'meanReturn',
        0,
      ),
    );
    pendulumSeries = aggregate('SAC, uniform replay', curves);
    const final = meanStd(curves.map((curve) => curve.y.at(-1)!));
    const first = meanStd(curves.map((curve) => curve.y[0]));
    report({
      name: 'learning.pendulum-v1.online.final-return',
      value: final.mean,
      std: final.std,
      seeds,
      envSteps: pendulumSteps,
    });
    pendulumRow = `Pendulum from scratch (${pendulumSteps} env steps, ${seeds} seeds): return ${format(first.mean, 0)} at the first evaluation → ${format(final.mean, 0)} ± ${format(final.std, 0)} at the end.`;
  }

  if (!flags['write-docs']) return;
  const figures = join(root, 'docs', 'figures');
  mkdirSync(figures, { recursive: true });
  const envId = label;
  const marker = offlineSteps > 0 ? [{ x: offlineSteps, label: 'online →' }] : [];
  const xLabel = 'offline updates, then offline updates + online env steps';
  const figure = (name: string) => `learning-${envId}-${name}.svg`;
  writeFileSync(
    join(figures, figure('success')),
    linePlot({
      title: `${envId}: evaluation ${metric.name} (mean ± sd over ${seeds} seeds)`,
      xLabel,
      yLabel: metric.name,
      series: successSeries,
      markers: marker,
      ...(metric.column === 'successRate' ? { yRange: [0, 1] as [number, number] } : {}),
    }),
  );
  writeFileSync(
    join(figures, figure('beta')),
    linePlot({
      title: `${envId}: β per update (binned mean over seeds)`,
      xLabel,
      yLabel: 'β',
      series: betaSeries,
      markers: marker,
      logY: true,
    }),
  );
  writeFileSync(
    join(figures, figure('ess')),
    linePlot({
      title: `${envId}: ESS/n of exp(δ/β) per batch (binned mean over seeds)`,
      xLabel,
      yLabel: 'ESS / n',
      series: essSeries,
      markers: marker,
      yRange: [0, 1],
    }),
  );
  const dataset = await loadDataset(datasetPath);
  const card = dataset.card;
  const totalSeconds = Object.values(wallSeconds).reduce((a, b) => a + b, 0);
  const optionFlags =
    (flags['env-options'] === '{}' ? '' : ` --env-options '${flags['env-options']}'`) +
    (label === flags.env ? '' : ` --label ${label}`);
  const command = `npx tsx bench/learning.bench.ts --env ${flags.env}${optionFlags} --dataset ${flags.dataset} --seeds ${seeds} --offline-steps ${offlineSteps} --env-steps ${envSteps} --eval-interval ${evalInterval} --eval-episodes ${evalEpisodes} --hidden ${flags.hidden} --batch ${batchSize} --variants ${variants.join(',')} --pendulum-steps ${pendulumSteps} --write-docs`;
  const sections: Record<string, string[]> = {
    [envId]: [
      `Produced by \`${command}\`.`,
      `Dataset: ${dataset.columns.length} transitions${card ? `, ${card.episodes} episodes, behaviour \`${card.behaviorPolicy}\`, seed ${String(card.seed)}` : ''}. Budget per run: ${offlineSteps} offline updates, then ${envSteps} online environment steps at one update per step; networks ${flags.hidden}, batch ${batchSize}; ${evalEpisodes} deterministic evaluation episodes every ${evalInterval} updates (offline) or environment steps (online).${totalSeconds > 0 ? ` Wall time of the runs trained in the last invocation: ${(totalSeconds / 60).toFixed(1)} min.` : ''}`,
      '',
      `| method | ${metric.name} at phase boundary | final ${metric.name} | mean ${metric.name} over evaluations | final β | final ESS/n | final value bias |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `![${metric.name}](figures/${figure('success')})`,
      '',
      `![β](figures/${figure('beta')})`,
      '',
      `![ESS/n](figures/${figure('ess')})`,
    ],
  };
  if (pendulumSeries) {
    writeFileSync(
      join(figures, 'learning-pendulum-v1-return.svg'),
      linePlot({
        title: 'pendulum-v1 from scratch: evaluation return',
        xLabel: 'env steps',
        yLabel: 'return',
        series: [pendulumSeries],
      }),
    );
    sections['pendulum-v1'] = [
      pendulumRow,
      '',
      '![pendulum return](figures/learning-pendulum-v1-return.svg)',
    ];
  }
  const docPath = join(root, 'docs', 'benchmarks.md');
  let document = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  if (!document.includes('<!-- learning:begin -->')) {
    document = `${document.trimEnd()}\n\n<!-- learning:begin -->\n## Learning\n\n<!-- learning:end -->\n`;
  }
  for (const [key, lines] of Object.entries(sections)) document = replaceSubsection(document, key, lines);
  writeFileSync(docPath, document);
}

/**
 * Replace (or add before the end of the Learning section) the generated subsection `key`,
 * keeping whatever was written by hand after its findings marker.
 */
function replaceSubsection(document: string, key: string, lines: string[]): string {
  const begin = `<!-- learning:${key}:begin -->`;
  const end = `<!-- learning:${key}:end -->`;
  const findingsMarker = `<!-- learning:${key}:findings -->`;
  let findings = '\n';
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  if (start >= 0 && stop > start) {
    const old = document.slice(start, stop);
    const at = old.indexOf(findingsMarker);
    if (at >= 0) findings = old.slice(at + findingsMarker.length);
  }
  const block = [begin, `### ${key}`, '', ...lines, '', `${findingsMarker}${findings}${end}`].join('\n');
  if (start >= 0 && stop > start)
    return `${document.slice(0, start)}${block}${document.slice(stop + end.length)}`;
  const sectionEnd = document.indexOf('<!-- learning:end -->');
  return `${document.slice(0, sectionEnd)}${block}\n\n${document.slice(sectionEnd)}`;
}

await main();
