/**
 * Offline → online with ACER: a dataset that records its behaviour's statistics gives ACER the true
 * μ (in the learner's action units); one without them gets μ estimated by behaviour cloning, and the
 * run says which.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRollouts, generateDataset } from '../../../core/data/generate.js';
import { parseRunConfig } from '../../../core/train/config.js';
import { startPieces } from '../../../core/train/setup.js';

let root: string;
const cartpole = {
  envId: 'cartpole-v1',
  policy: 'scripted' as const,
  episodes: 6,
  seed: 8,
  randomActionRate: 0.3,
};
const pendulum = { envId: 'pendulum-v1', policy: 'scripted' as const, episodes: 2, seed: 9, noise: 0.4 };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-behaviour-run-'));
  await generateDataset({ ...cartpole, out: join(root, 'cartpole.arrow') });
  await generateDataset({ ...cartpole, behaviourColumns: false, out: join(root, 'cartpole-plain.arrow') });
  await generateDataset({ ...pendulum, out: join(root, 'pendulum.arrow') });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function acerConfig(envId: string, file: string) {
  return parseRunConfig({
    env: { id: envId },
    dataset: { path: join(root, file) },
    agent: { kind: 'acer', hiddenSizes: [16, 16] },
    replay: { priority: 'uniform' },
    offline: { steps: 10, evalInterval: 0 },
    online: { envSteps: 10 },
  });
}

describe('ACER on a dataset', () => {
  it('takes the recorded action probabilities as μ', async () => {
    const { replay, notes } = await startPieces(acerConfig('cartpole-v1', 'cartpole.arrow'));
    const stored = replay.exportColumns().extras!.behaviourProbs;
    const { columns } = await collectRollouts(cartpole);
    expect(stored).toEqual(columns.extras!.behaviourProbs);
    expect(notes.some((note) => note.includes('statistics the dataset records (infos/action_probs)'))).toBe(
      true,
    );
  });

  it('estimates μ by behaviour cloning when the dataset has no behaviour columns, and says so', async () => {
    const { replay, notes } = await startPieces(acerConfig('cartpole-v1', 'cartpole-plain.arrow'));
    const stored = replay.exportColumns().extras!.behaviourProbs;
    const { columns } = await collectRollouts(cartpole);
    expect(stored.length).toBe(columns.extras!.behaviourProbs.length);
    expect(stored).not.toEqual(columns.extras!.behaviourProbs);
    for (let i = 0; i < stored.length; i += 2) expect(stored[i] + stored[i + 1]).toBeCloseTo(1, 5);
    expect(
      notes.some((note) =>
        note.includes(
          'the dataset has no behaviourProbs: the behaviour policy μ was estimated by behaviour cloning',
        ),
      ),
    ).toBe(true);
  });

  it('maps a recorded Gaussian to the learner’s [−1, 1] units', async () => {
    const { replay } = await startPieces(acerConfig('pendulum-v1', 'pendulum.arrow'));
    const { behaviourMean, behaviourLogStd } = replay.exportColumns().extras!;
    const { columns } = await collectRollouts(pendulum);
    // Pendulum torques lie in [−2, 2]: a mean m becomes m/2 and σ = 0.4 becomes 0.2.
    expect(Array.from(behaviourMean)).toEqual(
      Array.from(columns.extras!.behaviourMean, (m) => Math.fround(m / 2)),
    );
    for (const logStd of behaviourLogStd) expect(logStd).toBeCloseTo(Math.log(0.2), 5);
  });
});
