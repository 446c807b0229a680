/** The dataset card: what a dataset file says about itself; written and read by core/data, listed by the app. */

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
  /**
   * SHA-256 of the transition data (core/data/checksum.ts), written by `writeDataset` and checked
   * on load; absent in files from other tools.
   */
  dataSha256?: string;
}
