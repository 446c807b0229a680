/**
 * A fast slice of the dataset fuzzer (the full run, ≥ 600 files, is `npm run robustness`): every
 * fuzzed file loads or is refused with a human message; none crashes or hangs the loader.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHumanMessage, runFuzzCases, tally, writeFuzzCases } from './dataset-fuzz.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('fuzzed dataset files', () => {
  it('each loads or gets a human message naming the file', async () => {
    const outcomes = await runFuzzCases(writeFuzzCases(scratch, 132, 2024));
    const bad = outcomes.filter((outcome) => outcome.verdict !== 'loaded' && outcome.verdict !== 'refused');
    expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    const counts = tally(outcomes);
    expect(counts.loaded + counts.refused).toBe(132);
    expect(counts.refused).toBeGreaterThan(66);
  });

  it('tells a human message from one that shows internals', () => {
    expect(
      isHumanMessage('/d/x.arrow: column "rewards", row 3: NaN; expected finite numbers', '/d/x.arrow'),
    ).toBe(true);
    expect(
      isHumanMessage(
        "/d/x.arrow: corrupt (Cannot read properties of null (reading 'fieldsLength'))",
        '/d/x.arrow',
      ),
    ).toBe(false);
    expect(isHumanMessage('corrupt file', '/d/x.arrow')).toBe(false);
  });
});
