import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acerRetraceTargets,
  acerTrace,
  biasCorrectionWeight,
  biasCorrectionWeights,
  generalOffPolicyReturns,
  ReturnsInputError,
  truncatedImportanceWeight,
  type AcerSegment,
} from '../../../core/returns/index.js';
import { distribution, spread } from './tabular.js';

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe("ACER's Q_ret recursion", () => {
  it('matches a hand computation with a terminal last step', () => {
    // k = 3, r = (0, 1, 1), γ = (0.5, 0.5, 0), Q(x_t, a_t) = (9, 2, 4), V(x_t) = (9, 1, 3),
    // ρ = (·, 2, 0.5) so c̄ = min(1, ρ) = (·, 1, 0.5); V(x_3) = 100 is ignored after the terminal.
    //   Q_ret ← 100
    //   t = 2: Q_ret ← 1 + 0·100 = 1            target 1;     carry 0.5·(1 − 4) + 3 = 1.5
    //   t = 1: Q_ret ← 1 + 0.5·1.5 = 1.75       target 1.75;  carry 1·(1.75 − 2) + 1 = 0.75
    //   t = 0: Q_ret ← 0 + 0.5·0.75 = 0.375     target 0.375
    const targets = acerRetraceTargets({
      rewards: [0, 1, 1],
      discounts: [0.5, 0.5, 0],
      actionValues: [9, 2, 4],
      values: [9, 1, 3],
      traces: [acerTrace(7), acerTrace(2), acerTrace(0.5)],
      bootstrapValue: 100,
    });
    expectClose(targets, [0.375, 1.75, 1]);
  });

  it('is the general off-policy return with traces c_{t+1} = c̄_{t+1} (property)', () => {
    const segment = fc.integer({ min: 1, max: 8 }).chain((k) =>
      fc.record({
        rewards: fc.array(spread(-2, 2), { minLength: k, maxLength: k }),
        discounts: fc.array(spread(0, 1), { minLength: k, maxLength: k }),
        actionValues: fc.array(spread(-5, 5), { minLength: k, maxLength: k }),
        values: fc.array(spread(-5, 5), { minLength: k, maxLength: k }),
        traces: fc.array(spread(0, 1), { minLength: k, maxLength: k }),
        bootstrapValue: spread(-5, 5),
      }),
    );
    fc.assert(
      fc.property(segment, (s: AcerSegment & { rewards: number[]; values: number[] }) => {
        const general = generalOffPolicyReturns({
          rewards: s.rewards,
          discounts: s.discounts,
          expectedValues: [...s.values.slice(1), s.bootstrapValue],
          actionValues: Array.from(s.actionValues).slice(1),
          traces: Array.from(s.traces).slice(1),
        });
        const acer = acerRetraceTargets(s);
        general.forEach((g, t) => expect(acer[t]).toBeCloseTo(g, 10));
      }),
      { seed: 51, numRuns: 200 },
    );
  });

  it("with c̄ ≡ 1 it is the continuous ACER's Q_opc: Q_opc ← r_t + γ_t·(Q_opc − Q(x_{t+1}) + V(x_{t+1}))", () => {
    // r = (1, 1), γ = 0.9, Q(x_1, a_1) = 2, V(x_1) = 3, V(x_2) = 4:
    // Q_opc(1) = 1 + 0.9·4 = 4.6; Q_opc(0) = 1 + 0.9·(4.6 − 2 + 3) = 1 + 0.9·5.6 = 6.04.
    const targets = acerRetraceTargets({
      rewards: [1, 1],
      discounts: [0.9, 0.9],
      actionValues: [0, 2],
      values: [0, 3],
      traces: [1, 1],
      bootstrapValue: 4,
    });
    expectClose(targets, [6.04, 4.6]);
  });

  it('writes into a Float32Array and refuses bad segments, naming the field', () => {
    const good: AcerSegment = {
      rewards: [0, 1],
      discounts: [0.5, 0.5],
      actionValues: [1, 2],
      values: [1, 2],
      traces: [1, 1],
      bootstrapValue: 0,
    };
    const out = new Float32Array(2);
    expect(acerRetraceTargets(good, out)).toBe(out);
    expect(() => acerRetraceTargets({ ...good, rewards: [] })).toThrow(/rewards is empty/);
    expect(() => acerRetraceTargets({ ...good, values: [1] })).toThrow(/values needs k = 2 entries/);
    expect(() => acerRetraceTargets({ ...good, traces: [1, Number.NaN] })).toThrow(
      /traces\[1\] must be a finite number/,
    );
    expect(() => acerRetraceTargets({ ...good, bootstrapValue: Number.NaN })).toThrow(
      /bootstrapValue must be a finite number/,
    );
    expect(() => acerRetraceTargets(good, new Float64Array(3))).toThrow(ReturnsInputError);
  });
});

