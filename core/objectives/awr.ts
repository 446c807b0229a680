/**
 * Advantage-weighted regression (AWR; Peng, Kumar, Zhang & Levine 2019, arXiv 1910.00177) as the
 * in-sample objectives extract their policy (IQL, Kostrikov et al. 2022, eq. 7; XQL, Garg et al.
 * 2023): maximise the likelihood of the dataset's actions, each weighted by its exponentiated advantage,
 *   L(π) = −mean wᵢ·log π(aᵢ|sᵢ),  wᵢ = min(exp(Aᵢ/T), w_max),  Aᵢ = q̃ᵢ − V(sᵢ),
 * with q̃ = min Qᵗ(s, a) at the dataset action and V the in-sample value. The weights are constants
 * for the gradient. IQL's inverse temperature β is 1/T (IQL AntMaze: β = 10, w_max = 100).
 *
 * For the tanh-Gaussian head the likelihood is taken in the pre-squash space: u = atanh(a) with a
 * clipped to ±ACTION_LIMIT (saturated dataset actions would otherwise map to ±∞),
 *   log π(a|s) = Σⱼ [−½((uⱼ − μⱼ)/σⱼ)² − log σⱼ − ½ log 2π − log(1 − aⱼ²)],
 * whose last term does not depend on the network; so with n rows and log σ = clip(raw, min, max)
 *   ∂L/∂μⱼ = −(wᵢ/n)·(uⱼ − μⱼ)/σⱼ²,   ∂L/∂rawⱼ = −(wᵢ/n)·((uⱼ − μⱼ)²/σⱼ² − 1)·1[raw inside the clip].
 *
 * Self-normalised weights (`normalise`): wᵢ = min(n·exp(Aᵢ/T)/Σⱼ exp(Aⱼ/T), w_max), a softmax over
 * the batch scaled to mean 1 before the clip (the sample-based E-step of MPO, Abdolmaleki et al.
 * 2018, whose temperature holds a KL bound; here the agent picks T from the batch so that the
 * weights' ESS is a set share of n, core/common/tempered-ess.ts). The weights then do not change
 * when every advantage moves by a constant, and with T chosen from the batch they do not change when
 * the rewards are scaled either: the actor's update no longer depends on the reward convention.
 *
 * The `action-space` likelihood is the official IQL code's (its NormalTanhPolicy with
 * tanh_squash_distribution = False): a Gaussian in the action space centred on the squashed mean
 * m = tanh μ, so saturated dataset actions sit at the edge of the mean's range rather than at atanh(±0.999),
 *   log π(a|s) = Σⱼ [−½((aⱼ − mⱼ)/σⱼ)² − log σⱼ − ½ log 2π],
 *   ∂L/∂μⱼ = −(wᵢ/n)·(aⱼ − mⱼ)/σⱼ²·(1 − mⱼ²),   ∂L/∂rawⱼ as above with aⱼ − mⱼ for uⱼ − μⱼ.
 */

/** Dataset actions are clipped to ±ACTION_LIMIT before atanh (atanh(0.999) ≈ 3.8). */
export const ACTION_LIMIT = 0.999;

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

export interface AwrOptions {
  /** T in exp(A/T) (> 0). */
  temperature: number;
  /** Upper clip of the weight (> 1). */
  weightClip: number;
  logStdMin: number;
  logStdMax: number;
  /** Where the Gaussian's likelihood is taken: pre-squash (`squashed`, the default) or `action-space` (IQL's code). */
  likelihood?: AwrLikelihood;
  /** Self-normalise: n·softmax(A/T) over the batch instead of exp(A/T), then the clip. */
  normalise?: boolean;
}

export const AWR_LIKELIHOODS = ['squashed', 'action-space'] as const;
export type AwrLikelihood = (typeof AWR_LIKELIHOODS)[number];

/** The clipped AWR weight min(exp(A/T), w_max), computed without overflow. */
export function awrWeight(advantage: number, temperature: number, weightClip: number): number {
  return Math.exp(Math.min(advantage / temperature, Math.log(weightClip)));
}

export interface AwrResult {
  /** −mean wᵢ·log π(aᵢ|sᵢ). */
  loss: number;
  /** dL/d[μ | raw log σ], [rows × 2·width]. */
  outputGradient: Float32Array;
  weightMean: number;
  weightMax: number;
  /** Share of rows whose weight hit the clip. */
  clippedFraction: number;
  advantageMean: number;
  /** Kish's ESS of the clipped weights over n: (Σw)²/(n·Σw²), 1 when all are equal. */
  essFraction: number;
}

