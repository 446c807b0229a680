import { describe, expect, it } from 'vitest';
import {
  bestEvaluation,
  describeScore,
  replacesBest,
  selectionScore,
} from '../../../core/common/best-evaluation.js';

const evaluation = (step: number, successRate: number, normalizedScore: number, meanReturn: number) => ({
  step,
  envStep: step,
  phase: 'online' as const,
  successRate,
  normalizedScore,
  meanReturn,
});

describe('best evaluation', () => {
  it('scores by the success rate, else the normalised score, else the mean return', () => {
    expect(selectionScore(evaluation(1, 0.4, 80, -3))).toEqual({ metric: 'successRate', score: 0.4 });
    expect(selectionScore(evaluation(1, NaN, 80, -3))).toEqual({ metric: 'normalizedScore', score: 80 });
    expect(selectionScore(evaluation(1, NaN, NaN, -3))).toEqual({ metric: 'meanReturn', score: -3 });
    expect(selectionScore(evaluation(1, NaN, NaN, NaN))).toBeNull();
  });

  it('keeps the highest score; a tie goes to the later evaluation', () => {
    const history = [
      evaluation(10, NaN, 50, 1),
      evaluation(20, NaN, 95, 2),
      evaluation(30, NaN, 60, 3),
      evaluation(40, NaN, 95, 4),
      evaluation(50, NaN, 94.9, 5),
    ];
    expect(bestEvaluation(history)).toEqual({
      metric: 'normalizedScore',
      score: 95,
      step: 40,
      envStep: 40,
      phase: 'online',
    });
    expect(bestEvaluation(history.slice(0, 3))?.step).toBe(20);
    expect(bestEvaluation([])).toBeNull();
  });

  it('skips evaluations without a finite score and prefers a more specific metric', () => {
    expect(bestEvaluation([evaluation(10, NaN, NaN, NaN), evaluation(20, NaN, NaN, -5)])?.step).toBe(20);
    // A success rate outranks any return, and a return never replaces a success rate.
    expect(replacesBest({ metric: 'successRate', score: 0 }, { metric: 'meanReturn', score: 100 })).toBe(
      true,
    );
    expect(replacesBest({ metric: 'meanReturn', score: 100 }, { metric: 'successRate', score: 0 })).toBe(
      false,
    );
    expect(replacesBest({ metric: 'meanReturn', score: -2 }, { metric: 'meanReturn', score: -1 })).toBe(
      false,
    );
  });

  it('describes a score as people read it, the success rate in percent', () => {
    expect(describeScore({ metric: 'successRate', score: 0.9 }, String)).toBe('success rate 90%');
    expect(describeScore({ metric: 'normalizedScore', score: 95.5 }, String)).toBe('normalised score 95.5');
    expect(describeScore({ metric: 'meanReturn', score: -3 }, String)).toBe('mean return -3');
  });
});
