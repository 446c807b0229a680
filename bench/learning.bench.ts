/**
 * The learning benchmark (a benchmark, not a test): offline-to-online runs of the shipped presets
 * on every task, for every row (uniform replay, PER, ROER at fixed β ∈ {0.4, 1, 4}, ROER with each
 * adaptive β controller) and several seeds; plus Pendulum from scratch. Per task it reports the
 * metric (success rate, normalised score or return) at the end of the offline phase, its minimum
 * over the first 10% of the online steps (the hand-off dip), and at the end of fine-tuning: the mean
 * of the evaluations in the last 10% of the online steps (on a maze, the episodes of one evaluation
 * start within ±0.1 of one point, so a deterministic policy succeeds in all or none of them; the
 * final evaluation is reported beside it).
 *
 *   npm run bench -- learning                      quick check: 1 seed, budgets ÷ 10, two rows
 *   npx tsx bench/learning.bench.ts --scale full --seeds 3 --parallel 2 --write-docs
 *                                                  the documented figures (docs/benchmarks.md)
 *   [--tasks pointmaze-umaze,…] [--rows uniform,roer-track,…] [--runs runs/bench-learning]
 *
 * Budgets live in bench/learning/tasks.ts. Each run is its own process (`--parallel` at a time);
 * a run that already finished in the runs folder with the same config is reused. One JSON line per
 * figure; --write-docs also writes the plots and the Learning section of docs/benchmarks.md (with
 * --tasks, only the sections of those tasks; the others keep what an earlier invocation wrote).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mean, standardDeviation } from '../core/train/evaluate.js';
import { readCsvLog, type CsvTable } from '../core/train/metrics-log.js';
import { RUN_FILES } from '../core/train/run-directory.js';
import { packageInfo } from '../core/util/package-info.js';
import { ROWS, runConfig, TASKS, type LearningTask, type Metric, merge } from './learning/tasks.js';
import { linePlot, type PlotSeries } from './learning/svg.js';
import { report } from './util.js';

const { values: flags } = parseArgs({
  options: {
    scale: { type: 'string', default: 'quick' },
    seeds: { type: 'string' },
    tasks: { type: 'string' },
    rows: { type: 'string' },
    parallel: { type: 'string', default: '2' },
    runs: { type: 'string', default: 'runs/bench-learning' },
    'write-docs': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const root = packageInfo().root;
const here = dirname(fileURLToPath(import.meta.url));
const full = flags.scale === 'full';
if (!full && flags.scale !== 'quick') throw new Error(`--scale must be quick or full, got ${flags.scale}`);
const seeds = Number(flags.seeds ?? (full ? 3 : 1));
const parallel = Math.max(1, Number(flags.parallel));
const runsDirectory = resolve(root, flags.runs, flags.scale);
const selectedTasks = (
  flags.tasks ?? (full ? TASKS.map((task) => task.key).join(',') : 'pointmaze-umaze,pendulum-online')
)
  .split(',')
  .map((key) => {
    const task = TASKS.find((candidate) => candidate.key === key);
    if (!task) throw new Error(`unknown task ${key}; tasks: ${TASKS.map((t) => t.key).join(', ')}`);
    return task;
  });
const rowFilter = flags.rows?.split(',') ?? (full ? undefined : ['uniform', 'roer-track']);
for (const row of rowFilter ?? [])
  if (!ROWS[row]) throw new Error(`unknown row ${row}; rows: ${Object.keys(ROWS).join(', ')}`);

function rowsOf(task: LearningTask): string[] {
  return rowFilter ? task.rows.filter((row) => rowFilter.includes(row)) : task.rows;
}

/** The run's config at this scale: the quick scale divides every budget by 10. */
function scaledConfig(task: LearningTask, row: string, seed: number): Record<string, unknown> {
  const config = runConfig(task, row, seed) as {
    offline?: { steps?: number; evalInterval?: number };
    online?: { envSteps?: number; warmupSteps?: number; criticWarmupSteps?: number };
    eval?: { interval?: number };
  };
  if (full) return config;
  const tenth = (value: number | undefined) =>
    value === undefined ? undefined : Math.max(1, Math.round(value / 10));
  return merge(config, {
    offline: {
      steps: config.offline?.steps ? tenth(config.offline.steps) : 0,
      evalInterval: tenth(config.offline?.evalInterval) ?? 0,
    },
    online: {
      envSteps: tenth(config.online?.envSteps),
      ...(config.online?.criticWarmupSteps
        ? { criticWarmupSteps: tenth(config.online.criticWarmupSteps) }
        : {}),
    },
    eval: { interval: tenth(config.eval?.interval) },
  });
}

