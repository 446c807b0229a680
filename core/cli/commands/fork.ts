/**
 * `o2o fork RUN_DIR NEW_DIR [--set key.path=value …] [--name NAME] [--env-steps N] [--json]`: copy
 * a stopped or finished run under a new run id with some settings changed, and continue the copy
 * from the same checkpoint (the source run stays as it was). See docs/training.md.
 */
import type { Command } from 'commander';
import { forkRun } from '../../train/fork.js';
import { resumeTrainingRun } from '../../train/run.js';
import { parseInteger } from './flags.js';
import { superviseRun } from './run-output.js';

interface ForkCommandOptions {
  set: string[];
  name?: string;
  envSteps?: number;
  json?: boolean;
}

export function registerFork(program: Command): void {
  program
    .command('fork')
    .description('copy a run with some settings changed and continue the copy from the same checkpoint')
    .argument('<run-dir>', 'the run to fork (stopped or finished)')
    .argument('<new-dir>', 'the fork’s directory (must not exist, or be empty)')
    .option(
      '-s, --set <key=value>',
      'change a config value for the fork, e.g. --set replay.priority=uniform (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--name <name>', 'a name for the fork (default: the source’s name with " (fork)")')
    .option(
      '--env-steps <n>',
      "raise the fork's online budget to N environment steps in all (a finished run goes on)",
      (text: string) => parseInteger('--env-steps', text, 1),
    )
    .option('--json', 'print every event as a JSON line on stdout instead of the progress bar')
    .action(async (source: string, destination: string, options: ForkCommandOptions) => {
      const directory = await forkRun(source, destination, { set: options.set, name: options.name });
      const run = await resumeTrainingRun(directory, { envSteps: options.envSteps });
      process.exitCode = await superviseRun(run, { json: options.json });
    });
}
