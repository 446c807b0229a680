/**
 * Contracts of the replay engine (storage + samplers + priority rules), shared by the training
 * loop and the learners. Implementations live beside this file.
 */
import type { RngState } from '../util/random.js';
import type { TransitionBatch, TransitionColumns } from './transitions.js';

export type { TransitionBatch, TransitionColumns };

/** How the stored priorities act on learning (REFERENCES.md, ROER official code step 1). */
export type PriorityRule = 'uniform' | 'per' | 'roer';
/** `weight`: uniform sampling, priority is a per-sample critic-loss weight (ROER official).
 *  `sample`: proportional sampling through a sum tree with normalised importance weights. */
export type PriorityMode = 'weight' | 'sample';
/** `union`: one draw over offline ∪ online; `fixed`: `offlineFraction` of each batch from offline rows. */
export type MixingRule = 'union' | 'fixed';

export interface ReplayOptions {
  capacity: number;
  observationWidth: number;
  actionWidth: number;
  /** Let online inserts overwrite the offline segment once the buffer is full. */
  overwriteOffline: boolean;
  priority: PriorityRule;
  mode: PriorityMode;
  mixing: MixingRule;
  offlineFraction: number;
  perAlpha: number;
  perImportanceStart: number;
  perEpsilon: number;
  roerMaxClip: number;
  roerMinClip: number;
  roerLambda: number;
  roerDivergence: 'kl' | 'pearson';
  /** Weight mode: the batch's critic-loss weights as stored ('none', the default), or divided by their mean ('mean'). */
  weightNormalisation?: 'none' | 'mean';
  /**
   * Priority of a newly stored row (offline rows at load, online rows on insert). 'max': the
   * running maximum of all priorities written so far, starting at 1 (PER's rule, so that new data
   * is sampled at least once soon). A number: that constant. Default: 'max' for PER, 1 for ROER
   * (the official code's starting priority) and for uniform replay.
   */
  initialPriority?: 'max' | number;
  /**
   * Per-row float32 columns stored beside the transitions (e.g. `returnToGo` for Cal-QL, behaviour
   * log-probabilities): filled from the dataset's and the online transitions' `extras`, gathered
   * into `batch.extras`. Rows that do not provide a value get `fill` (default NaN).
   */
  extraColumns?: ExtraColumn[];
  /**
   * Set for a Discrete action space of this many actions: `actionWidth` must be 1, actions are
   * stored as int32 indices (checked to lie in [0, actionCount)), and batches carry
   * `actionIndices` beside the float `actions`. Unset: Box actions stored as float32.
   */
  actionCount?: number;
}

export interface ExtraColumn {
  name: string;
  width: number;
  fill?: number;
}

/** Serialisable replay state for checkpoints (typed arrays are written as binary). */
export interface ReplayState {
  options: ReplayOptions;
  size: number;
  offlineCount: number;
  /** Next online write position. */
  cursor: number;
  columns: Record<string, Float32Array | Uint8Array | Int32Array>;
  priorities: Float32Array;
  maxPriority: number;
  importanceProgress: number;
  rng: RngState;
}
