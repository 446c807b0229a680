/**
 * One benchmark run in its own process (so that two runs use the two cores and memory figures stay
 * apart): `node --import tsx bench/learning/train-one.ts DIRECTORY CONFIG_JSON NAME`. Reuses a run
 * that already finished in DIRECTORY with the same config and resumes one of the same config that
 * was interrupted; prints {"seconds": wall time} (0 when reused).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../core/export/policy.js';
import { parseRunConfig } from '../../core/train/config.js';
import {
  effectiveRunState,
  readRunConfig,
  readRunStatus,
  RUN_FILES,
} from '../../core/train/run-directory.js';
import { resumeTrainingRun, startTrainingRun } from '../../core/train/run.js';

const [directory, configJson, name] = process.argv.slice(2);
const config = JSON.parse(configJson) as Record<string, unknown>;

let resume = false;
if (existsSync(join(directory, RUN_FILES.status))) {
  // Both sides through the schema, so a key added since the run (with its default) is no change.
  const parsed = (value: unknown) => {
    try {
      return canonicalJson(parseRunConfig(value));
    } catch {
      return null;
    }
  };
  const stored = parsed(readRunConfig(directory));
  const wanted = canonicalJson(parseRunConfig(config));
  const state = effectiveRunState(readRunStatus(directory));
  if (state === 'finished' && stored === wanted) {
    process.stdout.write(`${JSON.stringify({ seconds: 0 })}\n`);
    process.exit(0);
  }
  // A run of the same config that was interrupted (the benchmark stopped, the machine restarted)
  // continues from its newest checkpoint; anything else starts over.
  if (stored === wanted && state === 'stopped') resume = true;
  else rmSync(directory, { recursive: true, force: true });
}
const started = performance.now();
const run = resume ? await resumeTrainingRun(directory) : await startTrainingRun({ config, directory, name });
const state = await run.done;
if (state !== 'finished') {
  process.stderr.write(`${name}: run ended ${state}: ${run.failureMessage ?? String(run.error)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);
