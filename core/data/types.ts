/** Contracts of dataset loading, writing and validation. */
import type { TransitionColumns } from '../replay/transitions.js';

/** The dataset card stored in the Arrow schema metadata (key `o2o.card`, JSON). */
export interface DatasetCard {
  formatVersion: number;
  envId: string;
  /** e.g. "random", "scripted-waypoint", "checkpoint:<run id>", "replay:<run id>". */
  behaviorPolicy: string;
  seed: number | null;
  episodes: number;
  steps: number;
  referenceMinScore: number | null;
  referenceMaxScore: number | null;
  author: string;
  createdAt: string;
  description?: string;
}

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
