/**
 * One learner update and its UpdateRecord, for each way the registry feeds a learner.
 *
 * Transitions (SAC): sample a batch → update at the controller's β following the phase's plan →
 * write the TD errors back as priorities → shift statistics of the batch → β controller step.
 * Sequences (ACER): an on-policy update on the segment just collected, or a replay update on
 * windows sampled from the buffer; its Retrace update gives no per-row TD errors, so the replay is
 * uniform and the shift statistics are NaN.
 */
import type { SequenceLearner, SequencePolicyLoss, TransitionLearner } from '../agents/types.js';
import { shiftStatistics } from '../beta/index.js';
import type { ShiftStatistics } from '../common/shift-statistics.js';
import { orderedMetricRecord } from '../common/metrics.js';
import type { UpdatePlan } from '../objectives/plan.js';
import { allocateSequenceBatch, type SequenceBatch } from '../replay/sequences.js';
import { allocateBatch, TransitionSource, type TransitionBatch } from '../replay/transitions.js';
import { offlineShare, priorityHistogram } from './diagnostics.js';
import {
  BATCH_WEIGHT_HISTOGRAM_EDGES,
  PRIORITY_HISTOGRAM_EDGES,
  type UpdateRecord,
} from '../common/events.js';
import { plannedUpdates } from './config.js';
import type { RunParts } from './setup.js';

/** Share of `priorities` at the ROER floor `minClip` (compared in float32, as the buffer stores them). */
export function floorShare(priorities: ArrayLike<number>, minClip: number): number {
  if (priorities.length === 0) return Number.NaN;
  const floor = Math.fround(minClip);
  let atFloor = 0;
  for (let i = 0; i < priorities.length; i++) if (priorities[i] <= floor) atFloor++;
  return atFloor / priorities.length;
}

/** Shift statistics of an update without TD errors. */
const NO_SHIFT_STATISTICS: ShiftStatistics = {
  ess: Number.NaN,
  essFraction: Number.NaN,
  weightEntropy: Number.NaN,
  tdMean: Number.NaN,
  tdStd: Number.NaN,
  tdP05: Number.NaN,
  tdP25: Number.NaN,
  tdP50: Number.NaN,
  tdP75: Number.NaN,
  tdP95: Number.NaN,
};

/** Empty histograms (every bin 0) for updates that have no priorities or weights. */
const emptyHistogram = (edges: readonly number[]) => new Array<number>(edges.length + 1).fill(0);

/** SAC's update step over sampled transitions. */
export class TransitionUpdates {
  private readonly batch: TransitionBatch;
  private readonly batchPriorities: Float32Array;
  private readonly batchWeights: Float64Array;
  private readonly histogram = emptyHistogram(PRIORITY_HISTOGRAM_EDGES);
  private readonly weightHistogram = emptyHistogram(BATCH_WEIGHT_HISTOGRAM_EDGES);

  constructor(
    private readonly parts: RunParts,
    batchSize: number,
  ) {
    this.batch = allocateBatch(batchSize, parts.env.observationSpace.size, parts.replay.options.actionWidth);
    this.batchPriorities = new Float32Array(batchSize);
    this.batchWeights = new Float64Array(batchSize);
  }

