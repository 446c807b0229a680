/**
 * Reading runs back from their directories: the columnar history the app plots, and the run list
 * (newest first) with the state each run last recorded.
 */
import { join } from 'node:path';
import { SAC_METRICS } from '../agents/sac.js';
import { parseMetricDescriptors } from '../common/metrics.js';
import type { RunHistory, RunSummary } from '../common/protocol.js';
import { readCsvLog } from './metrics-log.js';
import {
  effectiveRunState,
  listRunDirectories,
  readRunConfig,
  readRunEvents,
  readRunMeta,
  readRunStatus,
  RUN_FILES,
} from './run-directory.js';

/** Every logged update, episode and evaluation of a run as columns, plus its phase changes. */
export function readRunHistory(directory: string): RunHistory {
  const meta = readRunMeta(directory);
  const phases = readRunEvents(directory).flatMap((event) =>
    event.type === 'phase' ? [{ phase: event.phase, step: event.step, envStep: event.envStep }] : [],
  );
  return {
    runId: meta.runId,
    // Runs recorded before metric descriptors existed were all SAC runs.
    metrics: parseMetricDescriptors(meta.metrics) ?? [...SAC_METRICS],
    updates: readCsvLog(join(directory, RUN_FILES.updates)).columns,
    episodes: readCsvLog(join(directory, RUN_FILES.episodes)).columns,
    evaluations: readCsvLog(join(directory, RUN_FILES.evaluations)).columns,
    phases,
  };
}

/** One run's summary from its directory; undefined when the directory is unreadable. */
export function summarizeRun(directory: string): RunSummary | undefined {
  try {
    const meta = readRunMeta(directory);
    const config = readRunConfig(directory) as { env?: { id?: string }; dataset?: { path?: string } };
    const tags = Array.isArray(meta.tags) ? meta.tags.filter((tag) => typeof tag === 'string') : [];
    const status = readRunStatus(directory);
    return {
      runId: meta.runId,
      directory,
      name: meta.name,
      tags,
      notes: typeof meta.notes === 'string' ? meta.notes : '',
      config,
      envId: config.env?.id ?? 'unknown',
      datasetPath: config.dataset?.path ?? null,
      state: effectiveRunState(status),
      createdAt: meta.createdAt,
      step: status.step,
      envStep: status.envStep,
      lastReturn: status.lastReturn,
    };
  } catch {
    return undefined;
  }
}

/** The runs under `runsDirectory`, newest first; directories that cannot be read are skipped. */
export function listRuns(runsDirectory: string): RunSummary[] {
  return listRunDirectories(runsDirectory).flatMap((directory) => {
    const summary = summarizeRun(directory);
    return summary ? [summary] : [];
  });
}