interface Job {
  task: LearningTask;
  row: string;
  seed: number;
  directory: string;
  config: Record<string, unknown>;
}

/** Run one job in a child process; resolves with its wall seconds (0 when reused). */
function runJob(job: Job): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const name = `${job.task.key}-${job.row}-seed${job.seed}`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'learning', 'train-one.ts'),
        job.directory,
        JSON.stringify(job.config),
        name,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${name} failed (exit ${code})`));
      else resolvePromise((JSON.parse(output.trim().split('\n').at(-1)!) as { seconds: number }).seconds);
    });
  });
}

async function runAll(jobs: Job[]): Promise<Map<Job, number>> {
  const seconds = new Map<Job, number>();
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const load = loadavg()[0];
      const wall = await runJob(job);
      seconds.set(job, wall);
      process.stderr.write(
        `${job.task.key} ${job.row} seed ${job.seed}: ${wall > 0 ? `${wall.toFixed(0)} s (load ${load.toFixed(1)})` : 'reused'}\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  return seconds;
}

/** The three figures of one run, in the metric's units (success rate in %). */
interface RunSummary {
  offlineEnd: number;
  dip: number;
  /** Mean of the evaluations in the last 10% of the online steps. */
  final: number;
  /** The last evaluation alone. */
  last: number;
  curve: { x: number[]; y: number[] };
  beta: { x: number[]; y: number[] };
}

function metricValue(table: CsvTable, metric: Metric, i: number): number {
  const value = Number(table.columns[metric][i]);
  return metric === 'successRate' ? 100 * value : value;
}

function summarise(job: Job): RunSummary {
  const evaluations = readCsvLog(join(job.directory, RUN_FILES.evaluations));
  const config = job.config as { offline?: { steps?: number }; online?: { envSteps?: number } };
  const offlineSteps = config.offline?.steps ?? 0;
  const onlineSteps = config.online?.envSteps ?? 0;
  const x: number[] = [];
  const y: number[] = [];
  let offlineEnd = Number.NaN;
  let dip = Infinity;
  const ending: number[] = [];
  for (let i = 0; i < evaluations.rows; i++) {
    const phase = String(evaluations.columns.phase[i]);
    const envStep = Number(evaluations.columns.envStep[i]);
    const value = metricValue(evaluations, job.task.metric, i);
    x.push(phase === 'offline' ? Number(evaluations.columns.step[i]) : offlineSteps + envStep);
    y.push(value);
    if (phase === 'offline') offlineEnd = value;
    else {
      if (envStep <= 0.1 * onlineSteps) dip = Math.min(dip, value);
      if (envStep >= 0.9 * onlineSteps) ending.push(value);
    }
  }
  const updates = readCsvLog(join(job.directory, RUN_FILES.updates));
  const beta = binned(updates, 'beta', offlineSteps);
  return {
    offlineEnd,
    dip: Number.isFinite(dip) ? dip : Number.NaN,
    final: ending.length > 0 ? mean(ending) : (y.at(-1) ?? Number.NaN),
    last: y.at(-1) ?? Number.NaN,
    curve: { x, y },
    beta,
  };
}

/** Update-log column `name` averaged in 100 equal bins of the shared progress axis. */
function binned(
  table: CsvTable,
  name: string,
  offlineSteps: number,
  bins = 100,
): { x: number[]; y: number[] } {
  const xs: number[] = [];
  for (let i = 0; i < table.rows; i++) {
    xs.push(
      String(table.columns.phase[i]) === 'offline'
        ? Number(table.columns.step[i])
        : offlineSteps + Number(table.columns.envStep[i]),
    );
  }
  const xMax = Math.max(1, ...xs);
  const sums = new Float64Array(bins);
  const counts = new Float64Array(bins);
  xs.forEach((value, i) => {
    const bin = Math.min(bins - 1, Math.floor((value / xMax) * bins));
    const v = Number(table.columns[name][i]);
    if (Number.isFinite(v)) {
      sums[bin] += v;
      counts[bin]++;
    }
  });
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] > 0) {
      x.push(((b + 0.5) / bins) * xMax);
      y.push(sums[b] / counts[b]);
    }
  }
  return { x, y };
}

