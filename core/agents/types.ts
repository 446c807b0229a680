/** Contracts of the learners. A learner reads a batch and returns TD errors and a flat metrics record. */
import type { UpdatePlan } from '../objectives/plan.js';
import type { MetricRecord } from '../common/metrics.js';
import type { TransitionBatch } from '../replay/transitions.js';

/**
 * Per-update learner metrics: an open record (core/common/metrics.ts). Every key a learner reports
 * must be declared by its metric descriptors (for SAC: SAC_METRICS in sac.ts); keys it leaves out
 * in an update are recorded as NaN.
 */
export type LearnerMetrics = MetricRecord;

export interface UpdateResult {
  /** TD errors of the batch rows, for the priority rule and the β controller (ROER: from V; PER: from Q). */
  tdErrors: Float32Array;
  metrics: LearnerMetrics;
}

/** Dense layers of the deterministic policy, for export: y = activation(x·W + b), W row-major [in × out]. */
export interface PolicyLayer {
  inputSize: number;
  outputSize: number;
  weight: Float32Array;
  bias: Float32Array;
  activation: 'relu' | 'tanh' | 'linear';
}

/**
 * A learner. Observations it sees are already normalised by the training loop; actions are in
 * [-1, 1]^d (tanh-squashed); the loop scales them to the environment's bounds.
 */
export interface Learner {
  readonly observationWidth: number;
  readonly actionWidth: number;
  /**
   * One gradient update on `batch` (its `weights` are the per-sample critic-loss weights) at
   * temperature β, following `plan` (default: the online SAC + ROER update).
   */
  update(batch: TransitionBatch, beta: number, plan?: UpdatePlan): UpdateResult;
  /** Actions for `count` observations (row-major); deterministic = tanh(mean). */
  act(observations: Float32Array, count: number, deterministic: boolean): Float32Array;
  /** min(Q1, Q2)(s, a) for `count` rows, for value-bias diagnostics. */
  qValues(observations: Float32Array, actions: Float32Array, count: number): Float32Array;
  /** The deterministic policy as plain dense layers (ending in tanh), for export. */
  policyLayers(): PolicyLayer[];
  /** Everything needed so that a restored learner makes the same next update (weights, targets, Adam moments, α, counters, RNG). */
  getState(): Record<string, unknown>;
  setState(state: Record<string, unknown>): void;
  /** Free tensors. */
  dispose(): void;
}