  /** One update following `plan`; returns its record (the caller counts the step first). */
  update(plan: UpdatePlan): UpdateRecord {
    const { replay, controller, counters, config } = this.parts;
    const learner = this.parts.learner as TransitionLearner;
    const batch = this.batch;
    const totalUpdates = plannedUpdates(config);
    const progress = totalUpdates > 0 ? Math.min(1, counters.step / totalUpdates) : 1;
    replay.setImportanceProgress(progress);
    learner.setProgress(progress);
    replay.sample(batch);
    const beta = controller.beta;
    const { tdErrors, metrics } = learner.update(batch, beta, plan);
    replay.updatePriorities(batch, tdErrors, beta);
    const statistics = shiftStatistics(tdErrors, beta);
    const bufferOnlineShare = replay.onlineShare();
    controller.setShiftSignal(bufferOnlineShare);
    const betaTarget = controller.targetFraction;
    controller.update(tdErrors);
    replay.batchPriorities(batch, this.batchPriorities);
    priorityHistogram(this.batchPriorities, PRIORITY_HISTOGRAM_EDGES, this.histogram);
    for (let i = 0; i < batch.size; i++) this.batchWeights[i] = Math.exp(tdErrors[i] / beta);
    priorityHistogram(this.batchWeights, BATCH_WEIGHT_HISTOGRAM_EDGES, this.weightHistogram);
    counters.step++;
    return {
      step: counters.step,
      envStep: counters.envStep,
      phase: counters.phase,
      time: Date.now() / 1000,
      beta,
      betaTarget,
      ...statistics,
      priorityHistogram: [...this.histogram],
      priorityFloorShare:
        config.replay.priority === 'roer'
          ? floorShare(this.batchPriorities, config.replay.roerMinClip)
          : Number.NaN,
      batchWeightHistogram: [...this.weightHistogram],
      offlineShare: offlineShare(batch.sources),
      bufferOnlineShare,
      metrics: orderedMetricRecord(this.parts.metricDescriptors, metrics),
    };
  }
}

/** ACER's update steps over sequences: the segment just collected, or windows replayed from the buffer. */
export class SequenceUpdates {
  private readonly onPolicyBatch: SequenceBatch;
  private readonly replayBatch: SequenceBatch;

  constructor(
    private readonly parts: RunParts,
    private readonly schedule: {
      length: number;
      batchSequences: number;
      offlinePolicyLoss: SequencePolicyLoss;
    },
  ) {
    const dO = parts.env.observationSpace.size;
    const dA = parts.replay.options.actionWidth;
    // A segment of k steps holds at most k windows (one per episode piece).
    this.onPolicyBatch = allocateSequenceBatch(schedule.length, schedule.length, dO, dA);
    this.replayBatch = allocateSequenceBatch(schedule.batchSequences, schedule.length, dO, dA);
  }

  /** One update on the windows starting at `starts` (the on-policy segment). */
  onPolicy(starts: number[]): UpdateRecord {
    this.parts.replay.gatherSequences(this.onPolicyBatch, starts);
    return this.update(this.onPolicyBatch);
  }

  /** One update on windows sampled uniformly from the buffer, with ACER's own policy loss. */
  replayed(): UpdateRecord {
    this.parts.replay.sampleSequences(this.replayBatch);
    return this.update(this.replayBatch, 'acer');
  }

  /** One update on windows of the dataset alone, with the schedule's offline policy loss. */
  offline(): UpdateRecord {
    this.parts.replay.sampleSequences(this.replayBatch);
    return this.update(this.replayBatch, this.schedule.offlinePolicyLoss);
  }

  private update(batch: SequenceBatch, policyLoss: SequencePolicyLoss = 'acer'): UpdateRecord {
    const { replay, counters, config } = this.parts;
    const learner = this.parts.learner as SequenceLearner;
    const total = config.offline.steps + config.online.envSteps;
    learner.setProgress(
      total > 0
        ? Math.min(
            1,
            (counters.step < config.offline.steps ? counters.step : config.offline.steps + counters.envStep) /
              total,
          )
        : 1,
    );
    const metrics = learner.update(batch, policyLoss);
    counters.step++;
    let offline = 0;
    let windows = 0;
    for (let b = 0; b < batch.size; b++) {
      if (batch.lengths[b] === 0) continue;
      windows++;
      if (batch.sources[b] === TransitionSource.offline) offline++;
    }
    return {
      step: counters.step,
      envStep: counters.envStep,
      phase: counters.phase,
      time: Date.now() / 1000,
      beta: Number.NaN,
      betaTarget: Number.NaN,
      ...NO_SHIFT_STATISTICS,
      priorityHistogram: emptyHistogram(PRIORITY_HISTOGRAM_EDGES),
      priorityFloorShare: Number.NaN,
      batchWeightHistogram: emptyHistogram(BATCH_WEIGHT_HISTOGRAM_EDGES),
      offlineShare: windows > 0 ? offline / windows : Number.NaN,
      bufferOnlineShare: replay.onlineShare(),
      metrics: orderedMetricRecord(this.parts.metricDescriptors, metrics),
    };
  }
}
