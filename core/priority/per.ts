/**
 * Prioritised experience replay, proportional variant (Schaul, Quan, Antonoglou, Silver,
 * "Prioritized Experience Replay", ICLR 2016, §3.3 and §3.4).
 */

export interface PerOptions {
  /** Exponent α: 0 is uniform, 1 is fully proportional (paper: 0.6 proportional). */
  alpha: number;
  /** ε added to |δ| so that no transition has zero probability (paper: small positive). */
  epsilon: number;
}

/** p = (|δ| + ε)^α (Schaul et al. 2016, eq. 1 with proportional prioritisation). */
export function perPriority(tdError: number, options: PerOptions): number {
  return Math.pow(Math.abs(tdError) + options.epsilon, options.alpha);
}

/** Apply `perPriority` to a batch: out[i] = (|δ_i| + ε)^α. Returns `out`. */
export function perPriorities<T extends Float32Array | Float64Array>(
  tdErrors: ArrayLike<number>,
  options: PerOptions,
  out: T,
): T {
  if (out.length < tdErrors.length) {
    throw new RangeError(`perPriorities: output has ${out.length} slots for ${tdErrors.length} TD errors`);
  }
  const { alpha, epsilon } = options;
  for (let i = 0; i < tdErrors.length; i++) out[i] = Math.pow(Math.abs(tdErrors[i]) + epsilon, alpha);
  return out;
}
