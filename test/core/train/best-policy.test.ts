/**
 * The best policy of a run: the engine keeps the deterministic policy of its best evaluation in
 * every checkpoint, and `o2o export --policy best` writes it. The exported policy must be the one
 * that was evaluated (acting on the same evaluation episodes it earns the recorded return), the
 * selection must follow the rule of core/common/best-evaluation.ts over the run's evaluations.csv,
 * and a run stopped and resumed must end with the same best policy as one that never stopped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestEvaluation } from '../../../core/common/best-evaluation.js';
import { makeEnv } from '../../../core/envs/registry.js';
import { exportPolicy } from '../../../core/export/export-run.js';
import { policyActions, policyFromJson } from '../../../core/export/policy.js';
import { evaluatePolicy } from '../../../core/train/evaluate.js';
import { readCsvLog } from '../../../core/train/metrics-log.js';
import { storedEvaluations } from '../../helpers/evaluations.js';
import { evaluationSeed, resumeTrainingRun, startTrainingRun } from '../../../core/train/run.js';

const root = mkdtempSync(join(tmpdir(), 'o2o-best-policy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// On this seed the second evaluation is the best and the later ones score lower: the best policy
// is not the newest, and a run stopped after it must carry it through the checkpoint.
const SEED = 6;
const config = {
  env: { id: 'pendulum-v1' },
  seed: SEED,
  agent: { hiddenSizes: [16, 16], batchSize: 16 },
  offline: { steps: 0 },
  online: { envSteps: 160, updatesPerStep: 1, warmupSteps: 20 },
  eval: { episodes: 2, interval: 20 },
  checkpoint: { interval: 40 },
};

async function exportBest(directory: string, name: string) {
  const path = join(root, `${name}.json`);
  const result = await exportPolicy({ runDirectory: directory, format: 'json', path, policy: 'best' });
  return { result, policy: policyFromJson(readFileSync(path, 'utf8'), path) };
}

let reference: string;
beforeAll(async () => {
  reference = join(root, 'reference');
  const run = await startTrainingRun({ config, directory: reference });
  expect(await run.done).toBe('finished');
});

describe('the best policy of a run', () => {
  it('is the policy of the best evaluation in evaluations.csv, and earns its recorded return again', async () => {
    const history = storedEvaluations(reference);
    expect(history.length).toBe(8);
    const expected = bestEvaluation(history)!;
    expect(expected.metric).not.toBe('successRate'); // pendulum has no goal
    expect(expected.step).toBeLessThan(90); // before the stop of the resume test below
    const { result, policy } = await exportBest(reference, 'best');
    expect(result).toMatchObject({
      step: expected.step,
      envStep: expected.envStep,
      evaluation: { metric: expected.metric, score: expected.score, phase: 'online' },
    });
    expect(policy.metadata.trainingSteps).toBe(expected.step);
    expect(policy.metadata.evaluation).toEqual({
      metric: expected.metric,
      score: expected.score,
      phase: 'online',
    });

    // The exported layers are the evaluated ones: the same episodes give the same return.
    const replayed = await evaluatePolicy(
      () => makeEnv('pendulum-v1'),
      { act: (observations, count) => policyActions(policy, observations, count) },
      { episodes: 2, seedOf: (i) => evaluationSeed(SEED, i), gamma: 0.99 },
    );
    const recorded = history.find((row) => row.step === expected.step)!;
    expect(replayed.meanReturn).toBeCloseTo(recorded.meanReturn, 2);

    // The latest policy is the newest checkpoint's, with no evaluation attached.
    const latest = await exportPolicy({
      runDirectory: reference,
      format: 'json',
      path: join(root, 'latest.json'),
    });
    const { step: lastUpdate } = readCsvLog(join(reference, 'updates.csv')).columns;
    expect(latest).toMatchObject({ step: lastUpdate.at(-1), envStep: 160 });
    expect(latest.evaluation).toBeUndefined();
  });

  it('survives a stop and resume: the resumed run ends with the same best policy', async () => {
    const directory = join(root, 'interrupted');
    const first = await startTrainingRun({ config, directory });
    first.bus.subscribe((event) => {
      if (event.type === 'update' && event.step === 90) void first.stop();
    });
    expect(await first.done).toBe('stopped');
    const second = await resumeTrainingRun(directory);
    expect(await second.done).toBe('finished');
    const [a, b] = [await exportBest(reference, 'reference'), await exportBest(directory, 'resumed')];
    expect(b.result).toEqual({ ...a.result, path: b.result.path });
    expect(b.policy.layers.map((layer) => Array.from(layer.weight))).toEqual(
      a.policy.layers.map((layer) => Array.from(layer.weight)),
    );
  });

  it('names the run when its checkpoint comes before any evaluation', async () => {
    const directory = join(root, 'no-evaluation');
    const run = await startTrainingRun({
      config: { ...config, eval: { episodes: 2, interval: 100 } },
      directory,
    });
    run.bus.subscribe((event) => {
      if (event.type === 'update' && event.step === 10) void run.stop();
    });
    expect(await run.done).toBe('stopped');
    expect(storedEvaluations(directory)).toEqual([]);
    await expect(exportBest(directory, 'none')).rejects.toThrow(/no-evaluation: no best policy to export/);
  });
});
