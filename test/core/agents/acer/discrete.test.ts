/**
 * Discrete ACER: the whole update's gradient against finite differences of an independently
 * written surrogate (trust region active on some steps), on-policy known answers of the
 * metrics, acting and export, checkpoint round trips, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { AcerDiscreteLearner } from '../../../../core/agents/acer/discrete.js';
import { parseAcerConfig, type AcerConfig } from '../../../../core/agents/acer/config.js';
import {
  categoricalGain,
  categoricalKlGradient,
  PROBABILITY_EPSILON,
  projectOntoTrustRegion,
  softmaxInto,
} from '../../../../core/agents/acer/math.js';
import { acerMetricDescriptors } from '../../../../core/agents/acer/metrics.js';
import { metricDescriptorProblems, orderedMetricRecord } from '../../../../core/common/metrics.js';
import { UPDATE_RECORD_FIELDS } from '../../../../core/common/events.js';
import { Replay } from '../../../../core/replay/replay.js';
import { allocateSequenceBatch, type SequenceBatch } from '../../../../core/replay/sequences.js';
import { acerRetraceTargets, biasCorrectionWeight } from '../../../../core/returns/index.js';
import { javascriptKernels } from '../../../../core/tensor/kernels.js';
import { Rng } from '../../../../core/util/random.js';
import { expectGradientMatches, forwardFloat64 } from '../../../helpers/float64-mlp.js';
import { replayOptions } from '../../../helpers/replay-options.js';
import { randomReplay, sampledBatch } from './fixtures.js';

const OBS = 3;
const ACTIONS = 3;

function learner(overrides: Partial<AcerConfig> = {}, seed = 1): AcerDiscreteLearner {
  const config = parseAcerConfig({ hiddenSizes: [8, 8], sequenceLength: 5, ...overrides });
  return new AcerDiscreteLearner(config, OBS, ACTIONS, seed, javascriptKernels);
}

/**
 * The surrogate whose gradient in θ is the update's gradient: with every ACER constant (Q_ret,
 * the weights, and the projected statistics gradient z) computed at θ₀ from the formulas,
 *   S(θ) = Σ_t (−z_t/n)ᵀ f_t(θ) + q_coef · Σ_t ½(Q_ret,t − Q_θ(x_t, a_t))²/n.
 */
