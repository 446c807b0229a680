import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boxStepStatistics,
  clippedGaussianLogLikelihood,
  discreteStepStatistics,
  logNormalCdf,
} from '../../../core/data/behaviour-law.js';
import { Rng } from '../../../core/util/random.js';

describe('log Φ', () => {
  it('matches known values of the standard normal CDF, far into both tails', () => {
    expect(logNormalCdf(0)).toBeCloseTo(Math.log(0.5), 6);
    expect(Math.exp(logNormalCdf(-1))).toBeCloseTo(0.158655253931457, 6);
    expect(Math.exp(logNormalCdf(1.959963984540054))).toBeCloseTo(0.975, 6);
    // Φ(−10) = 7.619853024160527e−24: log Φ stays finite where Φ itself would underflow a float32.
    expect(logNormalCdf(-10)).toBeCloseTo(Math.log(7.619853024160527e-24), 5);
    // Φ(−40) ≈ φ(40)/40: the asymptotic tail, to the fit's relative accuracy.
    const tail = -0.5 * 40 * 40 - Math.log(40) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / 1600);
    expect(Math.abs(logNormalCdf(-40) - tail)).toBeLessThan(1e-5);
    expect(logNormalCdf(12)).toBeCloseTo(0, 12);
  });

  it('is increasing', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 8, noNaN: true }),
        fc.double({ min: 1e-3, max: 5, noNaN: true }),
        (z, step) => {
          expect(logNormalCdf(z + step)).toBeGreaterThan(logNormalCdf(z));
        },
      ),
    );
  });
});

describe('behaviour statistics of a generating step', () => {
  it('discrete: uniform, a controller mixed with ε uniform, and nothing for a deterministic controller', () => {
    const uniform = discreteStepStatistics({ kind: 'uniform' }, 2, 4, 0.3, 2);
    expect(Array.from(uniform.probs!)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(uniform.logProb).toBeCloseTo(Math.log(0.25), 12);
    // μ(a) = (1 − ε)·[a = c] + ε/|A| with c = 1, ε = 0.4, |A| = 2: (0.2, 0.8); the random action 0 was taken.
    const mixed = discreteStepStatistics({ kind: 'point' }, 1, 2, 0.4, 0);
    expect(Array.from(mixed.probs!, (p) => Number(p.toFixed(6)))).toEqual([0.2, 0.8]);
    expect(mixed.logProb).toBeCloseTo(Math.log(0.2), 6);
    expect(discreteStepStatistics({ kind: 'point' }, 1, 2, 0, 1)).toEqual({});
    expect(() => discreteStepStatistics({ kind: 'gaussian', std: 1 }, 1, 2, 0, 1)).toThrow(/Box/);
  });

  it('Box: the uniform log density, the Gaussian statistics, and nothing where the law has none', () => {
    const low = Float32Array.of(-2, -1);
    const high = Float32Array.of(2, 1);
    expect(
      boxStepStatistics({ kind: 'uniform' }, Float32Array.of(0, 0), low, high, 0, Float32Array.of(1, 0)),
    ).toEqual({
      logProb: -Math.log(4) - Math.log(2),
    });
    const centre = Float32Array.of(0.5, -0.25);
    const gaussian = boxStepStatistics(
      { kind: 'gaussian', std: 0.5 },
      centre,
      low,
      high,
      0,
      Float32Array.of(1, 0.25),
    );
    expect(Array.from(gaussian.mean!)).toEqual([0.5, -0.25]);
    expect(Array.from(gaussian.logStd!)).toEqual([Math.fround(Math.log(0.5)), Math.fround(Math.log(0.5))]);
    // Both dimensions lie inside the bounds, one standard deviation from the mean each.
    const density = 2 * (-0.5 - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI));
    expect(gaussian.logProb).toBeCloseTo(density, 10);
    expect(boxStepStatistics({ kind: 'point' }, centre, low, high, 0, centre)).toEqual({});
    expect(boxStepStatistics({ kind: 'gaussian', std: 0 }, centre, low, high, 0, centre)).toEqual({});
    expect(boxStepStatistics({ kind: 'gaussian', std: 0.5 }, centre, low, high, 0.1, centre)).toEqual({});
  });

  it('a clipped dimension counts with the mass beyond its bound: density and masses integrate to 1', () => {
    const mean = 0.7;
    const std = 0.4;
    const [low, high] = [-1, 1];
    // ∫ density over (low, high) by the midpoint rule, plus the two point masses.
    const cells = 20_000;
    let total = 0;
    for (let k = 0; k < cells; k++) {
      const a = low + ((k + 0.5) * (high - low)) / cells;
      total +=
        Math.exp(clippedGaussianLogLikelihood([a], [mean], std, [low], [high])) * ((high - low) / cells);
    }
    total += Math.exp(clippedGaussianLogLikelihood([low], [mean], std, [low], [high]));
    total += Math.exp(clippedGaussianLogLikelihood([high], [mean], std, [low], [high]));
    expect(total).toBeCloseTo(1, 5);
  });

  it('the mass at a bound is the share of clipped samples', () => {
    const rng = new Rng(7);
    const [mean, std, high] = [0.8, 0.5, 1];
    const samples = 200_000;
    let clipped = 0;
    for (let i = 0; i < samples; i++) if (mean + std * rng.normal() >= high) clipped++;
    const mass = Math.exp(clippedGaussianLogLikelihood([high], [mean], std, [-1], [high]));
    // P(N(0.8, 0.5²) ≥ 1) = 1 − Φ(0.4) = 0.3446; the binomial standard error is 0.0011.
    expect(mass).toBeCloseTo(0.344578, 5);
    expect(Math.abs(clipped / samples - mass)).toBeLessThan(0.005);
  });
});
