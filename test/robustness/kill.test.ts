/**
 * A fast slice of the kill -9 probes (the full run, ≥ 30 moments, is `npm run robustness`): a run
 * killed inside an offline and an online checkpoint write resumes and ends on exactly the curves
 * of an uninterrupted run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKillProbes } from './kill-probes.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-kill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('kill -9 during checkpoint writes', () => {
  it('resumes every time, byte-identical to the uninterrupted run', { timeout: 600_000 }, async () => {
    const results = await runKillProbes({
      directory: join(scratch, 'kills'),
      trials: 2,
      moments: [
        { moment: 'offline checkpoint write', config: 'dataset' },
        { moment: 'online checkpoint write', config: 'dataset' },
      ],
    });
    expect(
      results.filter((result) => result.problem),
      JSON.stringify(results, null, 1),
    ).toEqual([]);
    expect(results.every((result) => result.killed && result.resumed && result.identical)).toBe(true);
    // the kills really landed inside checkpoint writes
    expect(results.every((result) => result.at.includes('writing .partial-step-'))).toBe(true);
  });
});
