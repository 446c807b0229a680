/**
 * A MuJoCo task resumes exactly: the training loop rebuilds the open episode by resetting with its
 * seed and replaying its actions, which needs the physics to be deterministic given the seed.
 * halfcheetah-v1 never terminates, so the stop falls inside an episode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLatestCheckpoint } from '../../../core/train/checkpoint.js';
import { readCsvLog } from '../../../core/train/metrics-log.js';
import { resumeTrainingRun, startTrainingRun, type CheckpointState } from '../../../core/train/run.js';

const root = mkdtempSync(join(tmpdir(), 'o2o-resume-mujoco-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = {
  env: { id: 'halfcheetah-v1' },
  seed: 5,
  agent: { hiddenSizes: [16, 16], batchSize: 16 },
  offline: { steps: 0 },
  online: { envSteps: 80, updatesPerStep: 1, warmupSteps: 20 },
  eval: { episodes: 1, interval: 80 },
  checkpoint: { interval: 20 },
};

describe('resuming a MuJoCo run', () => {
  it('continues mid-episode to exactly the curves of an uninterrupted run', async () => {
    const reference = await startTrainingRun({ config, directory: join(root, 'reference') });
    expect(await reference.done).toBe('finished');

    const directory = join(root, 'interrupted');
    const first = await startTrainingRun({ config, directory });
    first.bus.subscribe((event) => {
      if (event.type === 'update' && event.step === 40) void first.stop();
    });
    expect(await first.done).toBe('stopped');
    const stoppedAt = (await readLatestCheckpoint<CheckpointState>(directory))!;
    expect(stoppedAt.state.episode?.length).toBeGreaterThan(0); // an open episode to rebuild

    const second = await resumeTrainingRun(directory);
    expect(await second.done).toBe('finished');

    const expected = readCsvLog(join(root, 'reference', 'updates.csv'));
    const actual = readCsvLog(join(directory, 'updates.csv'));
    expect(actual.columns.step).toEqual(expected.columns.step);
    for (const column of ['envStep', 'criticLoss', 'actorLoss', 'alpha']) {
      expect(actual.columns[column], column).toEqual(expected.columns[column]);
    }
    expect(readCsvLog(join(directory, 'evaluations.csv')).columns.meanReturn).toEqual(
      readCsvLog(join(root, 'reference', 'evaluations.csv')).columns.meanReturn,
    );
  });
});