function aggregate(name: string, curves: { x: number[]; y: number[] }[]): PlotSeries {
  const shared = curves[0].x.filter((value) => curves.every((curve) => curve.x.includes(value)));
  const y: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (const value of shared) {
    const values = curves.map((curve) => curve.y[curve.x.indexOf(value)]);
    const m = mean(values);
    const sd = standardDeviation(values);
    y.push(m);
    lower.push(m - sd);
    upper.push(m + sd);
  }
  return { name, x: shared, y, lower, upper };
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;

/** Mean and standard error (sample standard deviation / √n, i.e. population sd / √(n − 1)) of the per-seed differences a[i] − b[i]:
 *  a paired comparison, in which a seed that defeats every row (an offline phase that misses the
 *  goal whatever the replay rule) cancels out instead of widening both rows' spread. */
function pairedDifference(a: number[], b: number[]): { mean: number; standardError: number } {
  const differences = a.map((value, i) => value - b[i]).filter(Number.isFinite);
  const n = differences.length;
  return {
    mean: mean(differences),
    standardError: n > 1 ? standardDeviation(differences) / Math.sqrt(n - 1) : NaN,
  };
}

const digits = (metric: Metric) => (metric === 'meanReturn' ? 0 : 1);
function cell(values: number[], metric: Metric): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  const d = digits(metric);
  return `${mean(finite).toFixed(d)} ± ${standardDeviation(finite).toFixed(d)}`;
}