function surrogate(
  config: AcerConfig,
  batch: SequenceBatch,
  parameters: Float32Array,
  average: Float32Array,
  objective: 'acer' | 'behaviour-cloning' = 'acer',
): (theta: Float64Array) => number {
  const spec = { inputSize: OBS, hiddenSizes: config.hiddenSizes, outputSize: 2 * ACTIONS };
  const k = batch.length;
  const entries: number[] = [];
  const bootstraps: number[] = [];
  for (let b = 0; b < batch.size; b++) {
    for (let t = 0; t < batch.lengths[b]; t++) entries.push(b * k + t);
    if (batch.lengths[b] > 0) bootstraps.push(b);
  }
  const n = entries.length;
  const inputs = new Float64Array((n + bootstraps.length) * OBS);
  entries.forEach((entry, i) =>
    inputs.set(batch.observations.subarray(entry * OBS, (entry + 1) * OBS), i * OBS),
  );
  bootstraps.forEach((b, j) =>
    inputs.set(batch.bootstrapObservations.subarray(b * OBS, (b + 1) * OBS), (n + j) * OBS),
  );
  const rows = n + bootstraps.length;
  const out = forwardFloat64(spec, parameters, inputs, rows);
  const averageOut = forwardFloat64(spec, average, inputs, n);
  const f = new Float64Array(rows * ACTIONS);
  const v = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    softmaxInto(out, i * 2 * ACTIONS, ACTIONS, f, i * ACTIONS);
    for (let a = 0; a < ACTIONS; a++) v[i] += f[i * ACTIONS + a] * out[i * 2 * ACTIONS + ACTIONS + a];
  }
  const action = entries.map((entry) => batch.actionIndices![entry]);
  const mu = (i: number, a: number) => batch.extras!.behaviourProbs[entries[i] * ACTIONS + a];
  const rho = entries.map((_, i) => f[i * ACTIONS + action[i]] / (mu(i, action[i]) + PROBABILITY_EPSILON));
  const q = (i: number, a: number) => out[i * 2 * ACTIONS + ACTIONS + a];
  // Q_ret per window.
  const qRet = new Float64Array(n);
  let row = 0;
  bootstraps.forEach((b, j) => {
    const length = batch.lengths[b];
    const span = Array.from({ length }, (_, t) => row + t);
    const targets = acerRetraceTargets({
      rewards: span.map((i) => batch.rewards[entries[i]]),
      discounts: span.map((i) => config.discount * batch.masks[entries[i]]),
      actionValues: span.map((i) => q(i, action[i])),
      values: span.map((i) => v[i]),
      traces: span.map((i) => Math.min(1, rho[i])),
      bootstrapValue: v[n + j],
    });
    qRet.set(targets, row);
    row += length;
  });
  // z per step.
  const z = new Float64Array(n * ACTIONS);
  for (let i = 0; i < n; i++) {
    const fi = f.subarray(i * ACTIONS, (i + 1) * ACTIONS);
    const bias = Array.from(
      { length: ACTIONS },
      (_, a) => biasCorrectionWeight(fi[a], mu(i, a), config.truncation) * (q(i, a) - v[i]),
    );
    const g = new Float64Array(ACTIONS);
    categoricalGain(
      fi,
      {
        action: action[i],
        actionWeight: Math.min(config.truncation, rho[i]) * (qRet[i] - v[i]),
        biasWeights: bias,
        entropyCoefficient: config.entropyCoefficient,
      },
      g,
    );
    const kl = new Float64Array(ACTIONS);
    const averageF = new Float64Array(ACTIONS);
    softmaxInto(averageOut, i * 2 * ACTIONS, ACTIONS, averageF, 0);
    categoricalKlGradient(averageF, fi, kl);
    projectOntoTrustRegion(g, kl, config.trustRegionDelta, g);
    z.set(g, i * ACTIONS);
  }
  return (theta) => {
    const o = forwardFloat64(spec, theta, inputs, n);
    const p = new Float64Array(ACTIONS);
    let total = 0;
    for (let i = 0; i < n; i++) {
      softmaxInto(o, i * 2 * ACTIONS, ACTIONS, p, 0);
      for (let a = 0; a < ACTIONS; a++) {
        // behaviour cloning: KL(μ ‖ π) = Σ_a μ(a)·log(μ(a)/π(a)); ACER: the projected gain's linearisation.
        if (objective === 'behaviour-cloning') total += (mu(i, a) * Math.log(mu(i, a) / p[a])) / n;
        else total -= (z[i * ACTIONS + a] * p[a]) / n;
      }
      const error = qRet[i] - o[i * 2 * ACTIONS + ACTIONS + action[i]];
      total += (config.qCoefficient * 0.5 * error * error) / n;
    }
    return total;
  };
}

