/**
 * Observation and action spaces (Gymnasium's Box and Discrete), and the map between a policy's
 * actions in [−1, 1] and a Box's bounds. Shared by the environments, the training loop, the
 * exporters and the user interface.
 */

export interface BoxSpace {
  kind: 'box';
  /** Width of the flat vector. */
  size: number;
  low: Float32Array;
  high: Float32Array;
}
export interface DiscreteSpace {
  kind: 'discrete';
  n: number;
}
export type Space = BoxSpace | DiscreteSpace;

/** Width of an action row in a space: the Box dimension, or 1 for a Discrete index. */
export function actionWidthOf(space: Space): number {
  return space.kind === 'box' ? space.size : 1;
}

/** a = clip(h, −1, 1)·(high − low)/2 + (high + low)/2: a policy output in [−1, 1] mapped to the Box bounds. */
export function scaleAction(
  unit: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  for (let j = 0; j < out.length; j++) {
    const clipped = Math.min(1, Math.max(-1, unit[j]));
    out[j] = clipped * ((high[j] - low[j]) / 2) + (high[j] + low[j]) / 2;
  }
  return out;
}

/** Inverse of scaleAction (without the clip): an action in the Box bounds mapped to [−1, 1]. */
export function unscaleAction(
  action: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  for (let j = 0; j < out.length; j++) {
    const scale = (high[j] - low[j]) / 2;
    out[j] = scale > 0 ? (action[j] - (high[j] + low[j]) / 2) / scale : 0;
  }
  return out;
}
