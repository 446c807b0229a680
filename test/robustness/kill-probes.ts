/**
 * kill -9 at chosen and random moments of `o2o train`, then `o2o resume` to the end. Every trial
 * must resume and finish; the curves must come out byte-identical to an uninterrupted run, and the
 * best policy the last checkpoint keeps must be the same, weight for weight.
 *
 * Moments: inside a warm-up checkpoint write (update 0, env steps only), inside an offline and an
 * online checkpoint write (a `.partial-*` folder exists), just after checkpoint.json moved (while
 * older checkpoints are pruned), before the first checkpoint, and at random times during runs with
 * a dataset and during warm-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../../core/data/generate.js';
import { readLatestCheckpoint } from '../../core/train/checkpoint.js';
import type { CheckpointState } from '../../core/train/checkpoint-state.js';
import { Rng } from '../../core/util/random.js';
import { curvesOf } from '../helpers/curves.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'core', 'cli', 'main.ts');

/** Run configurations: a dataset run (offline then online), warm-up from scratch, offline only. */
export type ProbeConfig = 'dataset' | 'warmup' | 'offline';

export type KillMoment =
  | 'warm-up checkpoint write'
  | 'offline checkpoint write'
  | 'online checkpoint write'
  | 'just after the pointer moved'
  | 'before the first checkpoint'
  | 'random, run with a dataset'
  | 'random, during warm-up';

export const KILL_MOMENTS: { moment: KillMoment; config: ProbeConfig }[] = [
  { moment: 'warm-up checkpoint write', config: 'warmup' },
  { moment: 'offline checkpoint write', config: 'dataset' },
  { moment: 'online checkpoint write', config: 'dataset' },
  { moment: 'just after the pointer moved', config: 'dataset' },
  { moment: 'random, run with a dataset', config: 'dataset' },
  { moment: 'random, during warm-up', config: 'warmup' },
  { moment: 'offline checkpoint write', config: 'offline' },
  { moment: 'before the first checkpoint', config: 'dataset' },
];

export interface KillResult {
  trial: number;
  moment: KillMoment;
  config: ProbeConfig;
  /** What the run directory showed at the kill: phase, counters, a checkpoint write in progress. */
  at: string;
  /** The kill came before the run ended (otherwise the trial tested nothing and counts as failed). */
  killed: boolean;
  /** A `.partial-*` checkpoint folder was left by the kill (the write was really cut). */
  cutCheckpointWrite: boolean;
  resumed: boolean;
  /** updates.csv and evaluations.csv equal those of the uninterrupted run (but for the time of day). */
  identical: boolean;
  problem?: string;
}

function configFor(kind: ProbeConfig, dataset: string): Record<string, unknown> {
  const common = {
    env: { id: 'pendulum-v1' },
    seed: 7,
    agent: { hiddenSizes: [16, 16], batchSize: 32 },
    eval: { episodes: 1, interval: 100 },
  };
  if (kind === 'dataset') {
    return {
      ...common,
      dataset: { path: dataset },
      offline: { steps: 150, evalInterval: 0 },
      online: { envSteps: 150, warmupSteps: 0 },
      checkpoint: { interval: 25, keep: 2 },
    };
  }
  if (kind === 'offline') {
    return {
      ...common,
      dataset: { path: dataset },
      offline: { steps: 250, evalInterval: 100 },
      online: { envSteps: 0 },
      checkpoint: { interval: 20, keep: 3 },
    };
  }
  // From scratch: 1500 random warm-up steps (checkpoints at update 0), then a short online phase.
  return {
    ...common,
    offline: { steps: 0 },
    online: { envSteps: 1600, warmupSteps: 1500, updatesPerStep: 1 },
    eval: { episodes: 1, interval: 800 },
    checkpoint: { interval: 100, keep: 2 },
  };
}

