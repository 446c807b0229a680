/**
 * Learning test of the `pendulum-online` preset as shipped (SAC from scratch, 20k steps, 50
 * deterministic evaluation episodes every 2k steps), on seed 4: its evaluation starts are hard ones,
 * on which any good policy averages about −258 over the first five, so the preset's goal (≥ −200 by
 * 20k steps) holds there only because the evaluation averages enough starts. The first evaluation,
 * 1k updates after the random warm-up, is far below: the policy is learned, not given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvLog } from '../../../core/train/metrics-log.js';
import { presetConfig } from '../../../core/train/presets.js';
import { startTrainingRun } from '../../../core/train/run.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-pendulum-online-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('SAC from scratch on pendulum-v1 (preset pendulum-online)', () => {
  it('seed 4: averages ≥ −200 over the 50 final evaluation episodes', { timeout: 300_000 }, async () => {
    const config = { ...(presetConfig('pendulum-online') as Record<string, unknown>), seed: 4 };
    const directory = join(scratch, 'run');
    const run = await startTrainingRun({ config, directory });
    expect(await run.done).toBe('finished');
    const log = readCsvLog(join(directory, 'evaluations.csv')).columns;
    const returns = log.meanReturn.map(Number);
    expect(log.episodes.map(Number).every((episodes) => episodes === 50)).toBe(true);
    expect(returns).toHaveLength(10);
    expect(returns.at(-1)).toBeGreaterThanOrEqual(-200);
    expect(returns[0]).toBeLessThan(-1000);
  });
});
