import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gumbelBatchLoss,
  gumbelNormaliser,
  gumbelValueLoss,
  gumbelValueLossGradient,
} from '../../../core/objectives/gumbel.js';
import { Rng } from '../../../core/util/random.js';

describe('Gumbel (XQL / ROER) value loss', () => {
  it('known answers below and above the clip', () => {
    // x = 1: e − 2.
    expect(gumbelValueLoss(1, 7, 1, 'official')).toBeCloseTo(Math.E - 2, 12);
    // x = 9, c = 7, β = 2: e⁷ − 8 + 2·(e⁷ − 1)/2 (official) vs 2·(e⁷ − 1) (C¹).
    const e7 = Math.exp(7);
    expect(gumbelValueLoss(9, 7, 2, 'official')).toBeCloseTo(e7 - 8 + (e7 - 1), 6);
    expect(gumbelValueLoss(9, 7, 2, 'c1')).toBeCloseTo(e7 - 8 + 2 * (e7 - 1), 6);
    expect(gumbelValueLoss(0, 7, 1, 'official')).toBe(0);
  });

  it('is continuous at the clip; the C¹ extension also has a continuous slope', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        (beta, clip) => {
          const below = gumbelValueLoss(clip - 1e-9, clip, beta, 'official');
          const above = gumbelValueLoss(clip + 1e-9, clip, beta, 'official');
          expect(Math.abs(above - below)).toBeLessThan(1e-3 * Math.exp(clip));
          expect(gumbelValueLossGradient(clip + 1e-9, clip, beta, 'c1')).toBeCloseTo(
            gumbelValueLossGradient(clip - 1e-9, clip, beta, 'c1'),
            5,
          );
        },
      ),
    );
  });

  it('the batch loss and its V-gradient agree with finite differences (normaliser held fixed)', () => {
    const rng = new Rng(1);
    const n = 16;
    const q = Float64Array.from({ length: n }, () => 3 * rng.normal());
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const [beta, extension] of [
      [0.4, 'official'],
      [2, 'c1'],
    ] as const) {
      const base = gumbelBatchLoss(q, v, beta, 7, extension);
      // Known answer of the normaliser.
      const xs = Array.from(q, (qi, i) => (qi - v[i]) / beta);
      expect(base.normaliser).toBeCloseTo(gumbelNormaliser(xs, 7), 12);
      for (let i = 0; i < n; i++) {
        const plus = v.slice();
        const minus = v.slice();
        plus[i] += 1e-6;
        minus[i] -= 1e-6;
        const lossAt = (values: Float64Array) => {
          let total = 0;
          for (let k = 0; k < n; k++) total += gumbelValueLoss((q[k] - values[k]) / beta, 7, beta, extension);
          return total / n / base.normaliser;
        };
        expect(base.valueGradient[i]).toBeCloseTo((lossAt(plus) - lossAt(minus)) / 2e-6, 5);
      }
    }
  });

  it('its minimiser over a constant V is the soft maximum β·log mean exp(Q/β)', () => {
    const q = [0.5, -1, 2, 0.1];
    const beta = 0.7;
    let best = -Infinity;
    let bestLoss = Infinity;
    for (let vValue = -2; vValue <= 4; vValue += 0.0005) {
      const loss = gumbelBatchLoss(q, new Array(4).fill(vValue), beta, 7, 'official').loss;
      // Compare unnormalised losses: multiply back the (V-dependent) normaliser.
      const raw =
        loss *
        gumbelNormaliser(
          q.map((qi) => (qi - vValue) / beta),
          7,
        );
      if (raw < bestLoss) {
        bestLoss = raw;
        best = vValue;
      }
    }
    const softMax = beta * Math.log(q.reduce((s, qi) => s + Math.exp(qi / beta), 0) / q.length);
    expect(best).toBeCloseTo(softMax, 2);
  });
});
