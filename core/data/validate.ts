/** Checks on loaded columns; each failure names the file, column and row, and what was expected. */
import { DatasetError } from './types.js';

/**
 * True when every value is finite. x·0 is 0 for finite x and NaN for NaN or ±Inf, so one sum
 * tells; four independent sums let the CPU overlap the additions.
 */
export function allFinite(values: Float32Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const n = values.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a += values[i] * 0;
    b += values[i + 1] * 0;
    c += values[i + 2] * 0;
    d += values[i + 3] * 0;
  }
  for (; i < n; i++) a += values[i] * 0;
  return a + b + c + d === 0;
}

/** Throw a DatasetError at the first NaN or ±Inf in an [N × width] matrix. */
export function checkFinite(file: string, column: string, values: Float32Array, width: number): void {
  if (allFinite(values)) return;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) {
      const where = width > 1 ? ` in dimension ${i % width}` : '';
      throw new DatasetError(
        file,
        `${value}${where}; expected finite numbers (no NaN or Inf)`,
        column,
        Math.floor(i / width),
      );
    }
  }
}

/**
 * Warnings (not errors) for actions outside [low, high]: how many values, and the first one's
 * row and dimension. Policies that sample a Gaussian and clip later produce such data legitimately.
 */
export function actionBoundWarnings(
  file: string,
  actions: Float32Array,
  width: number,
  low: Float32Array,
  high: Float32Array,
): string[] {
  let count = 0;
  let first = -1;
  for (let i = 0; i < actions.length; i++) {
    const d = i % width;
    if (actions[i] < low[d] || actions[i] > high[d]) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count === 0) return [];
  const d = first % width;
  return [
    `${file}: column "actions", row ${Math.floor(first / width)}: value ${actions[first]} in dimension ${d} is outside the action bounds [${low[d]}, ${high[d]}] (${count} value(s) out of bounds in all; the environment clips them)`,
  ];
}

/** Error on a row flagged both terminal and timeout (an episode ends one way or the other). */
export function checkExclusiveEnds(
  file: string,
  terminals: Uint8Array,
  timeouts: Uint8Array,
  names = ['terminals', 'timeouts'],
): void {
  for (let i = 0; i < terminals.length; i++) {
    if (terminals[i] !== 0 && timeouts[i] !== 0) {
      throw new DatasetError(
        file,
        `the row is flagged both terminal ("${names[0]}") and timeout ("${names[1]}"); expected at most one episode end per row`,
        names[0],
        i,
      );
    }
  }
}
