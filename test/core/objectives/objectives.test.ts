import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SacLearner } from '../../../core/agents/sac.js';
import { parseSacConfig } from '../../../core/agents/sac-config.js';
import { ACTION_LIMIT, awrActorGradient, awrWeight } from '../../../core/objectives/awr.js';
import { expectileBatchLoss, expectileLoss } from '../../../core/objectives/expectile.js';
import {
  criticWarmupPlan,
  offlinePlan,
  sacPlan,
  type ObjectiveSettings,
} from '../../../core/objectives/index.js';
import { allocateBatch } from '../../../core/replay/transitions.js';
import { javascriptKernels } from '../../../core/tensor/kernels.js';
import { Rng } from '../../../core/util/random.js';
import { centralDifference } from '../../helpers/central-difference.js';
import { expectNoGradientOutsideLogStdClip } from '../../helpers/log-std-clip.js';

const settings: ObjectiveSettings = {
  valueExpClip: 7,
  valueLossExtension: 'official',
  expectile: 0.9,
  awrTemperature: 0.5,
  awrTargetEss: 0.9,
  awrWeightClip: 100,
  awrLikelihood: 'squashed',
  policyExtraction: 'awr',
  bcWeight: 0.3,
  cqlWeight: 5,
  cqlSamples: 10,
};

describe('IQL expectile value loss', () => {
  it('known answers: |τ − 1(u < 0)|·u²', () => {
    expect(expectileLoss(2, 0.9)).toBeCloseTo(0.9 * 4, 12);
    expect(expectileLoss(-2, 0.9)).toBeCloseTo(0.1 * 4, 12);
    expect(expectileLoss(0, 0.7)).toBe(0);
    // Two rows: u = 1 − 0 = 1 (weight τ), u = 0 − 1 = −1 (weight 1 − τ): mean (0.7 + 0.3)/2 = 0.5.
    const result = expectileBatchLoss([1, 0], [0, 1], 0.7);
    expect(result.loss).toBeCloseTo(0.5, 12);
    expect(Array.from(result.valueGradient)).toEqual([-0.7, 0.30000000000000004]);
  });

  it('its gradient agrees with finite differences, and its minimiser over a constant V is the τ-expectile', () => {
    const rng = new Rng(1);
    const targets = Float64Array.from({ length: 9 }, () => rng.normal());
    const values = Float64Array.from({ length: 9 }, () => rng.normal());
    const result = expectileBatchLoss(targets, values, 0.8);
    for (let i = 0; i < 9; i++) {
      const numeric = centralDifference((v) => expectileBatchLoss(targets, v, 0.8).loss, values, i);
      expect(result.valueGradient[i]).toBeCloseTo(numeric, 6);
    }
    // The τ-expectile e solves τ·Σ(q − e)₊ = (1 − τ)·Σ(e − q)₊; find the loss minimiser by scanning.
    const q = [0, 1, 2, 10];
    let best = 0;
    let bestLoss = Infinity;
    for (let v = -1; v <= 11; v += 1e-4) {
      const loss = expectileBatchLoss(q, [v, v, v, v], 0.9).loss;
      if (loss < bestLoss) [best, bestLoss] = [v, loss];
    }
    const balance = (e: number) =>
      0.9 * q.reduce((s, x) => s + Math.max(x - e, 0), 0) -
      0.1 * q.reduce((s, x) => s + Math.max(e - x, 0), 0);
    expect(Math.abs(balance(best))).toBeLessThan(1e-3);
    // τ → 1 moves it toward the largest target; τ = 0.5 gives the mean.
    expect(best).toBeGreaterThan(q.reduce((a, b) => a + b) / q.length);
  });

  it('rejects an expectile outside (0, 1)', () => {
    expect(() => expectileBatchLoss([1], [0], 1)).toThrow(/expectile must lie in \(0, 1\)/);
  });
});

