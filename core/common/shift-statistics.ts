/** What a batch of TD errors says about distribution shift; computed by core/beta, carried by every update event. */

/** Statistics of one batch of TD errors at temperature β (weights exp(δ/β), unclipped, via logsumexp). */
export interface ShiftStatistics {
  ess: number;
  essFraction: number;
  /** Entropy of the normalised weights divided by log n (1 = uniform). */
  weightEntropy: number;
  tdMean: number;
  tdStd: number;
  tdP05: number;
  tdP25: number;
  tdP50: number;
  tdP75: number;
  tdP95: number;
}
