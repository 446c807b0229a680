import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  alignOnUnion,
  forLogLeftAxis,
  interpolateAt,
  meanStdAcrossRuns,
  positiveOnly,
  smoothEma,
  stepsSinceOnline,
} from '../../renderer/src/lib/series.js';

describe('smoothEma', () => {
  it('matches the debiased EMA by hand', () => {
    // w = 0.5: m1 = 0.5·2 = 1, s1 = 1/0.5 = 2; m2 = 0.5·1 + 0.5·4 = 2.5, s2 = 2.5/0.75 = 3.333…
    const out = smoothEma([2, 4], 0.5);
    expect(out[0]).toBeCloseTo(2, 12);
    expect(out[1]).toBeCloseTo(10 / 3, 12);
  });

  it('returns the input for weight 0 and keeps gaps', () => {
    expect(Array.from(smoothEma([1, 2, 3], 0))).toEqual([1, 2, 3]);
    const out = smoothEma([1, NaN, 3], 0.9);
    expect(out[1]).toBeNaN();
    expect(out[0]).toBeCloseTo(1, 12);
  });

  it('maps a constant series to itself and stays within the input range', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (values, weight) => {
          const out = smoothEma(values, weight);
          const min = Math.min(...values);
          const max = Math.max(...values);
          for (const v of out) {
            expect(v).toBeGreaterThanOrEqual(min - 1e-9);
            expect(v).toBeLessThanOrEqual(max + 1e-9);
          }
          const constant = smoothEma(
            values.map(() => 7),
            weight,
          );
          for (const v of constant) expect(v).toBeCloseTo(7, 9);
        },
      ),
    );
  });
});

describe('interpolateAt', () => {
  it('interpolates linearly inside the range and refuses to extrapolate', () => {
    expect(interpolateAt([0, 10], [0, 100], 2.5)).toBe(25);
    expect(interpolateAt([0, 10], [0, 100], 10)).toBe(100);
    expect(interpolateAt([0, 10], [0, 100], 11)).toBeNaN();
    expect(interpolateAt([], [], 0)).toBeNaN();
  });
});

describe('meanStdAcrossRuns', () => {
  it('gives mean and sample std of runs evaluated at the same steps', () => {
    const result = meanStdAcrossRuns([
      { x: [0, 10], y: [1, 2] },
      { x: [0, 10], y: [3, 6] },
    ]);
    expect(Array.from(result.x)).toEqual([0, 10]);
    expect(Array.from(result.mean)).toEqual([2, 4]);
    // sample std of {1, 3} = √2, of {2, 6} = √8
    expect(result.std[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(result.std[1]).toBeCloseTo(Math.sqrt(8), 12);
    expect(Array.from(result.count)).toEqual([2, 2]);
  });

  it('aligns runs logged at different steps by interpolation and counts only covering runs', () => {
    const result = meanStdAcrossRuns([
      { x: [0, 10, 20], y: [0, 10, 20] },
      { x: [0, 5], y: [2, 2] },
    ]);
    expect(Array.from(result.x)).toEqual([0, 5, 10, 20]);
    expect(Array.from(result.mean)).toEqual([1, 3.5, 10, 20]);
    expect(Array.from(result.count)).toEqual([2, 2, 1, 1]);
    expect(result.std[3]).toBe(0);
  });

  it('caps the grid at maxPoints evenly spaced steps', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => i);
    const result = meanStdAcrossRuns([{ x, y: x }], 11);
    expect(Array.from(result.x)).toEqual(
      [0, 99.9, 199.8, 299.7, 399.6, 499.5, 599.4, 699.3, 799.2, 899.1, 999].map((v) => expect.closeTo(v, 9)),
    );
    expect(result.mean[10]).toBe(999);
  });

  it('equals the single run when given one run', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (ys) => {
          const x = ys.map((_, i) => i * 3);
          const result = meanStdAcrossRuns([{ x, y: ys }]);
          expect(Array.from(result.mean)).toEqual(ys.map((v) => v + 0)); // −0 and 0 are the same mean
          expect(Array.from(result.std).every((s) => s === 0)).toBe(true);
        },
      ),
    );
  });
});

describe('axis helpers', () => {
  it('shifts steps to steps since fine-tuning began', () => {
    expect(Array.from(stepsSinceOnline([0, 50, 100], 50))).toEqual([-50, 0, 50]);
    expect(Array.from(stepsSinceOnline([0, 50], null))).toEqual([0, 50]);
  });

  it('drops non-positive values for a log axis', () => {
    const out = positiveOnly([1, 0, -2, 3]);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeNaN();
    expect(out[3]).toBe(3);
  });

  it('on a log left axis drops non-positive values of left-axis series only; right-axis series pass unchanged', () => {
    const critic = [0.5, 0, 2];
    const actor = [-3, -1, 4];
    const [left, right] = forLogLeftAxis([critic, actor], [false, true]);
    expect(Array.from(left)).toEqual([0.5, NaN, 2]);
    expect(right).toBe(actor);
    expect(Array.from(forLogLeftAxis([actor], [])[0])).toEqual([NaN, NaN, 4]);
  });
});

describe('alignOnUnion', () => {
  it('puts runs on the union of their steps with gaps where a run has no value', () => {
    const { x, ys } = alignOnUnion([
      { x: [0, 10, 20], y: [1, 2, 3] },
      { x: [5, 10], y: [7, 8] },
    ]);
    expect(Array.from(x)).toEqual([0, 5, 10, 20]);
    expect(Array.from(ys[0])).toEqual([1, NaN, 2, 3]);
    expect(Array.from(ys[1])).toEqual([NaN, 7, 8, NaN]);
  });
});