/**
 * The AWR loss and its gradient with respect to the actor's outputs [μ | raw log σ] ([rows × 2·width]),
 * for dataset actions a [rows × width] in [−1, 1], targets q̃ and values V per row.
 */
export function awrActorGradient(
  outputs: ArrayLike<number>,
  actions: ArrayLike<number>,
  targetQ: ArrayLike<number>,
  values: ArrayLike<number>,
  rows: number,
  width: number,
  options: AwrOptions,
): AwrResult {
  const { temperature, weightClip, logStdMin, logStdMax } = options;
  const actionSpace = options.likelihood === 'action-space';
  if (!(temperature > 0)) throw new RangeError(`AWR temperature must be positive, got ${temperature}`);
  if (!(weightClip > 1)) throw new RangeError(`AWR weight clip must exceed 1, got ${weightClip}`);
  const outputGradient = new Float32Array(rows * 2 * width);
  const weights = awrWeights(targetQ, values, rows, temperature, weightClip, options.normalise ?? false);
  let loss = 0;
  let weightTotal = 0;
  let weightSquares = 0;
  let weightMax = 0;
  let advantageTotal = 0;
  for (let r = 0; r < rows; r++) {
    advantageTotal += targetQ[r] - values[r];
    const weight = weights.values[r];
    weightTotal += weight;
    weightSquares += weight * weight;
    weightMax = Math.max(weightMax, weight);
    let logProb = 0;
    for (let j = 0; j < width; j++) {
      const mean = outputs[r * 2 * width + j];
      const raw = outputs[r * 2 * width + width + j];
      const logStd = Math.min(Math.max(raw, logStdMin), logStdMax);
      const variance = Math.exp(2 * logStd);
      let residual: number;
      let meanSlope = 1;
      if (actionSpace) {
        const squashedMean = Math.tanh(mean);
        residual = actions[r * width + j] - squashedMean;
        meanSlope = 1 - squashedMean * squashedMean;
      } else {
        const a = Math.min(Math.max(actions[r * width + j], -ACTION_LIMIT), ACTION_LIMIT);
        residual = Math.atanh(a) - mean;
        logProb -= Math.log(1 - a * a);
      }
      const squared = (residual * residual) / variance;
      logProb += -0.5 * squared - logStd - HALF_LOG_TWO_PI;
      outputGradient[r * 2 * width + j] = (-(weight / rows) * residual * meanSlope) / variance;
      outputGradient[r * 2 * width + width + j] =
        raw > logStdMin && raw < logStdMax ? -(weight / rows) * (squared - 1) : 0;
    }
    loss -= (weight * logProb) / rows;
  }
  return {
    loss,
    outputGradient,
    weightMean: weightTotal / rows,
    weightMax,
    clippedFraction: weights.clipped / rows,
    advantageMean: advantageTotal / rows,
    essFraction: weightSquares > 0 ? (weightTotal * weightTotal) / (rows * weightSquares) : 0,
  };
}

/** The clipped AWR weights of the rows, exp(A/T) or n·softmax(A/T), and how many hit the clip. */
function awrWeights(
  targetQ: ArrayLike<number>,
  values: ArrayLike<number>,
  rows: number,
  temperature: number,
  weightClip: number,
  normalise: boolean,
): { values: Float64Array; clipped: number } {
  const logClip = Math.log(weightClip);
  const exponents = new Float64Array(rows);
  let largest = -Infinity;
  for (let r = 0; r < rows; r++) {
    exponents[r] = (targetQ[r] - values[r]) / temperature;
    largest = Math.max(largest, exponents[r]);
  }
  if (normalise) {
    // log(n·e^{xᵢ}/Σe^{xⱼ}) = xᵢ − LSE(x) + log n, with LSE shifted by the largest exponent.
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += Math.exp(exponents[r] - largest);
    const shift = largest + Math.log(sum) - Math.log(rows);
    for (let r = 0; r < rows; r++) exponents[r] -= shift;
  }
  let clipped = 0;
  for (let r = 0; r < rows; r++) {
    if (exponents[r] >= logClip) clipped++;
    exponents[r] = Math.exp(Math.min(exponents[r], logClip));
  }
  return { values: exponents, clipped };
}
