/**
 * Replay options for tests and benchmarks: the run config's defaults for every replay key (the
 * same values a run gets when its config leaves them out), with the buffer's shape and any
 * overrides on top, so that callers spell out only what their case is about.
 */
import { replaySectionSchema } from '../../core/train/config.js';
import type { TransitionColumns } from '../../core/replay/transitions.js';
import type { ReplayOptions } from '../../core/replay/types.js';

/** The buffer's shape, which has no default. */
export interface ReplayShape {
  capacity: number;
  observationWidth: number;
  actionWidth: number;
}

export function replayOptions(shape: ReplayShape, overrides: Partial<ReplayOptions> = {}): ReplayOptions {
  const { capacity: _runCapacity, ...defaults } = replaySectionSchema.parse({});
  return { ...defaults, ...shape, ...overrides };
}

/** n one-dimensional rows that carry their identity in every field: row i has value i. */
export function identityRows(n: number): TransitionColumns {
  const values = Float32Array.from({ length: n }, (_, i) => i);
  return {
    length: n,
    observationWidth: 1,
    actionWidth: 1,
    observations: values,
    actions: values.slice(),
    rewards: values.slice(),
    nextObservations: values.slice(),
    terminals: new Uint8Array(n),
    timeouts: new Uint8Array(n),
  };
}
