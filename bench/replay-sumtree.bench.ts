/**
 * Sum-tree sampling with priority updates at capacity 1M and 2M, batch 256 (goal: ≥ 5M sampled
 * indices per second including the updates).
 *
 * `sumtree-sample-update`: the trees alone — 256 stratified proportional draws, then one batch write of 256 priorities updating the sums and the minima (what proportional replay does per batch).
 * `replay-sample-update`: the same through `Replay` in ROER sampling mode — draws, importance
 * weights, the gather of a 29/8-wide batch, and the ROER priority update.
 */
import { Replay } from '../core/replay/replay.js';
import { SumTree } from '../core/replay/sum-tree.js';
import { allocateBatch } from '../core/replay/transitions.js';
import { Rng } from '../core/util/random.js';
import { replayOptions } from '../test/helpers/replay-options.js';
import { loadAverage, normalColumns, report, timeWallAndCpu } from './util.js';

const BATCH = 256;
const BATCHES_PER_REPEAT = 2000;
const REPEATS = 7;

function treeFigure(capacity: number): void {
  const rng = new Rng(1);
  const sums = new SumTree(capacity, { trackMinimum: true });
  const initial = new Float32Array(capacity);
  for (let i = 0; i < capacity; i++) initial[i] = Math.fround(0.5 + rng.uniform());
  sums.assign(initial);
  const indices = new Int32Array(BATCH);
  const priorities = new Float64Array(BATCH);
  const masses = new Float64Array(BATCH);
  const scratch = new Int32Array(BATCH);
  const run = () => {
    for (let b = 0; b < BATCHES_PER_REPEAT; b++) {
      const stratum = sums.total() / BATCH;
      for (let k = 0; k < BATCH; k++) masses[k] = (k + rng.nextUint32() * 2 ** -32) * stratum;
      sums.findManyUnchecked(masses, indices, BATCH);
      for (let k = 0; k < BATCH; k++) priorities[k] = Math.fround(0.5 + rng.uniform());
      sums.setManyUnchecked(indices, priorities, BATCH, scratch);
    }
  };
  const { wall, cpu } = timeWallAndCpu(run, REPEATS);
  report({
    name: 'sumtree-sample-update',
    capacity,
    batch: BATCH,
    indicesPerSecond: Math.round((BATCHES_PER_REPEAT * BATCH) / wall),
    indicesPerCpuSecond: Math.round((BATCHES_PER_REPEAT * BATCH) / cpu),
    goal: 5_000_000,
    loadAverage: loadAverage(),
  });
}

function replayFigure(capacity: number): void {
  const options = replayOptions({ capacity, observationWidth: 29, actionWidth: 8 }, { mode: 'sample' });
  const replay = new Replay(options, new Rng(2));
  const rng = new Rng(3);
  const n = capacity;
  const columns = normalColumns(rng, n, 29, 8, false);
  replay.loadOffline(columns);
  const batch = allocateBatch(BATCH, 29, 8);
  const deltas = rng.fillNormal(new Float32Array(BATCH));
  const batches = BATCHES_PER_REPEAT / 2;
  const run = () => {
    for (let b = 0; b < batches; b++) {
      replay.sample(batch);
      replay.updatePriorities(batch, deltas, 1);
    }
  };
  const { wall, cpu } = timeWallAndCpu(run, REPEATS);
  report({
    name: 'replay-sample-update',
    capacity,
    batch: BATCH,
    observationWidth: 29,
    actionWidth: 8,
    mode: 'roer/sample',
    indicesPerSecond: Math.round((batches * BATCH) / wall),
    indicesPerCpuSecond: Math.round((batches * BATCH) / cpu),
    batchesPerSecond: Math.round(batches / wall),
    loadAverage: loadAverage(),
  });
}

for (const capacity of [1_000_000, 2_000_000]) treeFigure(capacity);
for (const capacity of [1_000_000, 2_000_000]) replayFigure(capacity);
