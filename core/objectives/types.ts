/** Shared shapes of the objectives' loss functions. */

/** A value-net loss over a batch and its gradient with respect to each row's V(sᵢ). */
export interface ValueLossResult {
  /** The batch loss (a mean over rows). */
  loss: number;
  /** dLoss/dVᵢ for each row. */
  valueGradient: Float64Array;
}

/**
 * A value loss of V(s) against target values q̃ = min Qᵗ(s, ã) at temperature β (a loss that has no
 * temperature ignores it).
 */
export type ValueLoss = (
  targets: ArrayLike<number>,
  values: ArrayLike<number>,
  beta: number,
) => ValueLossResult;
