/**
 * Sequence sampling and discrete action storage of the replay buffer: known windows on a small
 * dataset, a property test against a model of what was stored (window contents, episode ends,
 * ring position), uniform coverage of window starts (χ²), and checkpoint round trips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Replay, type OnlineTransition } from '../../../core/replay/replay.js';
import {
  allocateSequenceBatch,
  segmentWindowStarts,
  type SequenceBatch,
} from '../../../core/replay/sequences.js';
import { allocateBatch, TransitionSource, type TransitionColumns } from '../../../core/replay/transitions.js';
import type { ReplayOptions } from '../../../core/replay/types.js';
import { Rng } from '../../../core/util/random.js';
import { replayOptions } from '../../helpers/replay-options.js';

const OBS = 2;
const ACT = 1;

function options(overrides: Partial<ReplayOptions> = {}): ReplayOptions {
  return replayOptions(
    { capacity: 100, observationWidth: OBS, actionWidth: ACT },
    { priority: 'uniform', extraColumns: [{ name: 'behaviourProbs', width: 2 }], ...overrides },
  );
}

/**
 * A dataset whose row i has observation (i, episode), next observation (i + 0.5, episode), action
 * i mod 3, reward 10·i and extra (i, −i); `ends[i]` is 'terminal', 'timeout' or absent.
 */
function dataset(n: number, ends: Record<number, 'terminal' | 'timeout'>): TransitionColumns {
  const columns: TransitionColumns = {
    length: n,
    observationWidth: OBS,
    actionWidth: ACT,
    observations: new Float32Array(n * OBS),
    actions: new Float32Array(n),
    rewards: new Float32Array(n),
    nextObservations: new Float32Array(n * OBS),
    terminals: new Uint8Array(n),
    timeouts: new Uint8Array(n),
    extras: { behaviourProbs: new Float32Array(2 * n) },
  };
  let episode = 0;
  for (let i = 0; i < n; i++) {
    columns.observations.set([i, episode], i * OBS);
    columns.nextObservations.set([i + 0.5, episode], i * OBS);
    columns.actions[i] = i % 3;
    columns.rewards[i] = 10 * i;
    columns.extras!.behaviourProbs.set([i, -i], 2 * i);
    if (ends[i] === 'terminal') columns.terminals[i] = 1;
    if (ends[i] === 'timeout') columns.timeouts[i] = 1;
    if (ends[i]) episode++;
  }
  return columns;
}

/** Slot b's valid steps as plain rows, for readable expectations. */
function windowOf(batch: SequenceBatch, b: number) {
  const k = batch.length;
  const steps = [];
  for (let t = 0; t < batch.lengths[b]; t++) {
    const at = b * k + t;
    steps.push({
      row: batch.indices[at],
      observation: Array.from(batch.observations.subarray(at * OBS, at * OBS + OBS)),
      action: batch.actionIndices ? batch.actionIndices[at] : batch.actions[at],
      reward: batch.rewards[at],
      mask: batch.masks[at],
      timeout: batch.timeouts[at],
      extra: Array.from(batch.extras!.behaviourProbs.subarray(2 * at, 2 * at + 2)),
    });
  }
  return steps;
}

