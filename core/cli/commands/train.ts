/**
 * `o2o train (--config FILE | --preset NAME) [--out RUN_DIR] [--runs DIR] [--name NAME]
 * [--set key.path=value …] [--json]`: validate the config, create the run directory and train
 * (offline pretraining, then online fine-tuning). See docs/training.md.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { applyOverridesAsConfigError, loadRunConfigFile } from '../../train/config.js';
import { presetConfig, presetNames } from '../../train/presets.js';
import { startTrainingRun } from '../../train/run.js';
import { UserFacingError } from '../errors.js';
import { superviseRun } from './run-output.js';

interface TrainOptions {
  config?: string;
  preset?: string;
  out?: string;
  runs: string;
  name?: string;
  set: string[];
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The run config from `--config` or `--preset`, with `--set` overrides, not yet validated for a preset. */
export function trainConfig(options: Pick<TrainOptions, 'config' | 'preset' | 'set'>): {
  config: unknown;
  baseDirectory: string;
} {
  if (options.config && options.preset)
    throw new UserFacingError('give either --config FILE or --preset NAME, not both');
  if (options.config)
    return { config: loadRunConfigFile(options.config, options.set), baseDirectory: process.cwd() };
  if (options.preset) {
    return {
      config: applyOverridesAsConfigError(presetConfig(options.preset), options.set),
      baseDirectory: process.cwd(),
    };
  }
  throw new UserFacingError(
    `train needs --config FILE or --preset NAME (presets: ${presetNames().join(', ')})`,
  );
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an agent: offline pretraining on the dataset, then online fine-tuning')
    .option('-c, --config <file>', 'run configuration (JSON)')
    .option('-p, --preset <name>', `start from a preset (${presetNames().join(', ')})`)
    .option('-o, --out <dir>', 'run directory (default: <runs>/<run id>)')
    .option('--runs <dir>', 'directory that holds runs', 'runs')
    .option('--name <name>', 'a name for the run (default: env, priority rule and β controller)')
    .option(
      '-s, --set <key=value>',
      'override a config value, e.g. --set offline.steps=5000 (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print every event as a JSON line on stdout instead of the progress bar')
    .action(async (options: TrainOptions) => {
      const { config, baseDirectory } = trainConfig(options);
      const run = await startTrainingRun({
        config,
        directory: options.out ? resolve(options.out) : undefined,
        runsDirectory: resolve(options.runs),
        name: options.name,
        baseDirectory,
      });
      process.exitCode = await superviseRun(run, { json: options.json });
    });
}
