/**
 * Regularised optimal experience replay (Li, Hong, Agrawal, Garg, Pajarinen, RLC 2024,
 * arXiv 2407.03995). Maximising E_d[r] − β·D_f(d ‖ d_D) gives the optimal occupancy ratio
 * d* / d_D = (f')⁻¹(δ/β) for a TD error δ = r + γ·mask·V(s') − V(s). The priority of a transition
 * tracks that ratio. The update below follows the authors' official code ("avg" update scheme
 * with batch normalisation), step by step:
 *
 *   e    = clip(ratio(δ/β), 1, maxClip)           ratio = exp for KL, 1 + x for Pearson χ²
 *   e    ← e / mean(w·e)                           self-normalisation over the batch
 *   wNew = max((λ·e + 1 − λ)·w, minClip)           EMA toward the normalised target, floored
 *
 * In the official code the priority w is a per-sample weight on the critic loss under uniform
 * sampling, and priorities start at 1.
 */

/** f-divergence of the regulariser: KL (exponential ratio) or Pearson χ² (linear ratio). */
export type RoerDivergence = 'kl' | 'pearson';

export interface RoerOptions {
  /** Loss temperature β > 0 (official per-task values 0.4 … 4). */
  beta: number;
  /** Upper clip of the ratio (official code: 50 or 100 by task). */
  maxClip: number;
  /** Floor of the updated priority (official code: 10 on MuJoCo, 1 on DMC and AntMaze). */
  minClip: number;
  /** EMA rate λ toward the normalised target (official code: 0.01). */
  lambda: number;
  divergence: RoerDivergence;
}

/**
 * Occupancy ratio (f')⁻¹(δ/β) before clipping: exp(δ/β) for KL; 1 + δ/β for Pearson χ² with
 * f(x) = ½(x − 1)² (REFERENCES: "Pearson χ²: linear 1 + δ/β").
 */
export function roerRatio(tdError: number, beta: number, divergence: RoerDivergence): number {
  const x = tdError / beta;
  return divergence === 'kl' ? Math.exp(x) : 1 + x;
}

/** Clipped target e = clip(ratio(δ/β), 1, maxClip), as in the official code (lower clip at 1). */
export function roerTarget(
  tdError: number,
  beta: number,
  maxClip: number,
  divergence: RoerDivergence,
): number {
  const ratio = roerRatio(tdError, beta, divergence);
  // Written so that NaN falls to the lower clip rather than propagating into the buffer.
  return ratio > maxClip ? maxClip : ratio > 1 ? ratio : 1;
}

/**
 * One transition's new priority given its normalised target ê = e / mean(w·e):
 * max((λ·ê + 1 − λ)·w, minClip).
 */
export function roerPriority(
  normalizedTarget: number,
  priority: number,
  lambda: number,
  minClip: number,
): number {
  const updated = (lambda * normalizedTarget + 1 - lambda) * priority;
  return updated > minClip ? updated : minClip;
}

/**
 * The batch update of the official code: given the TD errors and the current priorities w of the
 * sampled rows, write the new priorities to `out` (which may be `priorities` itself). `scratch`
 * receives the clipped targets e (pass a buffer of at least n slots to avoid allocation).
 * Returns the normaliser mean(w·e).
 */
export function roerPriorityUpdate(
  tdErrors: ArrayLike<number>,
  priorities: ArrayLike<number>,
  options: RoerOptions,
  out: Float32Array | Float64Array,
  scratch: Float64Array = new Float64Array(tdErrors.length),
): number {
  const n = tdErrors.length;
  if (priorities.length < n || out.length < n || scratch.length < n) {
    throw new RangeError(
      `roerPriorityUpdate: ${n} TD errors need at least ${n} priorities, outputs and scratch slots ` +
        `(got ${priorities.length}, ${out.length}, ${scratch.length})`,
    );
  }
  if (n === 0) return Number.NaN;
  const { beta, maxClip, minClip, lambda, divergence } = options;
  let weightedSum = 0;
  for (let i = 0; i < n; i++) {
    const e = roerTarget(tdErrors[i], beta, maxClip, divergence);
    scratch[i] = e;
    weightedSum += priorities[i] * e;
  }
  const normalizer = weightedSum / n;
  for (let i = 0; i < n; i++) out[i] = roerPriority(scratch[i] / normalizer, priorities[i], lambda, minClip);
  return normalizer;
}
