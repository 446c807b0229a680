/**
 * A checkpointed buffer given room for more rows (`o2o resume --env-steps` raising a run's budget):
 * the same rows, reordered oldest first so that the buffer continues to fill before it wraps.
 */
import type { ReplayState } from './types.js';

/**
 * `state` with capacity `capacity` (≥ its own). A full buffer's next write goes to its oldest
 * writable row (`cursor`): the ring of writable rows read from the cursor is every such row in the
 * order it was written. Without `overwriteOffline` the offline rows stay where the ring never goes,
 * at the start; with it they are the oldest rows and lead the ring. A buffer that is not full is
 * already in that order and only gets the new capacity.
 */
export function withCapacity(state: ReplayState, capacity: number): ReplayState {
  const previous = state.options.capacity;
  if (!Number.isInteger(capacity) || capacity < previous) {
    throw new RangeError(`replay capacity can only grow: ${previous} → ${capacity}`);
  }
  const n = state.size;
  if (capacity === previous) return state;
  if (n < previous) return { ...state, options: { ...state.options, capacity } };
  const head = state.options.overwriteOffline ? 0 : state.offlineCount;
  const ring = n - head;
  const order = new Int32Array(n);
  for (let i = 0; i < head; i++) order[i] = i;
  for (let i = 0; i < ring; i++) order[head + i] = head + ((state.cursor - head + i) % ring);
  const columns = Object.fromEntries(
    Object.entries(state.columns).map(([name, column]) => [name, permuteRows(column, order)]),
  );
  return {
    ...state,
    options: { ...state.options, capacity },
    cursor: n,
    columns,
    priorities: permuteRows(state.priorities, order),
  };
}

function permuteRows<T extends Float32Array | Uint8Array | Int32Array>(column: T, order: Int32Array): T {
  const width = column.length / order.length;
  const out = new (column.constructor as new (length: number) => T)(column.length);
  for (let i = 0; i < order.length; i++) {
    out.set(column.subarray(order[i] * width, (order[i] + 1) * width), i * width);
  }
  return out;
}
