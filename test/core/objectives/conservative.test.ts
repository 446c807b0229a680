import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SacLearner } from '../../../core/agents/sac.js';
import { parseSacConfig } from '../../../core/agents/sac-config.js';
import { conservativePenalty } from '../../../core/objectives/conservative.js';
import { offlinePlan, sacPlan, type ObjectiveSettings } from '../../../core/objectives/index.js';
import { offlineObjectiveSettingsSchema } from '../../../core/objectives/settings.js';
import { allocateBatch } from '../../../core/replay/transitions.js';
import { javascriptKernels } from '../../../core/tensor/kernels.js';
import { Rng } from '../../../core/util/random.js';
import { centralDifference } from '../../helpers/central-difference.js';

describe('CQL regulariser', () => {
  it('known answer: log of the mean of exp(Q − log ρ), minus the data value', () => {
    // One state, two samples with ρ = 1: Q = 0 and log 3, so LSE = log((1 + 3)/2) = log 2.
    const result = conservativePenalty([0, Math.log(3)], [0, 0], [0.5], 1, 2);
    expect(result.penalty).toBeCloseTo(Math.log(2) - 0.5, 12);
    expect(Array.from(result.sampledGradient)).toEqual([0.25, 0.75].map((v) => expect.closeTo(v, 12)));
    expect(result.dataGradient).toBe(-1);
    // A density of 1/2 (uniform on [−1, 1]) adds log 2 to every logit, so to the LSE.
    const uniform = conservativePenalty([0, Math.log(3)], [-Math.LN2, -Math.LN2], [0.5], 1, 2);
    expect(uniform.penalty).toBeCloseTo(2 * Math.LN2 - 0.5, 12);
  });

  it('the importance-sampled LSE converges to log ∫ exp Q da (Q(a) = a on [−1, 1])', () => {
    const rng = new Rng(3);
    const samples = 200_000;
    const q = new Float64Array(samples);
    for (let j = 0; j < samples; j++) q[j] = rng.uniformIn(-1, 1);
    const result = conservativePenalty(q, new Float64Array(samples).fill(-Math.LN2), [0], 1, samples);
    expect(result.penalty).toBeCloseTo(Math.log(Math.E - 1 / Math.E), 2);
  });

  it('its gradients match central differences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const rng = new Rng(seed);
        const rows = 3;
        const k = 4;
        const sampled = Float64Array.from({ length: rows * k }, () => 3 * rng.normal());
        const logDensities = Float64Array.from({ length: rows * k }, () => rng.normal());
        const data = Float64Array.from({ length: rows }, () => rng.normal());
        const floors = { values: [Number.NEGATIVE_INFINITY, 0, 10], floorFrom: 2 };
        const result = conservativePenalty(sampled, logDensities, data, rows, k, floors);
        const ofSampled = (x: Float64Array) =>
          conservativePenalty(x, logDensities, data, rows, k, floors).penalty;
        for (let i = 0; i < rows * k; i++) {
          const numeric = centralDifference(ofSampled, sampled, i);
          if (Math.abs(numeric - result.sampledGradient[i]) > 1e-6) return false;
        }
        const ofData = (x: Float64Array) =>
          conservativePenalty(sampled, logDensities, x, rows, k, floors).penalty;
        return Math.abs(centralDifference(ofData, data, 1) - result.dataGradient) < 1e-5;
      }),
      { numRuns: 25 },
    );
  });

  it("Cal-QL's floor lifts only the policy samples and leaves them without gradient", () => {
    // Samples [uniform, policy] of one state, both at Q = 0, floor 2: the policy sample counts as 2.
    const result = conservativePenalty([0, 0], [0, 0], [0], 1, 2, { values: [2], floorFrom: 1 });
    expect(result.penalty).toBeCloseTo(Math.log((1 + Math.exp(2)) / 2), 12);
    expect(result.sampledGradient[1]).toBe(0);
    expect(result.sampledGradient[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 12);
    // A floor of −∞ (online rows) changes nothing.
    const open = conservativePenalty([0, 0], [0, 0], [0], 1, 2, {
      values: [Number.NEGATIVE_INFINITY],
      floorFrom: 1,
    });
    expect(open.penalty).toBeCloseTo(0, 12);
  });

  it('the objective settings are validated: a weight ≤ 0 and a non-integer sample count are rejected', () => {
    expect(offlineObjectiveSettingsSchema.safeParse({ cqlWeight: 0 }).success).toBe(false);
    expect(offlineObjectiveSettingsSchema.safeParse({ cqlSamples: 2.5 }).success).toBe(false);
    expect(offlineObjectiveSettingsSchema.parse({})).toMatchObject({ cqlWeight: 5, cqlSamples: 10 });
  });
});

describe('the learner under the cql plan', () => {
  const settings: ObjectiveSettings = {
    ...offlineObjectiveSettingsSchema.parse({}),
    valueExpClip: 7,
    valueLossExtension: 'official',
  };
  const config = parseSacConfig({ hiddenSizes: [32, 32], batchSize: 32, discount: 0.9, gradientPenalty: 0 });

  /** A one-dimensional bandit-like dataset: every action is 0, reward 0, episodes end at once. */
  function batchOf(rng: Rng) {
    const batch = allocateBatch(32, 2, 1);
    rng.fillNormal(batch.observations);
    rng.fillNormal(batch.nextObservations);
    return batch;
  }

  /** Q(s, a) of the first critic head averaged over the batch's states, at one action. */
  function meanQ(learner: SacLearner, observations: Float32Array, action: number): number {
    const actions = new Float32Array(32).fill(action);
    const q = learner.qValues(observations, actions, 32);
    return q.reduce((total, v) => total + v, 0) / 32;
  }

  it('pushes Q down away from the data actions and reports the regulariser', () => {
    const rng = new Rng(7);
    const batch = batchOf(rng);
    const plan = offlinePlan('cql', settings);
    expect(plan).toMatchObject({ objective: 'cql', bootstrap: 'policy', actor: 'reparameterised' });
    const conservative = new SacLearner(config, 2, 1, 11, javascriptKernels);
    const plain = new SacLearner(config, 2, 1, 11, javascriptKernels);
    let first = Number.NaN;
    let last = Number.NaN;
    for (let step = 0; step < 200; step++) {
      const metrics = conservative.update(batch, 1, plan).metrics;
      if (step === 0) first = metrics.conservativePenalty;
      last = metrics.conservativePenalty;
      const plainMetrics = plain.update(batch, 1, sacPlan(settings)).metrics;
      expect(plainMetrics.conservativePenalty).toBeUndefined();
    }
    expect(last).toBeLessThan(first);
    // The data value (0 for every state) against the far actions.
    const gap = (learner: SacLearner) =>
      meanQ(learner, batch.observations, 0) -
      (meanQ(learner, batch.observations, 0.95) + meanQ(learner, batch.observations, -0.95)) / 2;
    expect(gap(conservative)).toBeGreaterThan(0.5);
    expect(gap(conservative)).toBeGreaterThan(gap(plain) + 0.5);
  });
});