describe('advantage-weighted regression', () => {
  it('weights exp(A/T) clipped at w_max, without overflow', () => {
    expect(awrWeight(0.2, 0.1, 100)).toBeCloseTo(Math.exp(2), 12);
    expect(awrWeight(50, 0.1, 100)).toBeCloseTo(100, 9);
    expect(awrWeight(-1, 0.5, 100)).toBeCloseTo(Math.exp(-2), 12);
  });

  it('known answer for one row: loss −w·log π with the atanh change of variables', () => {
    // μ = 0, raw log σ = 0 (σ = 1), a = tanh(0.5): u = 0.5. A = 0.3, T = 0.5: w = e^0.6.
    const a = Math.tanh(0.5);
    const result = awrActorGradient([0, 0], [a], [1.3], [1.0], 1, 1, {
      temperature: 0.5,
      weightClip: 100,
      logStdMin: -5,
      logStdMax: 2,
    });
    const w = Math.exp(0.6);
    const logProb = -0.5 * 0.25 - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - a * a);
    expect(result.loss).toBeCloseTo(-w * logProb, 6);
    // ∂L/∂μ = −w·(u − μ)/σ² = −0.5w; ∂L/∂raw = −w·((u − μ)²/σ² − 1) = 0.75w.
    expect(result.outputGradient[0]).toBeCloseTo(-0.5 * w, 5);
    expect(result.outputGradient[1]).toBeCloseTo(0.75 * w, 5);
    expect(result.weightMean).toBeCloseTo(w, 6);
    expect(result.clippedFraction).toBe(0);
  });

  it('known answer for one row with the action-space likelihood (IQL code): a Gaussian on a centred on tanh μ', () => {
    // μ = atanh(0.5) (mean 0.5), σ = e^−1, a = 1 (saturated, no clip needed). A = 0, T = 1: w = 1.
    const result = awrActorGradient([Math.atanh(0.5), -1], [1], [0], [0], 1, 1, {
      temperature: 1,
      weightClip: 100,
      logStdMin: -5,
      logStdMax: 2,
      likelihood: 'action-space',
    });
    const variance = Math.exp(-2);
    const logProb = -0.5 * (0.25 / variance) + 1 - 0.5 * Math.log(2 * Math.PI);
    expect(result.loss).toBeCloseTo(-logProb, 6);
    // ∂L/∂μ = −(a − m)/σ²·(1 − m²) = −0.5·e²·0.75; ∂L/∂raw = −((a − m)²/σ² − 1) = 1 − 0.25e².
    expect(result.outputGradient[0]).toBeCloseTo(-0.375 * Math.exp(2), 5);
    expect(result.outputGradient[1]).toBeCloseTo(1 - 0.25 * Math.exp(2), 5);
  });

  it.each(['squashed', 'action-space'] as const)(
    '%s: its gradient agrees with finite differences; the log σ clip stops the gradient; saturated actions stay finite',
    (likelihood) => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
          const rng = new Rng(seed);
          const rows = 4;
          const width = 2;
          const outputs = Float64Array.from({ length: rows * 2 * width }, () => 0.5 * rng.normal());
          const actions = Float64Array.from({ length: rows * width }, () => Math.tanh(rng.normal()));
          actions[0] = 1; // saturated: clipped to ACTION_LIMIT before atanh
          const q = Float64Array.from({ length: rows }, () => rng.normal());
          const v = Float64Array.from({ length: rows }, () => rng.normal());
          const options = { temperature: 0.7, weightClip: 20, logStdMin: -5, logStdMax: 2, likelihood };
          const result = awrActorGradient(outputs, actions, q, v, rows, width, options);
          expect(Number.isFinite(result.loss)).toBe(true);
          for (let i = 0; i < outputs.length; i++) {
            const numeric = centralDifference(
              (o) => awrActorGradient(o, actions, q, v, rows, width, options).loss,
              outputs,
              i,
            );
            expect(Math.abs(result.outputGradient[i] - numeric)).toBeLessThan(1e-4 * (1 + Math.abs(numeric)));
          }
          expectNoGradientOutsideLogStdClip(
            (o) => awrActorGradient(o, actions, q, v, rows, width, options).outputGradient,
            outputs,
            rows,
            width,
          );
        }),
        { numRuns: 20 },
      );
      expect(Math.atanh(ACTION_LIMIT)).toBeLessThan(4);
    },
  );

  it('self-normalised weights: n·softmax(A/T) before the clip, unchanged when every advantage moves by a constant', () => {
    // Three rows, μ = 0, σ = 1, a = 0; A = (0, ln 2, ln 4)·T with T = 0.5: softmax ∝ (1, 2, 4), n·softmax = (3/7, 6/7, 12/7).
    const T = 0.5;
    const advantages = [0, Math.log(2) * T, Math.log(4) * T];
    const base = { temperature: T, weightClip: 100, logStdMin: -5, logStdMax: 2, normalise: true };
    const outputs = [0, 0, 0, 0, 0, 0];
    const actions = [0.2, -0.4, 0.6];
    const values = [0, 0, 0];
    const result = awrActorGradient(outputs, actions, advantages, values, 3, 1, base);
    const expected = [3 / 7, 6 / 7, 12 / 7];
    expect(result.weightMean).toBeCloseTo(1, 12);
    expect(result.weightMax).toBeCloseTo(12 / 7, 12);
    // ∂L/∂μ of row r = −(w_r/n)·atanh(a_r).
    for (let r = 0; r < 3; r++)
      expect(result.outputGradient[r * 2]).toBeCloseTo(-(expected[r] / 3) * Math.atanh(actions[r]), 6);
    const sum = expected.reduce((x, y) => x + y, 0);
    const squares = expected.reduce((x, y) => x + y * y, 0);
    expect(result.essFraction).toBeCloseTo((sum * sum) / (3 * squares), 12);
    // A shared offset of the advantages (a reward shift, a V that sits higher) changes nothing.
    const shifted = awrActorGradient(
      outputs,
      actions,
      advantages.map((a) => a + 37),
      values,
      3,
      1,
      base,
    );
    for (let i = 0; i < 6; i++) expect(shifted.outputGradient[i]).toBeCloseTo(result.outputGradient[i], 6);
    // The clip applies to the normalised weights: 12/7 clipped at 1.5.
    const clipped = awrActorGradient(outputs, actions, advantages, values, 3, 1, {
      ...base,
      weightClip: 1.5,
    });
    expect(clipped.weightMax).toBeCloseTo(1.5, 12);
    expect(clipped.clippedFraction).toBeCloseTo(1 / 3, 12);
  });

  it('plain weights keep exp(A/T) exactly, and report their ESS share', () => {
    const result = awrActorGradient([0, 0, 0, 0], [0, 0], [0.1, -0.1], [0, 0], 2, 1, {
      temperature: 0.1,
      weightClip: 100,
      logStdMin: -5,
      logStdMax: 2,
    });
    const w = [Math.E, 1 / Math.E];
    expect(result.weightMean).toBeCloseTo((w[0] + w[1]) / 2, 12);
    expect(result.essFraction).toBeCloseTo((w[0] + w[1]) ** 2 / (2 * (w[0] ** 2 + w[1] ** 2)), 12);
  });

  it('rejects a temperature ≤ 0 and a clip ≤ 1', () => {
    const base = { temperature: 1, weightClip: 10, logStdMin: -5, logStdMax: 2 };
    expect(() => awrActorGradient([0, 0], [0], [0], [0], 1, 1, { ...base, temperature: 0 })).toThrow(
      /temperature must be positive/,
    );
    expect(() => awrActorGradient([0, 0], [0], [0], [0], 1, 1, { ...base, weightClip: 1 })).toThrow(
      /clip must exceed 1/,
    );
  });
});

