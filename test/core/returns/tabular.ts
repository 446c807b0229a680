/**
 * Small finite MDPs and the exact (expected, not sampled) return operators on them, for the
 * tests of core/returns. State–action pairs are indexed i = x·A + a.
 *
 * With traces c(x, a), the general operator of Munos et al. (2016) is
 *   RQ = Q + Σ_{t≥0} Mᵗ δ,   δ(x, a) = r(x, a) + γ Σ_{x'} P(x'|x, a) Σ_{a'} π(a'|x') Q(x', a') − Q(x, a),
 *   M[(x, a), (x', a')] = γ·P(x'|x, a)·μ(a'|x')·c(x', a'),
 * since E_μ[γᵗ Π_{s=1..t} c_s δ(x_t, a_t) | x_0, a_0] = (Mᵗ δ)(x_0, a_0). The infinite sum is
 * (I − M)⁻¹ δ, solved exactly here; a horizon H keeps the first H terms.
 */
import fc from 'fast-check';

export interface TabularMdp {
  states: number;
  actions: number;
  gamma: number;
  /** P(x'|x, a) at [(x·A + a)·S + x']. */
  transitions: Float64Array;
  /** r(x, a) at x·A + a. */
  rewards: Float64Array;
}

/** A policy as S×A row-major probabilities. */
export type Policy = Float64Array;

/**
 * A number in [min, max], uniform over the range (fast-check's `double` is uniform over the
 * representable doubles, so most of its draws sit next to 0), with the endpoints now and then.
 */
export function spread(min: number, max: number): fc.Arbitrary<number> {
  const steps = 1 << 20;
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
    {
      weight: 6,
      arbitrary: fc.noBias(fc.integer({ min: 0, max: steps })).map((i) => min + ((max - min) * i) / steps),
    },
  );
}

const weight = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: spread(0.01, 1) });

/** A distribution over n outcomes (some may be 0) — or over n strictly positive ones. */
export function distribution(n: number, strictlyPositive = false): fc.Arbitrary<number[]> {
  const entry = strictlyPositive ? spread(0.01, 1) : weight;
  return fc
    .array(entry, { minLength: n, maxLength: n })
    .filter((w) => w.reduce((a, b) => a + b, 0) > 0)
    .map((w) => {
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / total);
    });
}

/** A policy over S states and A actions; `strictlyPositive` for a behaviour that tries everything. */
export function policyArbitrary(
  states: number,
  actions: number,
  strictlyPositive = false,
): fc.Arbitrary<Policy> {
  return fc
    .array(distribution(actions, strictlyPositive), { minLength: states, maxLength: states })
    .map((rows) => Float64Array.from(rows.flat()));
}

export function mdpArbitrary(
  sizes: { states: number; actions: number },
  gamma: fc.Arbitrary<number> = spread(0, 0.95),
): fc.Arbitrary<TabularMdp> {
  const { states, actions } = sizes;
  return fc.record({
    states: fc.constant(states),
    actions: fc.constant(actions),
    gamma,
    transitions: fc
      .array(distribution(states), { minLength: states * actions, maxLength: states * actions })
      .map((rows) => Float64Array.from(rows.flat())),
    rewards: fc
      .array(spread(-1, 1), {
        minLength: states * actions,
        maxLength: states * actions,
      })
      .map((r) => Float64Array.from(r)),
  });
}

export function qArbitrary(states: number, actions: number): fc.Arbitrary<Float64Array> {
  return fc
    .array(spread(-5, 5), {
      minLength: states * actions,
      maxLength: states * actions,
    })
    .map((q) => Float64Array.from(q));
}

/** V(x) = Σ_a π(a|x)·Q(x, a). */
export function expectedValue(mdp: TabularMdp, pi: Policy, q: ArrayLike<number>, x: number): number {
  let v = 0;
  for (let a = 0; a < mdp.actions; a++) v += pi[x * mdp.actions + a] * q[x * mdp.actions + a];
  return v;
}

/** One-step TD error under π of every pair: δ = r + γ·P·V_π(Q) − Q. */
export function expectedTdErrors(mdp: TabularMdp, pi: Policy, q: ArrayLike<number>): Float64Array {
  const { states, actions, gamma, transitions, rewards } = mdp;
  const n = states * actions;
  const values = Array.from({ length: states }, (_, x) => expectedValue(mdp, pi, q, x));
  const delta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let next = 0;
    for (let y = 0; y < states; y++) next += transitions[i * states + y] * values[y];
    delta[i] = rewards[i] + gamma * next - q[i];
  }
  return delta;
}

/** M[(x, a), (x', a')] = γ·P(x'|x, a)·μ(a'|x')·c(x', a'), as an n×n row-major matrix. */
export function traceKernel(mdp: TabularMdp, mu: Policy, traces: ArrayLike<number>): Float64Array {
  const { states, actions, gamma, transitions } = mdp;
  const n = states * actions;
  const kernel = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < states; y++) {
      const p = transitions[i * states + y];
      for (let b = 0; b < actions; b++) {
        const j = y * actions + b;
        kernel[i * n + j] = gamma * p * mu[j] * traces[j];
      }
    }
  }
  return kernel;
}

function multiply(matrix: Float64Array, vector: ArrayLike<number>): Float64Array {
  const n = vector.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[i * n + j] * vector[j];
    out[i] = sum;
  }
  return out;
}

