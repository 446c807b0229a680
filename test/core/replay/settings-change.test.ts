import { describe, expect, it } from 'vitest';
import { Replay } from '../../../core/replay/replay.js';
import { ReplaySettingsError, withSamplingSettings } from '../../../core/replay/settings-change.js';
import { allocateBatch, TransitionSource } from '../../../core/replay/transitions.js';
import { Rng } from '../../../core/util/random.js';
import { identityRows, replayOptions } from '../../helpers/replay-options.js';

const OFFLINE = 20;

/** A ROER buffer over offline ∪ online with 20 offline and 20 online rows whose priorities have moved. */
function trainedReplay(): Replay {
  const replay = new Replay(
    replayOptions(
      { capacity: 64, observationWidth: 1, actionWidth: 1 },
      { priority: 'roer', mixing: 'union' },
    ),
    new Rng(4),
  );
  replay.loadOffline(identityRows(OFFLINE));
  for (let i = 0; i < 20; i++) {
    const v = new Float32Array([100 + i]);
    replay.addOnline({
      observation: v,
      action: v,
      reward: 0,
      nextObservation: v,
      terminal: false,
      timeout: false,
      episodeId: 1,
    });
  }
  const batch = allocateBatch(16, 1, 1);
  for (let k = 0; k < 5; k++) {
    replay.sample(batch);
    replay.updatePriorities(
      batch,
      Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2),
      0.7,
    );
  }
  return replay;
}

describe('a checkpointed buffer taking over edited replay settings', () => {
  it('leaves the state alone when nothing changed', () => {
    const state = trainedReplay().getState();
    const { state: same, changes } = withSamplingSettings(state, state.options);
    expect(changes).toEqual([]);
    expect(same).toBe(state);
  });

  it('samples by the new mixing and keeps rows and priorities', () => {
    const state = trainedReplay().getState();
    const { state: changed, changes } = withSamplingSettings(state, {
      ...state.options,
      mixing: 'fixed',
      offlineFraction: 1,
    });
    expect(changes).toEqual(['replay.mixing: union → fixed', 'replay.offlineFraction: 0.5 → 1']);
    expect(changed.priorities).toEqual(state.priorities);
    expect(changed.columns).toBe(state.columns);
    const replay = Replay.fromState(changed);
    expect(replay.options.mixing).toBe('fixed');
    // offlineFraction 1 with fixed mixing: every row of every batch is offline (the union draw
    // of the stored settings would give about half online rows).
    const batch = allocateBatch(64, 1, 1);
    for (let k = 0; k < 10; k++) {
      replay.sample(batch);
      expect(batch.sources.every((source) => source === TransitionSource.offline)).toBe(true);
    }
  });

  it('reads a checkpoint from before weightNormalisation as its default, and takes over a new value', () => {
    const state = trainedReplay().getState();
    const { weightNormalisation: _absent, ...older } = state.options;
    const oldState = { ...state, options: older };
    expect(withSamplingSettings(oldState, { ...older, weightNormalisation: 'none' }).changes).toEqual([]);
    const { state: changed, changes } = withSamplingSettings(oldState, {
      ...older,
      weightNormalisation: 'mean',
    });
    expect(changes).toEqual(['replay.weightNormalisation: none → mean']);
    expect(changed.priorities).toEqual(state.priorities);
    const batch = allocateBatch(64, 1, 1);
    Replay.fromState(changed).sample(batch);
    expect(batch.weights.reduce((a, b) => a + b, 0) / 64).toBeCloseTo(1, 5);
  });

  it('restarts every row at priority 1 under a new priority rule', () => {
    const state = trainedReplay().getState();
    expect(state.priorities.some((p) => p !== 1)).toBe(true);
    const { state: changed, changes } = withSamplingSettings(state, {
      ...state.options,
      priority: 'uniform',
    });
    expect(changes).toEqual([
      'replay.priority: roer → uniform',
      'the 40 stored rows start again at priority 1 under the new rule',
    ]);
    expect([...changed.priorities]).toEqual(new Array(40).fill(1));
    expect(changed.maxPriority).toBe(1);
    const batch = allocateBatch(8, 1, 1);
    Replay.fromState(changed).sample(batch);
    expect([...batch.weights]).toEqual(new Array(8).fill(1));
  });

  it('refuses another overwriteOffline, naming the key', () => {
    const state = trainedReplay().getState();
    const attempt = () => withSamplingSettings(state, { ...state.options, overwriteOffline: true });
    expect(attempt).toThrow(ReplaySettingsError);
    expect(attempt).toThrow(/^replay\.overwriteOffline: the checkpointed buffer was laid out with false/);
  });
});
