/**
 * The expectile value loss of implicit Q-learning (IQL; Kostrikov, Nair & Levine, ICLR 2022,
 * "Offline Reinforcement Learning with Implicit Q-Learning", eq. 5):
 *   L(V) = mean |τ − 1(uᵢ < 0)|·uᵢ²,  uᵢ = q̃ᵢ − V(sᵢ),
 * whose minimiser over V is the τ-expectile of q̃ over the data's actions: τ = 0.5 gives the mean,
 * τ → 1 the maximum over actions in the support of the data (an in-sample max without querying
 * unseen actions). The gradient is dL/dVᵢ = −2·|τ − 1(uᵢ < 0)|·uᵢ / n.
 */
import type { ValueLossResult } from './types.js';

/** The asymmetric squared loss |τ − 1(u < 0)|·u² of one residual u. */
export function expectileLoss(u: number, expectile: number): number {
  return Math.abs(expectile - (u < 0 ? 1 : 0)) * u * u;
}

/** Batch expectile loss of targets q̃ against values V and its V-gradient. */
export function expectileBatchLoss(
  targets: ArrayLike<number>,
  values: ArrayLike<number>,
  expectile: number,
): ValueLossResult {
  if (!(expectile > 0 && expectile < 1))
    throw new RangeError(`expectile must lie in (0, 1), got ${expectile}`);
  const n = values.length;
  let total = 0;
  const valueGradient = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = targets[i] - values[i];
    const weight = Math.abs(expectile - (u < 0 ? 1 : 0));
    total += weight * u * u;
    valueGradient[i] = (-2 * weight * u) / n;
  }
  return { loss: total / n, valueGradient };
}
