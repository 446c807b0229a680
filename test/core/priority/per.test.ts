import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annealedImportanceExponent,
  importanceWeight,
  normalizedImportanceWeight,
} from '../../../core/priority/importance.js';
import { perPriorities, perPriority } from '../../../core/priority/per.js';

describe('PER priority', () => {
  it('is (|δ| + ε)^α', () => {
    expect(perPriority(-2, { alpha: 0.6, epsilon: 0.01 })).toBeCloseTo(2.01 ** 0.6, 14);
    expect(perPriority(3, { alpha: 1, epsilon: 0 })).toBe(3);
    expect(perPriority(0, { alpha: 0.6, epsilon: 1e-6 })).toBeCloseTo(1e-6 ** 0.6, 20);
    // α = 0 is uniform.
    expect(perPriority(123, { alpha: 0, epsilon: 1e-6 })).toBe(1);
  });

  it('fills a batch and checks the output size', () => {
    const out = perPriorities([1, -1, 0.5], { alpha: 0.5, epsilon: 0 }, new Float64Array(3));
    expect(Array.from(out)).toEqual([1, 1, Math.sqrt(0.5)]);
    expect(() => perPriorities([1, 2], { alpha: 1, epsilon: 0 }, new Float64Array(1))).toThrow(
      /1 slots for 2/,
    );
  });

  it('is symmetric in δ and non-decreasing in |δ| (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (d, extra) => {
          const options = { alpha: 0.6, epsilon: 1e-6 };
          expect(perPriority(d, options)).toBe(perPriority(-d, options));
          expect(perPriority(Math.abs(d) + extra, options)).toBeGreaterThanOrEqual(perPriority(d, options));
        },
      ),
      { seed: 1 },
    );
  });
});

describe('importance weights', () => {
  it('are (N·P)^(−β) and normalise by the least likely transition', () => {
    expect(importanceWeight(0.25, 4, 1)).toBe(1);
    expect(importanceWeight(0.5, 4, 1)).toBe(0.5);
    expect(importanceWeight(0.1, 4, 0.5)).toBeCloseTo(0.4 ** -0.5, 14);
    // P = [0.1, 0.2, 0.7]: the weight of P_min is 1, others smaller.
    expect(normalizedImportanceWeight(0.1, 0.1, 0.7)).toBe(1);
    expect(normalizedImportanceWeight(0.7, 0.1, 1)).toBeCloseTo(1 / 7, 14);
    expect(normalizedImportanceWeight(0.2, 0.1, 0.4)).toBeCloseTo(
      importanceWeight(0.2, 3, 0.4) / importanceWeight(0.1, 3, 0.4),
      14,
    );
  });

  it('anneal the exponent linearly to 1 and clamp the progress', () => {
    expect(annealedImportanceExponent(0.4, 0)).toBe(0.4);
    expect(annealedImportanceExponent(0.4, 0.5)).toBeCloseTo(0.7, 15);
    expect(annealedImportanceExponent(0.4, 1)).toBe(1);
    expect(annealedImportanceExponent(0.4, 7)).toBe(1);
    expect(annealedImportanceExponent(0.4, -1)).toBe(0.4);
  });
});
