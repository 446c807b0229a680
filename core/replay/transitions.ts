/**
 * The two shapes in which transitions move through the engine. They are plain typed arrays, row
 * major, so that Arrow columns, replay storage, samplers and learners can share them without copies.
 */

/** Where a stored transition came from. Stored as a uint8 column. */
export const TransitionSource = { offline: 0, online: 1 } as const;
export type TransitionSource = (typeof TransitionSource)[keyof typeof TransitionSource];

/**
 * A block of N transitions in the D4RL flat layout (see docs on datasets): what a dataset file
 * loads into and what replay storage bulk-loads from. Row i of every column is one transition.
 */
export interface TransitionColumns {
  /** Number of transitions N. */
  length: number;
  observationWidth: number;
  actionWidth: number;
  /** [N × observationWidth] float32. */
  observations: Float32Array;
  /** [N × actionWidth] float32. */
  actions: Float32Array;
  /**
   * [N] the action indices of a discrete action space (int32); when given, a discrete replay reads
   * them instead of `actions`.
   */
  actionIndices?: Int32Array;
  /** [N] float32. */
  rewards: Float32Array;
  /** [N × observationWidth] float32; the state after the action (never across an episode end). */
  nextObservations: Float32Array;
  /** [N] 1 where the episode ended in a terminal state (bootstrap mask = 1 − terminal). */
  terminals: Uint8Array;
  /** [N] 1 where the episode was cut by a time limit (the mask stays 1). */
  timeouts: Uint8Array;
  /** [N] episode index, counting from 0 within this block. Optional; derived from ends when absent. */
  episodeIds?: Int32Array;
  /** Extra per-row columns by name, [N × width] float32 (see ReplayOptions.extraColumns). */
  extras?: Record<string, Float32Array>;
}

/**
 * A sampled minibatch, preallocated once per batch size and refilled in place on every draw.
 * Learners read it; they never keep references to its arrays across updates.
 */
export interface TransitionBatch {
  /** Number of rows B. */
  size: number;
  observationWidth: number;
  actionWidth: number;
  /** Storage index of each row (for writing priorities back). */
  indices: Int32Array;
  /** [B × observationWidth] */
  observations: Float32Array;
  /** [B × actionWidth] (for a discrete replay, the index as a float) */
  actions: Float32Array;
  /** [B] the action indices, filled when the replay stores discrete actions (ReplayOptions.actionCount). */
  actionIndices?: Int32Array;
  /** [B] */
  rewards: Float32Array;
  /** [B × observationWidth] */
  nextObservations: Float32Array;
  /** [B] bootstrap mask: 0 after a terminal state, 1 otherwise (including timeouts). */
  masks: Float32Array;
  /**
   * [B] per-sample loss weights: 1 under uniform sampling, the ROER priority in weighting mode,
   * the normalised importance weight under proportional sampling.
   */
  weights: Float32Array;
  /** [B] TransitionSource of each row. */
  sources: Uint8Array;
  /**
   * The buffer's extra columns for the batch rows, [B × width] each (see ReplayOptions.extraColumns),
   * e.g. `returnToGo`: the discounted Monte-Carlo return-to-go of offline rows (Cal-QL), −∞ elsewhere.
   */
  extras?: Record<string, Float32Array>;
}

/** Allocate zero-filled columns for `length` transitions, episode ids included. */
export function allocateColumns(
  length: number,
  observationWidth: number,
  actionWidth: number,
): Required<Omit<TransitionColumns, 'extras' | 'actionIndices'>> &
  Pick<TransitionColumns, 'extras' | 'actionIndices'> {
  return {
    length,
    observationWidth,
    actionWidth,
    observations: new Float32Array(length * observationWidth),
    actions: new Float32Array(length * actionWidth),
    rewards: new Float32Array(length),
    nextObservations: new Float32Array(length * observationWidth),
    terminals: new Uint8Array(length),
    timeouts: new Uint8Array(length),
    episodeIds: new Int32Array(length),
  };
}

/** Allocate an empty batch of `size` rows. */
export function allocateBatch(size: number, observationWidth: number, actionWidth: number): TransitionBatch {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  return {
    size,
    observationWidth,
    actionWidth,
    indices: new Int32Array(size),
    observations: new Float32Array(size * observationWidth),
    actions: new Float32Array(size * actionWidth),
    rewards: new Float32Array(size),
    nextObservations: new Float32Array(size * observationWidth),
    masks: new Float32Array(size),
    weights: new Float32Array(size).fill(1),
    sources: new Uint8Array(size),
  };
}
