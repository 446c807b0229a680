/**
 * Contracts of the learners. Two families share one shape: what they act with, what they store
 * per step, how their deterministic policy is exported, and how their state is saved; they differ in
 * what one update consumes (transitions for SAC, fixed-length sequences for ACER), which the agent
 * registry (registry.ts) declares so the training loop feeds each the right batch.
 */
import type { MetricRecord } from '../common/metrics.js';
import type { UpdatePlan } from '../objectives/plan.js';
import type { SequenceBatch } from '../replay/sequences.js';
import type { TransitionBatch } from '../replay/transitions.js';

/**
 * Per-update learner metrics: an open record (core/common/metrics.ts). Every key a learner reports
 * must be declared by its metric descriptors (the registry entry's `metrics`); keys it leaves out
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

/** Layers with their own weight and bias arrays (a learner's are views its next update overwrites). */
export function copyPolicyLayers(
  layers: readonly (Omit<PolicyLayer, 'weight' | 'bias'> & {
    weight: ArrayLike<number>;
    bias: ArrayLike<number>;
  })[],
): PolicyLayer[] {
  return layers.map((layer) => ({
    ...layer,
    weight: Float32Array.from(layer.weight),
    bias: Float32Array.from(layer.bias),
  }));
}

/** How the exported layers' output becomes an action. */
export type PolicyHead =
  /** SAC's tanh-squashed Gaussian: the layers end in tanh(mean), an action in [−1, 1]^d. */
  | { kind: 'tanh-gaussian'; actionWidth: number; deterministic: 'tanh-mean' }
  /** ACER's Gaussian for Box spaces: the layers end in tanh of the mean head, an action in [−1, 1]^d. */
  | { kind: 'gaussian'; actionWidth: number; deterministic: 'mean' }
  /** A categorical policy over a Discrete space: the layers end in the logits; the action is their argmax. */
  | { kind: 'categorical'; actionCount: number; deterministic: 'argmax' };

/** What `act` returns: the actions in the learner's units and what the replay stores beside them. */
export interface ActResult {
  /**
   * [count × actionWidth]: for Box spaces actions in [−1, 1] per dimension (the loop scales them
   * to the bounds); for Discrete spaces the action index as a number (width 1).
   */
  actions: Float32Array;
  /** [count] the action indices (Discrete spaces only). */
  actionIndices?: Int32Array;
  /** Values of the columns the learner stores per step (its registry entry's `storedColumns`), [count × width]. */
  extras?: Record<string, Float32Array>;
}

/** What every learner offers. Observations it sees are already normalised by the training loop. */
export interface LearnerBase {
  readonly kind: AgentKind;
  readonly observationWidth: number;
  /** Width of an action row: the Box dimension, or 1 for a Discrete index. */
  readonly actionWidth: number;
  /** Actions for `count` observations (row-major); deterministic = the exported policy's action. */
  act(observations: Float32Array, count: number, deterministic: boolean): ActResult;
  /** Q(s, a) for `count` rows (min of twin critics where there are two), for value-bias diagnostics. */
  qValues(observations: Float32Array, actions: Float32Array, count: number): Float32Array;
  /** The deterministic policy as plain dense layers, for export; `policyHead` says how they end. */
  policyLayers(): PolicyLayer[];
  policyHead(): PolicyHead;
  /** Everything needed so that a restored learner makes the same next update (weights, optimisers, counters, RNG). */
  getState(): Record<string, unknown>;
  setState(state: Record<string, unknown>): void;
  /** Fraction of the run's updates done, in [0, 1], for the learning-rate schedules. */
  setProgress(fraction: number): void;
  dispose(): void;
}

/** A learner fed with transitions (SAC): one update per batch, TD errors back for the priorities. */
export interface TransitionLearner extends LearnerBase {
  readonly sampling: 'transitions';
  /**
   * One gradient update on `batch` (its `weights` are the per-sample critic-loss weights) at
   * temperature β, following `plan` (default: the online SAC + ROER update).
   */
  update(batch: TransitionBatch, beta: number, plan?: UpdatePlan): UpdateResult;
}

/**
 * The policy loss of a sequence update: the learner's own ('acer'), or KL(μ ‖ π) to the behaviour
 * statistics the batch carries ('behaviour-cloning', for updates on a dataset alone).
 */
export type SequencePolicyLoss = 'acer' | 'behaviour-cloning';

/** A learner fed with fixed-length sequences (ACER): on-policy segments and replayed windows. */
export interface SequenceLearner extends LearnerBase {
  readonly sampling: 'sequences';
  update(batch: SequenceBatch, policyLoss?: SequencePolicyLoss): LearnerMetrics;
}

export type Learner = TransitionLearner | SequenceLearner;

/** The learner families, keyed by `agent.kind` in the run configuration. */
export const AGENT_KINDS = ['sac', 'acer'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];
