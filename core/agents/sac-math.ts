/**
 * The per-sample mathematics of SAC + ROER as small pure functions on host arrays. The learner runs
 * the matrix products on the tensor backend and everything row-wise here, where a batch is a few
 * hundred numbers: these are cheap, exact in float64 and testable on hand-computed inputs.
 *
 * Sources: SAC with learned temperature (Haarnoja et al. 2018, arXiv 1812.05905); ROER (Li et al.
 * 2024, arXiv 2407.03995) and its official code (critic.py, actor.py, temperature.py, sac_learner.py).
 */

/** Huber loss: ½x² for |x| ≤ δ, δ(|x| − ½δ) beyond (Huber 1964; official critic loss, δ = 20). */
export function huber(x: number, delta: number): number {
  const magnitude = Math.abs(x);
  return magnitude <= delta ? 0.5 * x * x : delta * (magnitude - 0.5 * delta);
}

/** d huber(x, δ)/dx = clip(x, −δ, δ). */
export function huberGradient(x: number, delta: number): number {
  return x > delta ? delta : x < -delta ? -delta : x;
}

/**
 * SAC soft TD target with entropy in the backup:
 *   y = r + γ·mask·(min(Q₁ᵗ, Q₂ᵗ)(s′, a′) − α·log π(a′|s′)),  a′ ∼ π(·|s′).
 */
export function softTdTarget(
  reward: number,
  mask: number,
  nextQ1: number,
  nextQ2: number,
  nextLogProb: number,
  alpha: number,
  discount: number,
): number {
  return reward + discount * mask * (Math.min(nextQ1, nextQ2) - alpha * nextLogProb);
}

/** ROER TD error from the value net: δ = r + γ·mask·V(s′) − V(s). */
export function valueTdError(
  reward: number,
  mask: number,
  nextValue: number,
  value: number,
  discount: number,
): number {
  return reward + discount * mask * nextValue - value;
}

/**
 * Gradient penalty on one row of ∂Q/∂a (official critic.py, WGAN-LP style): max(‖g‖ − 1, 0)².
 * Returns the penalty and writes d penalty/dg · scale into `out` from `outOffset` (zero when ‖g‖ ≤ 1).
 */
export function gradientPenaltyRow(
  gradient: ArrayLike<number>,
  offset: number,
  width: number,
  scale: number,
  out: Float32Array,
  outOffset = offset,
): number {
  let squared = 0;
  for (let j = 0; j < width; j++) squared += gradient[offset + j] ** 2;
  const norm = Math.sqrt(squared);
  const excess = norm - 1;
  if (excess <= 0) {
    for (let j = 0; j < width; j++) out[outOffset + j] = 0;
    return 0;
  }
  const factor = (scale * 2 * excess) / norm;
  for (let j = 0; j < width; j++) out[outOffset + j] = factor * gradient[offset + j];
  return excess * excess;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log(1 + eˣ) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Result of sampling a tanh-squashed Gaussian policy for a batch. */
export interface TanhGaussianSample {
  /** a = tanh(u), [rows × width]. */
  actions: Float32Array;
  /** log π(a|s) per row. */
  logProbs: Float64Array;
  /** σ after clipping log σ, [rows × width] (kept for the backward pass). */
  stds: Float32Array;
  /** 1 where log σ was inside its clip range (the gradient passes), else 0. */
  logStdInside: Uint8Array;
}

/**
 * Reparameterised sample of the tanh-Gaussian policy from network outputs [mean | raw log σ]
 * ([rows × 2·width], row-major) and standard normal noise ε [rows × width]:
 *   log σ = clip(raw, min, max), u = μ + σ·ε, a = tanh(u),
 *   log π(a|s) = Σⱼ [−½εⱼ² − ½log 2π − log σⱼ − log(1 − tanh² uⱼ)],
 *   with log(1 − tanh² u) = 2(log 2 − u − softplus(−2u)) for stability.
 * ε = 0 gives the deterministic action tanh(μ).
 */
export function sampleTanhGaussian(
  outputs: ArrayLike<number>,
  noise: ArrayLike<number>,
  rows: number,
  width: number,
  logStdMin: number,
  logStdMax: number,
): TanhGaussianSample {
  const actions = new Float32Array(rows * width);
  const logProbs = new Float64Array(rows);
  const stds = new Float32Array(rows * width);
  const logStdInside = new Uint8Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let logProb = 0;
    for (let j = 0; j < width; j++) {
      const mean = outputs[r * 2 * width + j];
      const raw = outputs[r * 2 * width + width + j];
      const logStd = Math.min(Math.max(raw, logStdMin), logStdMax);
      const std = Math.exp(logStd);
      const epsilon = noise[r * width + j];
      const u = mean + std * epsilon;
      const index = r * width + j;
      actions[index] = Math.tanh(u);
      stds[index] = std;
      logStdInside[index] = raw > logStdMin && raw < logStdMax ? 1 : 0;
      const logOneMinusTanhSquared = 2 * (Math.LN2 - u - softplus(-2 * u));
      logProb += -0.5 * epsilon * epsilon - HALF_LOG_TWO_PI - logStd - logOneMinusTanhSquared;
    }
    logProbs[r] = logProb;
  }
  return { actions, logProbs, stds, logStdInside };
}

