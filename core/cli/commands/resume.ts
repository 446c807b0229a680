/** `o2o resume RUN_DIR [--json]`: continue a stopped or crashed run from its newest checkpoint. */
import type { Command } from 'commander';
import { resumeTrainingRun } from '../../train/run.js';
import { superviseRun } from './run-output.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue a run from its newest checkpoint (curves continue with no gap or duplicate)')
    .argument('<run-dir>', 'the run directory')
    .option('--json', 'print every event as a JSON line on stdout instead of the progress bar')
    .action(async (directory: string, options: { json?: boolean }) => {
      // A damaged checkpoint is a CheckpointError (exit code 4) naming the file.
      const run = await resumeTrainingRun(directory);
      process.exitCode = await superviseRun(run, { json: options.json });
    });
}
