/**
 * Sequence batches: windows of up to k consecutive steps of one episode, for learners with
 * multi-step off-policy targets (ACER's Retrace, Wang et al. 2017 §3.1; Munos et al. 2016).
 *
 * Layout: batch-major. Slot b's step t is entry b·k + t of every per-step array (so one
 * sequence is one contiguous block, the order a backward recursion over t reads it in); per-step
 * rows of width w (observations, actions, extras) sit at (b·k + t)·w.
 *
 * A window starts at a stored step and takes the steps that follow it in the same stored run:
 * it stops after an episode end (terminal or timeout), at the end of the offline segment, at the
 * online ring's write position, and where the next stored step belongs to another episode or
 * source. Steps of a slot after its window stopped are invalid: `valid` 0, `indices` −1, and
 * every value 0 (masks too), so a learner that multiplies by `valid` needs no special case.
 */

/** A batch of `size` windows of at most `length` steps, refilled in place by each draw. */
export interface SequenceBatch {
  /** Number of slots B. */
  size: number;
  /** Longest window k. */
  length: number;
  observationWidth: number;
  actionWidth: number;
  /** [B·k] storage row of each step, −1 for invalid steps. */
  indices: Int32Array;
  /** [B·k] 1 where the step belongs to the slot's window. */
  valid: Uint8Array;
  /** [B] valid steps of each slot (its window is steps 0 … lengths[b] − 1; 0 for an empty slot). */
  lengths: Int32Array;
  /** [B·k × observationWidth] x_t. */
  observations: Float32Array;
  /** [B·k × actionWidth] a_t (for a discrete replay, the index as a float). */
  actions: Float32Array;
  /** [B·k] a_t as an index, present when the replay stores discrete actions. */
  actionIndices?: Int32Array;
  /** [B·k] r_t. */
  rewards: Float32Array;
  /** [B·k] bootstrap mask 1 − terminal_t (1 on a timeout; 0 on invalid steps). */
  masks: Float32Array;
  /** [B·k] 1 where the episode was cut by a time limit at step t. */
  timeouts: Uint8Array;
  /**
   * [B × observationWidth] the observation after the slot's last valid step (its stored next
   * observation): the state whose value bootstraps the window, weighted by that step's mask.
   */
  bootstrapObservations: Float32Array;
  /** [B] TransitionSource of each slot's window (every step of a window has the same source). */
  sources: Uint8Array;
  /** The replay's extra columns per step, [B·k × width] each (0 on invalid steps). */
  extras?: Record<string, Float32Array>;
}

/** Allocate an empty sequence batch of `size` slots of `length` steps. */
export function allocateSequenceBatch(
  size: number,
  length: number,
  observationWidth: number,
  actionWidth: number,
): SequenceBatch {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`sequence batch size must be a positive integer, got ${size}`);
  if (!Number.isInteger(length) || length < 1)
    throw new RangeError(`sequence length must be a positive integer, got ${length}`);
  const steps = size * length;
  return {
    size,
    length,
    observationWidth,
    actionWidth,
    indices: new Int32Array(steps).fill(-1),
    valid: new Uint8Array(steps),
    lengths: new Int32Array(size),
    observations: new Float32Array(steps * observationWidth),
    actions: new Float32Array(steps * actionWidth),
    rewards: new Float32Array(steps),
    masks: new Float32Array(steps),
    timeouts: new Uint8Array(steps),
    bootstrapObservations: new Float32Array(size * observationWidth),
    sources: new Uint8Array(size),
  };
}

/**
 * Where the windows of an on-policy segment start: `rows` are the storage rows of one
 * environment's consecutive steps in the order they were stored (contiguous, as `addOnline`
 * returns them when the segment is stored in one go), `ends[i]` whether step i ended its episode.
 * A window starts at the first step and after every episode end.
 */
export function segmentWindowStarts(rows: ArrayLike<number>, ends: ArrayLike<boolean>): number[] {
  if (ends.length !== rows.length) {
    throw new RangeError(`segmentWindowStarts: ${rows.length} rows but ${ends.length} episode-end flags`);
  }
  const starts: number[] = [];
  for (let i = 0; i < rows.length; i++) if (i === 0 || ends[i - 1]) starts.push(rows[i]);
  return starts;
}
