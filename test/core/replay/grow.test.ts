import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withCapacity } from '../../../core/replay/grow.js';
import { Replay } from '../../../core/replay/replay.js';
import { Rng } from '../../../core/util/random.js';
import { identityRows, replayOptions } from '../../helpers/replay-options.js';

/** Rows carry their identity in every field: offline row i has value i, online row j has 1000 + j. */
function addOnline(replay: Replay, value: number): void {
  const v = new Float32Array([value]);
  replay.addOnline({
    observation: v,
    action: v,
    reward: value,
    nextObservation: v,
    terminal: false,
    timeout: false,
    episodeId: 1,
  });
}

function heldValues(replay: Replay): number[] {
  const { rewards, observations, actions } = replay.getState().columns as Record<string, Float32Array>;
  rewards.forEach((value, i) => {
    expect(observations[i]).toBe(value);
    expect(actions[i]).toBe(value);
  });
  return [...rewards].sort((a, b) => a - b);
}

describe('growing a checkpointed replay buffer', () => {
  it('keeps every row, fills the new room before wrapping, and then drops the oldest online row first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 24 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (capacity, offline, onlineCount, extra, overwriteOffline) => {
          fc.pre(offline < capacity);
          const options = replayOptions(
            { capacity, observationWidth: 1, actionWidth: 1 },
            { priority: 'uniform', overwriteOffline },
          );
          const replay = new Replay(options, new Rng(3));
          replay.loadOffline(identityRows(offline));
          for (let j = 0; j < onlineCount; j++) addOnline(replay, 1000 + j);
          const before = heldValues(replay);

          const grown = Replay.fromState(withCapacity(replay.getState(), capacity + extra));
          expect(grown.capacity).toBe(capacity + extra);
          expect(heldValues(grown)).toEqual(before);
          for (let j = 0; j < extra; j++) addOnline(grown, 5000 + j);
          const after = heldValues(grown);
          expect(after.length).toBe(Math.min(before.length + extra, capacity + extra));
          // Room enough: nothing that was held is lost while the new rows arrive.
          if (before.length + extra <= capacity + extra) {
            expect(after).toEqual(
              [...before, ...Array.from({ length: extra }, (_, j) => 5000 + j)].sort((a, b) => a - b),
            );
          }
          // Full again: the next row replaces the oldest online row that remains.
          const onlineHeld = after.filter((value) => value >= 1000);
          if (grown.size === grown.capacity && (onlineHeld.length > 1 || overwriteOffline)) {
            addOnline(grown, 9000);
            const next = heldValues(grown);
            const oldest = overwriteOffline && after[0] < 1000 ? after[0] : onlineHeld[0];
            expect(next).not.toContain(oldest);
            expect(next).toContain(9000);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses to shrink', () => {
    const replay = new Replay(
      replayOptions({ capacity: 8, observationWidth: 1, actionWidth: 1 }, { priority: 'uniform' }),
      new Rng(1),
    );
    expect(() => withCapacity(replay.getState(), 4)).toThrow(/replay capacity can only grow: 8 → 4/);
  });
});
