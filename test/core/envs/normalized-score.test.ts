import { describe, expect, it } from 'vitest';
import { normalizedScore } from '../../../core/envs/normalized-score.js';

describe('normalizedScore', () => {
  it('computes the D4RL normalised score with the reference range', () => {
    // maze2d-umaze reference range 23.85 … 161.86
    expect(normalizedScore(161.86, { min: 23.85, max: 161.86 })).toBeCloseTo(100, 10);
    expect(normalizedScore(23.85, { min: 23.85, max: 161.86 })).toBeCloseTo(0, 10);
    expect(normalizedScore(92.855, { min: 23.85, max: 161.86 })).toBeCloseTo(50, 10);
    expect(Number.isNaN(normalizedScore(5))).toBe(true);
  });
});
