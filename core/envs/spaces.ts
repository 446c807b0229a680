/** Observation and action spaces, and the helpers every environment uses on them. */
import type { BoxSpace, DiscreteSpace } from './types.js';

/** A Box space of width `low.length` with the given (inclusive) bounds. */
export function boxSpace(low: ArrayLike<number>, high: ArrayLike<number>): BoxSpace {
  if (low.length !== high.length) {
    throw new RangeError(`box bounds have different widths: low ${low.length}, high ${high.length}`);
  }
  for (let i = 0; i < low.length; i++) {
    if (!(low[i] <= high[i])) throw new RangeError(`box bound ${i}: low ${low[i]} > high ${high[i]}`);
  }
  return { kind: 'box', size: low.length, low: Float32Array.from(low), high: Float32Array.from(high) };
}

/** A Discrete space {0, …, n − 1}. */
export function discreteSpace(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`discrete space needs n ≥ 1, got ${n}`);
  return { kind: 'discrete', n };
}

/** Clip `value` into [low, high]. */
export function clip(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/**
 * Read a continuous action: check its width and clip each component into the Box bounds
 * (Gymnasium's ClipAction behaviour). A NaN component is an error rather than a silent clip.
 */
export function clipBoxAction(envId: string, space: BoxSpace, action: Float32Array | number): Float64Array {
  if (typeof action === 'number' || action.length !== space.size) {
    const got = typeof action === 'number' ? 'a number' : `width ${action.length}`;
    throw new RangeError(`${envId}: action must be a Float32Array of width ${space.size}, got ${got}`);
  }
  const out = new Float64Array(space.size);
  for (let i = 0; i < space.size; i++) {
    const value = action[i];
    if (Number.isNaN(value)) throw new RangeError(`${envId}: action component ${i} is NaN`);
    out[i] = clip(value, space.low[i], space.high[i]);
  }
  return out;
}

/** Read a discrete action: an integer in [0, n); a one-element array is accepted (policy outputs). */
export function readDiscreteAction(
  envId: string,
  space: DiscreteSpace,
  action: Float32Array | number,
): number {
  const value = typeof action === 'number' ? action : action.length === 1 ? action[0] : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value >= space.n) {
    throw new RangeError(`${envId}: action must be an integer in [0, ${space.n}), got ${String(action)}`);
  }
  return value;
}

/** Map θ into [−π, π) (Gymnasium's angle_normalize). */
export function normalizeAngle(theta: number): number {
  return ((((theta + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
}
