/**
 * `o2o resume RUN_DIR [--env-steps N] [--json]`: continue a stopped or crashed run from its newest
 * checkpoint; `--env-steps` raises its online budget first, so a finished run goes on.
 */
import type { Command } from 'commander';
import { resumeTrainingRun } from '../../train/run.js';
import { parseInteger } from './flags.js';
import { superviseRun } from './run-output.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue a run from its newest checkpoint (curves continue with no gap or duplicate)')
    .argument('<run-dir>', 'the run directory')
    .option(
      '--env-steps <n>',
      "raise the run's online budget to N environment steps in all (config.json is updated; a finished run goes on)",
      (text: string) => parseInteger('--env-steps', text, 1),
    )
    .option('--json', 'print every event as a JSON line on stdout instead of the progress bar')
    .action(async (directory: string, options: { json?: boolean; envSteps?: number }) => {
      // A damaged checkpoint is a CheckpointError (exit code 4) naming the file.
      const run = await resumeTrainingRun(directory, { envSteps: options.envSteps });
      process.exitCode = await superviseRun(run, { json: options.json });
    });
}
