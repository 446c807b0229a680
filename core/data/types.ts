/** Contracts of dataset loading, writing and validation. */
import type { DatasetCard } from '../common/dataset-card.js';
import type { TransitionColumns } from '../replay/transitions.js';

export interface LoadedDataset {
  path: string;
  columns: TransitionColumns;
  /** The card when the file has one (files from other tools may not). */
  card: DatasetCard | null;
  /** Non-fatal findings (e.g. actions out of bounds), each naming file, column and row. */
  warnings: string[];
}

/** A validation failure that names the file, and where known the column and row, and what was expected. */
export class DatasetError extends Error {
  readonly exitCode = 3;
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly column?: string,
    readonly row?: number,
  ) {
    super(
      `${file}${column !== undefined ? `: column "${column}"` : ''}${row !== undefined ? `, row ${row}` : ''}: ${detail}`,
    );
    this.name = 'DatasetError';
  }
}

/** Mean, spread and range of one column (or one dimension of a matrix column). */
export interface ColumnStatistics {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** A histogram: counts[i] values fell in [edges[i], edges[i + 1]) (the last bin includes its right edge). */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** What `inspectDataset` reports: everything the CLI prints and the desktop app's Datasets view shows. JSON-able. */
export interface DatasetSummary {
  path: string;
  /** Container: Arrow IPC file, Arrow IPC stream or Parquet. */
  format: 'arrow-file' | 'arrow-stream' | 'parquet';
  /** Column layout the loader recognised. */
  layout: 'd4rl' | 'minari';
  fileBytes: number;
  /** Transitions after loading (D4RL rows, or the sum of Minari episode lengths). */
  rows: number;
  episodes: number;
  observationWidth: number;
  actionWidth: number;
  /** Rows flagged terminal / timeout. */
  terminals: number;
  timeouts: number;
  card: DatasetCard | null;
  warnings: string[];
  /** File columns the loader did not use (e.g. infos/qpos). */
  ignoredColumns: string[];
  /**
   * The behaviour policy's statistics the file records (infos/action_log_probs, infos/action_probs,
   * infos/action_mean, infos/action_log_std; core/data/behaviour-columns.ts), empty when none.
   */
  behaviourColumns: string[];
  /** Per-dimension statistics of the matrix columns, plain statistics of rewards. */
  columns: {
    observations: ColumnStatistics[];
    actions: ColumnStatistics[];
    nextObservations: ColumnStatistics[];
    rewards: ColumnStatistics;
  };
  episodeLengths: ColumnStatistics;
  episodeReturns: ColumnStatistics & {
    histogram: Histogram;
    /** Mean normalised score 100·(R − min)/(max − min) when the card has reference scores, else null. */
    normalizedMean: number | null;
  };
  /** Fraction of episodes that end in a terminal state (for goal-reaching tasks, the success rate). */
  terminalEpisodeFraction: number;
}
