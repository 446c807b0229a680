/**
 * Forking a run: a copy of a stopped or finished run directory (its logs and checkpoints) under a
 * new run id, with config overrides applied, ready for `resumeTrainingRun` to continue it from
 * the same checkpoint. The source run is left as it was, so the two continuations compare like
 * for like (the same networks, buffer and β at the fork point, one setting apart). What a resume
 * takes over from an edited config is in docs/training.md, "Continuing with other settings".
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { POINTER_FILE } from './checkpoint.js';
import { applyOverridesAsConfigError, parseRunConfig } from './config.js';
import {
  newRunId,
  readRunConfig,
  readRunMeta,
  readRunStatus,
  runActiveElsewhere,
  RUN_FILES,
  RunDirectoryError,
  type RunStatus,
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
export function forkRun(source: string, destination: string, options: ForkOptions = {}): string {
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
  try {
    cpSync(source, destination, { recursive: true });
    writeRunConfig(destination, config);
    const name = options.name ?? `${meta.name} (fork)`;
    writeRunMeta(destination, {
      ...meta,
      runId: newRunId(name),
      name,
      createdAt: new Date().toISOString(),
      forkedFrom: { runId: meta.runId, ...forkPoint(source, status) },
    });
  } catch (error) {
    rmSync(destination, { recursive: true, force: true });
    throw error;
  }
  return destination;
}

/**
 * Where the fork continues: the step of the checkpoint that checkpoint.json names, or the status's
 * step when that pointer is missing or unreadable (a resume then finds the checkpoint by scanning).
 */
function forkPoint(source: string, status: RunStatus): { step: number; envStep: number } {
  try {
    const pointer = JSON.parse(readFileSync(join(source, POINTER_FILE), 'utf8')) as {
      step?: unknown;
      envStep?: unknown;
    };
    if (Number.isInteger(pointer.step) && Number.isInteger(pointer.envStep)) {
      return { step: pointer.step as number, envStep: pointer.envStep as number };
    }
  } catch {
    // fall through to the status
  }
  return { step: status.step, envStep: status.envStep };
}
