/**
 * One full SAC + ROER update (observation 17, action 6, hidden 256×256, batch 256: twin Q with the
 * gradient penalty, Polyak targets, ROER value net, actor, α) on TF.js, measured side by side with
 * the same update in PyTorch (bench/reference/sac_update.py, Debian's python3-torch on OpenBLAS).
 * The two run interleaved in rounds in one process tree so that load from other work on the
 * machine hits both alike; the figures are medians over rounds.
 *
 * Prints two JSON lines: `sac_update` for a fresh learner (‖∂Q/∂a‖ < 1 everywhere, so the hinge
 * penalty's second-order path is skipped) and `sac_update_penalty_active` with the critics scaled
 * ×2 on both sides so that the penalty is active on most rows. Each line: {"name":"sac_update","backend",…,"updates_per_s","reference_updates_per_s","ratio","peak_rss_mb",…};
 * rates are medians over rounds of wall-clock time, and (`*_per_cpu_s`, `cpu_ratio`) of each
 * process's own CPU time, which is steadier when other work shares the cores.
 * Environment: SAC_BENCH_ROUNDS (default 7), SAC_BENCH_UPDATES per round (default 10).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSacLearner } from '../core/agents/sac.js';
import { defaultSacConfig } from '../core/agents/sac-config.js';
import { allocateBatch } from '../core/replay/transitions.js';
import { initBackend } from '../core/tensor/backend.js';
import { Rng } from '../core/util/random.js';
import { median, peakRssMb, report } from './util.js';

const OBSERVATION = 17;
const ACTION = 6;
const BATCH = 256;
const rounds = Number(process.env.SAC_BENCH_ROUNDS ?? 7);
const updatesPerRound = Number(process.env.SAC_BENCH_UPDATES ?? 10);
const python = '/usr/bin/python3';
const referenceScript = join(dirname(fileURLToPath(import.meta.url)), 'reference', 'sac_update.py');

function log(message: string): void {
  process.stderr.write(`sac-update: ${message}\n`);
}

function torchAvailable(): boolean {
  return spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** Install Debian's python3-torch and OpenBLAS when missing; returns why not when it cannot. */
function ensureTorch(): string | undefined {
  if (torchAvailable()) return undefined;
  log('python3-torch is missing; installing python3-torch and libopenblas0-pthread with apt-get');
  const apt = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  const update = apt(['update']);
  if (update.error || update.status !== 0)
    return `apt-get update failed (${update.error?.message ?? `exit ${update.status}`})`;
  const install = apt(['install', '-y', 'python3-torch', 'libopenblas0-pthread']);
  if (install.error || install.status !== 0) {
    return `apt-get install python3-torch libopenblas0-pthread failed (${install.error?.message ?? `exit ${install.status}`})`;
  }
  return torchAvailable() ? undefined : 'python3-torch installed but "import torch" still fails';
}

/** Wall-clock and CPU seconds of one timed block. */
interface Timing {
  seconds: number;
  cpuSeconds: number;
}

interface Reference {
  info: { torch: string; threads: number; blas: string };
  run(count: number): Promise<Timing>;
  scaleCritics(factor: number): Promise<void>;
  close(): void;
}

