/**
 * One full SAC + ROER update (observation 17, action 6, hidden 256×256, batch 256: twin Q with the
 * gradient penalty, Polyak targets, ROER value net, actor, α) on each kernel provider, measured side
 * by side with the same update in PyTorch (bench/reference/sac_update.py, Debian's python3-torch on
 * OpenBLAS) at the same thread count. Ours and PyTorch run interleaved in rounds, alternating who
 * goes first, so that load from other work hits both alike; figures are medians over rounds.
 *
 * Lines (one JSON object each):
 * - `sac_update`: native kernels, 1 thread, vs PyTorch at 1 thread (the goal: ratio ≥ 1);
 * - `sac_update_2_threads`: native kernels and PyTorch both at 2 threads;
 * - `sac_update_penalty_active`: as `sac_update` with the critics scaled ×2 on both sides, so that the
 *   gradient penalty's second-order path runs on most rows (the expensive case);
 * - `sac_update_wasm`: the TF.js wasm kernels, vs PyTorch at 1 thread;
 * - `act_single_observation`: one observation through the policy (deterministic action), in ms,
 *   on the native kernels, on the JavaScript host path used with the TF.js backends, and through
 *   onnxruntime-node on the exported ONNX policy.
 * Each rate line: updates_per_s (wall), updates_per_cpu_s, the reference's, their ratios,
 * peak_rss_mb and the 1-minute load average over the measurement.
 * Environment: SAC_BENCH_ROUNDS (default 7), SAC_BENCH_UPDATES per round (default 10).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SacLearner } from '../core/agents/sac.js';
import { defaultSacConfig } from '../core/agents/sac-config.js';
import { policyToOnnx } from '../core/export/onnx.js';
import type { ExportedPolicy } from '../core/export/policy.js';
import { allocateBatch, type TransitionBatch } from '../core/replay/transitions.js';
import { currentKernels, initBackend } from '../core/tensor/backend.js';
import type { Kernels } from '../core/tensor/kernels.js';
import { loadNativeKernels, type NativeKernels } from '../core/tensor/native-kernels.js';
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

async function startReference(threads: number): Promise<Reference> {
  const child: ChildProcessWithoutNullStreams = spawn(python, [referenceScript, String(threads)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
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

function benchBatch(): TransitionBatch {
  const rng = new Rng(1);
  const batch = allocateBatch(BATCH, OBSERVATION, ACTION);
  rng.fillNormal(batch.observations);
  rng.fillNormal(batch.nextObservations);
  for (let i = 0; i < batch.actions.length; i++) batch.actions[i] = Math.tanh(rng.normal());
  for (let i = 0; i < BATCH; i++) {
    batch.rewards[i] = rng.normal();
    batch.masks[i] = 1;
  }
  return batch;
}

const round2 = (value: number) => Number(value.toFixed(2));

/** Time our learner against the reference in interleaved rounds and print one figure. */
async function compare(
  name: string,
  learner: SacLearner,
  batch: TransitionBatch,
  reference: Reference | undefined,
  missing: string | undefined,
  extra: Record<string, unknown>,
): Promise<void> {
  let lastPenalty = 0;
  const runOurs = (count: number): Timing => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) lastPenalty = learner.update(batch, 1).metrics.gradientPenalty;
    const used = process.cpuUsage(cpu);
    return {
      seconds: Number(process.hrtime.bigint() - start) / 1e9,
      cpuSeconds: (used.user + used.system) / 1e6,
    };
  };
  runOurs(2); // warm-up: scratch buffers, JIT
  if (reference) await reference.run(2);
  const loadBefore = loadavg()[0];
  const ours: Timing[] = [];
  const theirs: Timing[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first so that drifting load does not favour one side.
    if (round % 2 === 0 || !reference) {
      ours.push(runOurs(updatesPerRound));
      if (reference) theirs.push(await reference.run(updatesPerRound));
    } else {
      theirs.push(await reference.run(updatesPerRound));
      ours.push(runOurs(updatesPerRound));
    }
  }
  const rate = (timings: Timing[], key: keyof Timing) => median(timings.map((t) => updatesPerRound / t[key]));
  const updatesPerSecond = rate(ours, 'seconds');
  const updatesPerCpuSecond = rate(ours, 'cpuSeconds');
  const referenceRate = reference ? rate(theirs, 'seconds') : null;
  const referenceCpuRate = reference ? rate(theirs, 'cpuSeconds') : null;
  report({
    name,
    kernels: learner.kernelProvider,
    updates_per_s: round2(updatesPerSecond),
    reference_updates_per_s: referenceRate === null ? null : round2(referenceRate),
    ratio: referenceRate === null ? null : Number((updatesPerSecond / referenceRate).toFixed(3)),
    updates_per_cpu_s: round2(updatesPerCpuSecond),
    reference_updates_per_cpu_s: referenceCpuRate === null ? null : round2(referenceCpuRate),
    cpu_ratio: referenceCpuRate === null ? null : Number((updatesPerCpuSecond / referenceCpuRate).toFixed(3)),
    peak_rss_mb: Number(peakRssMb().toFixed(1)),
    gradient_penalty: Number(lastPenalty.toPrecision(3)),
    rounds,
    updates_per_round: updatesPerRound,
    reference: reference ? { ...reference.info } : { unavailable: missing },
    load_average_1m: round2((loadBefore + loadavg()[0]) / 2),
    ...extra,
  });
}

