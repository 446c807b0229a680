/**
 * The general off-policy return with traces c_s (Munos, Stepleton, Harutyunyan, Bellemare, "Safe
 * and efficient off-policy reinforcement learning", NeurIPS 2016, §2). Its expected operator is
 *
 *   RQ(x, a) = Q(x, a) + E_μ[ Σ_{t≥0} γ^t (Π_{s=1..t} c_s) (r_t + γ·E_π Q(x_{t+1}, ·) − Q(x_t, a_t)) ],
 *
 * and on one sequence of T steps, bootstrapped at x_T, the sampled return G_t that estimates it
 * is computed backwards:
 *
 *   G_{T−1} = r_{T−1} + γ_{T−1}·V(x_T)
 *   G_t     = r_t + γ_t·[ V(x_{t+1}) − c_{t+1}·Q(x_{t+1}, a_{t+1}) + c_{t+1}·G_{t+1} ],
 *
 * with V(x) = E_π Q(x, ·) = Σ_a π(a|x)·Q(x, a) and per-step discounts γ_t = γ·(1 − terminal_t).
 * Unrolled, it is the forward sum G_t = Q(x_t, a_t) + Σ_{s=t..T−1} (Π_{u=t..s−1} γ_u)
 * (Π_{u=t+1..s} c_u)·[r_s + γ_s·V(x_{s+1}) − Q(x_s, a_s)], whatever the value of Q(x_t, a_t).
 * The choice of c gives importance sampling, Q^π(λ), tree-backup or Retrace (see traces.ts).
 */
import { ReturnsInputError, requireFinite, requireVector } from './checks.js';

export interface OffPolicyReturnInputs {
  /** r_t for t = 0…T−1: the reward after action a_t. */
  rewards: ArrayLike<number>;
  /** γ_t = γ·(1 − terminal_t) for t = 0…T−1; 0 when the episode ended at step t. */
  discounts: ArrayLike<number>;
  /** V(x_s) = E_π Q(x_s, ·) for s = 1…T (entry i holds time i + 1). */
  expectedValues: ArrayLike<number>;
  /**
   * Q(x_s, a_s) for s = 1…T−1 (entry i holds time i + 1). A T-th entry (time T) may be given;
   * it is not read, since the last return bootstraps fully on V(x_T).
   */
  actionValues: ArrayLike<number>;
  /** c_s for s = 1…T−1 (entry i holds time i + 1); a T-th entry may be given and is not read. */
  traces: ArrayLike<number>;
}

/** Sequence length T of the inputs, after checking that every array has a length that fits. */
function checkOffPolicyReturnInputs(inputs: OffPolicyReturnInputs): number {
  const rewards = requireVector('rewards', inputs.rewards);
  const discounts = requireVector('discounts', inputs.discounts);
  const expectedValues = requireVector('expectedValues', inputs.expectedValues);
  const actionValues = requireVector('actionValues', inputs.actionValues);
  const traces = requireVector('traces', inputs.traces);
  const T = rewards.length;
  if (T === 0) throw new ReturnsInputError('rewards', 'is empty; a sequence needs at least one step');
  const sameT: [string, ArrayLike<number>, string][] = [
    ['discounts', discounts, 'γ_t for t = 0…T−1'],
    ['expectedValues', expectedValues, 'V(x_s) for s = 1…T'],
  ];
  for (const [field, array, meaning] of sameT) {
    if (array.length !== T) {
      throw new ReturnsInputError(
        field,
        `needs T = ${T} entries (${meaning}, as rewards has), got ${array.length}`,
      );
    }
  }
  for (const [field, array, meaning] of [
    ['actionValues', actionValues, 'Q(x_s, a_s) for s = 1…T−1'],
    ['traces', traces, 'c_s for s = 1…T−1'],
  ] as const) {
    if (array.length !== T - 1 && array.length !== T) {
      throw new ReturnsInputError(
        field,
        `needs T − 1 = ${T - 1} entries (${meaning}; a T-th is allowed and not read), got ${array.length}`,
      );
    }
  }
  requireFinite('rewards', rewards);
  requireFinite('discounts', discounts);
  requireFinite('expectedValues', expectedValues);
  for (let i = 0; i < T - 1; i++) {
    if (!Number.isFinite(actionValues[i])) {
      throw new ReturnsInputError(
        `actionValues[${i}]`,
        `must be a finite number, got ${String(actionValues[i])}`,
      );
    }
    if (!(traces[i] >= 0 && Number.isFinite(traces[i]))) {
      throw new ReturnsInputError(`traces[${i}]`, `must be a finite number ≥ 0, got ${String(traces[i])}`);
    }
  }
  return T;
}

/**
 * The returns G_0…G_{T−1} of the general off-policy recursion above, written to `out` (length T).
 * Checks the shapes and values of its inputs.
 */
export function generalOffPolicyReturns<Out extends Float32Array | Float64Array = Float64Array>(
  inputs: OffPolicyReturnInputs,
  out?: Out,
): Out {
  const T = checkOffPolicyReturnInputs(inputs);
  const target = out ?? (new Float64Array(T) as Out);
  if (target.length !== T) throw new ReturnsInputError('out', `needs T = ${T} entries, got ${target.length}`);
  const { rewards, discounts, expectedValues, actionValues, traces } = inputs;
  let g = rewards[T - 1] + discounts[T - 1] * expectedValues[T - 1];
  target[T - 1] = g;
  for (let t = T - 2; t >= 0; t--) {
    // Entry t of the "next" arrays holds time t + 1.
    g = rewards[t] + discounts[t] * (expectedValues[t] + traces[t] * (g - actionValues[t]));
    target[t] = g;
  }
  return target;
}