async function startReference(): Promise<Reference> {
  const child: ChildProcessWithoutNullStreams = spawn(python, [referenceScript], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await iterator.next();
    if (done) throw new Error('the PyTorch reference exited early');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    info: ready as unknown as Reference['info'],
    async run(count: number) {
      child.stdin.write(`run ${count}\n`);
      const result = await next();
      return { seconds: Number(result.seconds), cpuSeconds: Number(result.cpu_seconds) };
    },
    async scaleCritics(factor: number) {
      child.stdin.write(`scale ${factor}\n`);
      await next();
    },
    close() {
      child.stdin.write('quit\n');
      child.stdin.end();
    },
  };
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const learner = await createSacLearner(defaultSacConfig(), OBSERVATION, ACTION, 0);
  const rng = new Rng(1);
  const batch = allocateBatch(BATCH, OBSERVATION, ACTION);
  rng.fillNormal(batch.observations);
  rng.fillNormal(batch.nextObservations);
  for (let i = 0; i < batch.actions.length; i++) batch.actions[i] = Math.tanh(rng.normal());
  for (let i = 0; i < BATCH; i++) {
    batch.rewards[i] = rng.normal();
    batch.masks[i] = 1;
  }
  /** The learner's last gradient-penalty metric, mean Σₖ max(‖∂Qₖ/∂a‖ − 1, 0)²: 0 when inactive. */
  let lastPenalty = 0;
  const runTfjs = (count: number): Timing => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) lastPenalty = learner.update(batch, 1).metrics.gradientPenalty;
    const used = process.cpuUsage(cpu);
    return {
      seconds: Number(process.hrtime.bigint() - start) / 1e9,
      cpuSeconds: (used.user + used.system) / 1e6,
    };
  };

  const missing = ensureTorch();
  if (missing) log(`no PyTorch reference: ${missing}; reporting TF.js alone`);
  const reference = missing ? undefined : await startReference();
  runTfjs(2); // warm-up: kernels, parameter uploads
  if (reference) await reference.run(2);

  const measure = async () => {
    const ours: Timing[] = [];
    const theirs: Timing[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first so that drifting load does not favour one side.
      if (round % 2 === 0 || !reference) {
        ours.push(runTfjs(updatesPerRound));
        if (reference) theirs.push(await reference.run(updatesPerRound));
      } else {
        theirs.push(await reference.run(updatesPerRound));
        ours.push(runTfjs(updatesPerRound));
      }
    }
    return { ours, theirs };
  };
  const rate = (timings: Timing[], key: keyof Timing) => median(timings.map((t) => updatesPerRound / t[key]));
  const round2 = (value: number) => Number(value.toFixed(2));
  const figure = (name: string, ours: Timing[], theirs: Timing[], extra: Record<string, unknown>) => {
    const updatesPerSecond = rate(ours, 'seconds');
    const updatesPerCpuSecond = rate(ours, 'cpuSeconds');
    const referenceRate = reference ? rate(theirs, 'seconds') : null;
    const referenceCpuRate = reference ? rate(theirs, 'cpuSeconds') : null;
    report({
      name,
      backend: backend.name,
      updates_per_s: round2(updatesPerSecond),
      reference_updates_per_s: referenceRate === null ? null : round2(referenceRate),
      ratio: referenceRate === null ? null : Number((updatesPerSecond / referenceRate).toFixed(3)),
      updates_per_cpu_s: round2(updatesPerCpuSecond),
      reference_updates_per_cpu_s: referenceCpuRate === null ? null : round2(referenceCpuRate),
      cpu_ratio:
        referenceCpuRate === null ? null : Number((updatesPerCpuSecond / referenceCpuRate).toFixed(3)),
      peak_rss_mb: Number(peakRssMb().toFixed(1)),
      rounds,
      updates_per_round: updatesPerRound,
      reference: reference ? { ...reference.info } : { unavailable: missing },
      ...extra,
    });
  };

  // 1. A fresh learner: ‖∂Q/∂a‖ < 1 on every row, so the hinge penalty and its second-order path are inactive.
  let loadBefore = loadavg()[0];
  const fresh = await measure();
  figure('sac_update', fresh.ours, fresh.theirs, {
    gradient_penalty: Number(lastPenalty.toPrecision(3)),
    load_average_1m: round2((loadBefore + loadavg()[0]) / 2),
  });

  // 2. Critics scaled ×2 on both sides: the penalty is active on most rows (the expensive case).
  const state = learner.getState() as { critic: { parameters: Float32Array }; targetCritic: Float32Array };
  state.critic.parameters = state.critic.parameters.map((value) => 2 * value);
  state.targetCritic = state.targetCritic.map((value) => 2 * value);
  learner.setState(state);
  await reference?.scaleCritics(2);
  runTfjs(1);
  loadBefore = loadavg()[0];
  const active = await measure();
  figure('sac_update_penalty_active', active.ours, active.theirs, {
    gradient_penalty: Number(lastPenalty.toPrecision(3)),
    load_average_1m: round2((loadBefore + loadavg()[0]) / 2),
  });
  reference?.close();
  learner.dispose();
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
