/**
 * ACER's update speed next to SAC's, on the native kernels (1 thread) when built, else the TF.js
 * wasm kernels. Each figure times ACER updates on a full sequence batch and SAC + ROER updates on
 * a transition batch of as many rows with the same network widths, interleaved in rounds
 * (alternating who goes first, so that load from other work hits both alike); medians over rounds.
 *
 * Lines (one JSON object each):
 * - `acer_update_discrete`: cart-pole shapes (observation 4, 2 actions), 64×64 trunk, 16 windows
 *   × 20 steps (baselines' defaults), against SAC at observation 4, action 1, 64×64, batch 320;
 * - `acer_update_continuous`: MuJoCo shapes (observation 17, action 6), 256×256 policy and V, a
 *   64×64 advantage net with 5 dueling samples, 16 windows × 16 steps, against SAC at 256×256,
 *   batch 256 (bench/sac-update.bench.ts's shapes).
 * Each: updates_per_s and steps_per_s (valid steps learned from per second) for ACER,
 * sac_updates_per_s, ratio_to_sac (ACER updates per SAC update of the same rows), peak_rss_mb and
 * the 1-minute load average over the measurement.
 * Environment: ACER_BENCH_ROUNDS (default 7), ACER_BENCH_UPDATES per round (default 10).
 */
import { loadavg } from 'node:os';
import { AcerContinuousLearner } from '../core/agents/acer/continuous.js';
import { parseAcerConfig } from '../core/agents/acer/config.js';
import { AcerDiscreteLearner } from '../core/agents/acer/discrete.js';
import { SacLearner } from '../core/agents/sac.js';
import { parseSacConfig } from '../core/agents/sac-config.js';
import { Replay } from '../core/replay/replay.js';
import { allocateSequenceBatch, type SequenceBatch } from '../core/replay/sequences.js';
import { allocateBatch, type TransitionBatch } from '../core/replay/transitions.js';
import { currentKernels, initBackend } from '../core/tensor/backend.js';
import type { Kernels } from '../core/tensor/kernels.js';
import { loadNativeKernels } from '../core/tensor/native-kernels.js';
import { Rng } from '../core/util/random.js';
import { median, peakRssMb, report } from './util.js';
import { replayOptions } from '../test/helpers/replay-options.js';

const rounds = Number(process.env.ACER_BENCH_ROUNDS ?? 7);
const updatesPerRound = Number(process.env.ACER_BENCH_UPDATES ?? 10);
const round2 = (value: number) => Number(value.toFixed(2));

interface Shape {
  name: string;
  observation: number;
  /** Discrete: number of actions; continuous: width. */
  actions: number;
  discrete: boolean;
  hidden: number[];
  advantageHidden: number[];
  windows: number;
  length: number;
}

/** A full sequence batch: one long episode stored, `windows` windows of `length` steps from it. */
function sequenceBatch(shape: Shape, storedColumns: { name: string; width: number }[]): SequenceBatch {
  const rng = new Rng(1);
  const dA = shape.discrete ? 1 : shape.actions;
  const steps = shape.windows * shape.length;
  const replay = new Replay(
    replayOptions(
      { capacity: steps, observationWidth: shape.observation, actionWidth: dA },
      {
        priority: 'uniform',
        extraColumns: storedColumns,
        ...(shape.discrete ? { actionCount: shape.actions } : {}),
      },
    ),
    rng.fork(),
  );
  for (let i = 0; i < steps; i++) {
    const probs = new Float32Array(shape.actions).fill(1 / shape.actions);
    replay.addOnline({
      observation: rng.fillNormal(new Float32Array(shape.observation)),
      action: shape.discrete ? Float32Array.of(rng.int(shape.actions)) : rng.fillNormal(new Float32Array(dA)),
      reward: rng.normal(),
      nextObservation: rng.fillNormal(new Float32Array(shape.observation)),
      terminal: false,
      timeout: false,
      episodeId: 0,
      extras: shape.discrete
        ? { behaviourProbs: probs }
        : { behaviourMean: new Float32Array(dA), behaviourLogStd: new Float32Array(dA).fill(-1) },
    });
  }
  const batch = allocateSequenceBatch(shape.windows, shape.length, shape.observation, dA);
  replay.gatherSequences(
    batch,
    Array.from({ length: shape.windows }, (_, w) => w * shape.length),
  );
  return batch;
}

