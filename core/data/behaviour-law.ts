/**
 * The exact law of a generating behaviour at one step, for the behaviour columns a dataset records
 * (core/data/behaviour-columns.ts). A behaviour proposes a centre action c and acts by one of
 *
 *   uniform    a ∼ U(A) (the random behaviour; c is already the sample);
 *   point      a = c (a deterministic controller or policy);
 *   gaussian   a = clip(c + σ·ε, low, high), ε ∼ N(0, I) (Box only);
 *
 * and with probability ε_r (the random-action rate) the action is replaced by a uniform one. The
 * statistics are recorded only where they describe that law exactly:
 *
 *   Discrete   μ(a|x) = (1 − ε_r)·μ_c(a|x) + ε_r/|A|, μ_c uniform or one-hot at c; recorded when
 *              the result is not one-hot (uniform, or ε_r > 0).
 *   Box        uniform: log μ(a|x) = −Σ_j log(high_j − low_j) (for any ε_r);
 *              gaussian with ε_r = 0: the mean c, log σ, and log μ(a|x) of the clipped Gaussian,
 *              Σ_j of log N(a_j; c_j, σ²) inside the bounds and log Φ((low_j − c_j)/σ) or
 *              log Φ((c_j − high_j)/σ) for a dimension clipped at a bound (the mass beyond it);
 *              nothing for a point behaviour (or σ = 0), and nothing for ε_r > 0 with a Gaussian, whose
 *              mixture with a uniform law has no Gaussian statistics.
 */

export type BehaviourLaw = { kind: 'uniform' } | { kind: 'point' } | { kind: 'gaussian'; std: number };

/** One step's statistics; each field is present exactly when the law determines it. */
export interface StepStatistics {
  logProb?: number;
  probs?: Float32Array;
  mean?: Float32Array;
  logStd?: Float32Array;
}

/** Statistics of a discrete step: the law, the centre action c, |A|, ε_r and the action taken. */
export function discreteStepStatistics(
  law: BehaviourLaw,
  centre: number,
  actionCount: number,
  randomActionRate: number,
  action: number,
): StepStatistics {
  if (law.kind === 'gaussian') throw new RangeError('a Gaussian behaviour needs a Box action space');
  if (law.kind === 'point' && randomActionRate === 0) return {};
  const probs = new Float32Array(actionCount);
  const uniform = law.kind === 'uniform' ? 1 : randomActionRate;
  for (let a = 0; a < actionCount; a++) probs[a] = uniform / actionCount;
  if (law.kind === 'point') probs[centre] += 1 - randomActionRate;
  return { probs, logProb: Math.log(probs[action]) };
}

/** Statistics of a Box step: the law, the centre c (before noise), the bounds, ε_r and the action taken. */
export function boxStepStatistics(
  law: BehaviourLaw,
  centre: Float32Array,
  low: Float32Array,
  high: Float32Array,
  randomActionRate: number,
  action: Float32Array,
): StepStatistics {
  if (law.kind === 'uniform') {
    let logDensity = 0;
    for (let j = 0; j < low.length; j++) logDensity -= Math.log(high[j] - low[j]);
    return { logProb: logDensity };
  }
  if (law.kind === 'point' || law.std === 0 || randomActionRate > 0) return {};
  const logStd = Math.log(law.std);
  return {
    mean: Float32Array.from(centre),
    logStd: new Float32Array(centre.length).fill(logStd),
    logProb: clippedGaussianLogLikelihood(action, centre, law.std, low, high),
  };
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log-likelihood of `action` = clip(mean + std·ε, low, high), ε ∼ N(0, I): per dimension the
 * Gaussian log density inside the bounds, and the log mass beyond a bound the value sits on.
 */
export function clippedGaussianLogLikelihood(
  action: ArrayLike<number>,
  mean: ArrayLike<number>,
  std: number,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
): number {
  let total = 0;
  for (let j = 0; j < action.length; j++) {
    const a = action[j];
    if (a <= low[j]) total += logNormalCdf((low[j] - mean[j]) / std);
    else if (a >= high[j]) total += logNormalCdf((mean[j] - high[j]) / std);
    else {
      const z = (a - mean[j]) / std;
      total += -0.5 * z * z - Math.log(std) - LOG_SQRT_2PI;
    }
  }
  return total;
}

/**
 * log Φ(z) for the standard normal CDF, finite for every finite z. Uses the Chebyshev fit of erfc
 * in Numerical Recipes (erfc(x) = t·exp(−x² + P(t)), t = 1/(1 + x/2), fractional error < 1.2·10⁻⁷
 * for x ≥ 0), whose logarithm never underflows.
 */
export function logNormalCdf(z: number): number {
  const x = -z / Math.SQRT2; // Φ(z) = erfc(x)/2
  if (x >= 0) return logErfcNonNegative(x) - Math.LN2;
  return Math.log1p(-0.5 * Math.exp(logErfcNonNegative(-x))); // erfc(x) = 2 − erfc(−x)
}

function logErfcNonNegative(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const polynomial =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + polynomial;
}
