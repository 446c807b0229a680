import { describe, expect, it } from 'vitest';
import {
  essAtTemperature,
  solveTemperatureForEss,
  temperatureForEss,
} from '../../../core/common/tempered-ess.js';
import { Rng } from '../../../core/util/random.js';

describe('solveTemperatureForEss', () => {
  it('finds the temperature whose ESS is the target fraction', () => {
    const rng = new Rng(9);
    const deltas = Array.from({ length: 200 }, () => 2 * rng.normal());
    for (const fraction of [0.2, 0.5, 0.8]) {
      const temperature = solveTemperatureForEss(deltas, fraction, 1e-3, 100);
      expect(essAtTemperature(deltas, temperature) / deltas.length).toBeCloseTo(fraction, 5);
    }
  });

  it('gives the same answer from a warm-start guess, inside or outside the bracket', () => {
    const rng = new Rng(10);
    const deltas = Array.from({ length: 256 }, () => rng.normal());
    const cold = solveTemperatureForEss(deltas, 0.5, 1e-3, 10);
    for (const guess of [cold * 0.9, cold * 1.5, 0.01, 9]) {
      expect(solveTemperatureForEss(deltas, 0.5, 1e-3, 10, 1e-5, guess)).toBeCloseTo(cold, 4);
    }
  });

  it('clamps to the bounds when the target is out of reach', () => {
    expect(solveTemperatureForEss([0, 0.001], 0.5, 1, 10)).toBe(1); // nearly equal: even the lower bound is above target
    expect(solveTemperatureForEss([0, 100, -100], 0.9, 1e-3, 1)).toBe(1); // the upper bound still too sharp
  });
});

describe('temperatureForEss', () => {
  it('reaches the target share and scales with the values: T(c·x + b) = c·T(x)', () => {
    const rng = new Rng(11);
    const advantages = Array.from({ length: 256 }, () => 0.01 * rng.normal() - 0.02);
    for (const fraction of [0.5, 0.9, 0.99]) {
      const temperature = temperatureForEss(advantages, fraction);
      expect(essAtTemperature(advantages, temperature) / advantages.length).toBeCloseTo(fraction, 4);
      // The −1-per-step reward convention makes advantages about a hundred times larger.
      const scaled = temperatureForEss(
        advantages.map((a) => 100 * a - 1),
        fraction,
      );
      expect(scaled / temperature).toBeCloseTo(100, 2);
    }
  });

  it('is 1 when all values are equal', () => {
    expect(temperatureForEss([0.3, 0.3, 0.3], 0.5)).toBe(1);
  });
});
