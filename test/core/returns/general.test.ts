import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generalOffPolicyReturns,
  importanceSamplingTrace,
  offPolicyTraces,
  qLambdaTrace,
  retraceTrace,
  ReturnsInputError,
  treeBackupTrace,
  type OffPolicyReturnInputs,
} from '../../../core/returns/index.js';
import { spread } from './tabular.js';

/**
 * The worked example used below (T = 3): r = (1, 2, 3), γ_t = 0.9, V(x_1…x_3) = (3, −0.2, 3),
 * Q(x_1, a_1) = 2, Q(x_2, a_2) = −2, and for the taken actions π(a_1|x_1) = 0.5, μ = 0.25 and
 * π(a_2|x_2) = 0.4, μ = 0.8. λ = 0.5. For every rule G_2 = r_2 + γ·V(x_3) = 3 + 2.7 = 5.7, then
 *   G_1 = 2 + 0.9·[−0.2 + c_2·(G_2 − (−2))] = 2 + 0.9·(−0.2 + 7.7·c_2)
 *   G_0 = 1 + 0.9·[3 + c_1·(G_1 − 2)].
 */
const example = {
  rewards: [1, 2, 3],
  discounts: [0.9, 0.9, 0.9],
  expectedValues: [3, -0.2, 3],
  actionValues: [2, -2],
};
const takenTargetProbs = [0.5, 0.4];
const takenBehaviourProbs = [0.25, 0.8];

function returnsWith(traces: ArrayLike<number>): number[] {
  return Array.from(generalOffPolicyReturns({ ...example, traces }));
}

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('trace rules (Munos et al. 2016, Table 1)', () => {
  it('are λ·min(1, π/μ), λ·π, π/μ and λ', () => {
    expect(retraceTrace(0.5, 0.25, 0.5)).toBe(0.5); // ratio 2 truncated at 1
    expect(retraceTrace(0.4, 0.8, 0.5)).toBe(0.25); // ratio 0.5
    expect(retraceTrace(0.3, 0.3, 0.9)).toBe(0.9); // on-policy: exactly λ
    expect(treeBackupTrace(0.4, 0.5)).toBe(0.2);
    expect(importanceSamplingTrace(0.5, 0.25)).toBe(2);
    expect(qLambdaTrace(0.7)).toBe(0.7);
  });

  it('fill arrays, checking probabilities and refusing μ = 0 only where a rule divides by it', () => {
    const out = new Float64Array(2);
    expect(Array.from(offPolicyTraces('retrace', takenTargetProbs, takenBehaviourProbs, 0.5, out))).toEqual([
      0.5, 0.25,
    ]);
    expect(
      Array.from(offPolicyTraces('tree-backup', takenTargetProbs, takenBehaviourProbs, 0.5, out)),
    ).toEqual([0.25, 0.2]);
    expect(
      Array.from(offPolicyTraces('importance-sampling', takenTargetProbs, takenBehaviourProbs, 7, out)),
    ).toEqual([2, 0.5]);
    expect(Array.from(offPolicyTraces('q-lambda', takenTargetProbs, takenBehaviourProbs, 0.5, out))).toEqual([
      0.5, 0.5,
    ]);
    expect(Array.from(offPolicyTraces('tree-backup', [0.5, 1], [0, 0], 1, out))).toEqual([0.5, 1]);
    expect(() => offPolicyTraces('retrace', [0.5, 1], [0.5, 0], 1, out)).toThrow(
      /behaviourProbs\[1\] must be > 0/,
    );
    expect(() => offPolicyTraces('importance-sampling', [0.5], [0], 1, new Float64Array(1))).toThrow(
      /behaviourProbs\[0\]/,
    );
    expect(() => offPolicyTraces('retrace', [1.5, 1], [0.5, 0.5], 1, out)).toThrow(
      /targetProbs\[0\] must be a probability in \[0, 1\], got 1.5/,
    );
    expect(() => offPolicyTraces('retrace', [0.5], [0.5, 0.5], 1, new Float64Array(1))).toThrow(
      /behaviourProbs needs 1 entries/,
    );
    expect(() => offPolicyTraces('retrace', [0.5], [0.5], 1.2, new Float64Array(1))).toThrow(
      /lambda must be a number in \[0, 1\]/,
    );
    expect(() => offPolicyTraces('watkins' as never, [0.5], [0.5], 1, new Float64Array(1))).toThrow(
      /rule must be one of retrace, tree-backup, importance-sampling, q-lambda/,
    );
    expect(() => offPolicyTraces('retrace', [0.5], [0.5], 1, new Float64Array(2))).toThrow(
      /out needs 1 entries/,
    );
  });
});