async function main(): Promise<void> {
  mkdirSync(runsDirectory, { recursive: true });
  const jobs: Job[] = [];
  for (const task of selectedTasks) {
    for (const row of rowsOf(task)) {
      for (let seed = 0; seed < seeds; seed++) {
        jobs.push({
          task,
          row,
          seed,
          directory: join(runsDirectory, task.key, `${row}-seed${seed}`),
          config: scaledConfig(task, row, seed),
        });
      }
    }
  }
  const started = performance.now();
  const loadStart = loadavg()[0];
  const seconds = await runAll(jobs);
  const totalMinutes = (performance.now() - started) / 60_000;
  const loadEnd = loadavg()[0];

  const sections: Record<string, string[]> = {};
  const figures = join(root, 'docs', 'figures');
  if (flags['write-docs']) mkdirSync(figures, { recursive: true });
  for (const task of selectedTasks) {
    const taskJobs = jobs.filter((job) => job.task === task);
    const metricName = {
      successRate: 'success %',
      normalizedScore: 'normalised score',
      meanReturn: 'return',
    }[task.metric];
    const lines = [
      `| row | after offline | dip (min over first 10% online) | end of fine-tuning (mean over last 10% online) | last evaluation | per seed (offline → dip → end) |`,
      '| --- | --- | --- | --- | --- | --- |',
    ];
    const series: PlotSeries[] = [];
    const betaSeries: PlotSeries[] = [];
    const finals: Record<string, number> = {};
    const finalsPerSeed: Record<string, number[]> = {};
    for (const row of rowsOf(task)) {
      const rowJobs = taskJobs.filter((job) => job.row === row);
      const summaries = rowJobs.map(summarise);
      const offline = summaries.map((s) => s.offlineEnd);
      const dip = summaries.map((s) => s.dip);
      const final = summaries.map((s) => s.final);
      const last = summaries.map((s) => s.last);
      finals[row] = mean(final);
      finalsPerSeed[row] = final;
      report({
        name: `learning.${task.key}.${row}`,
        metric: task.metric,
        seeds,
        scale: flags.scale,
        after_offline: Number.isFinite(mean(offline)) ? Number(mean(offline).toFixed(2)) : null,
        dip: dip.some(Number.isFinite) ? Number(mean(dip.filter(Number.isFinite)).toFixed(2)) : null,
        final: Number(mean(final).toFixed(2)),
        final_std: Number(standardDeviation(final).toFixed(2)),
        last: Number(mean(last).toFixed(2)),
        per_seed: summaries.map((s) => ({ offline: s.offlineEnd, dip: s.dip, final: s.final, last: s.last })),
        wall_seconds: rowJobs.map((job) => Number((seconds.get(job) ?? 0).toFixed(0))),
      });
      const d = digits(task.metric);
      const perSeed = summaries
        .map((s) =>
          [s.offlineEnd, s.dip, s.final].map((v) => (Number.isFinite(v) ? v.toFixed(d) : '–')).join(' → '),
        )
        .join('; ');
      lines.push(
        `| ${ROWS[row].label} | ${cell(offline, task.metric)} | ${cell(dip, task.metric)} | ${cell(final, task.metric)} | ${cell(last, task.metric)} | ${perSeed} |`,
      );
      series.push(
        aggregate(
          ROWS[row].label,
          summaries.map((s) => s.curve),
        ),
      );
      betaSeries.push(
        aggregate(
          ROWS[row].label,
          summaries.map((s) => s.beta),
        ),
      );
    }
    const fixed = ['roer-0.4', 'roer-1', 'roer-4'].filter((row) => row in finals);
    const adaptive = ['roer-track', 'roer-solve', 'roer-shift'].filter((row) => row in finals);
    const verdicts: string[] = [];
    if (fixed.length > 0 && adaptive.length > 0) {
      const bestFixed = fixed.reduce((best, row) => (finals[row] > finals[best] ? row : best));
      verdicts.push(
        `Best fixed β at the end: ${ROWS[bestFixed].label} (${finals[bestFixed].toFixed(1)}); adaptive, untuned: ${adaptive
          .map(
            (row) =>
              `${row.replace('roer-', '')} ${finals[row].toFixed(1)} (${signed(finals[row] - finals[bestFixed])})`,
          )
          .join(
            ', ',
          )}. Paired by seed (the same seed's difference, mean ± standard error over ${seeds} seeds): ${adaptive
          .map((row) => {
            const paired = pairedDifference(finalsPerSeed[row], finalsPerSeed[bestFixed]);
            return `${row.replace('roer-', '')} ${signed(paired.mean)} ± ${paired.standardError.toFixed(1)}`;
          })
          .join(', ')}.`,
      );
    }
    const example = taskJobs[0].config as {
      agent?: { hiddenSizes?: number[]; batchSize?: number };
      offline?: { steps?: number; objective?: string };
      online?: { envSteps?: number };
      eval?: { episodes?: number; interval?: number };
    };
    const wall = taskJobs.reduce((total, job) => total + (seconds.get(job) ?? 0), 0);
    const budget = `Budget per run: ${example.offline?.steps ?? 0} offline updates${example.offline?.steps ? ` (${example.offline.objective ?? 'xql'})` : ''}, then ${example.online?.envSteps ?? 0} environment steps at one update per step; networks ${(example.agent?.hiddenSizes ?? [256, 256]).join('×')}, batch ${example.agent?.batchSize ?? 256}; ${example.eval?.episodes ?? 10} deterministic evaluation episodes every ${example.eval?.interval} online steps. ${seeds} seeds. Preset \`${task.preset}\`. Goal: ${task.goal}.${wall > 0 ? ` CPU time of the runs trained in this invocation: ${(wall / 60).toFixed(1)} min.` : ''}`;
    sections[task.key] = [budget, '', ...lines, '', ...verdicts];
    if (flags['write-docs']) {
      const file = (kind: string) => `learning-${task.key}-${kind}.svg`;
      const offlineSteps = example.offline?.steps ?? 0;
      const markers = offlineSteps > 0 ? [{ x: offlineSteps, label: 'online →' }] : [];
      const xLabel =
        offlineSteps > 0 ? 'offline updates, then offline updates + online env steps' : 'env steps';
      writeFileSync(
        join(figures, file('metric')),
        linePlot({
          title: `${task.key}: ${metricName} (mean ± sd over ${seeds} seeds)`,
          xLabel,
          yLabel: metricName,
          series,
          markers,
          ...(task.metric === 'successRate' ? { yRange: [0, 100] as [number, number] } : {}),
        }),
      );
      if (rowsOf(task).length > 1) {
        writeFileSync(
          join(figures, file('beta')),
          linePlot({
            title: `${task.key}: β per update (binned mean over seeds)`,
            xLabel,
            yLabel: 'β',
            series: betaSeries,
            markers,
            logY: true,
          }),
        );
      }
      sections[task.key].push(
        '',
        `![${metricName}](figures/${file('metric')})`,
        ...(rowsOf(task).length > 1 ? ['', `![β](figures/${file('beta')})`] : []),
      );
    }
  }
  report({
    name: 'learning.wall',
    minutes: Number(totalMinutes.toFixed(1)),
    runs: jobs.length,
    parallel,
    load_average_1m_start: Number(loadStart.toFixed(2)),
    load_average_1m_end: Number(loadEnd.toFixed(2)),
  });
  if (!flags['write-docs']) return;
  const command = `npx tsx bench/learning.bench.ts --scale ${flags.scale} --seeds ${seeds} --parallel ${parallel}${flags.tasks ? ` --tasks ${flags.tasks}` : ''}${flags.rows ? ` --rows ${flags.rows}` : ''} --write-docs`;
  const provenance = (task: LearningTask) => {
    const taskJobs = jobs.filter((job) => job.task === task);
    const trainedHere = taskJobs.filter((job) => (seconds.get(job) ?? 0) > 0).length;
    const spans = taskJobs.map(runRecord);
    const first = new Date(Math.min(...spans.map((span) => span.start))).toISOString().slice(0, 16);
    const last = new Date(Math.max(...spans.map((span) => span.end))).toISOString().slice(0, 16);
    const runMinutes = spans.reduce((total, span) => total + (span.end - span.start), 0) / 60_000;
    return `Produced by \`${command}\` (${totalMinutes.toFixed(0)} min of wall time for all its ${jobs.length} runs, ${parallel} at a time; load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end): ${taskJobs.length} runs of this task, ${trainedHere} trained by that invocation and ${taskJobs.length - trainedHere} reused (finished earlier with the same config). The runs trained from ${first.replace('T', ' ')} to ${last.replace('T', ' ')} UTC, ${runMinutes.toFixed(1)} run-minutes in all (${spans[0].backend} kernels).`;
  };
  const written = new Map(
    selectedTasks.map((task) => [task.key, [provenance(task), '', ...sections[task.key]].join('\n')]),
  );
  const docPath = join(root, 'docs', 'benchmarks.md');
  const document = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  writeFileSync(docPath, withLearningSections(document, written, flags.tasks !== undefined));
}