describe('discrete ACER update', () => {
  it('steps along the gradient of the ACER surrogate (finite differences, trust region active)', () => {
    const acer = learner({ trustRegionDelta: 0.001, entropyCoefficient: 0.05 });
    const replay = randomReplay({
      observationWidth: OBS,
      actions: ACTIONS,
      discrete: true,
      steps: 200,
      seed: 3,
    });
    // Two updates first, so that the average network differs from the current one.
    for (let i = 0; i < 2; i++) acer.update(sampledBatch(replay, 4, 5));
    const batch = sampledBatch(replay, 4, 5);
    const state = acer.getState();
    const parameters = acer.parameters.slice();
    const reference = surrogate(acer.config, batch, parameters, state.average as Float32Array);
    const { gradient, metrics } = acer.computeGradient(batch);
    expect(metrics.trustRegionActiveFraction).toBeGreaterThan(0);
    expect(metrics.trustRegionActiveFraction).toBeLessThan(1);
    expect(metrics.rhoTruncatedFraction).toBeGreaterThanOrEqual(0);
    expectGradientMatches(gradient, reference, parameters);
    // The update did not move the weights; `update` then steps with exactly this gradient.
    expect(acer.parameters).toEqual(parameters);
  });

  it('offline, with behaviour cloning: the gradient of KL(μ ‖ π) and the same critic (finite differences)', () => {
    const acer = learner({ entropyCoefficient: 0.05 });
    const replay = randomReplay({
      observationWidth: OBS,
      actions: ACTIONS,
      discrete: true,
      steps: 200,
      seed: 4,
    });
    const batch = sampledBatch(replay, 4, 5);
    const parameters = acer.parameters.slice();
    const reference = surrogate(
      acer.config,
      batch,
      parameters,
      acer.getState().average as Float32Array,
      'behaviour-cloning',
    );
    const { gradient, metrics } = acer.computeGradient(batch, 'behaviour-cloning');
    expect(metrics.trustRegionActiveFraction).toBeNaN();
    expect(metrics.policyLoss).toBeGreaterThan(0); // a KL, and π ≠ μ at the start
    expectGradientMatches(gradient, reference, parameters);
  });

  it('offline, with behaviour cloning: π moves to the recorded μ(·|x)', () => {
    const acer = learner({ learningRateSchedule: 'constant', learningRate: 3e-3 });
    // μ depends on the observation: softmax(2x₀, 2x₁, −x₂).
    const probabilitiesOf = (x: Float32Array) => {
      const logits = [2 * x[0], 2 * x[1], -x[2]].map(Math.exp);
      const total = logits.reduce((a, b) => a + b, 0);
      return Float32Array.from(logits, (value) => value / total);
    };
    const replay = randomReplay({
      observationWidth: OBS,
      actions: ACTIONS,
      discrete: true,
      steps: 400,
      seed: 6,
      probabilitiesOf,
    });
    const kl = () => acer.computeGradient(sampledBatch(replay, 8, 5), 'behaviour-cloning').metrics.policyLoss;
    const before = kl();
    for (let i = 0; i < 900; i++) acer.update(sampledBatch(replay, 8, 5), 'behaviour-cloning');
    expect(kl()).toBeLessThan(before / 10);
  });

  it('on its own policy: ρ = 1, every trace 1, no truncation, no bias correction, KL 0 at the start', () => {
    const acer = learner({}, 5);
    const replay = new Replay(
      replayOptions(
        { capacity: 64, observationWidth: OBS, actionWidth: 1 },
        { priority: 'uniform', extraColumns: acer.storedColumns, actionCount: ACTIONS },
      ),
      new Rng(2),
    );
    const rng = new Rng(9);
    // Windows of lengths 5, 3 (terminal) and 2 (timeout).
    const ends: Record<number, 'terminal' | 'timeout'> = { 7: 'terminal', 9: 'timeout' };
    const episodeOf = (i: number) => (i < 5 ? 0 : i < 8 ? 1 : 2);
    const starts = [0, 5, 8];
    for (let i = 0; i < 10; i++) {
      const observation = rng.fillNormal(new Float32Array(OBS));
      const acted = acer.act(observation, 1, false);
      replay.addOnline({
        observation,
        action: acted.actions,
        actionIndex: acted.actionIndices![0],
        reward: 1,
        nextObservation: rng.fillNormal(new Float32Array(OBS)),
        terminal: ends[i] === 'terminal',
        timeout: ends[i] === 'timeout',
        episodeId: episodeOf(i),
        extras: acted.extras,
      });
    }
    const batch = allocateSequenceBatch(4, 5, OBS, 1);
    replay.gatherSequences(batch, starts);
    expect(Array.from(batch.lengths)).toEqual([5, 3, 2, 0]);
    const metrics = acer.update(batch);
    expect(metrics.batchSteps).toBe(10);
    expect(metrics.rhoMean).toBeCloseTo(1, 5);
    expect(metrics.rhoMax).toBeCloseTo(1, 5);
    expect(metrics.traceMean).toBeCloseTo(1, 5);
    expect(metrics.rhoTruncatedFraction).toBe(0);
    expect(metrics.biasCorrectionMass).toBe(0);
    expect(metrics.klMean).toBe(0);
    expect(metrics.windowLengthMean).toBeCloseTo(10 / 3, 12);
    // Effective trace length L − t on-policy: mean over steps of (5+4+3+2+1) + (3+2+1) + (2+1) = 24.
    expect(metrics.traceLengthMean).toBeCloseTo(2.4, 4);
    expect(metrics.traceProductMean).toBeCloseTo(1, 4);
    expect(metrics.learningRate).toBeCloseTo(7e-4, 12);
    // Every key has a descriptor, and every descriptor a key.
    expect(metricDescriptorProblems(acer.metricDescriptors, UPDATE_RECORD_FIELDS)).toEqual([]);
    expect(() => orderedMetricRecord(acer.metricDescriptors, metrics)).not.toThrow();
    expect(Object.keys(metrics).sort()).toEqual(
      acerMetricDescriptors('discrete')
        .map((d) => d.key)
        .sort(),
    );
  });

  it('decays the learning rate linearly with the reported progress', () => {
    const acer = learner();
    const replay = randomReplay({
      observationWidth: OBS,
      actions: ACTIONS,
      discrete: true,
      steps: 50,
      seed: 4,
    });
    acer.setProgress(0.75);
    expect(acer.update(sampledBatch(replay, 2, 5)).learningRate).toBeCloseTo(7e-4 / 4, 12);
    const constant = learner({ learningRateSchedule: 'constant' });
    constant.setProgress(0.75);
    expect(constant.update(sampledBatch(replay, 2, 5)).learningRate).toBe(7e-4);
    expect(() => acer.setProgress(1.5)).toThrow(/progress must be in \[0, 1\]/);
  });
});