describe('ACER importance-weight helpers (Wang et al. 2017)', () => {
  it('truncate ρ at c, and the trace at 1 with the 1/d power for d action dimensions', () => {
    expect(truncatedImportanceWeight(14, 10)).toBe(10);
    expect(truncatedImportanceWeight(0.4, 10)).toBe(0.4);
    expect(acerTrace(2)).toBe(1);
    expect(acerTrace(0.25)).toBe(0.25);
    expect(acerTrace(0.25, 2)).toBe(0.5); // √0.25
    expect(acerTrace(4, 2)).toBe(1); // √4 = 2, truncated
    expect(acerTrace(0.001, 3)).toBeCloseTo(0.1, 14); // ∛0.001
    expect(acerTrace(Infinity, 6)).toBe(1);
    expect(acerTrace(0, 6)).toBe(0);
  });

  it('write the bias-correction coefficient without division: max(0, π(a) − c·μ(a)) = π(a)·[1 − c/ρ(a)]₊', () => {
    // π = (0.7, 0.2, 0.1), μ = (0.05, 0.5, 0.45), c = 10: ρ = (14, 0.4, 0.22…);
    // [1 − c/ρ]₊ = (1 − 10/14, 0, 0) = (2/7, 0, 0), times π(a): (0.2, 0, 0) = max(0, 0.7 − 0.5), 0, 0.
    const out = biasCorrectionWeights([0.7, 0.2, 0.1], [0.05, 0.5, 0.45], 10, new Float64Array(3));
    expectClose(out, [0.2, 0, 0]);
    expect(biasCorrectionWeight(0.7, 0.05, 10)).toBeCloseTo(0.7 * (1 - 10 / 14), 14);
    expect(biasCorrectionWeight(0.3, 0, 10)).toBe(0.3); // μ(a) = 0: the whole of π(a) is correction
    expect(() => biasCorrectionWeights([0.5], [0.5, 0.5], 10, new Float64Array(1))).toThrow(
      /behaviourProbs needs 1 entries/,
    );
    expect(() => biasCorrectionWeights([0.5], [0.5], 0, new Float64Array(1))).toThrow(
      /c must be a number > 0/,
    );
  });

  it('truncation plus bias correction is unbiased: Σ μ·min(c, ρ)·f + Σ max(0, π − c·μ)·f = Σ π·f (property)', () => {
    const problem = fc.integer({ min: 1, max: 6 }).chain((A) =>
      fc.record({
        pi: distribution(A),
        mu: distribution(A, true),
        f: fc.array(spread(-10, 10), { minLength: A, maxLength: A }),
        c: spread(0.1, 20),
      }),
    );
    fc.assert(
      fc.property(problem, ({ pi, mu, f, c }) => {
        let corrected = 0;
        let exact = 0;
        for (let a = 0; a < pi.length; a++) {
          const rho = pi[a] / mu[a];
          corrected +=
            mu[a] * truncatedImportanceWeight(rho, c) * f[a] + biasCorrectionWeight(pi[a], mu[a], c) * f[a];
          exact += pi[a] * f[a];
          // The division-free form agrees with the paper's π(a)·[1 − c/ρ(a)]₊ wherever ρ > 0.
          if (rho > 0)
            expect(biasCorrectionWeight(pi[a], mu[a], c)).toBeCloseTo(pi[a] * Math.max(0, 1 - c / rho), 12);
        }
        expect(corrected).toBeCloseTo(exact, 10);
      }),
      { seed: 52, numRuns: 300 },
    );
  });
});
