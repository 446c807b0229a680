/**
 * The per-step mathematics of ACER (Wang et al. 2017) as small pure functions over one row of
 * policy statistics: the policy-gradient "gain" and its gradient with respect to the statistics
 * (categorical probabilities f, or a diagonal Gaussian's mean and log σ), the gradient k of
 * KL(π_avg ‖ π) with respect to the same statistics, and the efficient trust-region projection
 * (§3.3). The learners back-propagate the projected statistics gradient through their networks.
 *
 * All weights in the gains (truncated importance weights, bias-correction weights, advantages)
 * are constants for the gradient, as in the paper and the reference implementations.
 */

/**
 * ε added inside log f and to μ in ρ = f/(μ + ε), as OpenAI baselines' acer (1e-6): keeps the
 * gradients finite where a probability underflows.
 */
export const PROBABILITY_EPSILON = 1e-6;

/** log √(2π). */
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** out[o + i] ← softmax(x[s + i]) for i < width, computed stably (max subtracted). */
export function softmaxInto(
  x: ArrayLike<number>,
  start: number,
  width: number,
  out: Float32Array | Float64Array,
  outStart: number,
): void {
  let max = -Infinity;
  for (let i = 0; i < width; i++) if (x[start + i] > max) max = x[start + i];
  let total = 0;
  for (let i = 0; i < width; i++) {
    const e = Math.exp(x[start + i] - max);
    out[outStart + i] = e;
    total += e;
  }
  for (let i = 0; i < width; i++) out[outStart + i] /= total;
}

/** Entropy H(f) = −Σ_a f(a)·log(f(a) + ε) of one categorical row (baselines' cat_entropy_softmax with ε). */
export function categoricalEntropy(f: ArrayLike<number>, start = 0, width = f.length): number {
  let h = 0;
  for (let i = 0; i < width; i++) h -= f[start + i] * Math.log(f[start + i] + PROBABILITY_EPSILON);
  return h;
}

/** KL(p ‖ q) = Σ_a p(a)·log(p(a)/q(a)) over one categorical row (terms with p(a) = 0 are 0). */
export function categoricalKl(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  start = 0,
  width = p.length,
): number {
  let kl = 0;
  for (let i = 0; i < width; i++) {
    const pi = p[start + i];
    if (pi > 0) kl += pi * Math.log(pi / q[start + i]);
  }
  return kl;
}

/** What one step's categorical gain needs besides the statistics f. */
export interface CategoricalGainTerms {
  /** Index of the action taken, a_t. */
  action: number;
  /** min(c, ρ_t)·(Q_ret − V): the weight of log f(a_t). */
  actionWeight: number;
  /** β_a = max(0, f(a) − c·μ(a))·(Q(x, a) − V) per action: the bias-correction weights of log f(a). */
  biasWeights: ArrayLike<number>;
  /** η, the entropy bonus. */
  entropyCoefficient: number;
}

/**
 * ACER's per-step policy gain in the categorical statistics f = π(·|x) (Wang et al. 2017, eq. 9,
 * with baselines' ε):
 *   G(f) = w·log(f(a_t) + ε) + Σ_a β_a·log(f(a) + ε) + η·H(f),
 * and its gradient g = ∂G/∂f:
 *   g(a) = [a = a_t]·w/(f(a) + ε) + β_a/(f(a) + ε) − η·(log(f(a) + ε) + f(a)/(f(a) + ε)).
 * Writes g into `out` and returns G.
 */
export function categoricalGain(
  f: ArrayLike<number>,
  terms: CategoricalGainTerms,
  out: Float32Array | Float64Array,
): number {
  const width = f.length;
  let gain = 0;
  for (let a = 0; a < width; a++) {
    const p = f[a];
    const shifted = p + PROBABILITY_EPSILON;
    const log = Math.log(shifted);
    const weight = terms.biasWeights[a] + (a === terms.action ? terms.actionWeight : 0);
    gain += weight * log - terms.entropyCoefficient * p * log;
    out[a] = weight / shifted - terms.entropyCoefficient * (log + p / shifted);
  }
  return gain;
}

/**
 * k = ∂KL(f_avg ‖ f)/∂f = −f_avg(a)/(f(a) + ε): the direction in the statistics that moves π
 * away from the average policy (baselines computes it in closed form the same way).
 */