/**
 * Gradient of the SAC actor loss L = (1/n)·Σᵢ [α·log π(aᵢ|sᵢ) − Q(sᵢ, aᵢ)] with respect to the
 * network outputs [mean | raw log σ], given ∂Q/∂a per row (`actionGradient`) and the sample:
 *   ∂L/∂μⱼ = (1/n)·[2α·aⱼ − ∂Q/∂aⱼ·(1 − aⱼ²)],
 *   ∂L/∂rawⱼ = (1/n)·1[inside clip]·[α(2aⱼσⱼεⱼ − 1) − ∂Q/∂aⱼ·(1 − aⱼ²)σⱼεⱼ]
 * (ε fixed: the reparameterisation trick).
 */
export function tanhGaussianActorGradient(
  sample: TanhGaussianSample,
  noise: ArrayLike<number>,
  actionGradient: ArrayLike<number>,
  alpha: number,
  rows: number,
  width: number,
): Float32Array {
  const out = new Float32Array(rows * 2 * width);
  const scale = 1 / rows;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) {
      const index = r * width + j;
      const a = sample.actions[index];
      const dTanh = 1 - a * a;
      const dQ = actionGradient[index];
      const sigmaEpsilon = sample.stds[index] * noise[index];
      out[r * 2 * width + j] = scale * (2 * alpha * a - dQ * dTanh);
      out[r * 2 * width + width + j] = sample.logStdInside[index]
        ? scale * (alpha * (2 * a * sigmaEpsilon - 1) - dQ * dTanh * sigmaEpsilon)
        : 0;
    }
  }
  return out;
}

/** Temperature loss α·(H − H̄) with H = −mean log π; returns the loss and d/d log α (= the loss). */
export function temperatureLoss(alpha: number, entropy: number, targetEntropy: number): number {
  return alpha * (entropy - targetEntropy);
}

/**
 * A learning rate η at progress p ∈ [0, 1] of the run: `constant` η, or `cosine`
 * η·½(1 + cos(π·p)) (Loshchilov & Hutter 2017 without restarts; optax.cosine_decay_schedule as
 * the official IQL code uses it on its actor), which starts at η, halves at p = ½ and ends at 0.
 */
export function scheduledLearningRate(
  rate: number,
  schedule: 'constant' | 'cosine',
  progress: number,
): number {
  if (schedule === 'constant') return rate;
  const p = Math.min(1, Math.max(0, progress));
  return rate * 0.5 * (1 + Math.cos(Math.PI * p));
}
