import { describe, expect, it } from 'vitest';
import {
  gradientPenaltyRow,
  huber,
  huberGradient,
  sampleTanhGaussian,
  scheduledLearningRate,
  softTdTarget,
  tanhGaussianActorGradient,
  valueTdError,
} from '../../../core/agents/sac-math.js';
import { Rng } from '../../../core/util/random.js';

describe('critic loss pieces', () => {
  it('huber is quadratic inside δ and linear outside, with a clipped gradient', () => {
    expect(huber(3, 20)).toBe(4.5);
    expect(huber(-30, 20)).toBe(20 * (30 - 10));
    expect(huber(20, 20)).toBe(200);
    expect(huberGradient(5, 20)).toBe(5);
    expect(huberGradient(25, 20)).toBe(20);
    expect(huberGradient(-25, 20)).toBe(-20);
  });

  it('soft TD target: r + γ·mask·(min Q′ − α·log π′)', () => {
    // 1 + 0.99·1·(min(5, 4) − 0.2·(−3)) = 1 + 0.99·4.6
    expect(softTdTarget(1, 1, 5, 4, -3, 0.2, 0.99)).toBeCloseTo(5.554, 12);
    // Terminal: no bootstrap.
    expect(softTdTarget(2, 0, 5, 4, -3, 0.2, 0.99)).toBe(2);
  });

  it('gradient penalty max(‖g‖ − 1, 0)² with gradient 2(‖g‖ − 1)·g/‖g‖', () => {
    const out = new Float32Array(4);
    // Row [obs, a1, a2] with ∂Q/∂a = (3, 4): ‖g‖ = 5 → (5 − 1)² = 16, gradient 2·4·(3, 4)/5.
    const penalty = gradientPenaltyRow([9, 3, 4, 0], 1, 2, 1, out);
    expect(penalty).toBe(16);
    expect(out[1]).toBeCloseTo(4.8, 6);
    expect(out[2]).toBeCloseTo(6.4, 6);
    expect(out[0]).toBe(0);
    // Inside the unit ball: no penalty, zero gradient.
    expect(gradientPenaltyRow([0.3, 0.4], 0, 2, 1, out)).toBe(0);
    expect(out[0]).toBe(0);
  });
});

describe('ROER value TD error', () => {
  it('TD error from V: r + γ·mask·V(s′) − V(s)', () => {
    expect(valueTdError(1, 1, 2, 0.5, 0.9)).toBeCloseTo(2.3, 12);
    expect(valueTdError(1, 0, 2, 0.5, 0.9)).toBe(0.5);
  });
});

describe('tanh-Gaussian policy', () => {
  it('log π matches the change-of-variables density on a hand-computed case', () => {
    // μ = 0.3, log σ = −0.5, ε = 0.8 → u = 0.3 + e^{−0.5}·0.8.
    const sample = sampleTanhGaussian([0.3, -0.5], [0.8], 1, 1, -10, 2);
    const u = 0.3 + Math.exp(-0.5) * 0.8;
    const expected = -0.5 * 0.64 - 0.5 * Math.log(2 * Math.PI) + 0.5 - Math.log(1 - Math.tanh(u) ** 2);
    expect(sample.actions[0]).toBeCloseTo(Math.tanh(u), 6);
    expect(sample.logProbs[0]).toBeCloseTo(expected, 10);
  });

  it('clips log σ and gives tanh(μ) for zero noise', () => {
    const sample = sampleTanhGaussian([2, -1, 9, -30], [0, 0], 1, 2, -5, 2);
    expect(sample.actions[0]).toBeCloseTo(Math.tanh(2), 6);
    expect(sample.stds[0]).toBeCloseTo(Math.exp(2), 5);
    expect(sample.stds[1]).toBeCloseTo(Math.exp(-5), 9);
    expect(Array.from(sample.logStdInside)).toEqual([0, 0]);
  });

  it('actor-loss gradient w.r.t. [μ | raw log σ] agrees with finite differences', () => {
    const rng = new Rng(2);
    const rows = 5;
    const width = 3;
    const outputs = Float64Array.from({ length: rows * 2 * width }, () => rng.normal());
    const noise = Float64Array.from({ length: rows * width }, () => rng.normal());
    // A linear critic Q(s, a) = c·a, so ∂Q/∂a = c for every row.
    const c = Float64Array.from({ length: rows * width }, () => rng.normal());
    const alpha = 0.3;
    const loss = (o: Float64Array) => {
      const s = sampleTanhGaussian(o, noise, rows, width, -10, 2);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        let q = 0;
        for (let j = 0; j < width; j++) q += c[r * width + j] * s.actions[r * width + j];
        total += (alpha * s.logProbs[r] - q) / rows;
      }
      return total;
    };
    const sample = sampleTanhGaussian(outputs, noise, rows, width, -10, 2);
    const gradient = tanhGaussianActorGradient(sample, noise, c, alpha, rows, width);
    for (let i = 0; i < outputs.length; i++) {
      const plus = outputs.slice();
      const minus = outputs.slice();
      plus[i] += 1e-4;
      minus[i] -= 1e-4;
      // Actions are float32, so compare with a tolerance that allows for their rounding.
      expect(gradient[i]).toBeCloseTo((loss(plus) - loss(minus)) / 2e-4, 2);
    }
  });
});

describe('learning-rate schedule', () => {
  it('cosine starts at η, halves at p = ½, ends at 0; constant ignores p', () => {
    expect(scheduledLearningRate(3e-4, 'cosine', 0)).toBeCloseTo(3e-4, 12);
    expect(scheduledLearningRate(3e-4, 'cosine', 0.25)).toBeCloseTo(3e-4 * 0.5 * (1 + Math.SQRT1_2), 12);
    expect(scheduledLearningRate(3e-4, 'cosine', 0.5)).toBeCloseTo(1.5e-4, 12);
    expect(scheduledLearningRate(3e-4, 'cosine', 1)).toBeCloseTo(0, 12);
    for (const p of [0, 0.3, 1]) expect(scheduledLearningRate(3e-4, 'constant', p)).toBe(3e-4);
  });

  it('cosine never rises as the run progresses', () => {
    let previous = Infinity;
    for (let i = 0; i <= 100; i++) {
      const rate = scheduledLearningRate(1, 'cosine', i / 100);
      expect(rate).toBeLessThanOrEqual(previous);
      previous = rate;
    }
  });
});