export function categoricalKlGradient(
  averageProbs: ArrayLike<number>,
  f: ArrayLike<number>,
  out: Float32Array | Float64Array,
): void {
  for (let a = 0; a < f.length; a++) out[a] = -averageProbs[a] / (f[a] + PROBABILITY_EPSILON);
}

/**
 * Backward pass of the softmax f = softmax(ℓ): ∂L/∂ℓ_a = f(a)·(∂L/∂f(a) − Σ_b f(b)·∂L/∂f(b)).
 * Writes into `out` (may alias `gradient`).
 */
export function softmaxBackward(
  f: ArrayLike<number>,
  gradient: ArrayLike<number>,
  out: Float32Array | Float64Array,
): void {
  let dot = 0;
  for (let a = 0; a < f.length; a++) dot += f[a] * gradient[a];
  for (let a = 0; a < f.length; a++) out[a] = f[a] * (gradient[a] - dot);
}

/** The outcome of one trust-region projection. */
export interface TrustRegionStep {
  /** kᵀg before the projection. */
  kDotG: number;
  /** The multiplier max(0, (kᵀg − δ)/‖k‖²) of k; > 0 exactly when the constraint was active. */
  adjustment: number;
}

/**
 * ACER's efficient trust region (Wang et al. 2017, eq. 12–13): the solution of
 *   minimise ½‖g − z‖²  subject to  kᵀz ≤ δ
 * is z* = g − max(0, (kᵀg − δ)/‖k‖²)·k, so that kᵀz* = min(kᵀg, δ). Writes z* into `out` (may
 * alias `g`). `epsilon` guards ‖k‖² = 0 (baselines: 1e-6); then kᵀz* may exceed δ by at most
 * kᵀg·ε/(‖k‖² + ε).
 */
export function projectOntoTrustRegion(
  g: ArrayLike<number>,
  k: ArrayLike<number>,
  delta: number,
  out: Float32Array | Float64Array,
  epsilon = PROBABILITY_EPSILON,
): TrustRegionStep {
  let kDotG = 0;
  let kNorm = 0;
  for (let i = 0; i < g.length; i++) {
    kDotG += k[i] * g[i];
    kNorm += k[i] * k[i];
  }
  const excess = (kDotG - delta) / (kNorm + epsilon);
  const adjustment = excess > 0 ? excess : 0;
  for (let i = 0; i < g.length; i++) out[i] = g[i] - adjustment * k[i];
  return { kDotG, adjustment };
}

// ——— diagonal Gaussian statistics (mean m, log σ s), one row of d dimensions ———

/** log N(x; m, diag σ²) = Σ_j −½((x_j − m_j)/σ_j)² − s_j − ½ log 2π. */
export function gaussianLogDensity(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  d: number,
  xStart = 0,
  statisticsStart = 0,
): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    const s = logStd[statisticsStart + j];
    const z = (x[xStart + j] - mean[statisticsStart + j]) * Math.exp(-s);
    total += -0.5 * z * z - s - HALF_LOG_TWO_PI;
  }
  return total;
}

/**
 * Adds w·∂log N(x; m, σ)/∂(m, s) to (meanOut, logStdOut):
 *   ∂/∂m_j = (x_j − m_j)/σ_j²,  ∂/∂s_j = ((x_j − m_j)/σ_j)² − 1.
 */
export function addGaussianLogDensityGradient(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  d: number,
  weight: number,
  meanOut: Float32Array | Float64Array,
  logStdOut: Float32Array | Float64Array,
  xStart = 0,
): void {
  for (let j = 0; j < d; j++) {
    const inverseVariance = Math.exp(-2 * logStd[j]);
    const difference = x[xStart + j] - mean[j];
    meanOut[j] += weight * difference * inverseVariance;
    logStdOut[j] += weight * (difference * difference * inverseVariance - 1);
  }
}

/** Entropy of a diagonal Gaussian: Σ_j s_j + d·½(1 + log 2π); its gradient is 1 in each s_j, 0 in m. */
export function gaussianEntropy(logStd: ArrayLike<number>, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) total += logStd[j] + 0.5 + HALF_LOG_TWO_PI;
  return total;
}

/**
 * KL(N_avg ‖ N) of diagonal Gaussians = Σ_j [s_j − s̄_j + (σ̄_j² + (m̄_j − m_j)²)/(2σ_j²) − ½],
 * where (m̄, s̄) are the average policy's statistics.
 */
