/**
 * Forking a run: a copy of a stopped or finished run directory (its logs and checkpoints) under a
 * new run id, with config overrides applied, ready for `resumeTrainingRun` to continue it from
 * the same checkpoint. The source run is left as it was, so the two continuations compare like
 * for like (the same networks, buffer and β at the fork point, one setting apart). What a resume
 * takes over from an edited config is in docs/training.md, "Continuing with other settings".
 */
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCheckpointPointer } from './checkpoint.js';
import { applyOverridesAsConfigError, parseRunConfig } from './config.js';
import {
  newRunId,
  readRunConfig,
  readRunMeta,
  readRunStatus,
  runActiveElsewhere,
  RUN_FILES,
  RunDirectoryError,
  writeRunConfig,
  writeRunMeta,
} from './run-directory.js';

export interface ForkOptions {
  /** `key.path=value` overrides applied to the source's config (validated before anything is copied). */
  set?: string[];
  /** Display name of the fork (default: the source's name with " (fork)"). */
  name?: string;
}

/**
 * Copy the run in `source` to `destination` (which must not exist or be empty), apply the
 * overrides to its config.json and give it its own run id; returns the fork's directory. A config
 * that the overrides make invalid is a ConfigError with key paths, and nothing is written.
 */
export async function forkRun(
  source: string,
  destination: string,
  options: ForkOptions = {},
): Promise<string> {
  source = resolve(source);
  destination = resolve(destination);
  const meta = readRunMeta(source);
  const status = readRunStatus(source);
  if (runActiveElsewhere(status)) {
    throw new RunDirectoryError(
      `${source}: the run is ${status.state} in process ${status.pid}; stop it before forking`,
    );
  }
  if (existsSync(destination) && readdirSync(destination).length > 0) {
    throw new RunDirectoryError(
      `${destination}: already exists and is not empty; a fork needs a new directory`,
    );
  }
  const config = applyOverridesAsConfigError(readRunConfig(source), options.set ?? []);
  parseRunConfig(config, `${join(destination, RUN_FILES.config)} (${source}'s config with the overrides)`);
  // Where the fork continues: the checkpoint that checkpoint.json names, else where the status
  // stands (a resume then finds the checkpoint by scanning).
  const { pointer } = await readCheckpointPointer(source);
  const forkedAt =
    pointer?.step !== undefined && pointer.envStep !== undefined
      ? { step: pointer.step, envStep: pointer.envStep }
      : { step: status.step, envStep: status.envStep };
  try {
    cpSync(source, destination, { recursive: true });
    writeRunConfig(destination, config);
    const name = options.name ?? `${meta.name} (fork)`;
    writeRunMeta(destination, {
      ...meta,
      runId: newRunId(name),
      name,
      createdAt: new Date().toISOString(),
      forkedFrom: { runId: meta.runId, ...forkedAt },
    });
  } catch (error) {
    rmSync(destination, { recursive: true, force: true });
    throw error;
  }
  return destination;
}
