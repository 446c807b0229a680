/** A random policy description for export tests (no learner needed). */
import type { PolicyLayer } from '../../../core/agents/types.js';
import type { ExportedPolicy } from '../../../core/export/policy.js';
import { Rng } from '../../../core/util/random.js';

export function randomPolicy(
  seed: number,
  observationWidth = 5,
  actionWidth = 2,
  hidden = [16, 12],
): ExportedPolicy {
  const rng = new Rng(seed);
  const sizes = [observationWidth, ...hidden, actionWidth];
  const layers: PolicyLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const weight = new Float32Array(sizes[i] * sizes[i + 1]);
    for (let k = 0; k < weight.length; k++) weight[k] = rng.normal() / Math.sqrt(sizes[i]);
    const bias = new Float32Array(sizes[i + 1]);
    for (let k = 0; k < bias.length; k++) bias[k] = 0.1 * rng.normal();
    layers.push({
      inputSize: sizes[i],
      outputSize: sizes[i + 1],
      weight,
      bias,
      activation: i + 2 === sizes.length ? 'tanh' : 'relu',
    });
  }
  const observationMean = new Float32Array(observationWidth);
  const observationStd = new Float32Array(observationWidth);
  for (let i = 0; i < observationWidth; i++) {
    observationMean[i] = rng.normal();
    observationStd[i] = 0.5 + rng.uniform();
  }
  const actionLow = new Float32Array(actionWidth);
  const actionHigh = new Float32Array(actionWidth);
  for (let j = 0; j < actionWidth; j++) {
    actionLow[j] = -1 - j;
    actionHigh[j] = 2 + j * 0.5;
  }
  return {
    metadata: {
      envId: 'test-env-v0',
      configHash: '0123456789abcdef',
      trainingSteps: 1234,
      envSteps: 567,
      runId: 'run-test',
      packageVersion: '0.0.0',
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    observationWidth,
    actionWidth,
    observationMean,
    observationStd,
    actionLow,
    actionHigh,
    layers,
    head: { kind: 'tanh-gaussian', actionWidth, deterministic: 'tanh-mean' },
  };
}

/** A random categorical policy over `actionCount` actions: layers ending in linear logits, argmax head. */
export function randomCategoricalPolicy(seed: number, observationWidth = 4, actionCount = 3): ExportedPolicy {
  const box = randomPolicy(seed, observationWidth, actionCount);
  box.layers[box.layers.length - 1].activation = 'linear';
  return {
    ...box,
    actionWidth: 1,
    actionLow: Float32Array.of(0),
    actionHigh: Float32Array.of(actionCount - 1),
    head: { kind: 'categorical', actionCount, deterministic: 'argmax' },
  };
}

export function randomObservations(seed: number, count: number, width: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count * width);
  for (let i = 0; i < out.length; i++) out[i] = 3 * rng.normal();
  return out;
}
