/**
 * The trained policy of a run directory, restored from its newest checkpoint: for `o2o eval
 * RUN_DIR`, for export, and for the app's rollout view.
 */
import { join, resolve } from 'node:path';
import type { Learner } from '../agents/types.js';
import type { Env, Space } from '../envs/types.js';
import { initBackend } from '../tensor/backend.js';
import { readLatestCheckpoint } from './checkpoint.js';
import { parseRunConfig, type RunConfig } from './config.js';
import type { ObservationNormaliser } from './normaliser.js';
import { RUN_FILES, readRunConfig, readRunMeta, RunDirectoryError, type RunMeta } from './run-directory.js';
import { learnerPolicy } from './acting.js';
import type { BestPolicySnapshot, CheckpointState } from './checkpoint-state.js';
import { buildLearner, makeRunEnv, type RunCounters } from './setup.js';

export interface RestoredRun {
  directory: string;
  config: RunConfig;
  meta: RunMeta;
  env: Env;
  actionSpace: Space;
  learner: Learner;
  normaliser: ObservationNormaliser;
  counters: RunCounters;
  /** The policy of the run's best evaluation up to this checkpoint (null: none yet, or an older checkpoint). */
  best: BestPolicySnapshot | null;
}

/** Rebuild the learner of a run at its newest checkpoint (caller disposes `learner`). */
export async function restoreRun(directory: string): Promise<RestoredRun> {
  directory = resolve(directory);
  const meta = readRunMeta(directory);
  const config = parseRunConfig(readRunConfig(directory), join(directory, RUN_FILES.config));
  const checkpoint = await readLatestCheckpoint<CheckpointState>(directory);
  if (!checkpoint) {
    throw new RunDirectoryError(
      `${directory}: the run has no checkpoint yet (nothing trained to evaluate or export)`,
    );
  }
  const env = await makeRunEnv(config);
  await initBackend(config.backend, config.threads);
  const actionSpace = env.actionSpace;
  const learner = await buildLearner(config, env);
  learner.setState(checkpoint.state.learner);
  return {
    directory,
    config,
    meta,
    env,
    actionSpace,
    learner,
    normaliser: checkpoint.state.normaliser,
    counters: checkpoint.state.counters,
    best: checkpoint.state.best ?? null,
  };
}

/** A run's deterministic policy acting on one raw observation at a time (the app's rollout view). */
export interface RunPolicy {
  envId: string;
  envOptions: Record<string, unknown>;
  /** The environment action for one raw observation: Box actions, or [index] for a Discrete space. */
  act(observation: Float32Array): Float32Array;
  dispose(): void;
}

export async function loadRunPolicy(directory: string): Promise<RunPolicy> {
  const restored = await restoreRun(directory);
  const policy = learnerPolicy(restored.learner, restored.normaliser, restored.actionSpace);
  return {
    envId: restored.config.env.id,
    envOptions: restored.config.env.options,
    act: (observation) => policy.act(observation, 1) as Float32Array,
    dispose: () => restored.learner.dispose(),
  };
}