describe('general off-policy return: known answers by hand', () => {
  it('Retrace(0.5): c = (0.5·min(1, 2), 0.5·min(1, 0.5)) = (0.5, 0.25)', () => {
    // G_1 = 2 + 0.9·(−0.2 + 7.7·0.25) = 2 + 0.9·1.725 = 3.5525
    // G_0 = 1 + 0.9·(3 + 0.5·1.5525) = 1 + 0.9·3.77625 = 4.398625
    expectClose(returnsWith([0.5, 0.25]), [4.398625, 3.5525, 5.7]);
  });

  it('tree-backup(0.5): c = (0.5·0.5, 0.5·0.4) = (0.25, 0.2)', () => {
    // G_1 = 2 + 0.9·(−0.2 + 7.7·0.2) = 2 + 0.9·1.34 = 3.206
    // G_0 = 1 + 0.9·(3 + 0.25·1.206) = 1 + 0.9·3.3015 = 3.97135
    expectClose(returnsWith([0.25, 0.2]), [3.97135, 3.206, 5.7]);
  });

  it('importance sampling: c = (0.5/0.25, 0.4/0.8) = (2, 0.5)', () => {
    // G_1 = 2 + 0.9·(−0.2 + 7.7·0.5) = 2 + 0.9·3.65 = 5.285
    // G_0 = 1 + 0.9·(3 + 2·3.285) = 1 + 0.9·9.57 = 9.613
    expectClose(returnsWith([2, 0.5]), [9.613, 5.285, 5.7]);
  });

  it('Q^π(0.5): c = (0.5, 0.5)', () => {
    // G_1 = 5.285 as above; G_0 = 1 + 0.9·(3 + 0.5·3.285) = 1 + 0.9·4.6425 = 5.17825
    expectClose(returnsWith([0.5, 0.5]), [5.17825, 5.285, 5.7]);
  });

  it('a terminal after step 1 (γ_1 = 0) cuts the return there', () => {
    // G_1 = r_1 = 2; Retrace G_0 = 1 + 0.9·(3 + 0.5·(2 − 2)) = 3.7; G_2 is unchanged.
    const returns = generalOffPolicyReturns({ ...example, discounts: [0.9, 0, 0.9], traces: [0.5, 0.25] });
    expectClose(returns, [3.7, 2, 5.7]);
  });

  it('tree-backup with a greedy π and λ = 1 follows the behaviour until its first non-greedy action', () => {
    // π(·|x) puts all mass on action 0, so V(x) = Q(x, 0). The behaviour takes a_1 = 0 (greedy,
    // c_1 = 1) then a_2 = 1 (c_2 = 0). Q(x_1, ·) = (4, 9), Q(x_2, ·) = (−1, 6), Q(x_3, 0) = 10; γ = 0.5.
    // G_2 = 3 + 0.5·10 = 8; G_1 = 2 + 0.5·Q(x_2, 0) = 1.5 (cut); G_0 = 1 + 0.5·G_1 = 1.75
    // (on-policy step: V(x_1) − Q(x_1, a_1) = 0 and c_1 = 1).
    const greedy = [1, 0];
    const taken = [0, 1];
    const returns = generalOffPolicyReturns({
      rewards: [1, 2, 3],
      discounts: [0.5, 0.5, 0.5],
      expectedValues: [4, -1, 10],
      actionValues: [4, 6],
      traces: taken.map((a) => treeBackupTrace(greedy[a], 1)),
    });
    expectClose(returns, [1.75, 1.5, 8]);
  });

  it('writes into a given Float32Array and reads a T-th trace and action value without using them', () => {
    const out = new Float32Array(3);
    const result = generalOffPolicyReturns(
      { ...example, actionValues: [2, -2, 1e9], traces: [0.5, 0.25, 1e9] },
      out,
    );
    expect(result).toBe(out);
    expectClose(out, [4.398625, 3.5525, 5.7], 5);
  });

  it('T = 1 is the one-step target r_0 + γ_0·V(x_1)', () => {
    expectClose(
      generalOffPolicyReturns({
        rewards: [2],
        discounts: [0.5],
        expectedValues: [4],
        actionValues: [],
        traces: [],
      }),
      [4],
    );
  });
});

