/**
 * The real engine behind the engine service: runs, presets, run history, export, datasets and
 * environments from the engine's modules. Loaded by the engine worker (never by a window), so the
 * heavy modules — TensorFlow.js, Arrow — load off the UI's thread.
 */
import { parseCard } from '../data/card.js';
import { inspectDataset } from '../data/inspect.js';
import { readTable } from '../data/read-table.js';
import { listEnvsChecked, makeEnv, prepareEnv } from '../envs/registry.js';
import { exportPolicy } from '../export/export-run.js';
import { describeBackend, initBackend } from '../tensor/backend.js';
import { existsSync } from 'node:fs';
import { loadPolicyFile } from '../export/load.js';
import { ConfigError, runConfigJsonSchema, validateRunConfig, type RunConfig } from '../train/config.js';
import { resolveUserPath } from '../util/paths.js';
import type { ValidationIssue } from '../common/protocol.js';
import { listRuns, readRunHistory } from '../train/history.js';
import { listPresets } from '../train/presets.js';
import { makeRunEnv, resumeRun, startRun } from '../train/run.js';
import { loadRunPolicy } from '../train/run-policy.js';
import type { DatasetSummary, EngineApi, RunPolicy } from './engine-service.js';

/** Rows, episodes and card of a dataset file, from its table and schema metadata (no validation pass). */
async function summarizeDataset(path: string): Promise<DatasetSummary> {
  const { table, metadata } = await readTable(path);
  const card = parseCard(path, metadata);
  return {
    envId: card?.envId ?? 'unknown',
    rows: card?.steps ?? table.numRows,
    episodes: card?.episodes ?? 0,
    card,
  };
}

/** What starting a schema-valid config would still refuse: the environment and the dataset file. */
async function checkRunConfig(config: unknown, baseDirectory: string): Promise<ValidationIssue[]> {
  const run = config as RunConfig;
  const issues: ValidationIssue[] = [];
  try {
    const env = await makeRunEnv(run);
    env.close?.();
  } catch (error) {
    if (error instanceof ConfigError) issues.push(...error.issues);
    else issues.push({ path: 'env.id', message: (error as Error).message });
  }
  if (run.dataset) {
    const path = resolveUserPath(run.dataset.path, baseDirectory);
    if (!existsSync(path)) issues.push({ path: 'dataset.path', message: `no such file: ${path}` });
  }
  return issues;
}

/** An exported policy file as a RunPolicy (one observation at a time, environment from its metadata). */
async function filePolicy(path: string, envId?: string): Promise<RunPolicy> {
  const policy = await loadPolicyFile(path);
  const env = envId ?? policy.metadata.envId;
  if (!env) {
    await policy.dispose();
    throw new Error(`${path}: the policy does not name its environment; choose one`);
  }
  try {
    await prepareEnv(env);
  } catch (error) {
    await policy.dispose();
    throw error;
  }
  return {
    envId: env,
    envOptions: {},
    act: (observation) => policy.act(observation, 1),
    dispose: () => void policy.dispose(),
  };
}

export async function createEngineApi(): Promise<EngineApi> {
  return {
    startRun,
    resumeRun,
    listPresets,
    validateRunConfig,
    readRunHistory,
    listRuns,
    exportPolicy,
    inspectDataset,
    summarizeDataset,
    listEnvs: listEnvsChecked,
    makeEnv,
    loadRunPolicy,
    loadPolicyFile: filePolicy,
    configSchema: runConfigJsonSchema,
    checkRunConfig,
    describeBackend: async () => describeBackend(await initBackend()),
  };
}