describe('discrete ACER acting and export', () => {
  it('samples from π, stores μ = π, and its argmax is the exported layers’ argmax', () => {
    const acer = learner({}, 7);
    const replay = randomReplay({
      observationWidth: OBS,
      actions: ACTIONS,
      discrete: true,
      steps: 100,
      seed: 8,
    });
    for (let i = 0; i < 20; i++) acer.update(sampledBatch(replay, 4, 5));
    const rng = new Rng(10);
    const observation = rng.fillNormal(new Float32Array(OBS));
    const draws = 4000;
    const repeated = new Float32Array(draws * OBS);
    for (let i = 0; i < draws; i++) repeated.set(observation, i * OBS);
    const acted = acer.act(repeated, draws, false);
    const probs = acted.extras.behaviourProbs.subarray(0, ACTIONS);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const counts = new Float64Array(ACTIONS);
    for (const a of acted.actionIndices!) counts[a]++;
    let chiSquare = 0;
    for (let a = 0; a < ACTIONS; a++) chiSquare += (counts[a] - draws * probs[a]) ** 2 / (draws * probs[a]);
    expect(chiSquare).toBeLessThan(13.8); // 99.9th percentile, 2 degrees of freedom
    expect(Array.from(acted.actions.subarray(0, 5))).toEqual(Array.from(acted.actionIndices!.subarray(0, 5)));

    const layers = acer.policyLayers();
    expect(layers.map((layer) => layer.activation)).toEqual(['relu', 'relu', 'linear']);
    expect(layers[layers.length - 1].outputSize).toBe(ACTIONS);
    expect(acer.policyHead()).toEqual({ kind: 'categorical', actionCount: ACTIONS, deterministic: 'argmax' });
    for (let trial = 0; trial < 50; trial++) {
      const x = rng.fillNormal(new Float32Array(OBS));
      let h = Array.from(x);
      for (const layer of layers) {
        const next = new Array<number>(layer.outputSize).fill(0);
        for (let j = 0; j < layer.outputSize; j++) {
          let total = layer.bias[j];
          for (let i = 0; i < layer.inputSize; i++) total += h[i] * layer.weight[i * layer.outputSize + j];
          next[j] = layer.activation === 'relu' ? Math.max(0, total) : total;
        }
        h = next;
      }
      const argmax = h.indexOf(Math.max(...h));
      expect(acer.act(x, 1, true).actionIndices![0]).toBe(argmax);
    }
    // Q(x, a) reads the Q head.
    const q = acer.qValues(observation, [1], 1);
    expect(Number.isFinite(q[0])).toBe(true);
    expect(() => acer.qValues(observation, [3], 1)).toThrow(/not an index in \[0, 3\)/);
  });
});

