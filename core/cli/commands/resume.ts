/** `o2o resume RUN_DIR [--json]`: continue a stopped or crashed run from its newest checkpoint. */
import type { Command } from 'commander';
import { CheckpointError } from '../../train/checkpoint.js';
import { resumeTrainingRun } from '../../train/run.js';
import { ExitCode, UserFacingError } from '../errors.js';
import { superviseRun } from './run-output.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue a run from its newest checkpoint (curves continue with no gap or duplicate)')
    .argument('<run-dir>', 'the run directory')
    .option('--json', 'print every event as a JSON line on stdout instead of the progress bar')
    .action(async (directory: string, options: { json?: boolean }) => {
      let run;
      try {
        run = await resumeTrainingRun(directory);
      } catch (error) {
        if (error instanceof CheckpointError) throw new UserFacingError(error.message, ExitCode.run);
        throw error;
      }
      process.exitCode = await superviseRun(run, { json: options.json });
    });
}
