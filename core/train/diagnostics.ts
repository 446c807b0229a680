/**
 * Small pure functions that turn what a run produces into the numbers the metric stream carries.
 */
import { PRIORITY_HISTOGRAM_EDGES } from '../common/events.js';

/** Discounted return Σ_t γ^t r_t of one episode's rewards, from its first step. */
export function discountedReturn(rewards: ArrayLike<number>, gamma: number): number {
  let total = 0;
  for (let t = rewards.length - 1; t >= 0; t--) total = rewards[t] + gamma * total;
  return total;
}

/**
 * Value bias at the start state: the critic's estimate Q(s₀, a₀) minus the discounted
 * Monte-Carlo return actually obtained from s₀ (positive = overestimation). For episodes cut by a
 * time limit the Monte-Carlo return is truncated, so the bias is an upper bound in that case.
 */
export function valueBias(startValueEstimate: number, rewards: ArrayLike<number>, gamma: number): number {
  return startValueEstimate - discountedReturn(rewards, gamma);
}

/**
 * Counts of `values` in the fixed logarithmic priority bins: bin 0 holds values below the first
 * edge, bin k (1 ≤ k < edges) holds [edge_{k−1}, edge_k), the last bin values ≥ the last edge.
 * Fixed edges make histograms of different runs and steps comparable.
 */
export function priorityHistogram(
  values: ArrayLike<number>,
  edges: readonly number[] = PRIORITY_HISTOGRAM_EDGES,
  out: number[] = new Array<number>(edges.length + 1).fill(0),
): number[] {
  out.fill(0);
  const logFirst = Math.log10(edges[0]);
  const logStep = Math.log10(edges[1]) - logFirst;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!(value >= edges[0])) {
      out[0]++;
      continue;
    }
    // Fast path for evenly log-spaced edges, checked against the edges for exactness.
    let bin = Math.floor((Math.log10(value) - logFirst) / logStep) + 1;
    if (bin > edges.length) bin = edges.length;
    while (bin > 1 && value < edges[bin - 1]) bin--;
    while (bin < edges.length && value >= edges[bin]) bin++;
    out[bin]++;
  }
  return out;
}

/** Share of `sources` (0 = offline, 1 = online) that are offline. */
export function offlineShare(sources: ArrayLike<number>): number {
  if (sources.length === 0) return Number.NaN;
  let offline = 0;
  for (let i = 0; i < sources.length; i++) if (sources[i] === 0) offline++;
  return offline / sources.length;
}

/** Exponential moving average step: m ← (1 − ρ)·m + ρ·x, starting from the first value seen. */
export function movingAverage(previous: number | undefined, value: number, rate: number): number {
  return previous === undefined || !Number.isFinite(previous) ? value : (1 - rate) * previous + rate * value;
}
