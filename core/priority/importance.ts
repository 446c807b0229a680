/**
 * Importance-sampling corrections for proportional replay (Schaul et al. 2016, §3.4): a sample drawn
 * with probability P(i) = p_i / Σp out of N stored transitions gets the weight
 * w_i = (N·P(i))^(−β_IS) / max_j w_j, and β_IS is annealed to 1 over training. The maximum over
 * the buffer belongs to the least likely transition: max_j w_j = (N·P_min)^(−β_IS).
 */

/** Unnormalised importance weight (N·P(i))^(−exponent). */
export function importanceWeight(probability: number, storedCount: number, exponent: number): number {
  return Math.pow(storedCount * probability, -exponent);
}

/**
 * Normalised importance weight w_i / max_j w_j = (P(i) / P_min)^(−exponent), computed as a ratio so
 * that N cancels exactly. Always in (0, 1] when P(i) ≥ P_min.
 */
export function normalizedImportanceWeight(
  probability: number,
  minimumProbability: number,
  exponent: number,
): number {
  return Math.pow(probability / minimumProbability, -exponent);
}

/** β_IS at `progress` ∈ [0, 1] of its linear schedule from `start` to 1 (values outside are clamped). */
export function annealedImportanceExponent(start: number, progress: number): number {
  const clamped = progress < 0 ? 0 : progress > 1 ? 1 : progress;
  return start + (1 - start) * clamped;
}
