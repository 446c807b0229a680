/**
 * What ACER needs from returns (Wang, Bapst, Heess, Mnih, Munos, Kavukcuoglu, de Freitas, "Sample
 * efficient actor-critic with experience replay", ICLR 2017):
 *
 * - the Retrace target Q_ret, computed backwards over a k-step segment the way ACER does it (§3.1):
 *
 *     Q_ret ← V(x_k)                                           (the discount zeroes it at a terminal)
 *     for t = k−1 … 0:
 *       Q_ret ← r_t + γ_t·Q_ret                                this is step t's target
 *       Q_ret ← c̄_t·(Q_ret − Q(x_t, a_t)) + V(x_t)              carried to step t − 1
 *
 *   with c̄_t = min(1, ρ_t) for discrete actions and min(1, ρ_t^{1/d}) for d-dimensional
 *   continuous ones (§5.1), ρ_t = π(a_t|x_t)/μ(a_t|x_t). It is the general off-policy return of
 *   general.ts with traces c_{t+1} = c̄_{t+1}; with c̄ ≡ 1 it is the continuous ACER's Q_opc;
 * - the truncated importance weight ρ̄ = min(c, ρ) of the policy gradient (§3.2);
 * - the bias-correction coefficient [1 − c/ρ(a)]₊ of the same gradient, for every action a
 *   (§3.2), written without division as π(a)·[1 − c/ρ(a)]₊ = max(0, π(a) − c·μ(a)).
 *
 * Truncation with bias correction is unbiased: Σ_a μ(a)·min(c, ρ(a))·f(a) + Σ_a max(0, π(a) −
 * c·μ(a))·f(a) = Σ_a π(a)·f(a) for any f, since μ·min(c, ρ) + max(0, π − c·μ) = π.
 */
import { ReturnsInputError, requireFinite, requireVector } from './checks.js';

/** Truncated importance weight ρ̄ = min(c, ρ) (Wang et al. 2017, §3.2; the paper uses c = 10). */
export function truncatedImportanceWeight(rho: number, c: number): number {
  return rho < c ? rho : c;
}

/**
 * ACER's trace c̄ = min(1, ρ^{1/d}) for a d-dimensional action (Wang et al. 2017, §5.1); d = 1,
 * the default, gives the discrete min(1, ρ). An infinite ρ gives 1.
 */
export function acerTrace(rho: number, actionDimension = 1): number {
  const scaled = actionDimension === 1 ? rho : Math.pow(rho, 1 / actionDimension);
  return scaled < 1 ? scaled : 1;
}

/**
 * π(a)·[1 − c/ρ(a)]₊ = max(0, π(a) − c·μ(a)) with ρ(a) = π(a)/μ(a): the weight of action a in
 * ACER's bias-correction term E_{a∼π}[[1 − c/ρ(a)]₊·∇log π(a)·(Q(x, a) − V(x))] written as a sum
 * over actions (Wang et al. 2017, §3.2). No division, so μ(a) = 0 is fine (weight π(a)).
 */
export function biasCorrectionWeight(targetProb: number, behaviourProb: number, c: number): number {
  const excess = targetProb - c * behaviourProb;
  return excess > 0 ? excess : 0;
}

/**
 * `biasCorrectionWeight` for every entry: out[i] = max(0, π_i − c·μ_i), e.g. over the B×A
 * row-major probabilities of a batch.
 */
export function biasCorrectionWeights<Out extends Float32Array | Float64Array>(
  targetProbs: ArrayLike<number>,
  behaviourProbs: ArrayLike<number>,
  c: number,
  out: Out,
): Out {
  const n = targetProbs.length;
  if (behaviourProbs.length !== n) {
    throw new ReturnsInputError(
      'behaviourProbs',
      `needs ${n} entries (one per target probability), got ${behaviourProbs.length}`,
    );
  }
  if (out.length !== n) throw new ReturnsInputError('out', `needs ${n} entries, got ${out.length}`);
  if (!(c > 0)) throw new ReturnsInputError('c', `must be a number > 0, got ${String(c)}`);
  for (let i = 0; i < n; i++) out[i] = biasCorrectionWeight(targetProbs[i], behaviourProbs[i], c);
  return out;
}

export interface AcerSegment {
  /** r_t for t = 0…k−1. */
  rewards: ArrayLike<number>;
  /** γ_t = γ·(1 − terminal_t) for t = 0…k−1. */
  discounts: ArrayLike<number>;
  /** Q(x_t, a_t) for t = 0…k−1 (entry 0 does not affect the targets). */
  actionValues: ArrayLike<number>;
  /** V(x_t) = Σ_a π(a|x_t)·Q(x_t, a) for t = 0…k−1 (entry 0 does not affect the targets). */
  values: ArrayLike<number>;
  /** c̄_t for t = 0…k−1, e.g. `acerTrace(ρ_t, d)` (entry 0 does not affect the targets). */
  traces: ArrayLike<number>;
  /** V(x_k), the value after the last step (any finite number when step k−1 was terminal). */
  bootstrapValue: number;
}

/**
 * ACER's Q_ret(t) for t = 0…k−1 by the backward recursion in the header, written to `out`.
 * The segment must not cross from one episode into the next unless the step between them is
 * terminal (γ_t = 0 resets the recursion; a time-limit cut does not).
 */
export function acerRetraceTargets<Out extends Float32Array | Float64Array = Float64Array>(
  segment: AcerSegment,
  out?: Out,
): Out {
  const rewards = requireVector('rewards', segment.rewards);
  const k = rewards.length;
  if (k === 0) throw new ReturnsInputError('rewards', 'is empty; a segment needs at least one step');
  for (const field of ['discounts', 'actionValues', 'values', 'traces'] as const) {
    const array = requireVector(field, segment[field]);
    if (array.length !== k) {
      throw new ReturnsInputError(
        field,
        `needs k = ${k} entries (one per step, as rewards has), got ${array.length}`,
      );
    }
    requireFinite(field, array);
  }
  requireFinite('rewards', rewards);
  if (!Number.isFinite(segment.bootstrapValue)) {
    throw new ReturnsInputError(
      'bootstrapValue',
      `must be a finite number, got ${String(segment.bootstrapValue)}`,
    );
  }
  const target = out ?? (new Float64Array(k) as Out);
  if (target.length !== k) throw new ReturnsInputError('out', `needs k = ${k} entries, got ${target.length}`);
  const { discounts, actionValues, values, traces } = segment;
  let qRet = segment.bootstrapValue;
  for (let t = k - 1; t >= 0; t--) {
    qRet = rewards[t] + discounts[t] * qRet;
    target[t] = qRet;
    qRet = traces[t] * (qRet - actionValues[t]) + values[t];
  }
  return target;
}
