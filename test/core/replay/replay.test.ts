import { describe, expect, it } from 'vitest';
import { roerPriorityUpdate } from '../../../core/priority/roer.js';
import { assertReplayFits } from '../../../core/replay/options.js';
import { Replay, type OnlineTransition } from '../../../core/replay/replay.js';
import { allocateBatch, TransitionSource, type TransitionColumns } from '../../../core/replay/transitions.js';
import type { ReplayOptions } from '../../../core/replay/types.js';
import { Rng } from '../../../core/util/random.js';
import { replayOptions } from '../../helpers/replay-options.js';

const OBS = 3;
const ACT = 2;

function options(overrides: Partial<ReplayOptions> = {}): ReplayOptions {
  return replayOptions(
    { capacity: 100, observationWidth: OBS, actionWidth: ACT },
    { priority: 'uniform', ...overrides },
  );
}

/** A dataset whose row i carries the value i in every field (so rows are recognisable after a gather). */
function dataset(n: number, episodeLength = 5): TransitionColumns {
  const columns: TransitionColumns = {
    length: n,
    observationWidth: OBS,
    actionWidth: ACT,
    observations: new Float32Array(n * OBS),
    actions: new Float32Array(n * ACT),
    rewards: new Float32Array(n),
    nextObservations: new Float32Array(n * OBS),
    terminals: new Uint8Array(n),
    timeouts: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    columns.observations.fill(i, i * OBS, i * OBS + OBS);
    columns.nextObservations.fill(i + 0.5, i * OBS, i * OBS + OBS);
    columns.actions.fill(-i, i * ACT, i * ACT + ACT);
    columns.rewards[i] = i;
    if (i % episodeLength === episodeLength - 1) columns.terminals[i] = 1;
  }
  return columns;
}

/** Online transition carrying the value `value` everywhere. */
function online(value: number, episodeId = 0, terminal = false): OnlineTransition {
  return {
    observation: new Float32Array(OBS).fill(value),
    action: new Float32Array(ACT).fill(-value),
    reward: value,
    nextObservation: new Float32Array(OBS).fill(value + 0.5),
    terminal,
    timeout: false,
    episodeId,
  };
}

function countRows(replay: Replay, batchSize: number, draws: number): Float64Array {
  const counts = new Float64Array(replay.capacity);
  const batch = allocateBatch(batchSize, OBS, ACT);
  for (let d = 0; d < draws; d++) {
    replay.sample(batch);
    for (let k = 0; k < batchSize; k++) counts[batch.indices[k]]++;
  }
  return counts;
}

function chiSquare(counts: ArrayLike<number>, probabilities: ArrayLike<number>, total: number): number {
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) {
    const expected = probabilities[i] * total;
    if (expected > 0) statistic += (counts[i] - expected) ** 2 / expected;
    else expect(counts[i]).toBe(0);
  }
  return statistic;
}

