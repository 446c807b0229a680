/**
 * ACER's per-step mathematics: finite-difference checks of every gradient, known answers worked
 * by hand, and the trust-region projection's properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addGaussianLogDensityGradient,
  categoricalEntropy,
  categoricalGain,
  categoricalKl,
  categoricalKlGradient,
  effectiveTraceLengths,
  gaussianEntropy,
  gaussianHeadBackward,
  gaussianHeadForward,
  gaussianKl,
  gaussianKlGradient,
  gaussianLogDensity,
  PROBABILITY_EPSILON,
  projectOntoTrustRegion,
  quantileOfSorted,
  softmaxBackward,
  softmaxInto,
} from '../../../../core/agents/acer/math.js';
import { Rng } from '../../../../core/util/random.js';

/** Central difference of f along coordinate i of x. */
function partial(f: (x: Float64Array) => number, x: ArrayLike<number>, i: number, h = 1e-6): number {
  const point = Float64Array.from(x as ArrayLike<number>);
  point[i] += h;
  const up = f(point);
  point[i] -= 2 * h;
  const down = f(point);
  return (up - down) / (2 * h);
}

function expectGradient(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  gradient: ArrayLike<number>,
  tolerance = 1e-5,
): void {
  for (let i = 0; i < x.length; i++) {
    const numeric = partial(f, x, i);
    expect(Math.abs(numeric - gradient[i])).toBeLessThan(tolerance * Math.max(1, Math.abs(numeric)));
  }
}

function randomProbabilities(rng: Rng, width: number, spread = 2): Float64Array {
  const logits = Float64Array.from({ length: width }, () => spread * rng.normal());
  const out = new Float64Array(width);
  softmaxInto(logits, 0, width, out, 0);
  return out;
}

describe('categorical statistics', () => {
  it('softmaxBackward is the gradient of Σ w·softmax(ℓ) (finite differences)', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 10; trial++) {
      const width = 2 + rng.int(5);
      const logits = Float64Array.from({ length: width }, () => rng.normal());
      const w = Float64Array.from({ length: width }, () => rng.normal());
      const f = new Float64Array(width);
      softmaxInto(logits, 0, width, f, 0);
      const gradient = new Float64Array(width);
      softmaxBackward(f, w, gradient);
      expectGradient(
        (x) => {
          const p = new Float64Array(width);
          softmaxInto(x, 0, width, p, 0);
          return p.reduce((total, value, i) => total + w[i] * value, 0);
        },
        logits,
        gradient,
      );
    }
  });

  it('categoricalGain returns G(f) and ∂G/∂f (finite differences and a hand-worked case)', () => {
    const rng = new Rng(2);
    for (let trial = 0; trial < 20; trial++) {
      const width = 2 + rng.int(5);
      const f = randomProbabilities(rng, width);
      const terms = {
        action: rng.int(width),
        actionWeight: 3 * rng.normal(),
        biasWeights: Float64Array.from({ length: width }, () => rng.normal()),
        entropyCoefficient: rng.uniform() * 0.1,
      };
      const gradient = new Float64Array(width);
      categoricalGain(f, terms, gradient);
      expectGradient((x) => categoricalGain(x, terms, new Float64Array(width)), f, gradient, 1e-4);
    }
    // f = (0.25, 0.75), a_t = 1 with weight 2, bias weights (0.1, 0), no entropy:
    // G = 2·log 0.75 + 0.1·log 0.25, g = (0.1/0.25, 2/0.75).
    const g = new Float64Array(2);
    const gain = categoricalGain(
      [0.25, 0.75],
      { action: 1, actionWeight: 2, biasWeights: [0.1, 0], entropyCoefficient: 0 },
      g,
    );
    expect(gain).toBeCloseTo(2 * Math.log(0.75) + 0.1 * Math.log(0.25), 5);
    expect(g[0]).toBeCloseTo(0.4, 5);
    expect(g[1]).toBeCloseTo(2 / 0.75, 5);
    // Entropy alone: G = η·H, H(½, ½) = log 2.
    expect(
      categoricalGain(
        [0.5, 0.5],
        { action: 0, actionWeight: 0, biasWeights: [0, 0], entropyCoefficient: 2 },
        g,
      ),
    ).toBeCloseTo(2 * Math.log(2), 5);
    expect(categoricalEntropy([0.5, 0.5])).toBeCloseTo(Math.log(2), 5);
  });

  it('categoricalKlGradient is ∂KL(f_avg ‖ f)/∂f (finite differences)', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 10; trial++) {
      const width = 2 + rng.int(4);
      // Probabilities well above ε = 1e-6, which the gradient adds to f.
      const average = randomProbabilities(rng, width, 0.5);
      const f = randomProbabilities(rng, width, 0.5);
      const k = new Float64Array(width);
      categoricalKlGradient(average, f, k);
      expectGradient((x) => categoricalKl(average, x), f, k, 1e-4);
    }
    // KL(p ‖ p) = 0; KL((½, ½) ‖ (¼, ¾)) = ½ log 2 + ½ log(2/3).
    expect(categoricalKl([0.3, 0.7], [0.3, 0.7])).toBe(0);
    expect(categoricalKl([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(
      0.5 * Math.log(2) + 0.5 * Math.log(2 / 3),
      10,
    );
  });
});

