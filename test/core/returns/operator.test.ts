/**
 * The expected return operators on small random MDPs, computed exactly (see tabular.ts): Retrace
 * and the other safe traces are γ-contractions with fixed point Q^π (Munos et al. 2016, Theorem 1),
 * and the sampled returns of core/returns average, over every trajectory, to these operators.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generalOffPolicyReturns,
  importanceSamplingTrace,
  qLambdaTrace,
  retrace,
  retraceTrace,
  treeBackupTrace,
  type TraceRule,
} from '../../../core/returns/index.js';
import {
  bellmanPower,
  enumerateTrajectories,
  expectedValue,
  maxAbsDifference,
  mdpArbitrary,
  policyArbitrary,
  policyValue,
  qArbitrary,
  returnOperator,
  spread,
  supNormModulus,
  truncatedReturnOperator,
  type Policy,
  type TabularMdp,
} from './tabular.js';

/** c(x, a) of a rule for every pair; pairs μ never takes get 0 (they carry no weight in M). */
function pairTraces(rule: TraceRule, pi: Policy, mu: Policy, lambda: number): Float64Array {
  return Float64Array.from(pi, (p, j) => {
    if (!(mu[j] > 0)) return 0;
    switch (rule) {
      case 'retrace':
        return retraceTrace(p, mu[j], lambda);
      case 'tree-backup':
        return treeBackupTrace(p, lambda);
      case 'importance-sampling':
        return importanceSamplingTrace(p, mu[j]);
      case 'q-lambda':
        return qLambdaTrace(lambda);
    }
  });
}

const sizes = fc.record({ states: fc.integer({ min: 1, max: 4 }), actions: fc.integer({ min: 1, max: 3 }) });

const problem = sizes.chain(({ states, actions }) =>
  fc.record({
    mdp: mdpArbitrary({ states, actions }),
    pi: policyArbitrary(states, actions),
    mu: policyArbitrary(states, actions),
    lambda: spread(0, 1),
    q1: qArbitrary(states, actions),
    q2: qArbitrary(states, actions),
    horizon: fc.integer({ min: 1, max: 6 }),
  }),
);

