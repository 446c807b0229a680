/**
 * Downsampling for line charts with up to millions of points.
 *
 * M4 aggregation (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation",
 * VLDB 2014): split the visible x-range into one bucket per pixel column and keep, per bucket,
 * the first and last point and the points with the minimum and maximum y. A line drawn through
 * those points rasterises to the same pixels as the full series. Charts here share one x column
 * between several series, so we keep the union of the four indices of every series in the bucket;
 * each series is then still exact, at most 2 + 2·(series) points per pixel.
 */

/** Index of the first element of sorted `x` that is ≥ `value` (x.length when none). */
export function lowerBound(x: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = x.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (x[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Index of the first element of sorted `x` that is > `value`. */
export function upperBound(x: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = x.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (x[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Indices (ascending, distinct) of the points to draw for x in [xMin, xMax] with `buckets` pixel
 * columns. `x` must be sorted ascending. One point on each side of the window is kept so lines run
 * to the plot edges. When the window holds ≤ 4·buckets points, all of them are returned.
 */
export function m4Indices(
  x: ArrayLike<number>,
  ys: readonly ArrayLike<number>[],
  xMin: number,
  xMax: number,
  buckets: number,
): Uint32Array {
  const n = x.length;
  if (n === 0 || !(buckets >= 1)) return new Uint32Array(0);
  const start = Math.max(0, lowerBound(x, xMin) - 1);
  const end = Math.min(n, upperBound(x, xMax) + 1);
  if (end <= start) return new Uint32Array(0);
  if (end - start <= 4 * buckets) {
    const all = new Uint32Array(end - start);
    for (let i = 0; i < all.length; i++) all[i] = start + i;
    return all;
  }
  const span = xMax - xMin;
  const bucketOf = (value: number): number =>
    span > 0 ? Math.min(buckets - 1, Math.max(0, Math.floor(((value - xMin) / span) * buckets))) : 0;

  const out: number[] = [];
  const picked: number[] = [];
  let i = start;
  while (i < end) {
    const bucket = bucketOf(x[i]);
    let last = i;
    while (last + 1 < end && bucketOf(x[last + 1]) === bucket) last++;
    picked.length = 0;
    picked.push(i, last);
    for (const y of ys) {
      let minIndex = -1;
      let maxIndex = -1;
      for (let k = i; k <= last; k++) {
        const value = y[k];
        if (Number.isNaN(value)) continue;
        if (minIndex < 0 || value < y[minIndex]) minIndex = k;
        if (maxIndex < 0 || value > y[maxIndex]) maxIndex = k;
      }
      if (minIndex >= 0) picked.push(minIndex, maxIndex);
    }
    picked.sort((a, b) => a - b);
    for (let k = 0; k < picked.length; k++) if (k === 0 || picked[k] !== picked[k - 1]) out.push(picked[k]);
    i = last + 1;
  }
  return Uint32Array.from(out);
}

/** Gather `values` at `indices`; NaN becomes null (a gap in the drawn line). */
export function gather(values: ArrayLike<number>, indices: ArrayLike<number>): (number | null)[] {
  const out = new Array<number | null>(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const value = values[indices[i]];
    out[i] = Number.isFinite(value) ? value : null;
  }
  return out;
}
