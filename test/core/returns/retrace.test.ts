import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../../../core/index.js';
import {
  generalOffPolicyReturns,
  offPolicyTraces,
  retrace,
  ReturnsInputError,
  type RetraceSequence,
} from '../../../core/returns/index.js';
import { spread } from './tabular.js';

/**
 * Worked by hand (T = 3, A = 2, λ = 0.5, γ_t = 0.9):
 *   V(x_1) = 0.5·2 + 0.5·4 = 3,  V(x_2) = 0.6·1 + 0.4·(−2) = −0.2,  V(x_3) = 0.5·5 + 0.5·1 = 3
 *   c_1 = 0.5·min(1, π(a_1 = 0|x_1)/μ) = 0.5·min(1, 0.5/0.25) = 0.5
 *   c_2 = 0.5·min(1, π(a_2 = 1|x_2)/μ) = 0.5·min(1, 0.4/0.8)  = 0.25
 *   Q_ret(2) = 3 + 0.9·3 = 5.7
 *   Q_ret(1) = 2 + 0.9·[−0.2 − 0.25·(−2) + 0.25·5.7] = 2 + 0.9·1.725 = 3.5525
 *   Q_ret(0) = 1 + 0.9·[3 − 0.5·2 + 0.5·3.5525]      = 1 + 0.9·3.77625 = 4.398625
 *   δ = Q_ret − (q[0][1], q[1][0], q[2][1]) = (4.398625 − 2, 3.5525 − 0, 5.7 + 1) = (2.398625, 3.5525, 6.7)
 */
const handExample: RetraceSequence = {
  q: [
    [1, 2],
    [0, 3],
    [4, -1],
  ],
  qTarget: [
    [2, 4],
    [1, -2],
    [5, 1],
  ],
  actions: [1, 0, 1, 0],
  rewards: [1, 2, 3],
  discounts: [0.9, 0.9, 0.9],
  targetProbs: [
    [0.5, 0.5],
    [0.6, 0.4],
    [0.5, 0.5],
  ],
  behaviourProbs: [0.25, 0.8, 0.8],
  lambda: 0.5,
};

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('retrace: known answers', () => {
  it('matches the hand computation', () => {
    expectClose(retrace(handExample), [2.398625, 3.5525, 6.7]);
  });

  it('a terminal after step 1 (γ_1 = 0) ends the return there', () => {
    // Q_ret(1) = r_1 = 2; Q_ret(0) = 1 + 0.9·[3 − 0.5·2 + 0.5·2] = 3.7; δ = (1.7, 2, 6.7).
    expectClose(retrace({ ...handExample, discounts: [0.9, 0, 0.9] }), [1.7, 2, 6.7]);
  });

  it('takes row-major matrices (plain or typed arrays) as well as nested rows, with the same result', () => {
    const flat = (rows: number[][]) => rows.flat();
    const nested = retrace(handExample);
    const rowMajor = retrace({
      ...handExample,
      q: Float64Array.from(flat(handExample.q as number[][])),
      qTarget: flat(handExample.qTarget as number[][]),
      targetProbs: Float32Array.from(flat(handExample.targetProbs as number[][])),
      actions: Int32Array.from(handExample.actions as number[]),
      behaviourProbs: Float32Array.from(handExample.behaviourProbs as number[]),
    });
    expectClose(rowMajor, Array.from(nested), 6); // float32 probabilities: 0.6 and 0.4 round
    expect(api.retrace).toBe(retrace); // the package entry exports it
  });

  it('T = 1: δ_0 = r_0 + γ_0·V(x_1) − q[0][a_0], and μ(a_1|x_1) may be 0 (it is never divided by)', () => {
    // V(x_1) = 0.25·8 + 0.75·4 = 5; δ = 1 + 0.5·5 − 3 = 0.5.
    const td = retrace({
      q: [[3, 9]],
      qTarget: [[8, 4]],
      actions: [0, 1],
      rewards: [1],
      discounts: [0.5],
      targetProbs: [[0.25, 0.75]],
      behaviourProbs: [0],
      lambda: 1,
    });
    expectClose(td, [0.5]);
  });
});