/** Random inputs of T steps; discounts are 0 (a terminal) now and then. */
const sequence = fc.integer({ min: 1, max: 8 }).chain((T) =>
  fc.record({
    rewards: fc.array(spread(-2, 2), { minLength: T, maxLength: T }),
    discounts: fc.array(spread(0, 1), { minLength: T, maxLength: T }),
    expectedValues: fc.array(spread(-5, 5), { minLength: T, maxLength: T }),
    actionValues: fc.array(spread(-5, 5), { minLength: T - 1, maxLength: T - 1 }),
    traces: fc.array(spread(0, 2), { minLength: T - 1, maxLength: T - 1 }),
    firstActionValue: spread(-5, 5),
  }),
);

/**
 * The forward definition, written independently of the backward recursion:
 * G_t = Q(x_t, a_t) + Σ_{s=t..T−1} (Π_{u=t..s−1} γ_u)(Π_{u=t+1..s} c_u)·[r_s + γ_s·V(x_{s+1}) − Q(x_s, a_s)],
 * with Q(x_0, a_0) any number (it cancels).
 */
function forwardSum(inputs: OffPolicyReturnInputs, firstActionValue: number): number[] {
  const { rewards, discounts, expectedValues, actionValues, traces } = inputs;
  const T = rewards.length;
  const q = (s: number) => (s === 0 ? firstActionValue : actionValues[s - 1]);
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let total = q(t);
    for (let s = t; s < T; s++) {
      let weight = 1;
      for (let u = t; u < s; u++) weight *= discounts[u];
      for (let u = t + 1; u <= s; u++) weight *= traces[u - 1];
      total += weight * (rewards[s] + discounts[s] * expectedValues[s] - q(s));
    }
    out.push(total);
  }
  return out;
}