describe('the Retrace operator on a random MDP (exact, not sampled)', () => {
  it('has Q^π as its fixed point', () => {
    fc.assert(
      fc.property(problem, ({ mdp, pi, mu, lambda, horizon }) => {
        const traces = pairTraces('retrace', pi, mu, lambda);
        const qPi = policyValue(mdp, pi);
        expect(maxAbsDifference(returnOperator(mdp, pi, mu, traces, qPi), qPi)).toBeLessThan(1e-9);
        expect(
          maxAbsDifference(truncatedReturnOperator(mdp, pi, mu, traces, qPi, horizon), qPi),
        ).toBeLessThan(1e-9);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('is a contraction with modulus ≤ γ for random π, μ and λ, in the sup norm (property)', () => {
    fc.assert(
      fc.property(problem, ({ mdp, pi, mu, lambda, q1, q2, horizon }) => {
        const traces = pairTraces('retrace', pi, mu, lambda);
        const n = mdp.states * mdp.actions;
        const bound = mdp.gamma + 1e-9;
        // The exact modulus of the affine operator, then one pair of Q-functions as a direct check.
        expect(supNormModulus((q) => returnOperator(mdp, pi, mu, traces, q), n)).toBeLessThanOrEqual(bound);
        const gap = maxAbsDifference(
          returnOperator(mdp, pi, mu, traces, q1),
          returnOperator(mdp, pi, mu, traces, q2),
        );
        expect(gap).toBeLessThanOrEqual(bound * maxAbsDifference(q1, q2) + 1e-9);
        // Over a finite horizon H (what one sampled sequence estimates) too: the bootstrap at H
        // is a trace cut to 0, which Theorem 1 allows.
        expect(
          supNormModulus((q) => truncatedReturnOperator(mdp, pi, mu, traces, q, horizon), n),
        ).toBeLessThanOrEqual(bound);
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it('shares the bound with tree-backup and importance sampling (traces in [0, π/μ])', () => {
    fc.assert(
      fc.property(problem, ({ mdp, pi, mu, lambda }) => {
        for (const rule of ['tree-backup', 'importance-sampling'] as const) {
          const traces = pairTraces(rule, pi, mu, lambda);
          const modulus = supNormModulus(
            (q) => returnOperator(mdp, pi, mu, traces, q),
            mdp.states * mdp.actions,
          );
          expect(modulus).toBeLessThanOrEqual(mdp.gamma + 1e-9);
        }
      }),
      { seed: 13, numRuns: 150 },
    );
  });

  it('detects an unsafe trace: Q^π(λ = 1) far off-policy is no γ-contraction', () => {
    // One state, two actions, γ = 0.9, μ = (0.9, 0.1), π = (0.1, 0.9), c ≡ 1. Then
    // M = γ·1μᵀ, (I − M)⁻¹ = I + γ/(1 − γ)·1μᵀ, and the operator's linear part is
    // γ/(1 − γ)·1(π − μ)ᵀ, whose sup-norm gain is 9·‖π − μ‖₁ = 9·1.6 = 14.4.
    const mdp: TabularMdp = {
      states: 1,
      actions: 2,
      gamma: 0.9,
      transitions: Float64Array.from([1, 1]),
      rewards: Float64Array.from([0, 0]),
    };
    const pi = Float64Array.from([0.1, 0.9]);
    const mu = Float64Array.from([0.9, 0.1]);
    const q1 = Float64Array.from([0, 0]);
    const q2 = Float64Array.from([-1, 1]);
    const unsafe = returnOperator(mdp, pi, mu, pairTraces('q-lambda', pi, mu, 1), q2);
    expect(
      maxAbsDifference(unsafe, returnOperator(mdp, pi, mu, pairTraces('q-lambda', pi, mu, 1), q1)),
    ).toBeCloseTo(14.4, 10);
    const safe = maxAbsDifference(
      returnOperator(mdp, pi, mu, pairTraces('retrace', pi, mu, 1), q2),
      returnOperator(mdp, pi, mu, pairTraces('retrace', pi, mu, 1), q1),
    );
    expect(safe).toBeLessThanOrEqual(0.9);
  });
});

/** E_μ[G_0] over every trajectory of H steps from (x_0, a_0), each return from `sampleReturn`. */
function expectedSampledReturn(
  mdp: TabularMdp,
  mu: Policy,
  x0: number,
  a0: number,
  horizon: number,
  sampleReturn: (states: number[], actions: number[]) => number,
): number {
  let total = 0;
  for (const { probability, states, actions } of enumerateTrajectories(mdp, mu, x0, a0, horizon)) {
    total += probability * sampleReturn(states, actions);
  }
  return total;
}

const smallProblem = fc
  .record({ states: fc.integer({ min: 1, max: 3 }), actions: fc.integer({ min: 1, max: 3 }) })
  .chain(({ states, actions }) =>
    fc.record({
      mdp: mdpArbitrary({ states, actions }),
      pi: policyArbitrary(states, actions),
      mu: policyArbitrary(states, actions),
      lambda: spread(0, 1),
      q: qArbitrary(states, actions),
      horizon: fc.integer({ min: 1, max: 3 }),
    }),
  );

describe('sampled returns average to the expected operators', () => {
  it('E_μ[retrace TD error + Q(x_0, a_0)] over all trajectories = the H-step Retrace operator (property)', () => {
    fc.assert(
      fc.property(smallProblem, ({ mdp, pi, mu, lambda, q, horizon }) => {
        const A = mdp.actions;
        const operator = truncatedReturnOperator(
          mdp,
          pi,
          mu,
          pairTraces('retrace', pi, mu, lambda),
          q,
          horizon,
        );
        for (let x0 = 0; x0 < mdp.states; x0++) {
          for (let a0 = 0; a0 < A; a0++) {
            const expected = expectedSampledReturn(mdp, mu, x0, a0, horizon, (xs, as) => {
              const row = (x: number) => Array.from(q.subarray(x * A, (x + 1) * A));
              const piRow = (x: number) => Array.from(pi.subarray(x * A, (x + 1) * A));
              const last = xs[horizon];
              const td = retrace({
                q: xs.slice(0, horizon).map(row),
                qTarget: xs.slice(1).map(row),
                actions: [...as, 0], // a_T does not matter
                rewards: as.map((a, t) => mdp.rewards[xs[t] * A + a]),
                discounts: as.map(() => mdp.gamma),
                targetProbs: xs.slice(1).map(piRow),
                // μ(a_T|x_T) is not divided by, so a 0 there is accepted.
                behaviourProbs: [...as.slice(1).map((a, t) => mu[xs[t + 1] * A + a]), mu[last * A]],
                lambda,
              });
              return td[0] + q[x0 * A + a0];
            });
            expect(expected).toBeCloseTo(operator[x0 * A + a0], 9);
          }
        }
      }),
      { seed: 21, numRuns: 60 },
    );
  });

  it('importance sampling is unbiased: E_μ[G_0] = (T^π)^H Q for any μ (property)', () => {
    fc.assert(
      fc.property(
        smallProblem.filter(({ mu }) => mu.every((p) => p > 0)),
        ({ mdp, pi, mu, q, horizon }) => {
          const A = mdp.actions;
          const target = bellmanPower(mdp, pi, q, horizon);
          for (let x0 = 0; x0 < mdp.states; x0++) {
            for (let a0 = 0; a0 < A; a0++) {
              const mean = expectedSampledReturn(mdp, mu, x0, a0, horizon, (xs, as) =>
                sampledGeneralReturn(mdp, pi, q, xs, as, (x, a) =>
                  importanceSamplingTrace(pi[x * A + a], mu[x * A + a]),
                ),
              );
              expect(mean).toBeCloseTo(target[x0 * A + a0], 9);
            }
          }
        },
      ),
      { seed: 22, numRuns: 60 },
    );
  });

  it('on-policy with λ = 1 (π = μ, c ≡ 1) averages to the Monte-Carlo return bootstrapped at H (property)', () => {
    fc.assert(
      fc.property(smallProblem, ({ mdp, pi, q, horizon }) => {
        const A = mdp.actions;
        const target = bellmanPower(mdp, pi, q, horizon);
        for (let x0 = 0; x0 < mdp.states; x0++) {
          for (let a0 = 0; a0 < A; a0++) {
            const mean = expectedSampledReturn(mdp, pi, x0, a0, horizon, (xs, as) =>
              sampledGeneralReturn(mdp, pi, q, xs, as, (x, a) =>
                retraceTrace(pi[x * A + a], pi[x * A + a], 1),
              ),
            );
            expect(mean).toBeCloseTo(target[x0 * A + a0], 9);
          }
        }
      }),
      { seed: 23, numRuns: 60 },
    );
  });
});

/** G_0 of `generalOffPolicyReturns` on one trajectory, with Q as both the values and Q(x_s, a_s). */
function sampledGeneralReturn(
  mdp: TabularMdp,
  pi: Policy,
  q: Float64Array,
  xs: number[],
  as: number[],
  trace: (x: number, a: number) => number,
): number {
  const A = mdp.actions;
  const T = as.length;
  const next = Array.from({ length: T }, (_, i) => i + 1);
  return generalOffPolicyReturns({
    rewards: as.map((a, t) => mdp.rewards[xs[t] * A + a]),
    discounts: as.map(() => mdp.gamma),
    expectedValues: next.map((s) => expectedValue(mdp, pi, q, xs[s])),
    actionValues: next.slice(0, T - 1).map((s) => q[xs[s] * A + as[s]]),
    traces: next.slice(0, T - 1).map((s) => trace(xs[s], as[s])),
  })[0];
}