describe('retrace: checked against an independent implementation', () => {
  it("reproduces rlax's published retrace test values (originally TRFL's), 0.5·δ², to float32 precision", () => {
    // Inputs and expected losses as published in google-deepmind/rlax, rlax/_src/value_learning_test.py
    // (RetraceTest; Apache-2.0). Each batch row is a sequence of 4; the test calls retrace with
    // q = qs[:-1], q_t = targnet_qs[1:], a_tm1 = actions[:-1], a_t = actions[1:], r = rewards[:-1],
    // discount = pcontinues[:-1], π = target_policy_probs[1:], μ = behaviour_policy_probs[1:], λ = 0.9:
    // exactly this function's layout.
    const qs = [
      [
        [1.1, 2.1],
        [-1.1, 1.1],
        [3.1, -3.1],
        [-1.2, 0.0],
      ],
      [
        [2.1, 3.1],
        [9.5, 0.1],
        [-2.1, -1.1],
        [0.1, 7.4],
      ],
    ];
    const targetQs = [
      [
        [1.2, 2.2],
        [-1.2, 0.2],
        [2.2, -1.2],
        [-2.25, -6.0],
      ],
      [
        [4.2, 2.2],
        [1.2, 1.2],
        [-1.2, -2.2],
        [1.5, 1.0],
      ],
    ];
    const actions = [
      [0, 1, 0, 0],
      [1, 0, 0, 1],
    ];
    const rewards = [
      [-1.3, -1.3, 2.3, 42.0],
      [1.3, 5.3, -3.3, -5.0],
    ];
    const continues = [
      [0, 0.89, 0.85, 0.99],
      [0.88, 1, 0.83, 0.95],
    ];
    const targetProbs = [
      [
        [0.5, 0.5],
        [0.2, 0.8],
        [0.6, 0.4],
        [0.9, 0.1],
      ],
      [
        [0.1, 0.9],
        [1.0, 0.0],
        [0.3, 0.7],
        [0.7, 0.3],
      ],
    ];
    const behaviourProbs = [
      [0.5, 0.1, 0.9, 0.3],
      [0.4, 0.6, 1.0, 0.9],
    ];
    const expectedLoss = [
      [2.8800001, 3.8934109, 4.5942383],
      [3.1121615e-1, 2.0253206e1, 3.1601219e-3],
    ];
    for (let b = 0; b < 2; b++) {
      const td = retrace({
        q: qs[b].slice(0, 3),
        qTarget: targetQs[b].slice(1),
        actions: actions[b],
        rewards: rewards[b].slice(0, 3),
        discounts: continues[b].slice(0, 3),
        targetProbs: targetProbs[b].slice(1),
        behaviourProbs: behaviourProbs[b].slice(1),
        lambda: 0.9,
      });
      td.forEach((delta, t) => {
        const loss = 0.5 * delta * delta;
        // rlax asserts rtol 1e-5 on float32; our inputs are the decimal values in float64.
        expect(Math.abs(loss - expectedLoss[b][t])).toBeLessThanOrEqual(
          1e-5 * Math.abs(expectedLoss[b][t]) + 1e-7,
        );
      });
    }
  });
});

/** A random valid sequence: T steps, A actions, with targetProbs rows that are distributions. */
const sequenceArbitrary = fc
  .record({ T: fc.integer({ min: 1, max: 7 }), A: fc.integer({ min: 1, max: 4 }) })
  .chain(({ T, A }) => {
    const row = fc.array(spread(-5, 5), { minLength: A, maxLength: A });
    const distribution = fc
      .array(spread(0.01, 1), { minLength: A, maxLength: A })
      .map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0)));
    return fc.record({
      q: fc.array(row, { minLength: T, maxLength: T }),
      qTarget: fc.array(row, { minLength: T, maxLength: T }),
      actions: fc.array(fc.integer({ min: 0, max: A - 1 }), { minLength: T + 1, maxLength: T + 1 }),
      rewards: fc.array(spread(-2, 2), { minLength: T, maxLength: T }),
      discounts: fc.array(spread(0, 1), { minLength: T, maxLength: T }),
      targetProbs: fc.array(distribution, { minLength: T, maxLength: T }),
      behaviourProbs: fc.array(spread(0.01, 1), { minLength: T, maxLength: T }),
      lambda: spread(0, 1),
    });
  });