describe('general off-policy return: equivalences (property)', () => {
  it('equals the forward-sum definition for any traces', () => {
    fc.assert(
      fc.property(sequence, ({ firstActionValue, ...inputs }) => {
        const backward = generalOffPolicyReturns(inputs);
        forwardSum(inputs, firstActionValue).forEach((g, t) => expect(backward[t]).toBeCloseTo(g, 9));
      }),
      { seed: 31, numRuns: 300 },
    );
  });

  it('c ≡ 0 gives the one-step expected-SARSA targets r_t + γ_t·E_π Q(x_{t+1}, ·)', () => {
    fc.assert(
      fc.property(sequence, ({ traces, ...inputs }) => {
        const returns = generalOffPolicyReturns({ ...inputs, traces: traces.map(() => 0) });
        inputs.rewards.forEach((r, t) =>
          expect(returns[t]).toBeCloseTo(r + inputs.discounts[t] * inputs.expectedValues[t], 12),
        );
      }),
      { seed: 32, numRuns: 200 },
    );
  });

  it('c ≡ 1 with Q(x_s, ·) the same for every action gives the Monte-Carlo return, bootstrapped at T', () => {
    // When Q does not depend on the action, V(x_s) = Q(x_s, a_s) and the corrections vanish:
    // G_t = Σ_{s≥t} (Π_{u<s} γ_u)·r_s + (Π_{u=t..T−1} γ_u)·V(x_T).
    fc.assert(
      fc.property(sequence, ({ rewards, discounts, expectedValues }) => {
        const T = rewards.length;
        const returns = generalOffPolicyReturns({
          rewards,
          discounts,
          expectedValues,
          actionValues: expectedValues.slice(0, T - 1),
          traces: new Array(T - 1).fill(1),
        });
        for (let t = 0; t < T; t++) {
          let monteCarlo = 0;
          let discount = 1;
          for (let s = t; s < T; s++) {
            monteCarlo += discount * rewards[s];
            discount *= discounts[s];
          }
          monteCarlo += discount * expectedValues[T - 1];
          expect(returns[t]).toBeCloseTo(monteCarlo, 9);
        }
      }),
      { seed: 33, numRuns: 200 },
    );
  });

  it('Monte-Carlo by hand: with a terminal, and with a bootstrap at T', () => {
    // r = (1, 2, 3), Q(x_s, ·) = (7, 7) so V = Q(x_s, a_s) = 7 at s = 1, 2.
    // Terminal at T−1 (γ = 0.5, 0.5, 0): G_2 = 3, G_1 = 2 + 0.5·3 = 3.5, G_0 = 1 + 0.5·3.5 = 2.75.
    const base = { rewards: [1, 2, 3], actionValues: [7, 7], traces: [1, 1] };
    expectClose(
      generalOffPolicyReturns({ ...base, discounts: [0.5, 0.5, 0], expectedValues: [7, 7, 99] }),
      [2.75, 3.5, 3],
    );
    // Bootstrap V(x_3) = 4 (γ = 0.5 throughout): G_2 = 3 + 2 = 5, G_1 = 2 + 2.5 = 4.5, G_0 = 1 + 2.25 = 3.25.
    expectClose(
      generalOffPolicyReturns({ ...base, discounts: [0.5, 0.5, 0.5], expectedValues: [7, 7, 4] }),
      [3.25, 4.5, 5],
    );
  });
});

describe('general off-policy return: bad input', () => {
  const good = { ...example, traces: [0.5, 0.25] };
  it.each([
    [{ rewards: [] }, /rewards is empty/],
    [{ discounts: [0.9, 0.9] }, /discounts needs T = 3 entries \(γ_t for t = 0…T−1/],
    [{ expectedValues: [1, 2] }, /expectedValues needs T = 3 entries/],
    [{ traces: [0.5] }, /traces needs T − 1 = 2 entries/],
    [{ actionValues: [1, 2, 3, 4] }, /actionValues needs T − 1 = 2 entries/],
    [{ traces: [0.5, -0.1] }, /traces\[1\] must be a finite number ≥ 0, got -0.1/],
    [{ rewards: [1, Number.NaN, 3] }, /rewards\[1\] must be a finite number, got NaN/],
    [{ actionValues: [Infinity, 1] }, /actionValues\[0\] must be a finite number/],
    [{ discounts: 0.9 }, /discounts must be an array of numbers, got 0.9/],
  ])('%o is refused, naming the field', (change, message) => {
    const inputs = { ...good, ...change } as OffPolicyReturnInputs;
    expect(() => generalOffPolicyReturns(inputs)).toThrow(ReturnsInputError);
    expect(() => generalOffPolicyReturns(inputs)).toThrow(message);
  });

  it('refuses an output of the wrong length', () => {
    expect(() => generalOffPolicyReturns(good, new Float64Array(2))).toThrow(
      /out needs T = 3 entries, got 2/,
    );
  });
});
