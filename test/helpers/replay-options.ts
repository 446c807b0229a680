/**
 * Replay options for tests and benchmarks: the run config's defaults for every replay key (the
 * same values a run gets when its config leaves them out), with the buffer's shape and any
 * overrides on top, so that callers spell out only what their case is about.
 */
import { replaySectionSchema } from '../../core/train/config.js';
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