describe('Replay memory', () => {
  it('estimates the bytes of columns, priorities and trees', () => {
    // Per transition: 4·(2·3 + 2 + 1) float32 payload + 4 priority + 4 episode id + 3 flags = 47 bytes.
    expect(Replay.estimateBytes(options({ capacity: 1000 }))).toBe(47_000);
    // Proportional sampling adds an 8-ary float64 sum tree — 1000 leaves → levels of
    // 8 (padded root) + 8 + 16 + 128 + 1000 nodes = 1160 — and float64 minima for the 160 nodes
    // above the leaves.
    expect(Replay.estimateBytes(options({ capacity: 1000, priority: 'per', mode: 'sample' }))).toBe(
      47_000 + 1160 * 8 + 160 * 8,
    );
  });

  it('refuses a capacity that cannot be allocated, naming the capacity and the bytes', () => {
    const huge = options({ capacity: 2_000_000_000, observationWidth: 512 });
    expect(() => new Replay(huge, new Rng(1))).toThrow(RangeError);
    expect(() => new Replay(huge, new Rng(1))).toThrow(/replay capacity 2000000000 needs .*TiB/);
  });

  it('refuses more bytes than the machine has', () => {
    expect(() => assertReplayFits(options({ capacity: 1000 }), 40_000)).toThrow(
      /replay capacity 1000 needs 45\.9 KiB \(47 bytes per transition\), more than this machine's 39\.1 KiB/,
    );
    expect(() => assertReplayFits(options({ capacity: 1000 }), 47_000)).not.toThrow();
  });

  it('validates options with the key path', () => {
    expect(() => new Replay(options({ capacity: 0 }), new Rng(1))).toThrow(/replay\.capacity/);
    expect(() => new Replay(options({ offlineFraction: 2 }), new Rng(1))).toThrow(/replay\.offlineFraction/);
    expect(() => new Replay(options({ roerMaxClip: 0.5 }), new Rng(1))).toThrow(/replay\.roerMaxClip/);
    expect(() => new Replay(options({ mode: 'both' as never }), new Rng(1))).toThrow(/replay\.mode/);
    expect(() => new Replay(options({ initialPriority: -1 }), new Rng(1))).toThrow(/replay\.initialPriority/);
  });
});

