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

/**
 * Watches ROER's floor share in weight mode without normalisation. When, over `window` updates,
 * at least `threshold` of the sampled rows sat at the floor `roerMinClip` > 1, the critic-loss
 * weights scale the TD loss by the floor almost uniformly, so the unweighted gradient penalty acts
 * at 1/floor of its weight (docs/training.md, "ROER's floor and the scale of the critic loss").
 * `observe` returns the warning once, the first time the window's mean crosses the threshold.
 */
export class FloorScaleWatch {
  private total = 0;
  private count = 0;
  private warned = false;

  constructor(
    private readonly minClip: number,
    private readonly window = 1000,
    private readonly threshold = 0.99,
  ) {}

  /** Whether a run with these replay settings can fall into it. */
  static applies(replay: {
    priority: string;
    mode: string;
    roerMinClip: number;
    weightNormalisation?: string;
  }): boolean {
    return (
      replay.priority === 'roer' &&
      replay.mode === 'weight' &&
      replay.weightNormalisation !== 'mean' &&
      replay.roerMinClip > 1
    );
  }

  /** One update's floor share; the warning the first time a full window's mean reaches the threshold. */
  observe(floorShare: number): string | null {
    if (this.warned || !Number.isFinite(floorShare)) return null;
    this.total += floorShare;
    this.count++;
    if (this.count < this.window) return null;
    const mean = this.total / this.count;
    this.total = 0;
    this.count = 0;
    if (mean < this.threshold) return null;
    this.warned = true;
    return (
      `ROER: ${(100 * mean).toFixed(1)}% of the rows of the last ${this.window} batches sat at the floor ` +
      `replay.roerMinClip = ${this.minClip}, so the weights multiply the TD loss by ${this.minClip} almost ` +
      `uniformly and the gradient penalty acts at 1/${this.minClip} of its weight; ` +
      `replay.weightNormalisation "mean" keeps uniform replay's scale`
    );
  }
}