export function gaussianKl(
  averageMean: ArrayLike<number>,
  averageLogStd: ArrayLike<number>,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  d: number,
): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    const difference = averageMean[j] - mean[j];
    const ratio = Math.exp(2 * (averageLogStd[j] - logStd[j]));
    total +=
      logStd[j] - averageLogStd[j] + 0.5 * (ratio + difference * difference * Math.exp(-2 * logStd[j])) - 0.5;
  }
  return total;
}

/**
 * k = ∂KL(N_avg ‖ N)/∂(m, s):
 *   ∂/∂m_j = (m_j − m̄_j)/σ_j²,  ∂/∂s_j = 1 − (σ̄_j² + (m̄_j − m_j)²)/σ_j².
 */
export function gaussianKlGradient(
  averageMean: ArrayLike<number>,
  averageLogStd: ArrayLike<number>,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  d: number,
  meanOut: Float32Array | Float64Array,
  logStdOut: Float32Array | Float64Array,
): void {
  for (let j = 0; j < d; j++) {
    const inverseVariance = Math.exp(-2 * logStd[j]);
    const difference = mean[j] - averageMean[j];
    meanOut[j] = difference * inverseVariance;
    logStdOut[j] = 1 - (Math.exp(2 * averageLogStd[j]) + difference * difference) * inverseVariance;
  }
}

/**
 * The Gaussian head's statistics from the network's 2d outputs [u | v] of one row:
 *   m = tanh(u)  (the mean bounded to the action box, ChainerRL's bound_mean),
 *   s = s_min + (s_max − s_min)·sigmoid(v)  (log σ kept in its bounds with a gradient everywhere).
 */
export function gaussianHeadForward(
  outputs: ArrayLike<number>,
  start: number,
  d: number,
  logStdMin: number,
  logStdMax: number,
  meanOut: Float32Array | Float64Array,
  logStdOut: Float32Array | Float64Array,
  outStart = 0,
): void {
  for (let j = 0; j < d; j++) {
    meanOut[outStart + j] = Math.tanh(outputs[start + j]);
    const sigmoid = 1 / (1 + Math.exp(-outputs[start + d + j]));
    logStdOut[outStart + j] = logStdMin + (logStdMax - logStdMin) * sigmoid;
  }
}

/**
 * Backward pass of `gaussianHeadForward`: from ∂L/∂(m, s) to ∂L/∂(u, v),
 *   ∂L/∂u = ∂L/∂m·(1 − m²),  ∂L/∂v = ∂L/∂s·(s − s_min)(s_max − s)/(s_max − s_min).
 */
export function gaussianHeadBackward(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  meanGradient: ArrayLike<number>,
  logStdGradient: ArrayLike<number>,
  d: number,
  logStdMin: number,
  logStdMax: number,
  out: Float32Array | Float64Array,
  outStart: number,
): void {
  const range = logStdMax - logStdMin;
  for (let j = 0; j < d; j++) {
    out[outStart + j] = meanGradient[j] * (1 - mean[j] * mean[j]);
    out[outStart + d + j] = (logStdGradient[j] * (logStd[j] - logStdMin) * (logStdMax - logStd[j])) / range;
  }
}

// ——— summaries for the metrics ———

/** The q-quantile (0 ≤ q ≤ 1) of ascending `sorted` by linear interpolation (NaN when empty). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const low = Math.floor(position);
  const high = Math.min(n - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/**
 * Effective trace lengths of one window from its traces c̄_0 … c̄_{L−1}: for step t,
 *   ℓ_t = 1 + Σ_{j=1}^{L−1−t} Π_{i=1}^{j} c̄_{t+i},
 * the number of later TD errors that reach step t's Retrace target, each counted by its trace
 * product (discounts left out): L − t on-policy, 1 when every trace is cut. Writes ℓ into `out`.
 */
export function effectiveTraceLengths(
  traces: ArrayLike<number>,
  length: number,
  out: Float32Array | Float64Array,
): void {
  // ℓ_{L−1} = 1, ℓ_t = 1 + c̄_{t+1}·ℓ_{t+1}.
  let next = 0;
  for (let t = length - 1; t >= 0; t--) {
    const value = t === length - 1 ? 1 : 1 + traces[t + 1] * next;
    out[t] = value;
    next = value;
  }
}
