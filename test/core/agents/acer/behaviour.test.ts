/**
 * The behaviour estimate for datasets recorded without μ: on data from a known stochastic
 * policy, the fitted μ̂ recovers it; the estimate fills the learner's columns so that ACER trains
 * on the dataset; bad input is named.
 */
import { describe, expect, it } from 'vitest';
import { estimateBehaviour } from '../../../../core/agents/acer/behaviour.js';
import { parseAcerConfig } from '../../../../core/agents/acer/config.js';
import { AcerDiscreteLearner } from '../../../../core/agents/acer/discrete.js';
import { makeEnv } from '../../../../core/envs/registry.js';
import { Replay } from '../../../../core/replay/replay.js';
import { allocateSequenceBatch } from '../../../../core/replay/sequences.js';
import { allocateColumns } from '../../../../core/replay/transitions.js';
import { javascriptKernels, type Kernels } from '../../../../core/tensor/kernels.js';
import { Rng } from '../../../../core/util/random.js';
import { nativeKernelsOrReason } from '../../../helpers/kernel-providers.js';
import { replayOptions } from '../../../helpers/replay-options.js';

const kernels: Kernels = nativeKernelsOrReason().kernels ?? javascriptKernels;

/** μ(push right | x) of the cart-pole behaviour: a noisy linear controller. */
function pushRightProbability(x: Float32Array): number {
  return 1 / (1 + Math.exp(-(0.3 * x[1] + 6 * x[2] + 1.5 * x[3] + 0.2)));
}

/** Cart-pole steps of the behaviour above, with its true μ(·|x). */
function cartPoleData(steps: number, seed: number) {
  const env = makeEnv('cartpole-v1');
  const rng = new Rng(seed);
  const columns = allocateColumns(steps, 4, 1);
  const trueProbs = new Float32Array(steps * 2);
  let observation = env.reset(seed);
  for (let i = 0; i < steps; i++) {
    const right = pushRightProbability(observation);
    const action = rng.uniform() < right ? 1 : 0;
    const result = env.step(action);
    columns.observations.set(observation, i * 4);
    columns.actions[i] = action;
    columns.rewards[i] = result.reward;
    columns.nextObservations.set(result.observation, i * 4);
    columns.terminals[i] = result.terminated ? 1 : 0;
    columns.timeouts[i] = result.truncated ? 1 : 0;
    trueProbs.set([1 - right, right], i * 2);
    observation = result.terminated || result.truncated ? env.reset() : result.observation;
  }
  return { columns, trueProbs };
}

