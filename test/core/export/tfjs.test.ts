import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { policyActions } from '../../../core/export/policy.js';
import {
  fileLoadHandler,
  loadTfjsPolicy,
  TFJS_MODEL_FILE,
  TFJS_WEIGHTS_FILE,
  writeTfjsPolicy,
} from '../../../core/export/tfjs.js';
import { randomObservations, randomPolicy } from './fixtures.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'o2o-tfjs-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('TF.js layers export', () => {
  it('writes model.json and weights.bin that tf.loadLayersModel loads and that reproduce the actions', async () => {
    const policy = randomPolicy(11, 4, 3, [8, 8]);
    const { bytes } = await writeTfjsPolicy(policy, directory);
    expect(existsSync(join(directory, TFJS_MODEL_FILE))).toBe(true);
    expect(existsSync(join(directory, TFJS_WEIGHTS_FILE))).toBe(true);
    expect(bytes).toBeGreaterThan(4 * (4 * 8 + 8 * 8 + 8 * 3));

    const model = await tfl.loadLayersModel(fileLoadHandler(directory));
    const count = 32;
    const observations = randomObservations(12, count, policy.observationWidth);
    const output = tf.tidy(() =>
      (model.predict(tf.tensor2d(observations, [count, policy.observationWidth])) as tf.Tensor).dataSync(),
    );
    model.dispose();
    const expected = policyActions(policy, observations, count);
    for (let i = 0; i < expected.length; i++) expect(Math.abs(output[i] - expected[i])).toBeLessThan(1e-5);
  });

  it('keeps the run metadata and widths', async () => {
    const policy = randomPolicy(13);
    await writeTfjsPolicy(policy, directory);
    const loaded = await loadTfjsPolicy(directory);
    expect(loaded.metadata?.envId).toBe('test-env-v0');
    expect(loaded.metadata?.trainingSteps).toBe(1234);
    expect(loaded.observationWidth).toBe(policy.observationWidth);
    expect(loaded.actionWidth).toBe(policy.actionWidth);
    loaded.dispose();
  });
});
