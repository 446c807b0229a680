import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  effectiveSampleSize,
  essAtTemperature,
  logSumExp,
  quantileSorted,
  shiftStatistics,
} from '../../../core/beta/statistics.js';

describe('effectiveSampleSize', () => {
  it('gives known answers', () => {
    expect(effectiveSampleSize([1, 1, 1, 1])).toBe(4);
    expect(effectiveSampleSize([5, 0, 0, 0])).toBe(1);
    expect(effectiveSampleSize([1, 2, 3])).toBeCloseTo(36 / 14, 14);
    expect(effectiveSampleSize([2, 2, 0])).toBe(2);
    expect(effectiveSampleSize([])).toBe(0);
    expect(effectiveSampleSize([0, 0])).toBe(0);
  });

  it('does not overflow or underflow for extreme weights', () => {
    expect(effectiveSampleSize([1e300, 1e300])).toBe(2);
    expect(effectiveSampleSize([1e-300, 1e-300, 1e-300])).toBeCloseTo(3, 12);
  });

  it('rejects negative and non-finite weights with the index', () => {
    expect(() => effectiveSampleSize([1, -1])).toThrow(/weight 1/);
    expect(() => effectiveSampleSize([Number.NaN])).toThrow(/weight 0/);
    expect(() => effectiveSampleSize([Infinity])).toThrow(/weight 0/);
  });

  it('lies in [1, n] and ignores the scale of the weights (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 100 }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (weights, scale) => {
          const ess = effectiveSampleSize(weights);
          expect(ess).toBeGreaterThanOrEqual(1 - 1e-12);
          expect(ess).toBeLessThanOrEqual(weights.length * (1 + 1e-12));
          expect(effectiveSampleSize(weights.map((w) => w * scale))).toBeCloseTo(ess, 8);
        },
      ),
      { seed: 2 },
    );
  });
});

describe('ESS at a temperature', () => {
  it('equals the ESS of the explicit weights exp(δ/β)', () => {
    const deltas = [0.3, -1.2, 2.5, 0, 0.7];
    for (const beta of [0.5, 1, 4]) {
      expect(essAtTemperature(deltas, beta)).toBeCloseTo(
        effectiveSampleSize(deltas.map((d) => Math.exp(d / beta))),
        12,
      );
    }
  });

  it('stays finite where exp(δ/β) overflows', () => {
    expect(essAtTemperature([1000, 0, 0], 0.001)).toBeCloseTo(1, 12);
    expect(essAtTemperature([1000, 1000, 0], 0.001)).toBeCloseTo(2, 12);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
  });

  it('rises monotonically with β for unclipped weights (property over random δ)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 256 }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.double({ min: 1.001, max: 10, noNaN: true }),
        (deltas, beta, factor) => {
          expect(essAtTemperature(deltas, beta * factor)).toBeGreaterThanOrEqual(
            essAtTemperature(deltas, beta) * (1 - 1e-9),
          );
        },
      ),
      { numRuns: 500, seed: 4 },
    );
  });
});

describe('shiftStatistics', () => {
  it('gives known answers for equal TD errors', () => {
    const stats = shiftStatistics([2, 2, 2, 2], 0.5);
    expect(stats.ess).toBeCloseTo(4, 12);
    expect(stats.essFraction).toBeCloseTo(1, 12);
    expect(stats.weightEntropy).toBeCloseTo(1, 12);
    expect(stats.tdMean).toBe(2);
    expect(stats.tdStd).toBe(0);
    expect(stats.tdP05).toBe(2);
  });

  it('computes moments, quantiles and entropy', () => {
    const deltas = [5, 1, 4, 2, 3];
    const stats = shiftStatistics(deltas, 1);
    expect(stats.tdMean).toBe(3);
    expect(stats.tdStd).toBeCloseTo(Math.sqrt(2), 14);
    expect(stats.tdP50).toBe(3);
    expect(stats.tdP25).toBe(2);
    expect(stats.tdP75).toBe(4);
    expect(stats.tdP05).toBeCloseTo(1.2, 14);
    expect(stats.tdP95).toBeCloseTo(4.8, 14);
    const weights = deltas.map((d) => Math.exp(d));
    const total = weights.reduce((a, b) => a + b, 0);
    const entropy = -weights.reduce((h, w) => h + (w / total) * Math.log(w / total), 0);
    expect(stats.weightEntropy).toBeCloseTo(entropy / Math.log(5), 12);
    expect(stats.ess).toBeCloseTo(effectiveSampleSize(weights), 12);
  });

  it('drives the entropy to 0 and the ESS to 1 when one TD error dominates', () => {
    const stats = shiftStatistics([100, 0, 0, 0], 0.01);
    expect(stats.ess).toBeCloseTo(1, 12);
    expect(stats.weightEntropy).toBeCloseTo(0, 12);
  });

  it('reuses a scratch buffer and rejects bad input', () => {
    const scratch = new Float64Array(10);
    expect(shiftStatistics([3, 1, 2], 1, scratch).tdP50).toBe(2);
    expect(() => shiftStatistics([1, Number.NaN], 1)).toThrow(/TD error 1/);
    expect(() => shiftStatistics([1], 0)).toThrow(/β must be positive/);
    expect(Number.isNaN(shiftStatistics([], 1).tdMean)).toBe(true);
  });

  it('interpolates quantiles linearly (type 7)', () => {
    expect(quantileSorted([10, 20], 0.25)).toBe(12.5);
    expect(quantileSorted([7], 0.9)).toBe(7);
    expect(Number.isNaN(quantileSorted([], 0.5))).toBe(true);
  });
});
