/**
 * Update records for tests of what consumes the event stream (run store, engine fakes): every
 * field of an `update` event filled with plain values, β growing with the step so that successive
 * records differ. Callers override what their case is about.
 */
import type { RunEvent, UpdateRecord } from '../../core/common/events.js';

/** Learner metrics of a SAC-like update (overridden per key through `overrides.metrics`). */
export const SAC_LIKE_METRICS = {
  criticLoss: 1,
  valueLoss: 1,
  actorLoss: 1,
  alphaLoss: 0,
  alpha: 0.2,
  qMean: 0,
  vMean: 0,
  policyEntropy: -1,
  gradientPenalty: 0,
  lossWeightMean: 1,
  lossWeightMin: 1,
  lossWeightMax: 1,
  awrWeightMean: Number.NaN,
  awrWeightMax: Number.NaN,
  awrClippedFraction: Number.NaN,
  advantageMean: Number.NaN,
};

export function updateRecord(
  step: number,
  overrides: Partial<Omit<UpdateRecord, 'metrics'>> & { metrics?: Record<string, number> } = {},
): RunEvent {
  const { metrics, ...fields } = overrides;
  return {
    type: 'update',
    step,
    envStep: 0,
    phase: 'offline',
    time: 1_800_000_000 + step,
    beta: 1 + step / 100,
    betaTarget: 0.5,
    ess: 100,
    essFraction: 0.4,
    weightEntropy: 0.9,
    tdMean: 0,
    tdStd: 1,
    tdP05: -1,
    tdP25: -0.5,
    tdP50: 0,
    tdP75: 0.5,
    tdP95: 1,
    priorityHistogram: [],
    priorityFloorShare: 1,
    batchWeightHistogram: [],
    offlineShare: 1,
    bufferOnlineShare: 0,
    ...fields,
    metrics: { ...SAC_LIKE_METRICS, ...metrics },
  };
}