/** Solve (I − K)·x = b by Gaussian elimination with partial pivoting. */
export function solveIdentityMinus(kernel: Float64Array, b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const a = new Float64Array(n * (n + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * (n + 1) + j] = (i === j ? 1 : 0) - kernel[i * n + j];
    a[i * (n + 1) + n] = b[i];
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r * (n + 1) + col]) > Math.abs(a[pivot * (n + 1) + col])) pivot = r;
    }
    if (pivot !== col) {
      for (let j = 0; j <= n; j++) {
        const tmp = a[col * (n + 1) + j];
        a[col * (n + 1) + j] = a[pivot * (n + 1) + j];
        a[pivot * (n + 1) + j] = tmp;
      }
    }
    const diagonal = a[col * (n + 1) + col];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r * (n + 1) + col] / diagonal;
      if (factor === 0) continue;
      for (let j = col; j <= n; j++) a[r * (n + 1) + j] -= factor * a[col * (n + 1) + j];
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * (n + 1) + n] / a[i * (n + 1) + i]);
}

/** The exact operator RQ = Q + (I − M)⁻¹ δ (infinite horizon). */
export function returnOperator(
  mdp: TabularMdp,
  pi: Policy,
  mu: Policy,
  traces: ArrayLike<number>,
  q: ArrayLike<number>,
): Float64Array {
  const correction = solveIdentityMinus(traceKernel(mdp, mu, traces), expectedTdErrors(mdp, pi, q));
  return Float64Array.from(q, (value, i) => value + correction[i]);
}

/** The operator over a horizon of H steps, bootstrapped after: RQ = Q + Σ_{t<H} Mᵗ δ. */
export function truncatedReturnOperator(
  mdp: TabularMdp,
  pi: Policy,
  mu: Policy,
  traces: ArrayLike<number>,
  q: ArrayLike<number>,
  horizon: number,
): Float64Array {
  const kernel = traceKernel(mdp, mu, traces);
  let term: Float64Array = expectedTdErrors(mdp, pi, q);
  const out = Float64Array.from(q);
  for (let t = 0; t < horizon; t++) {
    for (let i = 0; i < out.length; i++) out[i] += term[i];
    term = multiply(kernel, term);
  }
  return out;
}

/** Q^π = (I − γ·P_π)⁻¹ r, with P_π[(x, a), (x', a')] = P(x'|x, a)·π(a'|x'). */
export function policyValue(mdp: TabularMdp, pi: Policy): Float64Array {
  // γ·P_π is the trace kernel with behaviour π and traces 1.
  return solveIdentityMinus(traceKernel(mdp, pi, new Float64Array(pi.length).fill(1)), mdp.rewards);
}

/** (T^π)^H Q: H applications of the one-step Bellman operator of π. */
export function bellmanPower(
  mdp: TabularMdp,
  pi: Policy,
  q: ArrayLike<number>,
  horizon: number,
): Float64Array {
  let current = Float64Array.from(q);
  for (let h = 0; h < horizon; h++) {
    const delta = expectedTdErrors(mdp, pi, current);
    current = Float64Array.from(current, (value, i) => value + delta[i]);
  }
  return current;
}

/**
 * The sup-norm modulus of an affine operator Q ↦ L·Q + b on n-vectors: ‖L‖∞, the largest absolute
 * row sum of L, with column j of L read as apply(e_j) − apply(0). It is the smallest κ with
 * ‖apply(Q₁) − apply(Q₂)‖∞ ≤ κ·‖Q₁ − Q₂‖∞ for all Q₁, Q₂.
 */
export function supNormModulus(apply: (q: Float64Array) => Float64Array, n: number): number {
  const origin = apply(new Float64Array(n));
  const rowSums = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const unit = new Float64Array(n);
    unit[j] = 1;
    const column = apply(unit);
    for (let i = 0; i < n; i++) rowSums[i] += Math.abs(column[i] - origin[i]);
  }
  return Math.max(...rowSums);
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export interface Trajectory {
  probability: number;
  /** x_0…x_H. */
  states: number[];
  /** a_0…a_{H−1}. */
  actions: number[];
}

/**
 * Every trajectory of H steps from (x_0, a_0) under μ with its probability
 * Π_t P(x_{t+1}|x_t, a_t)·Π_{t=1..H−1} μ(a_t|x_t); those of probability 0 are skipped.
 */
export function enumerateTrajectories(
  mdp: TabularMdp,
  mu: Policy,
  x0: number,
  a0: number,
  horizon: number,
): Trajectory[] {
  const { states, actions, transitions } = mdp;
  const out: Trajectory[] = [];
  const walk = (probability: number, xs: number[], as: number[]): void => {
    const x = xs[xs.length - 1];
    const a = as[as.length - 1];
    for (let y = 0; y < states; y++) {
      const p = probability * transitions[(x * actions + a) * states + y];
      if (p === 0) continue;
      if (as.length === horizon) {
        out.push({ probability: p, states: [...xs, y], actions: [...as] });
        continue;
      }
      for (let b = 0; b < actions; b++) {
        const q = p * mu[y * actions + b];
        if (q > 0) walk(q, [...xs, y], [...as, b]);
      }
    }
  };
  walk(1, [x0], [a0]);
  return out;
}
