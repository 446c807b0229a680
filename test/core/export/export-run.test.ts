/**
 * Export of a trained run: every format reproduces the engine's actions (normalisation, policy
 * network and action scaling) within 1e-5 on random observations, ONNX checked in onnxruntime-node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../core/data/generate.js';
import { exportPolicy } from '../../../core/export/export-run.js';
import { loadPolicyFile } from '../../../core/export/load.js';
import { learnerPolicy, startTrainingRun } from '../../../core/train/run.js';
import { restoreRun } from '../../../core/train/run-policy.js';
import { Rng } from '../../../core/util/random.js';

let root: string;
let run: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-export-run-'));
  const dataset = join(root, 'pendulum.arrow');
  await generateDataset({
    envId: 'pendulum-v1',
    policy: 'scripted',
    episodes: 2,
    seed: 2,
    out: dataset,
    randomActionRate: 0.5,
  });
  run = join(root, 'run');
  const handle = await startTrainingRun({
    config: {
      env: { id: 'pendulum-v1' },
      dataset: { path: dataset },
      agent: { hiddenSizes: [24, 16], batchSize: 16 },
      offline: { steps: 30, evalInterval: 0 },
      online: { envSteps: 0 },
      eval: { episodes: 1, interval: 1000 },
      checkpoint: { interval: 1000 },
    },
    directory: run,
  });
  expect(await handle.done).toBe('finished');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('exporting a run', () => {
  it('reproduces the engine actions within 1e-5 in every format (ONNX in onnxruntime-node)', async () => {
    const restored = await restoreRun(run);
    // the dataset normaliser is not the identity, so the export must bake it in
    expect(Array.from(restored.normaliser.std).some((std) => Math.abs(std - 1) > 0.05)).toBe(true);
    const engine = learnerPolicy(restored.learner, restored.normaliser, restored.actionSpace);
    const rng = new Rng(99);
    const count = 256;
    const observations = new Float32Array(count * 3);
    for (let i = 0; i < observations.length; i++) observations[i] = rng.uniformIn(-8, 8);
    const expected = await engine.act(observations, count);
    restored.learner.dispose();
    // actions span the Box bounds [−2, 2], not just [−1, 1]
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1);

    for (const [format, path] of [
      ['onnx', join(root, 'policy.onnx')],
      ['tfjs', join(root, 'tfjs')],
      ['json', join(root, 'policy.json')],
    ] as const) {
      const { bytes } = await exportPolicy({ runDirectory: run, format, path });
      expect(bytes).toBeGreaterThan(0);
      const policy = await loadPolicyFile(path);
      expect(policy.format).toBe(format);
      expect(policy.metadata).toMatchObject({ envId: 'pendulum-v1', trainingSteps: 30, envSteps: 0 });
      const actions = await policy.act(observations, count);
      let maxError = 0;
      for (let i = 0; i < count; i++) maxError = Math.max(maxError, Math.abs(actions[i] - expected[i]));
      expect(maxError, format).toBeLessThan(1e-5);
      await policy.dispose();
    }
  });
});