describe('behaviour estimate', () => {
  it('recovers a known categorical behaviour from its cart-pole data', () => {
    const { columns, trueProbs } = cartPoleData(6000, 1);
    const estimate = estimateBehaviour(columns, { kind: 'discrete', n: 2 }, kernels, {
      hiddenSizes: [32, 32],
      updates: 2000,
      seed: 2,
    });
    const probs = estimate.columns.behaviourProbs;
    let error = 0;
    let trueLogLikelihood = 0;
    for (let i = 0; i < columns.length; i++) {
      error += Math.abs(probs[2 * i + 1] - trueProbs[2 * i + 1]);
      expect(probs[2 * i] + probs[2 * i + 1]).toBeCloseTo(1, 5);
      expect(Math.min(probs[2 * i], probs[2 * i + 1])).toBeGreaterThanOrEqual(0.005 - 1e-7); // ε/|A| floor
      trueLogLikelihood += Math.log(trueProbs[2 * i + columns.actions[i]]);
    }
    expect(error / columns.length).toBeLessThan(0.05);
    // The fit is about as likely as the truth on its own data.
    expect(Math.abs(estimate.meanLogLikelihood - trueLogLikelihood / columns.length)).toBeLessThan(0.03);
  });

  it('recovers a known Gaussian behaviour (mean and log σ depend on the state)', () => {
    const env = makeEnv('pendulum-v1');
    const rng = new Rng(3);
    const steps = 6000;
    const observations = new Float32Array(steps * 3);
    const actions = new Float32Array(steps);
    const trueMean = new Float32Array(steps);
    const trueLogStd = new Float32Array(steps);
    let observation = env.reset(3);
    for (let i = 0; i < steps; i++) {
      const mean = Math.tanh(1.2 * observation[1] - 0.2 * observation[2]);
      const logStd = -1.5 + 0.7 * observation[0];
      const action = mean + Math.exp(logStd) * rng.normal();
      observations.set(observation, i * 3);
      actions[i] = action;
      trueMean[i] = mean;
      trueLogStd[i] = logStd;
      const result = env.step(Float32Array.of(2 * Math.max(-1, Math.min(1, action))));
      observation = result.truncated ? env.reset() : result.observation;
    }
    const estimate = estimateBehaviour(
      { length: steps, observationWidth: 3, observations, actions },
      { kind: 'box', size: 1 },
      kernels,
      { hiddenSizes: [32, 32], updates: 3000, seed: 4 },
    );
    let meanError = 0;
    let logStdError = 0;
    for (let i = 0; i < steps; i++) {
      meanError += Math.abs(estimate.columns.behaviourMean[i] - trueMean[i]);
      logStdError += Math.abs(estimate.columns.behaviourLogStd[i] - trueLogStd[i]);
    }
    expect(meanError / steps).toBeLessThan(0.05);
    expect(logStdError / steps).toBeLessThan(0.12);
  });

  it('fills the columns ACER reads, so that it trains on a dataset recorded without μ', () => {
    const { columns, trueProbs } = cartPoleData(2000, 5);
    const estimate = estimateBehaviour(columns, { kind: 'discrete', n: 2 }, kernels, {
      updates: 300,
      seed: 6,
    });
    const acer = new AcerDiscreteLearner(
      parseAcerConfig({ hiddenSizes: [16, 16], sequenceLength: 8 }),
      4,
      2,
      7,
      kernels,
    );
    const replay = new Replay(
      replayOptions(
        { capacity: 4000, observationWidth: 4, actionWidth: 1 },
        { priority: 'uniform', actionCount: 2, extraColumns: acer.storedColumns },
      ),
      new Rng(8),
    );
    replay.loadOffline({ ...columns, extras: estimate.columns });
    const batch = allocateSequenceBatch(8, 8, 4, 1);
    let metrics: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      replay.sampleSequences(batch);
      metrics = acer.update(batch);
    }
    for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
    // Without the estimate the same dataset is refused with a pointer to it.
    const bare = new Replay(
      replayOptions(
        { capacity: 4000, observationWidth: 4, actionWidth: 1 },
        { priority: 'uniform', actionCount: 2, extraColumns: acer.storedColumns },
      ),
      new Rng(8),
    );
    bare.loadOffline(columns);
    bare.sampleSequences(batch);
    expect(() => acer.update(batch)).toThrow(/behaviourProbs of replay row \d+ is NaN/);
    expect(trueProbs.length).toBe(4000);
  });

  it('names bad input', () => {
    const data = {
      length: 3,
      observationWidth: 2,
      observations: new Float32Array(6),
      actions: Float32Array.of(0, 1, 2),
    };
    expect(() => estimateBehaviour(data, { kind: 'discrete', n: 2 }, javascriptKernels)).toThrow(
      /action of row 2 is 2, expected an index in \[0, 2\)/,
    );
    expect(() =>
      estimateBehaviour(
        { ...data, observations: new Float32Array(5) },
        { kind: 'discrete', n: 3 },
        javascriptKernels,
      ),
    ).toThrow(/observations have 5 values, 3 rows of width 2 need 6/);
    expect(() => estimateBehaviour(data, { kind: 'box', size: 2 }, javascriptKernels)).toThrow(
      /actions have 3 values, 3 rows need 6/,
    );
  });
});
