/**
 * The `o2o` command. Each sub-command lives in its own module under ./commands and registers
 * itself on the program; this file only assembles them and maps failures to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { packageInfo } from '../util/package-info.js';
import { registerDatasets } from './commands/datasets.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEval } from './commands/eval.js';
import { registerExport } from './commands/export.js';
import { registerFork } from './commands/fork.js';
import { registerResume } from './commands/resume.js';
import { registerServe } from './commands/serve.js';
import { registerTrain } from './commands/train.js';
import { exitCodeFor, formatError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command('o2o')
    .description('O2O Studio: offline-to-online reinforcement learning')
    .version(packageInfo().version)
    .exitOverride();
  registerDoctor(program);
  registerDatasets(program);
  registerServe(program);
  registerTrain(program);
  registerResume(program);
  registerFork(program);
  registerEval(program);
  registerExport(program);
  return program;
}

/** Run the CLI on `argv` (without node and script) and return the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${formatError(error)}\n`);
    return exitCodeFor(error);
  }
}
