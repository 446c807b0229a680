/**
 * The real engine behind the engine service: runs, presets, run history, export, datasets and
 * environments from the engine's modules. Loaded by the engine worker (never by a window), so the
 * heavy modules — TensorFlow.js, Arrow — load off the UI's thread.
 */
import { parseCard } from '../data/card.js';
import { inspectDataset } from '../data/inspect.js';
import { readTable } from '../data/read-table.js';
import { listEnvsChecked, makeEnv } from '../envs/registry.js';
import { exportPolicy } from '../export/export-run.js';
import { describeBackend, initBackend } from '../tensor/backend.js';
import { validateRunConfig } from '../train/config.js';
import { listRuns, readRunHistory } from '../train/history.js';
import { listPresets } from '../train/presets.js';
import { resumeRun, startRun } from '../train/run.js';
import { loadRunPolicy } from '../train/run-policy.js';
import type { DatasetSummary, EngineApi } from './engine-service.js';

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
    describeBackend: async () => describeBackend(await initBackend()),
  };
}
