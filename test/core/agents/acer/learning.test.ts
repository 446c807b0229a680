/**
 * Learning tests: discrete ACER solves CartPole-v1 (mean of the 20 final deterministic episodes
 * ≥ 475) on 3/3 seeds, and continuous ACER swings up Pendulum-v1 (final mean ≥ −200; measured
 * ≈ −131…−137, docs/acer.md) on 3/3 seeds, each with its preset, driven by the minimal loop of
 * test/helpers/acer-loop.ts (4 environments side by side) on the native kernels.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AcerContinuousLearner } from '../../../../core/agents/acer/continuous.js';
import { acerPresets, parseAcerConfig } from '../../../../core/agents/acer/config.js';
import { AcerDiscreteLearner } from '../../../../core/agents/acer/discrete.js';
import { currentKernels, initBackend } from '../../../../core/tensor/backend.js';
import type { Kernels } from '../../../../core/tensor/kernels.js';
import { runAcer } from '../../../helpers/acer-loop.js';
import { nativeKernelsOrReason } from '../../../helpers/kernel-providers.js';

let kernels: Kernels;

beforeAll(async () => {
  const native = nativeKernelsOrReason();
  if (native.kernels) kernels = native.kernels;
  else {
    await initBackend();
    kernels = currentKernels();
  }
});

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('discrete ACER on cartpole-v1', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the final 20 deterministic episodes average ≥ 475`, { timeout: 300_000 }, () => {
      const learner = new AcerDiscreteLearner(parseAcerConfig(acerPresets.cartpole), 4, 2, seed, kernels);
      const result = runAcer({
        envId: 'cartpole-v1',
        learner,
        seed,
        envSteps: 200_000,
        environments: 4,
        capacity: 50_000,
        evaluateEvery: 10_000,
        evaluationEpisodes: 5,
        finalEpisodes: 20,
      });
      expect(result.finalReturns).toHaveLength(20);
      expect(mean(result.finalReturns)).toBeGreaterThanOrEqual(475);
      // The first evaluation was far from solved: the policy learned it.
      expect(result.curve[0].meanReturn).toBeLessThan(475);
    });
  }
});

describe('continuous ACER on pendulum-v1', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the final 20 deterministic episodes average ≥ −200`, { timeout: 300_000 }, () => {
      const learner = new AcerContinuousLearner(parseAcerConfig(acerPresets.pendulum), 3, 1, seed, kernels);
      const result = runAcer({
        envId: 'pendulum-v1',
        learner,
        seed,
        envSteps: 100_000,
        environments: 4,
        rewardScale: 0.1,
        capacity: 100_000,
        evaluateEvery: 20_000,
        evaluationEpisodes: 5,
        finalEpisodes: 20,
      });
      expect(mean(result.finalReturns)).toBeGreaterThanOrEqual(-200);
      // A random policy scores about −1200 here; the first evaluation is still far below the bar.
      expect(result.curve[0].meanReturn).toBeLessThan(-600);
    });
  }
});
