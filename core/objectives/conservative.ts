/**
 * The conservative critic regulariser of CQL(H) (Kumar et al. 2020, "Conservative Q-Learning for
 * Offline Reinforcement Learning", eq. 4), with the importance-sampled estimate of log ∫ exp Q da
 * from their Appendix F, and Cal-QL's floor (Nakamoto et al. 2023, "Cal-QL: Calibrated Offline RL
 * Pre-Training for Efficient Online Fine-Tuning", eq. 5.1).
 *
 * Per state sᵢ of the batch (B rows) with K sampled actions xᵢⱼ drawn from densities ρᵢⱼ (uniform on
 * [−1, 1]^d, ρ = 2^−d, and the current policy, ρ = π(x|sᵢ)):
 *
 *   LSEᵢ = log (1/K) Σⱼ exp(Q(sᵢ, xᵢⱼ) − log ρᵢⱼ)      (≈ log ∫ exp Q(sᵢ, a) da)
 *   R    = (1/B) Σᵢ LSEᵢ − (1/B) Σᵢ Q(sᵢ, aᵢ)           (aᵢ the dataset action)
 *
 * The critic loss adds w·R per critic head: Q is pushed down where the soft maximum over all actions
 * puts its mass and up on the data, so actions the data never shows get low values and an actor
 * maximising Q stays near the data. Gradients: ∂R/∂Q(sᵢ, xᵢⱼ) = softmaxⱼ(Q − log ρ)ᵢⱼ / B and
 * ∂R/∂Q(sᵢ, aᵢ) = −1/B.
 *
 * Cal-QL floors the sampled values at a reference value of the behaviour policy, here the row's
 * discounted Monte-Carlo return-to-go Vᵘ(sᵢ): Q(sᵢ, xᵢⱼ) ← max(Q(sᵢ, xᵢⱼ), Vᵘ(sᵢ)) on the policy
 * samples, so the regulariser stops pushing a value down once it is at the data's return; a floored
 * sample has no gradient.
 */

export interface ConservativePenaltyResult {
  /** R, the batch's regulariser before the weight w: how far the soft maximum over actions sits above the data's value. */
  penalty: number;
  /** ∂R/∂Q(sᵢ, xᵢⱼ), [B × K] in the layout of the sampled values. */
  sampledGradient: Float64Array;
  /** ∂R/∂Q(sᵢ, aᵢ) for every row: −1/B. */
  dataGradient: number;
}

/**
 * R and its gradients for one critic head.
 * - `sampledQ` [B × K]: Q(sᵢ, xᵢⱼ), row i's K samples contiguous;
 * - `logDensities` [B × K]: log ρᵢⱼ of each sample;
 * - `dataQ` [B]: Q(sᵢ, aᵢ);
 * - `floors` (Cal-QL, optional) [B]: Vᵘ(sᵢ), applied to the samples j ≥ `floorFrom` of each row
 *   (−∞ where a row has none).
 */
export function conservativePenalty(
  sampledQ: ArrayLike<number>,
  logDensities: ArrayLike<number>,
  dataQ: ArrayLike<number>,
  rows: number,
  samplesPerRow: number,
  floors?: { values: ArrayLike<number>; floorFrom: number },
): ConservativePenaltyResult {
  if (rows <= 0 || samplesPerRow <= 0)
    throw new RangeError('the penalty needs at least one row and one sample');
  const k = samplesPerRow;
  const sampledGradient = new Float64Array(rows * k);
  const logits = new Float64Array(k);
  const logK = Math.log(k);
  let lseTotal = 0;
  let dataTotal = 0;
  for (let i = 0; i < rows; i++) {
    const floor = floors ? floors.values[i] : Number.NEGATIVE_INFINITY;
    let peak = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      let q = sampledQ[i * k + j];
      if (floors && j >= floors.floorFrom && floor > q) q = floor;
      logits[j] = q - logDensities[i * k + j];
      if (logits[j] > peak) peak = logits[j];
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      logits[j] = Math.exp(logits[j] - peak);
      sum += logits[j];
    }
    lseTotal += peak + Math.log(sum) - logK;
    dataTotal += dataQ[i];
    for (let j = 0; j < k; j++) {
      const floored = floors !== undefined && j >= floors.floorFrom && floor > sampledQ[i * k + j];
      sampledGradient[i * k + j] = floored ? 0 : logits[j] / sum / rows;
    }
  }
  return { penalty: (lseTotal - dataTotal) / rows, sampledGradient, dataGradient: -1 / rows };
}