describe('update plans', () => {
  it('in-sample objectives bootstrap through V on dataset actions and extract the actor by AWR', () => {
    for (const name of ['xql', 'iql'] as const) {
      const plan = offlinePlan(name, settings);
      expect(plan).toMatchObject({
        bootstrap: 'value',
        valueActionNoise: false,
        actor: 'awr',
        temperature: 'frozen',
      });
    }
    expect(offlinePlan('sac', settings)).toMatchObject({ bootstrap: 'policy', actor: 'reparameterised' });
    expect(criticWarmupPlan(settings)).toMatchObject({
      bootstrap: 'policy',
      actor: 'frozen',
      temperature: 'frozen',
    });
    expect(sacPlan(settings, { calibrate: true }).calibrate).toBe(true);
    // XQL's value loss is the Gumbel loss, IQL's the expectile loss.
    const xql = offlinePlan('xql', settings).valueLoss([1, 0], [0, 0], 1);
    const iql = offlinePlan('iql', settings).valueLoss([1, 0], [0, 0], 1);
    expect(iql.loss).toBeCloseTo(expectileBatchLoss([1, 0], [0, 0], 0.9).loss, 12);
    expect(xql.loss).not.toBeCloseTo(iql.loss, 3);
  });
});

describe('the learner under an in-sample plan', () => {
  const config = parseSacConfig({ hiddenSizes: [16, 16], batchSize: 8, discount: 0.9, gradientPenalty: 0 });

  function batchOf(rng: Rng, rows = 8) {
    const batch = allocateBatch(rows, 3, 2);
    rng.fillNormal(batch.observations);
    rng.fillNormal(batch.nextObservations);
    for (let i = 0; i < batch.actions.length; i++) batch.actions[i] = Math.tanh(rng.normal());
    for (let i = 0; i < rows; i++) {
      batch.rewards[i] = rng.normal();
      batch.masks[i] = i % 3 === 0 ? 0 : 1;
    }
    return batch;
  }

  it('fits V first, then regresses Q onto r + γ·mask·V(s′) with the fresh V, and never touches α', () => {
    const learner = new SacLearner(config, 3, 2, 1, javascriptKernels);
    const rng = new Rng(2);
    const batch = batchOf(rng);
    const alpha = learner.alpha;
    const plan = offlinePlan('xql', settings);
    const { tdErrors, metrics } = learner.update(batch, 0.5, plan);
    expect(learner.alpha).toBe(alpha);
    expect(Number.isNaN(metrics.alphaLoss)).toBe(true);
    expect(metrics.awrWeightMean).toBeGreaterThan(0);
    // The TD errors are r + γ·mask·V(s′) − V(s) with the updated V; with the critic trained onto
    // y = r + γ·mask·V(s′), the critic step moves Q toward y: the critic loss falls on a repeat.
    const again = learner.update(batch, 0.5, plan).metrics.criticLoss;
    expect(again).toBeLessThan(metrics.criticLoss);
    expect(tdErrors.every(Number.isFinite)).toBe(true);
  });

  it("awrTemperature 'ess' logs the batch's temperature and weights at the target ESS; a fixed temperature logs neither", () => {
    const plan = offlinePlan('iql', { ...settings, awrTemperature: 'ess', awrTargetEss: 0.6 });
    const learner = new SacLearner({ ...config, batchSize: 64 }, 3, 2, 7, javascriptKernels);
    const batch = batchOf(new Rng(8), 64);
    const { metrics } = learner.update(batch, 1, plan);
    expect(metrics.awrTemperature).toBeGreaterThan(0);
    // The weights are n·softmax(A/T), mean 1 unless clipped; their ESS share is the target.
    expect(metrics.awrEssFraction).toBeCloseTo(0.6, 3);
    expect(metrics.awrWeightMean).toBeCloseTo(1, 6);
    // A fixed temperature logs neither.
    const fixed = new SacLearner({ ...config, batchSize: 64 }, 3, 2, 7, javascriptKernels);
    const plain = fixed.update(batch, 1, offlinePlan('iql', settings)).metrics;
    expect(plain.awrTemperature).toBeUndefined();
    expect(plain.awrEssFraction).toBeUndefined();
  });

  it('the critic warm-up plan leaves actor and α unchanged', () => {
    const learner = new SacLearner(config, 3, 2, 3, javascriptKernels);
    const rng = new Rng(4);
    const before = learner.getState() as { actor: { parameters: Float32Array }; logAlpha: number };
    learner.update(batchOf(rng), 1, criticWarmupPlan(settings));
    const after = learner.getState() as typeof before;
    expect(after.actor.parameters).toEqual(before.actor.parameters);
    expect(after.logAlpha).toBe(before.logAlpha);
  });

  it('calibration floors the targets of rows with a known return-to-go', () => {
    const rng = new Rng(5);
    const batch = batchOf(rng);
    // A return-to-go of 100 on every row: the critic moves toward 100 rather than toward y.
    const floored = { ...batch, extras: { returnToGo: new Float32Array(8).fill(100) } };
    const a = new SacLearner(config, 3, 2, 6, javascriptKernels);
    const b = new SacLearner(config, 3, 2, 6, javascriptKernels);
    const plain = a.update(floored, 1, sacPlan(settings)).metrics.criticLoss;
    const calibrated = b.update(floored, 1, sacPlan(settings, { calibrate: true })).metrics.criticLoss;
    expect(calibrated).toBeGreaterThan(10 * plain);
    // −∞ (online rows) leaves the target alone.
    const online = { ...batch, extras: { returnToGo: new Float32Array(8).fill(Number.NEGATIVE_INFINITY) } };
    const c = new SacLearner(config, 3, 2, 6, javascriptKernels);
    expect(c.update(online, 1, sacPlan(settings, { calibrate: true })).metrics.criticLoss).toBeCloseTo(
      plain,
      10,
    );
  });
});