/** Scale the critics and their targets by `factor` (the penalty becomes active on most rows). */
function scaleCritics(learner: SacLearner, factor: number): void {
  const state = learner.getState() as { critic: { parameters: Float32Array }; targetCritic: Float32Array };
  state.critic.parameters = state.critic.parameters.map((value) => factor * value);
  state.targetCritic = state.targetCritic.map((value) => factor * value);
  learner.setState(state);
}

/** Median milliseconds of one deterministic single-observation action. */
function actMilliseconds(act: (observation: Float32Array) => unknown): number {
  const rng = new Rng(3);
  const observations = Array.from({ length: 64 }, () => rng.fillNormal(new Float32Array(OBSERVATION)));
  for (let i = 0; i < 200; i++) act(observations[i % 64]);
  const samples: number[] = [];
  for (let round = 0; round < 15; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) act(observations[i % 64]);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6 / 200);
  }
  return median(samples);
}

async function onnxActMilliseconds(learner: SacLearner): Promise<number | string> {
  try {
    const ort = await import('onnxruntime-node');
    const policy: ExportedPolicy = {
      observationWidth: OBSERVATION,
      actionWidth: ACTION,
      observationMean: new Float32Array(OBSERVATION),
      observationStd: new Float32Array(OBSERVATION).fill(1),
      actionLow: new Float32Array(ACTION).fill(-1),
      actionHigh: new Float32Array(ACTION).fill(1),
      layers: learner.policyLayers(),
      head: learner.policyHead(),
      metadata: {
        envId: 'bench',
        configHash: '0',
        trainingSteps: 0,
        envSteps: 0,
        runId: 'bench',
        packageVersion: '0',
        createdAt: new Date(0).toISOString(),
      },
    };
    const bytes = policyToOnnx(policy);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const inputName = session.inputNames[0];
    const rng = new Rng(3);
    const feeds = Array.from({ length: 64 }, () => ({
      [inputName]: new ort.Tensor('float32', rng.fillNormal(new Float32Array(OBSERVATION)), [1, OBSERVATION]),
    }));
    for (let i = 0; i < 200; i++) await session.run(feeds[i % 64]);
    const samples: number[] = [];
    for (let round = 0; round < 15; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 200; i++) await session.run(feeds[i % 64]);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6 / 200);
    }
    return median(samples);
  } catch (error) {
    return `unavailable: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function main(): Promise<void> {
  const batch = benchBatch();
  const missing = ensureTorch();
  if (missing) log(`no PyTorch reference: ${missing}; reporting ours alone`);
  const native = loadNativeKernels(1);
  if (!native.ok) log(`no native kernels: ${native.reason}`);
  await initBackend('wasm');
  const wasm: Kernels = currentKernels();
  const learnerOn = (kernels: Kernels) => new SacLearner(defaultSacConfig(), OBSERVATION, ACTION, 0, kernels);

  for (const threads of [1, 2]) {
    const reference = missing ? undefined : await startReference(threads);
    if (native.ok) {
      (native.kernels as NativeKernels).setThreads(threads);
      const learner = learnerOn(native.kernels);
      await compare(
        threads === 1 ? 'sac_update' : 'sac_update_2_threads',
        learner,
        batch,
        reference,
        missing,
        {
          threads,
          blas: native.kernels.blas.config,
        },
      );
      if (threads === 1) {
        scaleCritics(learner, 2);
        await reference?.scaleCritics(2);
        await compare('sac_update_penalty_active', learner, batch, reference, missing, { threads });
        await reference?.scaleCritics(0.5);
      }
    }
    if (threads === 1) {
      await compare('sac_update_wasm', learnerOn(wasm), batch, reference, missing, { threads: 1 });
    }
    reference?.close();
  }
  if (native.ok) (native.kernels as NativeKernels).setThreads(1);

  // Acting: one observation through the deterministic policy.
  const actors: Record<string, number | string> = {};
  const loadBefore = loadavg()[0];
  if (native.ok) {
    const learner = learnerOn(native.kernels);
    actors.native_ms = Number(actMilliseconds((o) => learner.act(o, 1, true)).toFixed(4));
  }
  const hostLearner = learnerOn(wasm);
  actors.javascript_host_ms = Number(actMilliseconds((o) => hostLearner.act(o, 1, true)).toFixed(4));
  const onnx = await onnxActMilliseconds(hostLearner);
  actors.onnxruntime_ms = typeof onnx === 'number' ? Number(onnx.toFixed(4)) : onnx;
  report({
    name: 'act_single_observation',
    hidden: [256, 256],
    observation: OBSERVATION,
    action: ACTION,
    ...actors,
    load_average_1m: round2((loadBefore + loadavg()[0]) / 2),
  });
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
