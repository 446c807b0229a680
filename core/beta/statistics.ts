/**
 * Batch statistics of the distribution shift seen through TD errors. All weights here are the
 * unclipped exponential weights w_i ∝ exp(δ_i/β) of ROER with a KL regulariser; they are handled as
 * log-weights with logsumexp so that no exponential overflows for small β.
 */
import type { ShiftStatistics } from '../common/shift-statistics.js';
import { essAtTemperature } from '../common/tempered-ess.js';

export { essAtTemperature } from '../common/tempered-ess.js';

/**
 * Kish's effective sample size of non-negative weights: ESS = (Σw)² / Σw², in [1, n] when some
 * weight is positive (n for equal weights, 1 when one weight carries everything). 0 for an empty
 * or all-zero input.
 */
export function effectiveSampleSize(weights: ArrayLike<number>): number {
  let sum = 0;
  let sumSquares = 0;
  let largest = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || w === Infinity) {
      throw new RangeError(`effectiveSampleSize: weight ${i} must be finite and ≥ 0, got ${w}`);
    }
    if (w > largest) largest = w;
  }
  if (largest === 0) return 0;
  // Scale by the largest weight so that squares neither overflow nor underflow.
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] / largest;
    sum += w;
    sumSquares += w * w;
  }
  return (sum * sum) / sumSquares;
}

/** log Σ_i exp(scale·x_i), stable for any scale (max-shifted). −∞ for an empty input. */
export function logSumExp(values: ArrayLike<number>, scale = 1): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = scale * values[i];
    if (v > max) max = v;
  }
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(scale * values[i] - max);
  return max + Math.log(sum);
}

/**
 * Quantile q ∈ [0, 1] of ascending `sorted` values with linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R and NumPy).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, n - 1);
  const fraction = position - below;
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

/**
 * Statistics of one batch of TD errors at temperature β:
 * - ESS of exp(δ/β) and ESS/n;
 * - entropy of the normalised weights p_i = exp(ℓ_i − LSE(ℓ)) divided by log n:
 *   H = −Σ p_i log p_i = LSE(ℓ) − Σ p_i ℓ_i, so 1 means uniform weights;
 * - mean, standard deviation (population) and quantiles 5/25/50/75/95 % of δ.
 * `scratch` (≥ n slots) avoids allocating the sorted copy.
 */
export function shiftStatistics(
  tdErrors: ArrayLike<number>,
  beta: number,
  scratch?: Float64Array,
): ShiftStatistics {
  const n = tdErrors.length;
  if (!(beta > 0)) throw new RangeError(`shiftStatistics: β must be positive, got ${beta}`);
  if (n === 0) {
    return {
      ess: 0,
      essFraction: Number.NaN,
      weightEntropy: Number.NaN,
      tdMean: Number.NaN,
      tdStd: Number.NaN,
      tdP05: Number.NaN,
      tdP25: Number.NaN,
      tdP50: Number.NaN,
      tdP75: Number.NaN,
      tdP95: Number.NaN,
    };
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(tdErrors[i])) {
      throw new RangeError(`shiftStatistics: TD error ${i} must be finite, got ${tdErrors[i]}`);
    }
  }
  const inverse = 1 / beta;
  const lse = logSumExp(tdErrors, inverse);
  const ess = essAtTemperature(tdErrors, beta);

  let mean = 0;
  for (let i = 0; i < n; i++) mean += tdErrors[i];
  mean /= n;
  let squares = 0;
  let expectedLogWeight = 0;
  for (let i = 0; i < n; i++) {
    const d = tdErrors[i] - mean;
    squares += d * d;
    const logWeight = tdErrors[i] * inverse;
    expectedLogWeight += Math.exp(logWeight - lse) * logWeight;
  }
  const entropy = lse - expectedLogWeight;

  const sorted = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = tdErrors[i];
  sorted.sort();
  return {
    ess,
    essFraction: ess / n,
    weightEntropy: n > 1 ? Math.min(1, Math.max(0, entropy / Math.log(n))) : 1,
    tdMean: mean,
    tdStd: Math.sqrt(squares / n),
    tdP05: quantileSorted(sorted, 0.05),
    tdP25: quantileSorted(sorted, 0.25),
    tdP50: quantileSorted(sorted, 0.5),
    tdP75: quantileSorted(sorted, 0.75),
    tdP95: quantileSorted(sorted, 0.95),
  };
}