/**
 * When a run was created and when its status was last written (its end, for a finished run), in ms,
 * and the kernels it trained on (meta.json and status.json).
 */
function runRecord(job: Job): { start: number; end: number; backend: string } {
  const read = (file: string) =>
    JSON.parse(readFileSync(join(job.directory, file), 'utf8')) as Record<string, string>;
  const meta = read(RUN_FILES.meta);
  return {
    start: Date.parse(meta.createdAt),
    end: Date.parse(read(RUN_FILES.status).updatedAt),
    backend: meta.backend,
  };
}

const LEARNING_INTRO =
  'Each row is one replay rule and β controller over the task\'s preset; the offline phase is the preset\'s objective: in-sample IQL on the mazes and the MuJoCo medium datasets, in-sample XQL on pendulum-medium (whose value loss and AWR weights take β as their temperature), each kept in-sample online. "Dip" is the lowest evaluation in the first 10% of the online steps; "end of fine-tuning" is the mean of the evaluations in the last 10% (on a maze the evaluation episodes start within ±0.1 of one point, so a deterministic policy succeeds in all or none of them, and a single evaluation flips between 0 and 100%), and the last evaluation alone is shown beside it. Each task\'s section names the command that produced it; `--tasks` rewrites only the sections of the tasks it names.';

/**
 * The document with its Learning section holding `written` (task key → section body) and, when
 * `keepOthers`, every other task's section as it was before. A kept section from before sections
 * named their own command inherits the line that named the command for the whole table.
 */
function withLearningSections(document: string, written: Map<string, string>, keepOthers: boolean): string {
  const begin = '<!-- learning:begin -->';
  const end = '<!-- learning:end -->';
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  const old = start >= 0 && stop > start ? document.slice(start + begin.length, stop) : '';
  const [head, ...parts] = old.split(/^### /m);
  const tableProvenance = head.split('\n').find((line) => line.startsWith('Produced by'));
  const kept = new Map<string, string>();
  for (const part of keepOthers ? parts : []) {
    const newline = part.indexOf('\n');
    const key = part.slice(0, newline).trim();
    let body = part.slice(newline + 1).trim();
    if (!body.startsWith('Produced by') && tableProvenance) body = `${tableProvenance}\n\n${body}`;
    kept.set(key, body);
  }
  const order = [...TASKS.map((task) => task.key), ...kept.keys()];
  const keys = order.filter((key, i) => order.indexOf(key) === i && (written.has(key) || kept.has(key)));
  const body = [
    begin,
    '## Learning',
    '',
    LEARNING_INTRO,
    '',
    ...keys.flatMap((key) => [`### ${key}`, '', written.get(key) ?? kept.get(key)!, '']),
    end,
  ].join('\n');
  return start >= 0 && stop > start
    ? `${document.slice(0, start)}${body}${document.slice(stop + end.length)}`
    : `${document.trimEnd()}\n\n${body}\n`;
}

await main();