describe('Replay storage', () => {
  it('bulk-loads the dataset into the offline segment and derives episode ids', () => {
    const replay = new Replay(options(), new Rng(1));
    replay.loadOffline(dataset(12));
    expect(replay.size).toBe(12);
    expect(replay.offlineCount).toBe(12);
    expect(replay.onlineCount).toBe(0);
    const state = replay.getState();
    expect(Array.from(state.columns.episodeIds)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
    expect(Array.from(state.columns.observations.subarray(9, 12))).toEqual([3, 3, 3]);
    expect(state.priorities.every((p) => p === 1)).toBe(true);
  });

  it('explains what is wrong with a dataset that does not fit', () => {
    const replay = new Replay(options({ capacity: 10 }), new Rng(1));
    expect(() => replay.loadOffline(dataset(11))).toThrow(
      /11 transitions does not fit the replay capacity 10/,
    );
    expect(() => replay.loadOffline({ ...dataset(4), observationWidth: 4 })).toThrow(/width 4, .* expects 3/);
    const short = dataset(4);
    short.rewards = new Float32Array(3);
    expect(() => replay.loadOffline(short)).toThrow(/column rewards has 3 values; 4 transitions need 4/);
    replay.loadOffline(dataset(4));
    expect(() => replay.loadOffline(dataset(4))).toThrow(/empty replay buffer/);
  });

  it('adopts the dataset arrays without copying when they fill the capacity', () => {
    const columns = dataset(10);
    const replay = new Replay(options({ capacity: 10 }), new Rng(1));
    replay.loadOffline(columns);
    expect(replay.getState().columns.observations.buffer).toBe(columns.observations.buffer);
    expect(() => replay.addOnline(online(1))).toThrow(/no room for online transitions/);
    const copied = new Replay(options({ capacity: 11 }), new Rng(1));
    copied.loadOffline(columns);
    expect(copied.getState().columns.observations.buffer).not.toBe(columns.observations.buffer);
  });

  it('wraps online inserts around without touching the offline segment', () => {
    const replay = new Replay(options({ capacity: 10 }), new Rng(1));
    replay.loadOffline(dataset(4));
    const rows: number[] = [];
    for (let i = 0; i < 15; i++) rows.push(replay.addOnline(online(100 + i, Math.floor(i / 3))));
    expect(rows).toEqual([4, 5, 6, 7, 8, 9, 4, 5, 6, 7, 8, 9, 4, 5, 6]);
    expect(replay.size).toBe(10);
    expect(replay.offlineCount).toBe(4);
    expect(replay.onlineCount).toBe(6);
    expect(replay.onlineShare()).toBeCloseTo(0.6, 15);
    const exported = replay.exportColumns();
    // Offline rows first, then the last six online transitions from oldest to newest.
    expect(Array.from(exported.rewards)).toEqual([0, 1, 2, 3, 109, 110, 111, 112, 113, 114]);
    // Online episode ids 3, 3, 3, 4, 4, 4 are renumbered after the single offline episode.
    expect(Array.from(exported.episodeIds ?? [])).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(Array.from(exported.observations.subarray(4 * OBS, 5 * OBS))).toEqual([109, 109, 109]);
  });

  it('overwrites the dataset oldest-first when allowed', () => {
    const replay = new Replay(options({ capacity: 6, overwriteOffline: true }), new Rng(1));
    replay.loadOffline(dataset(4));
    const rows = [1, 2, 3, 4, 5].map((i) => replay.addOnline(online(100 + i)));
    expect(rows).toEqual([4, 5, 0, 1, 2]);
    expect(replay.offlineCount).toBe(1);
    expect(replay.onlineCount).toBe(5);
    expect(Array.from(replay.exportColumns().rewards)).toEqual([3, 101, 102, 103, 104, 105]);
    replay.addOnline(online(106));
    expect(replay.offlineCount).toBe(0);
    replay.addOnline(online(107));
    expect(Array.from(replay.exportColumns().rewards)).toEqual([102, 103, 104, 105, 106, 107]);
  });

  it('gathers rows, masks and sources into the batch', () => {
    const replay = new Replay(options(), new Rng(3));
    replay.loadOffline(dataset(10));
    replay.addOnline(online(50, 0, true));
    const batch = allocateBatch(64, OBS, ACT);
    replay.sample(batch);
    for (let k = 0; k < batch.size; k++) {
      const row = batch.indices[k];
      const value = row < 10 ? row : 50;
      expect(Array.from(batch.observations.subarray(k * OBS, k * OBS + OBS))).toEqual([value, value, value]);
      expect(batch.nextObservations[k * OBS]).toBe(value + 0.5);
      expect(Array.from(batch.actions.subarray(k * ACT, k * ACT + ACT))).toEqual([-value, -value]);
      expect(batch.rewards[k]).toBe(value);
      const terminal = row === 10 || row % 5 === 4;
      expect(batch.masks[k]).toBe(terminal ? 0 : 1);
      expect(batch.sources[k]).toBe(row < 10 ? TransitionSource.offline : TransitionSource.online);
      expect(batch.weights[k]).toBe(1);
    }
  });

  it('rejects an empty buffer and mismatched batches', () => {
    const replay = new Replay(options(), new Rng(1));
    expect(() => replay.sample(allocateBatch(4, OBS, ACT))).toThrow(/empty replay buffer/);
    replay.loadOffline(dataset(5));
    expect(() => replay.sample(allocateBatch(4, OBS + 1, ACT))).toThrow(/batch widths 4\/2/);
    expect(() => replay.addOnline({ ...online(1), action: new Float32Array(3) })).toThrow(
      /action has width 3/,
    );
  });
});

describe('Replay sampling', () => {
  it('samples every stored row uniformly (χ² test, fixed seed)', () => {
    const replay = new Replay(options({ capacity: 40 }), new Rng(11));
    replay.loadOffline(dataset(30));
    for (let i = 0; i < 10; i++) replay.addOnline(online(100 + i));
    const counts = countRows(replay, 256, 400);
    // 99.9th percentile of χ² with 39 degrees of freedom ≈ 72.
    expect(chiSquare(counts, new Float64Array(40).fill(1 / 40), 256 * 400)).toBeLessThan(72);
  });

  it('mixes a fixed offline fraction into every batch', () => {
    const replay = new Replay(options({ capacity: 200, mixing: 'fixed', offlineFraction: 0.25 }), new Rng(5));
    replay.loadOffline(dataset(150));
    const batch = allocateBatch(64, OBS, ACT);
    replay.sample(batch);
    expect(batch.sources.every((s) => s === TransitionSource.offline)).toBe(true); // no online data yet
    for (let i = 0; i < 10; i++) replay.addOnline(online(1000 + i));
    for (let draw = 0; draw < 20; draw++) {
      replay.sample(batch);
      const offline = batch.sources.filter((s) => s === TransitionSource.offline).length;
      expect(offline).toBe(16);
      for (let k = 16; k < 64; k++) expect(batch.indices[k]).toBeGreaterThanOrEqual(150);
    }
  });

  it('mixes from both segments after the dataset is partly overwritten', () => {
    const replay = new Replay(
      options({ capacity: 20, overwriteOffline: true, mixing: 'fixed', offlineFraction: 0.5 }),
      new Rng(6),
    );
    replay.loadOffline(dataset(15));
    for (let i = 0; i < 8; i++) replay.addOnline(online(1000 + i)); // rows 15..19, then 0..2
    expect(replay.offlineCount).toBe(12);
    const counts = countRows(replay, 32, 500);
    const batch = allocateBatch(32, OBS, ACT);
    replay.sample(batch);
    expect(batch.sources.filter((s) => s === TransitionSource.offline).length).toBe(16);
    // Online rows 0..2 and 15..19 share 16 draws per batch (1000 each over 500 batches); the 12
    // offline rows 3..14 share the other 16 (≈667 each).
    for (const row of [0, 1, 2, 15, 16, 17, 18, 19]) expect(Math.abs(counts[row] - 1000)).toBeLessThan(150);
    for (let row = 3; row < 15; row++) expect(Math.abs(counts[row] - (16 * 500) / 12)).toBeLessThan(100);
  });

  it('samples proportionally to priorities through the sum tree (χ² test, fixed seed)', () => {
    const replay = new Replay(
      options({ capacity: 64, priority: 'per', mode: 'sample', perAlpha: 1 }),
      new Rng(17),
    );
    replay.loadOffline(dataset(50));
    // Give every row a PER priority |δ| + ε with δ = row index mod 7.
    const batch = allocateBatch(50, OBS, ACT);
    for (let k = 0; k < 50; k++) batch.indices[k] = k;
    const deltas = new Float32Array(50).map((_, k) => k % 7);
    replay.updatePriorities(batch, deltas, 1);
    const priorities = Array.from({ length: 64 }, (_, i) => (i < 50 ? (i % 7) + 1e-6 : 0));
    const total = priorities.reduce((a, b) => a + b, 0);
    const counts = countRows(replay, 256, 400);
    // Rows with δ = 0 keep a tiny ε priority: expected count ≈ 0.
    const probabilities = priorities.map((p) => p / total);
    const used = probabilities.filter((p) => p * 256 * 400 > 1).length;
    expect(used).toBe(42);
    let statistic = 0;
    for (let i = 0; i < 64; i++) {
      const expected = probabilities[i] * 256 * 400;
      if (expected > 1) statistic += (counts[i] - expected) ** 2 / expected;
    }
    // 99.9th percentile of χ² with 41 degrees of freedom ≈ 74.7.
    expect(statistic).toBeLessThan(74.7);
    expect(replay.sampleProbability(13)).toBeCloseTo(priorities[13] / total, 6);
  });

  it('returns importance weights (P(i)/P_min)^(−β_IS), annealed to exponent 1', () => {
    const replay = new Replay(
      options({
        capacity: 8,
        priority: 'per',
        mode: 'sample',
        perAlpha: 1,
        perEpsilon: 1e-9,
        perImportanceStart: 0.5,
      }),
      new Rng(2),
    );
    replay.loadOffline(dataset(4));
    const all = allocateBatch(4, OBS, ACT);
    all.indices.set([0, 1, 2, 3]);
    replay.updatePriorities(all, new Float32Array([1, 2, 4, 8]), 1);
    const batch = allocateBatch(16, OBS, ACT);
    replay.sample(batch);
    for (let k = 0; k < 16; k++) {
      const p = 2 ** batch.indices[k];
      expect(batch.weights[k]).toBeCloseTo((p / 1) ** -0.5, 5);
      expect(batch.weights[k]).toBeLessThanOrEqual(1);
    }
    replay.setImportanceProgress(1);
    expect(replay.importanceExponent).toBe(1);
    replay.sample(batch);
    for (let k = 0; k < 16; k++) expect(batch.weights[k]).toBeCloseTo(1 / 2 ** batch.indices[k], 5);
  });

  it('samples each segment proportionally in a fixed mix', () => {
    const replay = new Replay(
      options({
        capacity: 30,
        priority: 'per',
        mode: 'sample',
        mixing: 'fixed',
        offlineFraction: 0.5,
        perAlpha: 1,
      }),
      new Rng(23),
    );
    replay.loadOffline(dataset(20));
    for (let i = 0; i < 10; i++) replay.addOnline(online(100 + i));
    const all = allocateBatch(30, OBS, ACT);
    for (let k = 0; k < 30; k++) all.indices[k] = k;
    replay.updatePriorities(
      all,
      new Float32Array(30).map((_, k) => 1 + (k % 3)),
      1,
    );
    const counts = countRows(replay, 64, 500);
    const offlineTotal = Array.from({ length: 20 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    const onlineTotal = Array.from({ length: 10 }, (_, i) => 1 + ((20 + i) % 3)).reduce((a, b) => a + b, 0);
    const probabilities = Array.from({ length: 30 }, (_, i) =>
      i < 20 ? (0.5 * (1 + (i % 3))) / offlineTotal : (0.5 * (1 + (i % 3))) / onlineTotal,
    );
    // 99.9th percentile of χ² with 29 degrees of freedom ≈ 58.3.
    expect(chiSquare(counts, probabilities, 64 * 500)).toBeLessThan(58.3);
    // Importance weights correct within a segment and never exceed 1.
    const batch = allocateBatch(64, OBS, ACT);
    replay.setImportanceProgress(1);
    replay.sample(batch);
    expect(Math.max(...batch.weights)).toBeLessThanOrEqual(1 + 1e-6);
    for (let k = 0; k < 64; k++) {
      const row = batch.indices[k];
      const segmentCount = row < 20 ? 20 : 10;
      const segmentTotal = row < 20 ? offlineTotal : onlineTotal;
      const unnormalised = 1 / ((segmentCount * (1 + (row % 3))) / segmentTotal);
      const largest = Math.max(1 / ((20 * 1) / offlineTotal), 1 / ((10 * 1) / onlineTotal));
      expect(batch.weights[k]).toBeCloseTo(unnormalised / largest, 5);
    }
  });
});

describe('Replay priorities', () => {
  it('applies the ROER update of the official code in weight mode', () => {
    const replay = new Replay(options({ priority: 'roer', roerMinClip: 0.1, roerLambda: 0.5 }), new Rng(4));
    replay.loadOffline(dataset(10));
    const batch = allocateBatch(4, OBS, ACT);
    replay.sample(batch);
    // Priorities start at 1 and are the batch weights.
    expect(Array.from(batch.weights)).toEqual([1, 1, 1, 1]);
    batch.indices.set([0, 1, 2, 3]);
    replay.updatePriorities(batch, new Float32Array([0, 1, -1, 5]), 1);
    const out = new Float32Array(4);
    replay.batchPriorities(batch, out);
    // Same as the hand-computed case with w = 1: e = [1, e, 1, 50], normaliser (2 + e + 50)/4.
    const expected = new Float64Array(4);
    roerPriorityUpdate(
      [0, 1, -1, 5],
      [1, 1, 1, 1],
      { beta: 1, maxClip: 50, minClip: 0.1, lambda: 0.5, divergence: 'kl' },
      expected,
    );
    for (let k = 0; k < 4; k++) expect(out[k]).toBeCloseTo(expected[k], 6);
    expect(out[3]).toBeCloseTo(0.5 * (50 / ((2 + Math.E + 50) / 4)) + 0.5, 5);
    // The next draw of those rows carries the new priorities as loss weights.
    const again = allocateBatch(64, OBS, ACT);
    replay.sample(again);
    for (let k = 0; k < 64; k++) expect(again.weights[k]).toBe(replay.priorityAt(again.indices[k]));
  });

  it("weightNormalisation 'mean' divides weight-mode batch weights by their mean: the priorities' ratios stay, the mean is 1", () => {
    const make = (weightNormalisation: 'none' | 'mean') => {
      const replay = new Replay(
        options({ priority: 'roer', roerMinClip: 1, roerLambda: 0.5, weightNormalisation }),
        new Rng(6),
      );
      replay.loadOffline(dataset(10));
      const batch = allocateBatch(4, OBS, ACT);
      replay.sample(batch);
      batch.indices.set([0, 1, 2, 3]);
      replay.updatePriorities(batch, new Float32Array([0, 3, -1, 6]), 1);
      const drawn = allocateBatch(32, OBS, ACT);
      replay.sample(drawn);
      return drawn;
    };
    const stored = make('none');
    const normalised = make('mean');
    // The same seed draws the same rows, whose stored weights differ and do not average 1.
    expect(Array.from(normalised.indices)).toEqual(Array.from(stored.indices));
    const mean = stored.weights.reduce((a, b) => a + b, 0) / 32;
    expect(Math.max(...stored.weights) / Math.min(...stored.weights)).toBeGreaterThan(1.5);
    expect(Math.abs(mean - 1)).toBeGreaterThan(0.05);
    for (let k = 0; k < 32; k++) expect(normalised.weights[k]).toBeCloseTo(stored.weights[k] / mean, 5);
    expect(normalised.weights.reduce((a, b) => a + b, 0) / 32).toBeCloseTo(1, 5);
  });

  it("with every ROER weight at the floor, weightNormalisation 'mean' gives uniform replay's batch exactly", () => {
    const draw = (overrides: Partial<ReplayOptions>) => {
      const replay = new Replay(options(overrides), new Rng(9));
      replay.loadOffline(dataset(10));
      const batch = allocateBatch(10, OBS, ACT);
      replay.sample(batch);
      batch.indices.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      replay.updatePriorities(batch, new Float32Array([0, 3, -1, 6, 2, 0, 1, -2, 4, 0]), 1);
      const drawn = allocateBatch(32, OBS, ACT);
      replay.sample(drawn);
      return drawn;
    };
    const floor = { priority: 'roer', roerMinClip: 10, roerMaxClip: 10 } as const;
    const raw = draw(floor);
    const normalised = draw({ ...floor, weightNormalisation: 'mean' });
    const uniform = draw({ priority: 'uniform' });
    expect(Array.from(raw.weights)).toEqual(new Array(32).fill(10));
    expect(Array.from(normalised.indices)).toEqual(Array.from(uniform.indices));
    expect(Array.from(normalised.weights)).toEqual(Array.from(uniform.weights));
  });

  it('gives new PER rows the running maximum priority', () => {
    const replay = new Replay(options({ priority: 'per', perAlpha: 1, perEpsilon: 0.5 }), new Rng(4));
    replay.loadOffline(dataset(5));
    const batch = allocateBatch(2, OBS, ACT);
    batch.indices.set([0, 1]);
    replay.updatePriorities(batch, new Float32Array([3, -7]), 1);
    expect(replay.priorityAt(1)).toBe(7.5);
    const row = replay.addOnline(online(9));
    expect(replay.priorityAt(row)).toBe(7.5);
    const roer = new Replay(options({ priority: 'roer', roerMinClip: 1 }), new Rng(4));
    roer.loadOffline(dataset(5));
    roer.updatePriorities(batch, new Float32Array([3, -7]), 1);
    expect(roer.priorityAt(roer.addOnline(online(9)))).toBe(1);
    const constant = new Replay(options({ priority: 'per', initialPriority: 2 }), new Rng(4));
    constant.loadOffline(dataset(5));
    expect(constant.priorityAt(0)).toBe(2);
  });

  it('rejects non-finite TD errors with the row', () => {
    const replay = new Replay(options({ priority: 'per' }), new Rng(4));
    replay.loadOffline(dataset(5));
    const batch = allocateBatch(2, OBS, ACT);
    batch.indices.set([3, 4]);
    expect(() => replay.updatePriorities(batch, new Float32Array([0, Number.NaN]), 1)).toThrow(
      /batch row 1 \(replay row 4\) is NaN/,
    );
  });

  it('keeps the tree total equal to the stored priorities through wrap-around', () => {
    const replay = new Replay(
      options({ capacity: 12, priority: 'per', mode: 'sample', perAlpha: 1 }),
      new Rng(8),
    );
    replay.loadOffline(dataset(4));
    const rng = new Rng(1);
    const batch = allocateBatch(8, OBS, ACT);
    for (let i = 0; i < 40; i++) {
      replay.addOnline(online(i));
      replay.sample(batch);
      replay.updatePriorities(
        batch,
        new Float32Array(8).map(() => rng.uniform() * 10),
        1,
      );
    }
    let sum = 0;
    for (let row = 0; row < replay.size; row++) sum += replay.priorityAt(row);
    for (let row = 0; row < replay.size; row++) {
      expect(replay.sampleProbability(row)).toBeCloseTo(replay.priorityAt(row) / sum, 12);
    }
  });
});

describe('Replay state', () => {
  it('round-trips and continues with identical draws', () => {
    const replay = new Replay(
      options({ capacity: 30, priority: 'roer', mode: 'sample', mixing: 'fixed', overwriteOffline: true }),
      new Rng(31),
    );
    replay.loadOffline(dataset(20));
    const batch = allocateBatch(16, OBS, ACT);
    const rng = new Rng(2);
    for (let i = 0; i < 25; i++) {
      replay.addOnline(online(100 + i, i));
      replay.sample(batch);
      replay.updatePriorities(
        batch,
        new Float32Array(16).map(() => rng.normal()),
        0.7,
      );
    }
    replay.setImportanceProgress(0.3);
    const restored = Replay.fromState(structuredClone(replay.getState()));
    expect(restored.size).toBe(replay.size);
    expect(restored.offlineCount).toBe(replay.offlineCount);
    expect(restored.onlineCount).toBe(replay.onlineCount);
    expect(restored.importanceExponent).toBe(replay.importanceExponent);
    const a = allocateBatch(16, OBS, ACT);
    const b = allocateBatch(16, OBS, ACT);
    for (let i = 0; i < 5; i++) {
      replay.sample(a);
      restored.sample(b);
      expect(b).toEqual(a);
      const deltas = new Float32Array(16).map(() => rng.normal());
      replay.updatePriorities(a, deltas, 0.7);
      restored.updatePriorities(b, deltas, 0.7);
      expect(restored.addOnline(online(500 + i))).toBe(replay.addOnline(online(500 + i)));
    }
    expect(restored.exportColumns()).toEqual(replay.exportColumns());
  });

  it('refuses an inconsistent state', () => {
    const replay = new Replay(options(), new Rng(1));
    replay.loadOffline(dataset(5));
    const state = structuredClone(replay.getState());
    state.columns.rewards = new Float32Array(4);
    expect(() => Replay.fromState(state)).toThrow(/column rewards has 4 values, expected 5/);
  });
});
