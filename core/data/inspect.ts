/** Inspect a dataset file: its card, column statistics and the distribution of episode returns. */
import type { TransitionColumns } from '../replay/transitions.js';
import { loadDataset, type LoadedDatasetDetails } from './load.js';
import { normalizedScore } from '../envs/normalized-score.js';
import { histogram, perDimensionStatistics, statistics } from './stats.js';
import type { DatasetSummary } from './types.js';

/** Per-episode returns and lengths, from the episode ids (or the end flags). */
export function episodeTotals(columns: TransitionColumns): {
  returns: Float64Array;
  lengths: Float64Array;
  terminalEnds: number;
} {
  const returns: number[] = [];
  const lengths: number[] = [];
  let terminalEnds = 0;
  let total = 0;
  let length = 0;
  for (let i = 0; i < columns.length; i++) {
    total += columns.rewards[i];
    length++;
    const ends = columns.terminals[i] !== 0 || columns.timeouts[i] !== 0 || i === columns.length - 1;
    if (ends) {
      returns.push(total);
      lengths.push(length);
      if (columns.terminals[i] !== 0) terminalEnds++;
      total = 0;
      length = 0;
    }
  }
  return { returns: Float64Array.from(returns), lengths: Float64Array.from(lengths), terminalEnds };
}

/** Summarise loaded data (the pure part of `inspectDataset`). */
export function summarize(loaded: LoadedDatasetDetails, bins = 20): DatasetSummary {
  const { columns, card } = loaded;
  let terminals = 0;
  let timeouts = 0;
  for (let i = 0; i < columns.length; i++) {
    terminals += columns.terminals[i];
    timeouts += columns.timeouts[i];
  }
  const { returns, lengths, terminalEnds } = episodeTotals(columns);
  const returnStats = statistics(returns);
  const hasReference =
    card !== null &&
    card.referenceMinScore !== null &&
    card.referenceMaxScore !== null &&
    card.referenceMaxScore !== card.referenceMinScore;
  return {
    path: loaded.path,
    format: loaded.format,
    layout: loaded.layout,
    fileBytes: loaded.fileBytes,
    rows: columns.length,
    episodes: returns.length,
    observationWidth: columns.observationWidth,
    actionWidth: columns.actionWidth,
    terminals,
    timeouts,
    card,
    warnings: loaded.warnings,
    ignoredColumns: loaded.ignoredColumns,
    behaviourColumns: loaded.behaviourColumns,
    columns: {
      observations: perDimensionStatistics(columns.observations, columns.observationWidth),
      actions: perDimensionStatistics(columns.actions, columns.actionWidth),
      nextObservations: perDimensionStatistics(columns.nextObservations, columns.observationWidth),
      rewards: statistics(columns.rewards),
    },
    episodeLengths: statistics(lengths),
    episodeReturns: {
      ...returnStats,
      histogram: histogram(returns, bins),
      normalizedMean: hasReference
        ? normalizedScore(returnStats.mean, { min: card.referenceMinScore!, max: card.referenceMaxScore! })
        : null,
    },
    terminalEpisodeFraction: returns.length > 0 ? terminalEnds / returns.length : 0,
  };
}

/** Load, validate and summarise `path` (throws DatasetError on a bad file). */
export async function inspectDataset(path: string): Promise<DatasetSummary> {
  return summarize(await loadDataset(path));
}
