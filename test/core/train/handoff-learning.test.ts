/**
 * A small learning test of the offline → online hand-off on the shipped pendulum-medium preset:
 * 2.5k in-sample XQL updates, then 1k online steps. The preset keeps the objective in-sample online
 * with union mixing, and then no evaluation of the first online steps falls below 90% of the score
 * the offline phase ended at. The same check, with SAC online instead, catches SAC's hand-off dip
 * (docs/training.md, "The hand-off"), so it is able to fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvLog } from '../../../core/train/metrics-log.js';
import { applyOverrides } from '../../../core/train/overrides.js';
import { presetConfig } from '../../../core/train/presets.js';
import { startTrainingRun } from '../../../core/train/run.js';

const root = mkdtempSync(join(tmpdir(), 'o2o-handoff-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Normalised scores at the end of the offline phase and at each online evaluation. */
async function handOff(name: string, seed: number, extra: string[] = []) {
  const config = applyOverrides(presetConfig('pendulum-medium'), [
    `seed=${seed}`,
    'offline.steps=2500',
    'offline.evalInterval=2500',
    'online.envSteps=1000',
    'eval.interval=250',
    'eval.episodes=5',
    'checkpoint.interval=100000',
    ...extra,
  ]);
  const directory = join(root, `${name}-${seed}`);
  const run = await startTrainingRun({ config, directory });
  expect(await run.done).toBe('finished');
  const log = readCsvLog(join(directory, 'evaluations.csv')).columns;
  const phases = log.phase as string[];
  const scores = log.normalizedScore as number[];
  return {
    offline: scores[phases.lastIndexOf('offline')],
    online: scores.filter((_, i) => phases[i] === 'online'),
  };
}

describe('offline → online hand-off on pendulum-medium', () => {
  it('keeps the offline score through the first online steps (in-sample online, union mixing)', async () => {
    for (const seed of [0, 1]) {
      const { offline, online } = await handOff('in-sample', seed);
      expect(offline).toBeGreaterThan(80);
      expect(online).toHaveLength(4);
      expect(Math.min(...online)).toBeGreaterThanOrEqual(0.9 * offline);
    }
  }, 300_000);

  it('the same check catches the dip of SAC fine-tuning from the same offline phase', async () => {
    const { offline, online } = await handOff('sac', 0, ['online.objective=sac']);
    expect(offline).toBeGreaterThan(80);
    expect(Math.min(...online)).toBeLessThan(0.9 * offline);
  }, 300_000);
});
