/** Summary statistics used by dataset inspection. */
import type { ColumnStatistics, Histogram } from './types.js';

/** min, max, mean and population standard deviation of `values` (Welford's update, in float64). */
export function statistics(values: ArrayLike<number>, offset = 0, stride = 1): ColumnStatistics {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = offset; i < values.length; i += stride) {
    const x = values[i];
    count++;
    const delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) return { min: 0, max: 0, mean: 0, std: 0 };
  // + 0 turns −0 into 0, so the summary survives a JSON round trip unchanged.
  return { min: min + 0, max: max + 0, mean: mean + 0, std: Math.sqrt(m2 / count) };
}

/** Statistics of each dimension of an [N × width] matrix. */
export function perDimensionStatistics(values: Float32Array, width: number): ColumnStatistics[] {
  return Array.from({ length: width }, (_, d) => statistics(values, d, width));
}

/**
 * A histogram over `bins` equal-width bins spanning [min, max] of `values`; all values in one bin
 * when they are all equal.
 */
export function histogram(values: ArrayLike<number>, bins = 20): Histogram {
  if (values.length === 0) return { edges: [], counts: [] };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  if (min === max) return { edges: [min, max], counts: [values.length] };
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    counts[Math.min(bins - 1, Math.floor((values[i] - min) / width))]++;
  }
  return { edges, counts };
}