function transitionBatch(rows: number, observation: number, action: number): TransitionBatch {
  const rng = new Rng(2);
  const batch = allocateBatch(rows, observation, action);
  rng.fillNormal(batch.observations);
  rng.fillNormal(batch.nextObservations);
  for (let i = 0; i < batch.actions.length; i++) batch.actions[i] = Math.tanh(rng.normal());
  for (let i = 0; i < rows; i++) {
    batch.rewards[i] = rng.normal();
    batch.masks[i] = 1;
  }
  return batch;
}

/** Seconds of `count` calls of `fn`. */
function seconds(fn: () => void, count: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function measure(shape: Shape, kernels: Kernels): void {
  const config = parseAcerConfig({
    hiddenSizes: shape.hidden,
    advantageHiddenSizes: shape.advantageHidden,
    sequenceLength: shape.length,
    batchSequences: shape.windows,
  });
  const acer = shape.discrete
    ? new AcerDiscreteLearner(config, shape.observation, shape.actions, 0, kernels)
    : new AcerContinuousLearner(config, shape.observation, shape.actions, 0, kernels);
  const sequences = sequenceBatch(shape, acer.storedColumns);
  const rows = shape.windows * shape.length;
  const sacAction = shape.discrete ? 1 : shape.actions;
  const sac = new SacLearner(
    parseSacConfig({ hiddenSizes: shape.hidden, batchSize: rows }),
    shape.observation,
    sacAction,
    0,
    kernels,
  );
  const transitions = transitionBatch(rows, shape.observation, sacAction);
  const runAcer = () => acer.update(sequences);
  const runSac = () => sac.update(transitions, 1);
  seconds(runAcer, 2);
  seconds(runSac, 2);
  const loadBefore = loadavg()[0];
  const acerTimes: number[] = [];
  const sacTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      acerTimes.push(seconds(runAcer, updatesPerRound));
      sacTimes.push(seconds(runSac, updatesPerRound));
    } else {
      sacTimes.push(seconds(runSac, updatesPerRound));
      acerTimes.push(seconds(runAcer, updatesPerRound));
    }
  }
  const acerRate = median(acerTimes.map((t) => updatesPerRound / t));
  const sacRate = median(sacTimes.map((t) => updatesPerRound / t));
  report({
    name: shape.name,
    kernels: kernels.provider,
    observation: shape.observation,
    actions: shape.actions,
    hidden: shape.hidden,
    ...(shape.discrete
      ? {}
      : { advantage_hidden: shape.advantageHidden, dueling_samples: config.duelingSamples }),
    windows: shape.windows,
    window_length: shape.length,
    updates_per_s: round2(acerRate),
    steps_per_s: Math.round(acerRate * rows),
    sac_updates_per_s: round2(sacRate),
    sac_batch: rows,
    ratio_to_sac: Number((acerRate / sacRate).toFixed(3)),
    peak_rss_mb: Number(peakRssMb().toFixed(1)),
    rounds,
    updates_per_round: updatesPerRound,
    load_average_1m: round2((loadBefore + loadavg()[0]) / 2),
  });
}

async function main(): Promise<void> {
  const native = loadNativeKernels(1);
  let kernels: Kernels;
  if (native.ok) kernels = native.kernels;
  else {
    process.stderr.write(`acer-update: no native kernels (${native.reason}); using wasm\n`);
    await initBackend('wasm');
    kernels = currentKernels();
  }
  measure(
    {
      name: 'acer_update_discrete',
      observation: 4,
      actions: 2,
      discrete: true,
      hidden: [64, 64],
      advantageHidden: [16, 16],
      windows: 16,
      length: 20,
    },
    kernels,
  );
  measure(
    {
      name: 'acer_update_continuous',
      observation: 17,
      actions: 6,
      discrete: false,
      hidden: [256, 256],
      advantageHidden: [64, 64],
      windows: 16,
      length: 16,
    },
    kernels,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `acer-update: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