interface CliRun {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startCli(args: string[]): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** The best policy the run's newest checkpoint keeps (its evaluation and every weight), as text to compare. */
async function bestPolicyOf(directory: string): Promise<string> {
  const best = (await readLatestCheckpoint<CheckpointState>(directory))?.state.best;
  if (!best) return 'none';
  const { layers, observationMean, observationStd, ...evaluation } = best;
  return JSON.stringify({
    evaluation,
    normaliser: [Array.from(observationMean), Array.from(observationStd)],
    layers: layers.map((layer) => [Array.from(layer.weight), Array.from(layer.bias)]),
  });
}

function checkpointEntries(directory: string): string[] {
  try {
    return readdirSync(join(directory, 'checkpoints'));
  } catch {
    return [];
  }
}

/** A one-line picture of the run directory at the kill. */
function snapshot(directory: string): string {
  let status: string;
  try {
    const parsed = JSON.parse(read(join(directory, 'status.json'))) as {
      step: number;
      envStep: number;
      phase: string;
    };
    status = `update ${parsed.step}, env step ${parsed.envStep}, ${parsed.phase ?? 'starting'}`;
  } catch {
    status = 'no status yet';
  }
  const partial = checkpointEntries(directory).find((name) => name.startsWith('.partial-'));
  return partial ? `${status}; writing ${partial}` : status;
}

/** The predicate that fires at a moment, polled every millisecond; undefined: kill after a delay. */
function trigger(moment: KillMoment, directory: string): (() => boolean) | undefined {
  const partial = (test: (step: number, envStep: number) => boolean) => () =>
    checkpointEntries(directory).some((name) => {
      const match = /^\.partial-step-(\d+)-env-(\d+)/.exec(name);
      return match !== null && test(Number(match[1]), Number(match[2]));
    });
  switch (moment) {
    case 'warm-up checkpoint write':
      return partial((step, envStep) => step === 0 && envStep > 0);
    case 'offline checkpoint write':
      return partial((step, envStep) => step > 0 && envStep === 0);
    case 'online checkpoint write':
      return partial((step, envStep) => step > 0 && envStep > 0);
    case 'just after the pointer moved': {
      let first: string | undefined;
      return () => {
        const pointer = read(join(directory, 'checkpoint.json'));
        if (pointer === '') return false;
        first ??= pointer;
        return pointer !== first;
      };
    }
    case 'before the first checkpoint':
      return () => existsSync(join(directory, 'status.json')) && checkpointEntries(directory).length === 0;
    default:
      return undefined;
  }
}

/**
 * Kill the run at `moment`: when its trigger fires, or (random moments) after a random share of
 * `runMs`, the reference run's duration, or right after a random warm-up checkpoint. Returns
 * whether the kill happened before the run ended, and what the run directory showed then.
 */
async function killAt(
  run: CliRun,
  directory: string,
  moment: KillMoment,
  rng: Rng,
  runMs: number,
): Promise<{ killed: boolean; at: string }> {
  let killedAt: string | undefined;
  const kill = () => {
    if (killedAt !== undefined || run.child.exitCode !== null) return;
    killedAt = snapshot(directory);
    run.child.kill('SIGKILL');
  };
  let fire = trigger(moment, directory);
  let delayMs = 0;
  if (moment === 'random, during warm-up') {
    // right after a random one of the warm-up checkpoints (update 0), plus up to 20 ms
    const target = 100 * (1 + rng.int(13));
    delayMs = rng.int(20);
    fire = () => {
      const pointer = read(join(directory, 'checkpoint.json'));
      if (pointer === '') return false;
      const { step, envStep } = JSON.parse(pointer) as { step: number; envStep: number };
      return step === 0 && envStep >= target;
    };
  } else if (moment === 'random, run with a dataset') {
    // a random share (5 % … 60 %) of the time the uninterrupted run took, counted from the run's
    // status file (after start-up, which the reference time includes): later shares can fall after
    // the end when the machine is quieter than during the reference run
    delayMs = Math.floor(runMs * (0.05 + 0.55 * rng.uniform()));
    fire = () => existsSync(join(directory, 'status.json'));
  }
  if (!fire) throw new Error(`no trigger for ${moment}`);
  const check = fire;
  let fired = false;
  const timer = setInterval(() => {
    if (fired || !check()) return;
    fired = true;
    if (delayMs > 0) setTimeout(kill, delayMs);
    else kill();
  }, 1);
  await run.exited;
  clearInterval(timer);
  return killedAt === undefined
    ? { killed: false, at: 'the run ended before the moment came' }
    : { killed: true, at: killedAt };
}

export interface KillProbeOptions {
  /** Scratch folder (emptied first). */
  directory: string;
  trials: number;
  /** The moments to cycle through (default: all of KILL_MOMENTS). */
  moments?: { moment: KillMoment; config: ProbeConfig }[];
  seed?: number;
  /** Per CLI run; a run that takes longer is a hang. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Run `trials` kill trials (cycling through KILL_MOMENTS) and report each. */
export async function runKillProbes(options: KillProbeOptions): Promise<KillResult[]> {
  const { directory, trials } = options;
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 300_000;
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const dataset = join(directory, 'pendulum.arrow');
  await generateDataset({
    envId: 'pendulum-v1',
    policy: 'scripted',
    episodes: 5,
    seed: 1,
    out: dataset,
    randomActionRate: 0.5,
  });
  const rng = new Rng(options.seed ?? 30);
  const moments = options.moments ?? KILL_MOMENTS;

  const withTimeout = async (run: CliRun) => {
    const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
    const result = await run.exited;
    clearTimeout(timer);
    return result;
  };

  // The uninterrupted runs the resumed ones must match, and how long each took once started.
  const references = new Map<
    ProbeConfig,
    { updates: string; evaluations: string; best: string; runMs: number }
  >();
  for (const kind of new Set(moments.map((entry) => entry.config))) {
    const configPath = join(directory, `${kind}.json`);
    writeFileSync(configPath, JSON.stringify(configFor(kind, dataset)));
    const out = join(directory, `reference-${kind}`);
    const reference = startCli(['train', '--config', configPath, '--out', out, '--json']);
    let startedAt = 0;
    const watch = setInterval(() => {
      if (startedAt === 0 && existsSync(join(out, 'status.json'))) startedAt = Date.now();
    }, 1);
    const result = await withTimeout(reference);
    clearInterval(watch);
    if (result.code !== 0) throw new Error(`the reference ${kind} run failed: ${result.stderr}`);
    references.set(kind, {
      updates: curvesOf(join(out, 'updates.csv')),
      evaluations: curvesOf(join(out, 'evaluations.csv')),
      best: await bestPolicyOf(out),
      runMs: Date.now() - startedAt,
    });
    log(`reference ${kind} run done`);
  }

  const results: KillResult[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const { moment, config } = moments[trial % moments.length];
    const out = join(directory, `trial-${trial}`);
    const run = startCli(['train', '--config', join(directory, `${config}.json`), '--out', out, '--json']);
    const { killed, at } = await killAt(run, out, moment, rng, references.get(config)!.runMs);
    const cutCheckpointWrite = checkpointEntries(out).some((name) => name.startsWith('.partial-'));
    const result: KillResult = {
      trial,
      moment,
      config,
      at,
      killed,
      cutCheckpointWrite,
      resumed: false,
      identical: false,
    };
    const resumed = await withTimeout(startCli(['resume', out, '--json']));
    const status = (() => {
      try {
        return (JSON.parse(read(join(out, 'status.json'))) as { state: string }).state;
      } catch {
        return 'unreadable';
      }
    })();
    result.resumed = resumed.code === 0 && status === 'finished';
    const reference = references.get(config)!;
    result.identical =
      curvesOf(join(out, 'updates.csv')) === reference.updates &&
      curvesOf(join(out, 'evaluations.csv')) === reference.evaluations &&
      (await bestPolicyOf(out)) === reference.best;
    if (!killed) {
      result.problem = 'the run ended before the kill: this trial killed nothing';
    } else if (!result.resumed) {
      result.problem = `resume ended with ${resumed.signal ?? resumed.code}, status ${status}: ${resumed.stderr.trim().split('\n').slice(-3).join(' ')}`;
    } else if (!result.identical) {
      result.problem = 'the resumed curves or best policy differ from the uninterrupted run';
    }
    const leftovers = [...readdirSync(out), ...checkpointEntries(out)].filter(
      (name) => name.startsWith('.partial-') || name.endsWith('.tmp'),
    );
    if (leftovers.length > 0)
      result.problem = `${result.problem ? `${result.problem}; ` : ''}leftovers: ${leftovers.join(', ')}`;
    results.push(result);
    log(
      `kill ${trial + 1}/${trials} (${moment}; ${at}${cutCheckpointWrite ? '; write cut' : ''}): ${result.problem ?? 'resumed, identical'}`,
    );
    if (!result.problem) rmSync(out, { recursive: true, force: true });
  }
  return results;
}