describe('discrete ACER state', () => {
  it('a restored learner makes the same next updates and draws the same actions', () => {
    const replay = randomReplay({
      observationWidth: OBS,
      actions: ACTIONS,
      discrete: true,
      steps: 120,
      seed: 12,
    });
    const a = learner({}, 21);
    for (let i = 0; i < 3; i++) a.update(sampledBatch(replay, 3, 5));
    a.setProgress(0.4);
    const b = learner({}, 99);
    b.setState(structuredClone(a.getState()));
    const observations = new Rng(3).fillNormal(new Float32Array(6 * OBS));
    for (let i = 0; i < 3; i++) {
      const batch = sampledBatch(replay, 3, 5);
      expect(b.update(batch)).toEqual(a.update(batch));
      expect(b.parameters).toEqual(a.parameters);
      expect(b.act(observations, 6, false)).toEqual(a.act(observations, 6, false));
    }
    expect(b.getState()).toEqual(a.getState());
  });

  it('refuses a state of another shape, naming the field', () => {
    const a = learner();
    const state = structuredClone(a.getState());
    const wide = new AcerDiscreteLearner(
      parseAcerConfig({ hiddenSizes: [8, 8] }),
      OBS,
      4,
      1,
      javascriptKernels,
    );
    expect(() => wide.setState(state)).toThrow(/ACER state: actionCount is 3, the learner's is 4/);
    expect(() => a.setState({ ...state, format: 'x' })).toThrow(/format is x/);
    expect(() => a.setState({ ...state, average: new Float32Array(3) })).toThrow(/average has 3 values/);
  });
});

describe('discrete ACER bad input', () => {
  it('names what is missing', () => {
    const acer = learner();
    const bare = new Replay(
      replayOptions(
        { capacity: 20, observationWidth: OBS, actionWidth: 1 },
        { priority: 'uniform', actionCount: ACTIONS },
      ),
      new Rng(1),
    );
    for (let i = 0; i < 10; i++) {
      bare.addOnline({
        observation: new Float32Array(OBS),
        action: Float32Array.of(0),
        reward: 0,
        nextObservation: new Float32Array(OBS),
        terminal: false,
        timeout: false,
        episodeId: 0,
      });
    }
    expect(() => acer.update(sampledBatch(bare, 2, 3))).toThrow(/no behaviourProbs column/);
    // A replay with the column but no values in it (a dataset recorded without μ).
    const unfilled = new Replay(
      replayOptions(
        { capacity: 20, observationWidth: OBS, actionWidth: 1 },
        { priority: 'uniform', actionCount: ACTIONS, extraColumns: acer.storedColumns },
      ),
      new Rng(1),
    );
    unfilled.loadOffline(bare.exportColumns());
    expect(() => acer.update(sampledBatch(unfilled, 2, 3))).toThrow(
      /behaviourProbs of replay row \d+ is NaN.*behaviour\.ts/,
    );
    expect(() => new AcerDiscreteLearner(parseAcerConfig({}), OBS, 1, 1, javascriptKernels)).toThrow(
      /at least 2 actions/,
    );
    expect(() => parseAcerConfig({ truncation: 0, replayRatio: -1 })).toThrow(
      /agent\.replayRatio: Too small.*; agent\.truncation: Too small/,
    );
    expect(() => parseAcerConfig({ logStdMin: 2 })).toThrow(/agent\.logStdMin: must be below logStdMax/);
    expect(() => parseAcerConfig({ nsteps: 20 })).toThrow(/agent\.nsteps: unknown key/);
  });
});