describe('sequence windows (known answers)', () => {
  // Episodes: rows 0–4 (terminal at 4), 5–7 (timeout at 7), 8–9 (unfinished at the dataset's end).
  const ends = { 4: 'terminal', 7: 'timeout' } as const;

  it('take consecutive steps of one episode and stop after its end or at the end of the dataset', () => {
    const replay = new Replay(options({ actionCount: 3 }), new Rng(1));
    replay.loadOffline(dataset(10, ends));
    const batch = allocateSequenceBatch(8, 3, OBS, ACT);
    replay.gatherSequences(batch, [0, 3, 4, 6, 8, 9]);
    expect(Array.from(batch.lengths)).toEqual([3, 2, 1, 2, 2, 1, 0, 0]);
    expect(windowOf(batch, 0)).toEqual([
      { row: 0, observation: [0, 0], action: 0, reward: 0, mask: 1, timeout: 0, extra: [0, -0] },
      { row: 1, observation: [1, 0], action: 1, reward: 10, mask: 1, timeout: 0, extra: [1, -1] },
      { row: 2, observation: [2, 0], action: 2, reward: 20, mask: 1, timeout: 0, extra: [2, -2] },
    ]);
    // Window from row 3 ends at the terminal row 4: mask 0 there, bootstrap from row 4's next observation.
    expect(windowOf(batch, 1).map((step) => [step.row, step.mask])).toEqual([
      [3, 1],
      [4, 0],
    ]);
    expect(Array.from(batch.bootstrapObservations.subarray(1 * OBS, 2 * OBS))).toEqual([4.5, 0]);
    // Window from row 6 ends at the timeout row 7: mask stays 1, timeout flagged.
    expect(windowOf(batch, 3).map((step) => [step.row, step.mask, step.timeout])).toEqual([
      [6, 1, 0],
      [7, 1, 1],
    ]);
    expect(Array.from(batch.bootstrapObservations.subarray(3 * OBS, 4 * OBS))).toEqual([7.5, 1]);
    // The last episode runs to the end of the dataset.
    expect(windowOf(batch, 4).map((step) => step.row)).toEqual([8, 9]);
    expect(Array.from(batch.bootstrapObservations.subarray(5 * OBS, 6 * OBS))).toEqual([9.5, 2]);
    // Invalid steps and empty slots are zero everywhere, index −1.
    const at = 1 * 3 + 2;
    expect([batch.valid[at], batch.indices[at], batch.rewards[at], batch.masks[at]]).toEqual([0, -1, 0, 0]);
    expect(Array.from(batch.valid.subarray(6 * 3))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(batch.sources)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('follow the online ring across its wrap and stop at its write position', () => {
    // Capacity 10 with 4 offline rows: online rows 4…9, wrapping back to 4.
    const replay = new Replay(options({ capacity: 10 }), new Rng(2));
    replay.loadOffline(dataset(4, {}));
    const add = (value: number, episodeId: number, terminal = false) =>
      replay.addOnline({
        observation: Float32Array.of(value, episodeId),
        action: Float32Array.of(value),
        reward: value,
        nextObservation: Float32Array.of(value + 0.5, episodeId),
        terminal,
        timeout: false,
        episodeId,
      });
    const rows = [100, 101, 102, 103, 104, 105, 106, 107].map((value) => add(value, 7));
    expect(rows).toEqual([4, 5, 6, 7, 8, 9, 4, 5]); // 100, 101 overwritten by 106, 107
    const batch = allocateSequenceBatch(3, 5, OBS, ACT);
    replay.gatherSequences(batch, [8, 3, 5]);
    // From row 8 (value 104): 104, 105 (row 9), wrap to row 4 (106), row 5 (107), then the write position (row 6).
    expect(windowOf(batch, 0).map((step) => step.observation[0])).toEqual([104, 105, 106, 107]);
    expect(windowOf(batch, 0).map((step) => step.row)).toEqual([8, 9, 4, 5]);
    // An offline window stops at the end of the offline segment, never runs into online rows.
    expect(windowOf(batch, 1).map((step) => step.row)).toEqual([3]);
    // The newest row is a window of one step.
    expect(windowOf(batch, 2).map((step) => step.row)).toEqual([5]);
    expect(Array.from(batch.sources)).toEqual([
      TransitionSource.online,
      TransitionSource.offline,
      TransitionSource.online,
    ]);
  });

  it('stop where the next stored step belongs to another episode', () => {
    const replay = new Replay(options(), new Rng(3));
    const transition = (value: number, episodeId: number): OnlineTransition => ({
      observation: Float32Array.of(value, episodeId),
      action: Float32Array.of(0),
      reward: 0,
      nextObservation: Float32Array.of(value, episodeId),
      terminal: false,
      timeout: false,
      episodeId,
    });
    // Two environments stored step by step, interleaved: no two consecutive rows share an episode.
    for (let i = 0; i < 6; i++) replay.addOnline(transition(i, i % 2));
    const batch = allocateSequenceBatch(6, 4, OBS, ACT);
    replay.gatherSequences(batch, [0, 1, 2, 3, 4, 5]);
    expect(Array.from(batch.lengths)).toEqual([1, 1, 1, 1, 1, 1]);
    // The same steps stored segment by segment (one environment's steps together) give whole windows.
    const segmented = new Replay(options(), new Rng(3));
    for (const episode of [0, 1]) for (let i = 0; i < 3; i++) segmented.addOnline(transition(i, episode));
    segmented.gatherSequences(batch, [0, 3]);
    expect(Array.from(batch.lengths.subarray(0, 2))).toEqual([3, 3]);
  });

  it('start on-policy windows at a segment start and after every episode end', () => {
    expect(segmentWindowStarts([10, 11, 12, 13, 14], [false, true, false, false, true])).toEqual([10, 12]);
    expect(segmentWindowStarts([3], [true])).toEqual([3]);
    expect(() => segmentWindowStarts([1, 2], [true])).toThrow(/2 rows but 1/);
  });
});

describe('discrete actions', () => {
  it('are stored as indices and come back in both batch kinds', () => {
    const replay = new Replay(options({ actionCount: 3 }), new Rng(4));
    replay.loadOffline(dataset(6, {}));
    replay.addOnline({
      observation: Float32Array.of(0, 0),
      action: Float32Array.of(0),
      actionIndex: 2,
      reward: 0,
      nextObservation: Float32Array.of(0, 0),
      terminal: true,
      timeout: false,
      episodeId: 0,
    });
    const batch = allocateBatch(64, OBS, ACT);
    replay.sample(batch);
    for (let k = 0; k < 64; k++) {
      const row = batch.indices[k];
      const expected = row < 6 ? row % 3 : 2;
      expect(batch.actionIndices![k]).toBe(expected);
      expect(batch.actions[k]).toBe(expected);
    }
    const exported = replay.exportColumns();
    expect(Array.from(exported.actionIndices!)).toEqual([0, 1, 2, 0, 1, 2, 2]);
    expect(Array.from(exported.actions)).toEqual([0, 1, 2, 0, 1, 2, 2]);
  });

  it('refuses an index outside the space, naming the column and row', () => {
    const replay = new Replay(options({ actionCount: 2 }), new Rng(5));
    const columns = dataset(4, {});
    columns.actions[3] = 1.5;
    expect(() => replay.loadOffline(columns)).toThrow(
      /dataset column actions row 2: expected a discrete action index, an integer in \[0, 2\), got 2/,
    );
    columns.actionIndices = Int32Array.of(0, 1, 0, 7);
    expect(() => replay.loadOffline(columns)).toThrow(/dataset column action_indices row 3: .* got 7/);
    columns.actionIndices = Int32Array.of(0, 1, 0, 1);
    replay.loadOffline(columns);
    expect(() =>
      replay.addOnline({
        observation: Float32Array.of(0, 0),
        action: Float32Array.of(-1),
        reward: 0,
        nextObservation: Float32Array.of(0, 0),
        terminal: false,
        timeout: false,
        episodeId: 0,
      }),
    ).toThrow(/online transition action: .* got -1/);
    expect(() => new Replay(options({ actionCount: 2, actionWidth: 2 }), new Rng(5))).toThrow(
      /replay.actionWidth: .*actionWidth must be 1/,
    );
  });

  it('round-trip through the checkpoint state', () => {
    const replay = new Replay(options({ actionCount: 3, capacity: 12 }), new Rng(6));
    replay.loadOffline(dataset(8, { 3: 'terminal' }));
    for (let i = 0; i < 6; i++) {
      replay.addOnline({
        observation: Float32Array.of(i, 9),
        action: Float32Array.of(i % 3),
        reward: i,
        nextObservation: Float32Array.of(i + 1, 9),
        terminal: false,
        timeout: false,
        episodeId: 9,
      });
    }
    const state = structuredClone(replay.getState());
    expect(state.columns.actionIndices).toBeInstanceOf(Int32Array);
    expect(state.columns.actions).toBeUndefined();
    const restored = Replay.fromState(state);
    const a = allocateSequenceBatch(5, 4, OBS, ACT);
    const b = allocateSequenceBatch(5, 4, OBS, ACT);
    for (let i = 0; i < 4; i++) {
      replay.sampleSequences(a);
      restored.sampleSequences(b);
      expect(b).toEqual(a);
    }
    expect(restored.exportColumns()).toEqual(replay.exportColumns());
    const broken = structuredClone(replay.getState());
    broken.columns.actionIndices = Int32Array.from(broken.columns.actionIndices as Int32Array).fill(5, 0, 1);
    expect(() => Replay.fromState(broken)).toThrow(/actionIndices row 0: .* got 5/);
  });
});

/** One stored step of the model: what was written, in order. */
interface ModelStep {
  serial: number;
  episodeId: number;
  source: number;
  end: boolean;
}

describe('sequence sampling (properties)', () => {
  it('windows hold consecutive stored steps of one episode, stop only where they must, and match the storage', () => {
    fc.assert(
      fc.property(
        fc.record({
          capacity: fc.integer({ min: 4, max: 40 }),
          offline: fc.integer({ min: 0, max: 20 }),
          online: fc.integer({ min: 0, max: 80 }),
          overwriteOffline: fc.boolean(),
          environments: fc.integer({ min: 1, max: 3 }),
          segment: fc.integer({ min: 1, max: 6 }),
          length: fc.integer({ min: 1, max: 7 }),
          seed: fc.integer(),
        }),
        ({ capacity, offline, online, overwriteOffline, environments, segment, length, seed }) => {
          const offlineRows = Math.min(offline, overwriteOffline ? capacity : capacity - 1);
          const replay = new Replay(options({ capacity, overwriteOffline }), new Rng(seed));
          const rng = new Rng(seed + 1);
          // The model: what each storage row holds (serial numbers count every stored step).
          const model: ModelStep[] = [];
          let serial = 0;
          const ends: Record<number, 'terminal' | 'timeout'> = {};
          for (let i = 0; i < offlineRows; i++) {
            const draw = rng.uniform();
            if (draw < 0.15) ends[i] = 'terminal';
            else if (draw < 0.25) ends[i] = 'timeout';
          }
          if (offlineRows > 0) {
            // Row i carries serial number i in its observation, reward and extra, as dataset() writes it.
            replay.loadOffline(dataset(offlineRows, ends));
            let episode = 0;
            for (let i = 0; i < offlineRows; i++) {
              model[i] = { serial: serial++, episodeId: episode, source: 0, end: ends[i] !== undefined };
              if (ends[i]) episode++;
            }
          }
          // Online: environments take turns storing segments of `segment` steps each.
          const episodeOf = Array.from({ length: environments }, (_, e) => 1000 + e);
          let nextEpisode = 1000 + environments;
          let stored = 0;
          const capacityForOnline = overwriteOffline || offlineRows < capacity;
          while (capacityForOnline && stored < online) {
            for (let e = 0; e < environments && stored < online; e++) {
              for (let s = 0; s < segment && stored < online; s++, stored++) {
                const draw = rng.uniform();
                const terminal = draw < 0.1;
                const timeout = !terminal && draw < 0.15;
                const value = serial;
                const row = replay.addOnline({
                  observation: Float32Array.of(value, episodeOf[e]),
                  action: Float32Array.of(-value),
                  reward: 10 * value,
                  nextObservation: Float32Array.of(value + 0.5, episodeOf[e]),
                  terminal,
                  timeout,
                  episodeId: episodeOf[e],
                  extras: { behaviourProbs: Float32Array.of(value, -value) },
                });
                model[row] = {
                  serial: serial++,
                  episodeId: episodeOf[e],
                  source: 1,
                  end: terminal || timeout,
                };
                if (terminal || timeout) episodeOf[e] = nextEpisode++;
              }
            }
          }
          if (replay.size === 0) return;
          // Which serial numbers are still stored, and where.
          const rowOfSerial = new Map<number, number>();
          for (let row = 0; row < replay.size; row++) rowOfSerial.set(model[row].serial, row);

          const batch = allocateSequenceBatch(6, length, OBS, ACT);
          for (let draw = 0; draw < 4; draw++) {
            replay.sampleSequences(batch);
            for (let b = 0; b < batch.size; b++) {
              const n = batch.lengths[b];
              expect(n).toBeGreaterThanOrEqual(1);
              expect(n).toBeLessThanOrEqual(length);
              const rows: number[] = [];
              for (let t = 0; t < length; t++) {
                const at = b * length + t;
                expect(batch.valid[at]).toBe(t < n ? 1 : 0);
                if (t >= n) {
                  expect(batch.indices[at]).toBe(-1);
                  continue;
                }
                const row = batch.indices[at];
                rows.push(row);
                const step = model[row];
                // Contents equal the stored step.
                expect(batch.observations[at * OBS]).toBe(step.serial);
                expect(batch.rewards[at]).toBe(10 * step.serial);
                expect(batch.extras!.behaviourProbs[2 * at]).toBe(step.serial);
                expect(batch.masks[at] === 0).toBe(step.end && batch.timeouts[at] === 0);
              }
              // Consecutive steps of one episode and one source; no episode end before the last step.
              for (let t = 1; t < n; t++) {
                const previous = model[rows[t - 1]];
                const current = model[rows[t]];
                expect(current.serial).toBe(previous.serial + 1);
                expect(current.episodeId).toBe(previous.episodeId);
                expect(current.source).toBe(previous.source);
                expect(previous.end).toBe(false);
              }
              expect(batch.sources[b]).toBe(model[rows[0]].source);
              // Maximal: a window shorter than k stops at an end, or its next step is not stored in the same run.
              if (n < length) {
                const last = model[rows[n - 1]];
                const following = rowOfSerial.get(last.serial + 1);
                const continues =
                  !last.end &&
                  following !== undefined &&
                  model[following].episodeId === last.episodeId &&
                  model[following].source === last.source;
                expect(continues).toBe(false);
              }
              // The bootstrap observation is the last step's next observation.
              expect(batch.bootstrapObservations[b * OBS]).toBe(model[rows[n - 1]].serial + 0.5);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('sequence sampling (distribution and state)', () => {
  it('draws window starts uniformly over the stored steps (χ² test, fixed seed)', () => {
    const replay = new Replay(options({ capacity: 40 }), new Rng(11));
    replay.loadOffline(dataset(30, { 9: 'terminal', 19: 'timeout' }));
    for (let i = 0; i < 10; i++) {
      replay.addOnline({
        observation: Float32Array.of(i, 5),
        action: Float32Array.of(0),
        reward: 0,
        nextObservation: Float32Array.of(i, 5),
        terminal: false,
        timeout: false,
        episodeId: 5,
      });
    }
    const batch = allocateSequenceBatch(64, 5, OBS, ACT);
    const counts = new Float64Array(40);
    const draws = 1600;
    for (let d = 0; d < draws; d++) {
      replay.sampleSequences(batch);
      for (let b = 0; b < 64; b++) counts[batch.indices[b * 5]]++;
    }
    const expected = (64 * draws) / 40;
    let statistic = 0;
    for (const count of counts) statistic += (count - expected) ** 2 / expected;
    // 99.9th percentile of χ² with 39 degrees of freedom ≈ 72.
    expect(statistic).toBeLessThan(72);
    // A biased sampler (one row never drawn) would be far above it.
    expect(statistic).toBeGreaterThan(10);
  });

  it('starts a fixed share of the windows in the offline segment', () => {
    const replay = new Replay(options({ capacity: 60, mixing: 'fixed', offlineFraction: 0.25 }), new Rng(7));
    replay.loadOffline(dataset(40, { 19: 'terminal' }));
    const batch = allocateSequenceBatch(8, 4, OBS, ACT);
    replay.sampleSequences(batch);
    expect(Array.from(batch.sources)).toEqual(new Array(8).fill(TransitionSource.offline));
    for (let i = 0; i < 10; i++) {
      replay.addOnline({
        observation: Float32Array.of(i, 5),
        action: Float32Array.of(0),
        reward: 0,
        nextObservation: Float32Array.of(i, 5),
        terminal: false,
        timeout: false,
        episodeId: 5,
      });
    }
    for (let d = 0; d < 10; d++) {
      replay.sampleSequences(batch);
      expect(Array.from(batch.sources)).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
    }
  });

  it('refuses a buffer that samples by priority', () => {
    const replay = new Replay(options({ priority: 'per', mode: 'sample' }), new Rng(8));
    replay.loadOffline(dataset(10, {}));
    expect(() => replay.sampleSequences(allocateSequenceBatch(2, 3, OBS, ACT))).toThrow(
      /sequence sampling is uniform over window starts; replay.mode "sample" with replay.priority "per"/,
    );
    expect(() =>
      new Replay(options(), new Rng(8)).sampleSequences(allocateSequenceBatch(2, 3, OBS, ACT)),
    ).toThrow(/empty replay buffer/);
  });

  it('checks window starts and batch shapes', () => {
    const replay = new Replay(options(), new Rng(9));
    replay.loadOffline(dataset(10, {}));
    expect(() => replay.gatherSequences(allocateSequenceBatch(2, 3, OBS, ACT), [0, 1, 2])).toThrow(
      /3 windows for a batch of 2 slots/,
    );
    expect(() => replay.gatherSequences(allocateSequenceBatch(2, 3, OBS, ACT), [10])).toThrow(
      /window start 10 is not a stored row \(0 … 9\)/,
    );
    expect(() => replay.gatherSequences(allocateSequenceBatch(2, 3, 5, ACT), [0])).toThrow(/widths 5\/1/);
  });
});