describe('retrace: equivalences (property)', () => {
  it('is the general off-policy return with Retrace traces, minus q[t][a_t]', () => {
    fc.assert(
      fc.property(sequenceArbitrary, (s) => {
        const T = s.rewards.length;
        const taken = (i: number) => s.actions[i + 1];
        const traces = offPolicyTraces(
          'retrace',
          s.targetProbs.map((p, i) => p[taken(i)]),
          s.behaviourProbs,
          s.lambda,
          new Float64Array(T),
        );
        const returns = generalOffPolicyReturns({
          rewards: s.rewards,
          discounts: s.discounts,
          expectedValues: s.targetProbs.map((p, i) =>
            p.reduce((sum, pa, a) => sum + pa * s.qTarget[i][a], 0),
          ),
          actionValues: s.qTarget.map((row, i) => row[taken(i)]),
          traces,
        });
        const td = retrace(s);
        for (let t = 0; t < T; t++) expect(td[t]).toBeCloseTo(returns[t] - s.q[t][s.actions[t]], 10);
      }),
      { seed: 41, numRuns: 200 },
    );
  });

  it('λ = 0 gives the one-step expected-SARSA TD errors r_t + γ_t·Σ_a π(a|x_{t+1})·Q_target(x_{t+1}, a) − q[t][a_t]', () => {
    fc.assert(
      fc.property(sequenceArbitrary, (s) => {
        const td = retrace({ ...s, lambda: 0 });
        s.rewards.forEach((r, t) => {
          const v = s.targetProbs[t].reduce((sum, p, a) => sum + p * s.qTarget[t][a], 0);
          expect(td[t]).toBeCloseTo(r + s.discounts[t] * v - s.q[t][s.actions[t]], 10);
        });
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('π = μ (deterministic, on the taken actions) with λ = 1 gives the Monte-Carlo return bootstrapped at T', () => {
    // c_s = min(1, 1/1) = 1 and V(x_s) = Q_target(x_s, a_s), so every correction cancels:
    // Q_ret(t) = Σ_{s≥t} (Π_{u<s} γ_u)·r_s + (Π_{u=t..T−1} γ_u)·Q_target(x_T, a_T). A 0 discount is a terminal.
    fc.assert(
      fc.property(sequenceArbitrary, (s) => {
        const T = s.rewards.length;
        const A = s.q[0].length;
        const oneHot = (a: number) => Array.from({ length: A }, (_, b) => (b === a ? 1 : 0));
        const td = retrace({
          ...s,
          targetProbs: s.actions.slice(1).map(oneHot),
          behaviourProbs: new Array(T).fill(1),
          lambda: 1,
        });
        for (let t = 0; t < T; t++) {
          let monteCarlo = 0;
          let discount = 1;
          for (let u = t; u < T; u++) {
            monteCarlo += discount * s.rewards[u];
            discount *= s.discounts[u];
          }
          monteCarlo += discount * s.qTarget[T - 1][s.actions[T]];
          expect(td[t]).toBeCloseTo(monteCarlo - s.q[t][s.actions[t]], 9);
        }
      }),
      { seed: 43, numRuns: 200 },
    );
  });

  it('π = μ stochastic with λ = 1, on a Q that ignores the action, also gives the Monte-Carlo return', () => {
    // Q_target(x_s, ·) = (5, 5), (−1, −1): V(x_s) = Q_target(x_s, a_s). π = μ, so c = 1.
    // Terminal at the end: Q_ret(2) = 3, Q_ret(1) = 2 + 0.5·3 = 3.5, Q_ret(0) = 1 + 0.5·3.5 = 2.75.
    const td = retrace({
      q: [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      qTarget: [
        [5, 5],
        [-1, -1],
        [100, -100],
      ],
      actions: [0, 1, 0, 1],
      rewards: [1, 2, 3],
      discounts: [0.5, 0.5, 0],
      targetProbs: [
        [0.3, 0.7],
        [0.6, 0.4],
        [0.5, 0.5],
      ],
      behaviourProbs: [0.7, 0.6, 0.5],
      lambda: 1,
    });
    expectClose(td, [2.75, 3.5, 3]);
  });
});

describe('retrace: bad input names the field', () => {
  const cases: [string, Partial<Record<keyof RetraceSequence, unknown>>, RegExp][] = [
    ['empty rewards', { rewards: [] }, /rewards is empty/],
    ['rewards not an array', { rewards: 'abc' }, /rewards must be an array of numbers, got "abc"/],
    ['a NaN reward', { rewards: [1, Number.NaN, 3] }, /rewards\[1\] must be a finite number, got NaN/],
    ['discounts too short', { discounts: [0.9, 0.9] }, /discounts needs 3 entries \(γ_t for t = 0…T−1/],
    [
      'a discount above 1',
      { discounts: [0.9, 1.5, 0.9] },
      /discounts\[1\] must be a discount .* in \[0, 1\], got 1.5/,
    ],
    ['λ outside [0, 1]', { lambda: 2 }, /lambda must be a number in \[0, 1\], got 2/],
    ['λ missing', { lambda: undefined }, /lambda must be a number in \[0, 1\], got undefined/],
    [
      'q with too few rows',
      {
        q: [
          [1, 2],
          [0, 3],
        ],
      },
      /q needs 3 rows \(Q\(x_t, ·\) for t = 0…T−1\), got 2/,
    ],
    [
      'a ragged q row',
      {
        q: [
          [1, 2],
          [0, 3, 4],
          [4, -1],
        ],
      },
      /q\[1\] has 3 entries but q\[0\] has 2/,
    ],
    [
      'row-major q of a length that is no multiple of T',
      { q: [1, 2, 3, 4, 5, 6, 7] },
      /q as a row-major array needs 3 rows/,
    ],
    [
      'a NaN in q',
      {
        q: [
          [1, 2],
          [Number.NaN, 3],
          [4, -1],
        ],
      },
      /q\[1\]\[0\] must be a finite number, got NaN/,
    ],
    [
      'a NaN in row-major qTarget',
      { qTarget: [2, 4, 1, Number.NaN, 5, 1] },
      /qTarget\[1\]\[1\] must be a finite number/,
    ],
    [
      'qTarget with a different action count',
      {
        qTarget: [
          [2, 4, 1],
          [1, -2, 1],
          [5, 1, 1],
        ],
      },
      /qTarget has 3 actions per step but q has 2/,
    ],
    [
      'a negative target probability',
      {
        targetProbs: [
          [0.5, 0.5],
          [1.1, -0.1],
          [0.5, 0.5],
        ],
      },
      /targetProbs\[1\]\[0\] must be a probability in \[0, 1\], got 1.1/,
    ],
    [
      'a target row that is no distribution',
      {
        targetProbs: [
          [0.5, 0.5],
          [0.5, 0.4],
          [0.5, 0.5],
        ],
      },
      /targetProbs\[1\] must sum to 1/,
    ],
    [
      'targetProbs with too few actions',
      { targetProbs: [0.5, 0.5, 1] },
      /targetProbs has 1 actions per step but q has 2/,
    ],
    ['actions without a_T', { actions: [1, 0, 1] }, /actions needs 4 entries \(a_0…a_T, T \+ 1 = 4\), got 3/],
    [
      'an action out of range',
      { actions: [1, 0, 2, 0] },
      /actions\[2\] must be an integer action in \[0, 1\], got 2/,
    ],
    ['a fractional action', { actions: [1, 0.5, 1, 0] }, /actions\[1\] must be an integer action/],
    [
      'behaviourProbs too short',
      { behaviourProbs: [0.25, 0.8] },
      /behaviourProbs needs 3 entries \(μ\(a_t\|x_t\) for t = 1…T/,
    ],
    [
      'a behaviour probability above 1',
      { behaviourProbs: [0.25, 1.2, 0.8] },
      /behaviourProbs\[1\] must be a probability in \[0, 1\], got 1.2/,
    ],
    [
      'μ = 0 where c divides by it',
      { behaviourProbs: [0, 0.8, 0.8] },
      /behaviourProbs\[0\] must be > 0: it is μ\(a_1\|x_1\)/,
    ],
    [
      'nested rows of strings',
      {
        q: [
          ['1', '2'],
          [0, 3],
          [4, -1],
        ],
      },
      /q\[0\]\[0\] must be a number, got "1"/,
    ],
  ];
  it.each(cases)('%s', (_name, change, message) => {
    const input = { ...handExample, ...change } as RetraceSequence;
    expect(() => retrace(input)).toThrow(ReturnsInputError);
    expect(() => retrace(input)).toThrow(message);
  });

  it('accepts μ = 0 at the last step, where nothing divides by it', () => {
    expectClose(retrace({ ...handExample, behaviourProbs: [0.25, 0.8, 0] }), [2.398625, 3.5525, 6.7]);
  });

  it('refuses a sequence that is not an object', () => {
    expect(() => retrace(null as unknown as RetraceSequence)).toThrow(/sequence must be an object/);
  });
});
