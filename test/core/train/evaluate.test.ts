import { describe, expect, it } from 'vitest';
import { makeEnv } from '../../../core/envs/registry.js';
import type { Env, StepResult } from '../../../core/envs/types.js';
import { evaluatePolicy, mean, standardDeviation } from '../../../core/train/evaluate.js';

/** A 1-D corridor: reward 1 per step, terminates (success) after `3 + seed % 3` steps; no reference scores. */
class Corridor implements Env {
  readonly id = 'corridor-v0';
  readonly observationSpace = {
    kind: 'box' as const,
    size: 1,
    low: Float32Array.of(0),
    high: Float32Array.of(10),
  };
  readonly actionSpace = {
    kind: 'box' as const,
    size: 1,
    low: Float32Array.of(-1),
    high: Float32Array.of(1),
  };
  readonly maxEpisodeSteps = 100;
  readonly goalConditioned = true;
  private t = 0;
  private length = 3;
  reset(seed = 0): Float32Array {
    this.t = 0;
    this.length = 3 + (seed % 3);
    return Float32Array.of(0);
  }
  step(): StepResult {
    this.t++;
    const done = this.t >= this.length;
    return {
      observation: Float32Array.of(this.t),
      reward: 1,
      terminated: done,
      truncated: false,
      info: { success: done },
    };
  }
  render() {
    return {
      bounds: [0, 0, 1, 1] as [number, number, number, number],
      walls: [],
      agent: { x: 0, y: 0, radius: 1 },
    };
  }
}

describe('evaluatePolicy', () => {
  it('reports returns, lengths, success and value bias with known answers', async () => {
    const result = await evaluatePolicy(
      () => new Corridor(),
      {
        act: (_obs, count) => new Float32Array(count),
        startValues: (_obs, _actions, count) => new Float32Array(count).fill(5),
      },
      { episodes: 3, seedOf: (i) => i, gamma: 0.5 },
    );
    expect(result.returns).toEqual([3, 4, 5]);
    expect(result.lengths).toEqual([3, 4, 5]);
    expect(result.meanReturn).toBe(4);
    expect(result.stdReturn).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(result.successRate).toBe(1);
    expect(result.normalizedScore).toBeNaN();
    // discounted returns with γ = 0.5: 1.75, 1.875, 1.9375 → bias 5 − mean
    expect(result.valueBias).toBeCloseTo(5 - (1.75 + 1.875 + 1.9375) / 3, 12);
  });

  it('computes the normalised score on a task with reference scores and no value bias without a critic', async () => {
    const env = makeEnv('pendulum-v1');
    const reference = env.referenceScores!;
    const result = await evaluatePolicy(
      () => makeEnv('pendulum-v1'),
      { act: (_obs, count) => new Float32Array(count) },
      {
        episodes: 2,
        seedOf: (i) => 10 + i,
        gamma: 0.99,
      },
    );
    expect(result.lengths).toEqual([200, 200]);
    expect(result.successRate).toBeNaN();
    expect(result.valueBias).toBeNaN();
    expect(result.normalizedScore).toBeCloseTo(
      mean(result.returns.map((r) => (100 * (r - reference.min)) / (reference.max - reference.min))),
      9,
    );
    // the same seeds give the same episodes
    const again = await evaluatePolicy(
      () => makeEnv('pendulum-v1'),
      { act: (_obs, count) => new Float32Array(count) },
      {
        episodes: 2,
        seedOf: (i) => 10 + i,
        gamma: 0.99,
      },
    );
    expect(again.returns).toEqual(result.returns);
  });

  it('has simple statistics helpers', () => {
    expect(mean([])).toBeNaN();
    expect(standardDeviation([2, 2, 2])).toBe(0);
    expect(standardDeviation([1, 3])).toBe(1);
  });
});