describe('the trust-region projection', () => {
  it('solves a hand-worked case: g = (1, 2), k = (1, 1), δ = 1 gives z = (0, 1)', () => {
    const z = new Float64Array(2);
    const step = projectOntoTrustRegion([1, 2], [1, 1], 1, z, 0);
    expect(step).toEqual({ kDotG: 3, adjustment: 1 });
    expect(Array.from(z)).toEqual([0, 1]);
    // Inside the region nothing changes.
    const inside = projectOntoTrustRegion([1, -2], [1, 1], 1, z, 0);
    expect(inside.adjustment).toBe(0);
    expect(Array.from(z)).toEqual([1, -2]);
  });

  it('keeps kᵀz ≤ δ + ε, leaves g alone inside, and is the nearest point of the half-space (property)', () => {
    const vector = (length: number) =>
      fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: length, maxLength: length });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(vector(n), vector(n), vector(n))),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        ([g, k, probe], delta) => {
          const z = new Float64Array(g.length);
          const step = projectOntoTrustRegion(g, k, delta, z);
          const kDotZ = k.reduce((total, value, i) => total + value * z[i], 0);
          const kNorm = k.reduce((total, value) => total + value * value, 0);
          // With ε = 1e-6 under ‖k‖², the bound holds up to kᵀg·ε/(‖k‖² + ε).
          const slack =
            1e-9 * (1 + Math.abs(step.kDotG)) +
            (Math.max(0, step.kDotG) * PROBABILITY_EPSILON) / (kNorm + PROBABILITY_EPSILON);
          expect(kDotZ).toBeLessThanOrEqual(delta + slack);
          if (step.kDotG <= delta) expect(g.every((value, i) => value === z[i])).toBe(true);
          if (kNorm > 1e-3) {
            // Any feasible point is at least as far from g as z (the projection is the nearest).
            const kDotProbe = k.reduce((total, value, i) => total + value * probe[i], 0);
            const feasible =
              kDotProbe <= delta
                ? probe
                : probe.map((value, i) => value - ((kDotProbe - delta) / kNorm) * k[i]);
            const distance = (point: ArrayLike<number>) =>
              g.reduce((total, value, i) => total + (value - point[i]) ** 2, 0);
            expect(distance(z)).toBeLessThanOrEqual(distance(feasible) * (1 + 1e-9) + 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('diagonal Gaussian statistics', () => {
  it('the log-density gradient in (m, log σ) matches finite differences', () => {
    const rng = new Rng(4);
    for (let trial = 0; trial < 10; trial++) {
      const d = 1 + rng.int(3);
      const x = Float64Array.from({ length: d }, () => rng.normal());
      const statistics = Float64Array.from({ length: 2 * d }, () => 0.5 * rng.normal());
      const meanGradient = new Float64Array(d);
      const logStdGradient = new Float64Array(d);
      addGaussianLogDensityGradient(
        x,
        statistics.subarray(0, d),
        statistics.subarray(d),
        d,
        1.5,
        meanGradient,
        logStdGradient,
      );
      expectGradient((s) => 1.5 * gaussianLogDensity(x, s.subarray(0, d), s.subarray(d), d), statistics, [
        ...meanGradient,
        ...logStdGradient,
      ]);
    }
    // log N(1; 0, 1) = −½ − ½ log 2π.
    expect(gaussianLogDensity([1], [0], [0], 1)).toBeCloseTo(-0.5 - 0.5 * Math.log(2 * Math.PI), 12);
    expect(gaussianEntropy([Math.log(2)], 1)).toBeCloseTo(0.5 * Math.log(2 * Math.PI * Math.E * 4), 12);
  });

  it('the KL gradient is ∂KL(N_avg ‖ N)/∂(m, log σ) and KL has a known value', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 10; trial++) {
      const d = 1 + rng.int(3);
      const average = Float64Array.from({ length: 2 * d }, () => 0.5 * rng.normal());
      const current = Float64Array.from({ length: 2 * d }, () => 0.5 * rng.normal());
      const meanGradient = new Float64Array(d);
      const logStdGradient = new Float64Array(d);
      gaussianKlGradient(
        average.subarray(0, d),
        average.subarray(d),
        current.subarray(0, d),
        current.subarray(d),
        d,
        meanGradient,
        logStdGradient,
      );
      expectGradient(
        (s) => gaussianKl(average.subarray(0, d), average.subarray(d), s.subarray(0, d), s.subarray(d), d),
        current,
        [...meanGradient, ...logStdGradient],
      );
    }
    // KL(N(0, 1) ‖ N(1, 2²)) = log 2 + (1 + 1)/(2·4) − ½.
    expect(gaussianKl([0], [0], [1], [Math.log(2)], 1)).toBeCloseTo(Math.log(2) + 0.25 - 0.5, 12);
    expect(gaussianKl([0.3], [-1], [0.3], [-1], 1)).toBe(0);
  });

  it('the head maps outputs to bounded statistics and back-propagates exactly (finite differences)', () => {
    const rng = new Rng(6);
    const d = 2;
    const [low, high] = [-3, 1];
    const outputs = Float64Array.from({ length: 2 * d }, () => rng.normal());
    const weights = Float64Array.from({ length: 2 * d }, () => rng.normal());
    const objective = (u: Float64Array) => {
      const m = new Float64Array(d);
      const s = new Float64Array(d);
      gaussianHeadForward(u, 0, d, low, high, m, s);
      return m.reduce((t, v, j) => t + weights[j] * v, 0) + s.reduce((t, v, j) => t + weights[d + j] * v, 0);
    };
    const m = new Float64Array(d);
    const s = new Float64Array(d);
    gaussianHeadForward(outputs, 0, d, low, high, m, s);
    for (const value of s) {
      expect(value).toBeGreaterThan(low);
      expect(value).toBeLessThan(high);
    }
    const gradient = new Float64Array(2 * d);
    gaussianHeadBackward(m, s, weights.subarray(0, d), weights.subarray(d), d, low, high, gradient, 0);
    expectGradient(objective, outputs, gradient);
    // Zero outputs: mean 0, log σ at the middle of its range.
    gaussianHeadForward([0, 0], 0, 1, low, high, m, s);
    expect([m[0], s[0]]).toEqual([0, -1]);
  });
});

describe('summaries', () => {
  it('effective trace lengths: L − t on-policy, 1 where the next trace is cut', () => {
    const out = new Float64Array(4);
    effectiveTraceLengths([0.3, 1, 0.5, 0], 4, out);
    // ℓ₃ = 1, ℓ₂ = 1 + 0·1, ℓ₁ = 1 + 0.5·1, ℓ₀ = 1 + 1·1.5.
    expect(Array.from(out)).toEqual([2.5, 1.5, 1, 1]);
    effectiveTraceLengths([1, 1, 1], 3, out);
    expect(Array.from(out.subarray(0, 3))).toEqual([3, 2, 1]);
  });

  it('quantiles interpolate linearly', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(quantileOfSorted([7], 0.9)).toBe(7);
    expect(quantileOfSorted([], 0.5)).toBeNaN();
  });
});
