/**
 * Continuous ACER: the whole update's gradient (policy through the trust region, V and the
 * stochastic dueling network) against finite differences of an independently written surrogate,
 * on-policy known answers, acting and export, checkpoint round trips, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { AcerContinuousLearner } from '../../../../core/agents/acer/continuous.js';
import { parseAcerConfig, type AcerConfig } from '../../../../core/agents/acer/config.js';
import {
  addGaussianLogDensityGradient,
  gaussianHeadForward,
  gaussianKlGradient,
  gaussianLogDensity,
  projectOntoTrustRegion,
} from '../../../../core/agents/acer/math.js';
import { acerMetricDescriptors } from '../../../../core/agents/acer/metrics.js';
import { metricDescriptorProblems, orderedMetricRecord } from '../../../../core/common/metrics.js';
import { UPDATE_RECORD_FIELDS } from '../../../../core/common/events.js';
import { Replay } from '../../../../core/replay/replay.js';
import { allocateSequenceBatch, type SequenceBatch } from '../../../../core/replay/sequences.js';
import { acerRetraceTargets, acerTrace } from '../../../../core/returns/index.js';
import { javascriptKernels } from '../../../../core/tensor/kernels.js';
import { mlpParameterCount, type MlpSpec } from '../../../../core/tensor/mlp.js';
import { Rng } from '../../../../core/util/random.js';
import { expectGradientMatches, forwardFloat64 } from '../../../helpers/float64-mlp.js';
import { replayOptions } from '../../../helpers/replay-options.js';
import { randomReplay, sampledBatch } from './fixtures.js';

const OBS = 2;
const D = 2;

function learner(overrides: Partial<AcerConfig> = {}, seed = 1): AcerContinuousLearner {
  const config = parseAcerConfig({
    hiddenSizes: [6, 6],
    advantageHiddenSizes: [4, 4],
    duelingSamples: 3,
    sequenceLength: 4,
    ...overrides,
  });
  return new AcerContinuousLearner(config, OBS, D, seed, javascriptKernels);
}

/**
 * With every constant taken at θ₀ from the formulas (ρ, the targets Q_ret, Q_opc and V_target,
 * the projected statistics gradient z) and the samples a′, uᵢ the update drew:
 *   S(θ) = Σ_t (−z_t/n)ᵀ φ_t(θ) + q_coef · Σ_t [½(Q_ret,t − Q̃_θ(x_t, a_t))² + ½(V_target,t − V_θ(x_t))²]/n,
 * φ = (m, log σ), Q̃ = V + A(x, a) − (1/n)Σᵢ A(x, uᵢ).
 */
function surrogate(
  config: AcerConfig,
  batch: SequenceBatch,
  parameters: Float32Array,
  average: Float32Array,
  samples: { correctionActions: Float32Array; duelingActions: Float32Array },
  objective: 'acer' | 'behaviour-cloning' = 'acer',
): (theta: Float64Array) => number {
  const policySpec: MlpSpec = { inputSize: OBS, hiddenSizes: config.hiddenSizes, outputSize: 2 * D };
  const valueSpec: MlpSpec = { inputSize: OBS, hiddenSizes: config.hiddenSizes, outputSize: 1 };
  const advantageSpec: MlpSpec = {
    inputSize: OBS + D,
    hiddenSizes: config.advantageHiddenSizes,
    outputSize: 1,
  };
  const valueOffset = mlpParameterCount(policySpec);
  const advantageOffset = valueOffset + mlpParameterCount(valueSpec);
  const N = config.duelingSamples;
  const k = batch.length;
  const entries: number[] = [];
  const bootstraps: number[] = [];
  for (let b = 0; b < batch.size; b++) {
    for (let t = 0; t < batch.lengths[b]; t++) entries.push(b * k + t);
    if (batch.lengths[b] > 0) bootstraps.push(b);
  }
  const n = entries.length;
  const rows = n + bootstraps.length;
  const observations = new Float64Array(rows * OBS);
  entries.forEach((entry, i) =>
    observations.set(batch.observations.subarray(entry * OBS, (entry + 1) * OBS), i * OBS),
  );
  bootstraps.forEach((b, j) =>
    observations.set(batch.bootstrapObservations.subarray(b * OBS, (b + 1) * OBS), (n + j) * OBS),
  );
  const action = (i: number) => batch.actions.subarray(entries[i] * D, (entries[i] + 1) * D);
  // The advantage net's inputs: (x, a_t), then (x, uᵢ) — a′ enters only through constants.
  const advantageInput = new Float64Array(n * (1 + N) * (OBS + D));
  const correctionInput = new Float64Array(n * (OBS + D));
  for (let i = 0; i < n; i++) {
    const x = observations.subarray(i * OBS, (i + 1) * OBS);
    const put = (target: Float64Array, row: number, a: ArrayLike<number>) => {
      target.set(x, row * (OBS + D));
      target.set(a, row * (OBS + D) + OBS);
    };
    put(advantageInput, i * (1 + N), action(i));
    for (let s = 0; s < N; s++)
      put(
        advantageInput,
        i * (1 + N) + 1 + s,
        samples.duelingActions.subarray((i * N + s) * D, (i * N + s + 1) * D),
      );
    put(correctionInput, i, samples.correctionActions.subarray(i * D, (i + 1) * D));
  }
  const statistics = (out: Float64Array) => {
    const m = new Float64Array(n * D);
    const s = new Float64Array(n * D);
    for (let i = 0; i < n; i++)
      gaussianHeadForward(out, i * 2 * D, D, config.logStdMin, config.logStdMax, m, s, i * D);
    return { m, s };
  };
  const critic = (theta: ArrayLike<number>) => {
    const v = forwardFloat64(valueSpec, theta, observations, rows, valueOffset);
    const a = forwardFloat64(advantageSpec, theta, advantageInput, n * (1 + N), advantageOffset);
    const q = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let baseline = 0;
      for (let s = 0; s < N; s++) baseline += a[i * (1 + N) + 1 + s] / N;
      q[i] = v[i] + a[i * (1 + N)] - baseline;
    }
    return { v, q, baseline: (i: number) => v[i] + a[i * (1 + N)] - q[i] };
  };
  const current = statistics(forwardFloat64(policySpec, parameters, observations, n));
  const averageStatistics = statistics(forwardFloat64(policySpec, average, observations, n));
  const { v, q, baseline } = critic(parameters);
  const correctionA = forwardFloat64(advantageSpec, parameters, correctionInput, n, advantageOffset);
  const mu = (i: number) => ({
    m: batch.extras!.behaviourMean.subarray(entries[i] * D, (entries[i] + 1) * D),
    s: batch.extras!.behaviourLogStd.subarray(entries[i] * D, (entries[i] + 1) * D),
  });
  const m = (i: number) => current.m.subarray(i * D, (i + 1) * D);
  const s = (i: number) => current.s.subarray(i * D, (i + 1) * D);
  const rho = entries.map((_, i) =>
    Math.exp(
      gaussianLogDensity(action(i), m(i), s(i), D) - gaussianLogDensity(action(i), mu(i).m, mu(i).s, D),
    ),
  );
  const qRet = new Float64Array(n);
  const qOpc = new Float64Array(n);
  let row = 0;
  bootstraps.forEach((b, j) => {
    const length = batch.lengths[b];
    const span = Array.from({ length }, (_, t) => row + t);
    const segment = {
      rewards: span.map((i) => batch.rewards[entries[i]]),
      discounts: span.map((i) => config.discount * batch.masks[entries[i]]),
      actionValues: span.map((i) => q[i]),
      values: span.map((i) => v[i]),
      bootstrapValue: v[n + j],
    };
    qRet.set(acerRetraceTargets({ ...segment, traces: span.map((i) => acerTrace(rho[i], D)) }), row);
    qOpc.set(acerRetraceTargets({ ...segment, traces: span.map(() => 1) }), row);
    row += length;
  });
  const z = new Float64Array(n * 2 * D);
  const valueTarget = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = config.truncation;
    const corrected = samples.correctionActions.subarray(i * D, (i + 1) * D);
    const rhoCorrection = Math.exp(
      gaussianLogDensity(corrected, m(i), s(i), D) - gaussianLogDensity(corrected, mu(i).m, mu(i).s, D),
    );
    const g = new Float64Array(2 * D);
    addGaussianLogDensityGradient(
      action(i),
      m(i),
      s(i),
      D,
      Math.min(c, rho[i]) * (qOpc[i] - v[i]),
      g.subarray(0, D),
      g.subarray(D),
    );
    const correctionQ = v[i] + correctionA[i] - baseline(i);
    const correctionWeight = Math.max(0, 1 - c / rhoCorrection) * (correctionQ - v[i]);
    addGaussianLogDensityGradient(
      corrected,
      m(i),
      s(i),
      D,
      correctionWeight,
      g.subarray(0, D),
      g.subarray(D),
    );
    for (let j = 0; j < D; j++) g[D + j] += config.entropyCoefficient;
    const kl = new Float64Array(2 * D);
    gaussianKlGradient(
      averageStatistics.m.subarray(i * D, (i + 1) * D),
      averageStatistics.s.subarray(i * D, (i + 1) * D),
      m(i),
      s(i),
      D,
      kl.subarray(0, D),
      kl.subarray(D),
    );
    projectOntoTrustRegion(g, kl, config.trustRegionDelta, g);
    z.set(g, i * 2 * D);
    valueTarget[i] = Math.min(1, rho[i]) * (qRet[i] - q[i]) + v[i];
  }
  return (theta) => {
    const phi = statistics(forwardFloat64(policySpec, theta, observations, n));
    const values = critic(theta);
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (objective === 'behaviour-cloning') {
        // KL(μ ‖ π) of the step's behaviour Gaussian and the policy's, written out per dimension.
        for (let j = 0; j < D; j++) {
          const [bm, bs, pm, ps] = [mu(i).m[j], mu(i).s[j], phi.m[i * D + j], phi.s[i * D + j]];
          total += (ps - bs + (Math.exp(2 * bs) + (bm - pm) ** 2) / (2 * Math.exp(2 * ps)) - 0.5) / n;
        }
      } else {
        for (let j = 0; j < D; j++) {
          total -= (z[i * 2 * D + j] * phi.m[i * D + j] + z[i * 2 * D + D + j] * phi.s[i * D + j]) / n;
        }
      }
      total += (config.qCoefficient * 0.5 * (qRet[i] - values.q[i]) ** 2) / n;
      total += (config.qCoefficient * 0.5 * (valueTarget[i] - values.v[i]) ** 2) / n;
    }
    return total;
  };
}

describe('continuous ACER update', () => {
  it('steps along the gradient of the ACER surrogate: policy, V and the dueling network (finite differences)', () => {
    const acer = learner({ trustRegionDelta: 0.01, truncation: 1.5, entropyCoefficient: 0.05 });
    const replay = randomReplay({ observationWidth: OBS, actions: D, discrete: false, steps: 200, seed: 5 });
    for (let i = 0; i < 3; i++) acer.update(sampledBatch(replay, 4, 4));
    const batch = sampledBatch(replay, 4, 4);
    const parameters = acer.parameters.slice();
    const average = acer.getState().average as Float32Array;
    const { gradient, metrics, samples } = acer.computeGradient(batch);
    const reference = surrogate(acer.config, batch, parameters, average, {
      correctionActions: samples.correctionActions.slice(),
      duelingActions: samples.duelingActions.slice(),
    });
    // Every branch ran: projection on some steps, truncation, and the bias correction.
    expect(metrics.trustRegionActiveFraction).toBeGreaterThan(0);
    expect(metrics.trustRegionActiveFraction).toBeLessThan(1);
    expect(metrics.rhoTruncatedFraction).toBeGreaterThan(0);
    expect(metrics.biasCorrectionRate).toBeGreaterThan(0);
    expectGradientMatches(gradient, reference, parameters);
    expect(acer.parameters).toEqual(parameters);
  });

  it('offline, with behaviour cloning: the gradient of KL(μ ‖ π) and the same critic (finite differences)', () => {
    const acer = learner({ truncation: 1.5, entropyCoefficient: 0.05 });
    const replay = randomReplay({ observationWidth: OBS, actions: D, discrete: false, steps: 200, seed: 7 });
    const batch = sampledBatch(replay, 4, 4);
    const parameters = acer.parameters.slice();
    const average = acer.getState().average as Float32Array;
    const { gradient, metrics, samples } = acer.computeGradient(batch, 'behaviour-cloning');
    const reference = surrogate(
      acer.config,
      batch,
      parameters,
      average,
      {
        correctionActions: samples.correctionActions.slice(),
        duelingActions: samples.duelingActions.slice(),
      },
      'behaviour-cloning',
    );
    expect(metrics.trustRegionActiveFraction).toBeNaN();
    expect(metrics.policyLoss).toBeGreaterThan(0);
    expectGradientMatches(gradient, reference, parameters);
  });

  it('on its own policy: ρ ≈ 1, traces 1, KL 0 at the start, every metric described', () => {
    const acer = learner({}, 4);
    const replay = new Replay(
      replayOptions(
        { capacity: 32, observationWidth: OBS, actionWidth: D },
        { priority: 'uniform', extraColumns: acer.storedColumns },
      ),
      new Rng(2),
    );
    const rng = new Rng(6);
    for (let i = 0; i < 8; i++) {
      const observation = rng.fillNormal(new Float32Array(OBS));
      const acted = acer.act(observation, 1, false);
      replay.addOnline({
        observation,
        action: acted.actions,
        reward: rng.normal(),
        nextObservation: rng.fillNormal(new Float32Array(OBS)),
        terminal: i === 7,
        timeout: false,
        episodeId: i < 4 ? 0 : 1,
        extras: acted.extras,
      });
    }
    const batch = allocateSequenceBatch(2, 4, OBS, D);
    replay.gatherSequences(batch, [0, 4]);
    const metrics = acer.update(batch);
    expect(metrics.rhoMean).toBeCloseTo(1, 4);
    expect(metrics.rhoMax).toBeCloseTo(1, 4);
    expect(metrics.traceMean).toBeCloseTo(1, 4);
    expect(metrics.klMean).toBe(0);
    expect(metrics.batchSteps).toBe(8);
    expect(metrics.traceLengthMean).toBeCloseTo(2.5, 3);
    expect(metricDescriptorProblems(acer.metricDescriptors, UPDATE_RECORD_FIELDS)).toEqual([]);
    expect(() => orderedMetricRecord(acer.metricDescriptors, metrics)).not.toThrow();
    expect(Object.keys(metrics).sort()).toEqual(
      acerMetricDescriptors('continuous')
        .map((d) => d.key)
        .sort(),
    );
  });
});

describe('continuous ACER acting and export', () => {
  it('samples N(m, σ²), stores (m, log σ), and exports tanh of the mean head', () => {
    const acer = learner({}, 8);
    const replay = randomReplay({ observationWidth: OBS, actions: D, discrete: false, steps: 100, seed: 9 });
    for (let i = 0; i < 10; i++) acer.update(sampledBatch(replay, 4, 4));
    const rng = new Rng(11);
    const observation = rng.fillNormal(new Float32Array(OBS));
    const draws = 4000;
    const repeated = new Float32Array(draws * OBS);
    for (let i = 0; i < draws; i++) repeated.set(observation, i * OBS);
    const acted = acer.act(repeated, draws, false);
    const mean = acted.extras.behaviourMean.subarray(0, D);
    const logStd = acted.extras.behaviourLogStd.subarray(0, D);
    for (let j = 0; j < D; j++) {
      let total = 0;
      let squares = 0;
      for (let i = 0; i < draws; i++) {
        total += acted.actions[i * D + j];
        squares += acted.actions[i * D + j] ** 2;
      }
      const sampleMean = total / draws;
      const sampleStd = Math.sqrt(squares / draws - sampleMean ** 2);
      const sigma = Math.exp(logStd[j]);
      expect(Math.abs(sampleMean - mean[j])).toBeLessThan((4 * sigma) / Math.sqrt(draws));
      expect(Math.abs(sampleStd / sigma - 1)).toBeLessThan(0.06);
      expect(logStd[j]).toBeGreaterThan(acer.config.logStdMin);
      expect(logStd[j]).toBeLessThan(acer.config.logStdMax);
    }
    const layers = acer.policyLayers();
    expect(layers.map((layer) => layer.activation)).toEqual(['relu', 'relu', 'tanh']);
    expect(acer.policyHead()).toEqual({ kind: 'gaussian', actionWidth: D, deterministic: 'mean' });
    for (let trial = 0; trial < 20; trial++) {
      const x = rng.fillNormal(new Float32Array(OBS));
      let h = Array.from(x);
      for (const layer of layers) {
        const next = new Array<number>(layer.outputSize).fill(0);
        for (let j = 0; j < layer.outputSize; j++) {
          let total = layer.bias[j];
          for (let i = 0; i < layer.inputSize; i++) total += h[i] * layer.weight[i * layer.outputSize + j];
          next[j] =
            layer.activation === 'relu'
              ? Math.max(0, total)
              : layer.activation === 'tanh'
                ? Math.tanh(total)
                : total;
        }
        h = next;
      }
      const deterministic = acer.act(x, 1, true).actions;
      for (let j = 0; j < D; j++) expect(deterministic[j]).toBeCloseTo(h[j], 5);
    }
    expect(acer.qValues(observation, acted.actions.subarray(0, D), 1).every(Number.isFinite)).toBe(true);
  });
});

describe('continuous ACER state and bad input', () => {
  it('a restored learner makes the same next updates and draws', () => {
    const replay = randomReplay({ observationWidth: OBS, actions: D, discrete: false, steps: 120, seed: 13 });
    const a = learner({}, 31);
    for (let i = 0; i < 3; i++) a.update(sampledBatch(replay, 3, 4));
    const b = learner({}, 77);
    b.setState(structuredClone(a.getState()));
    const observations = new Rng(3).fillNormal(new Float32Array(5 * OBS));
    for (let i = 0; i < 3; i++) {
      const batch = sampledBatch(replay, 3, 4);
      expect(b.update(batch)).toEqual(a.update(batch));
      expect(b.parameters).toEqual(a.parameters);
      expect(b.act(observations, 5, false)).toEqual(a.act(observations, 5, false));
      expect(b.qValues(observations, new Float32Array(5 * D), 5)).toEqual(
        a.qValues(observations, new Float32Array(5 * D), 5),
      );
    }
    expect(b.getState()).toEqual(a.getState());
    const other = learner({ advantageHiddenSizes: [5, 5] });
    expect(() => other.setState(structuredClone(a.getState()))).toThrow(
      /advantageHiddenSizes is \[4,4\], the learner's is \[5,5\]/,
    );
  });

  it('asks for the behaviour statistics a dataset did not record', () => {
    const acer = learner();
    const bare = new Replay(
      replayOptions(
        { capacity: 20, observationWidth: OBS, actionWidth: D },
        { priority: 'uniform', extraColumns: acer.storedColumns },
      ),
      new Rng(1),
    );
    for (let i = 0; i < 10; i++) {
      bare.addOnline({
        observation: new Float32Array(OBS),
        action: new Float32Array(D),
        reward: 0,
        nextObservation: new Float32Array(OBS),
        terminal: false,
        timeout: false,
        episodeId: 0,
      });
    }
    expect(() => acer.update(sampledBatch(bare, 2, 3))).toThrow(
      /behaviourMean\/behaviourLogStd of replay row \d+ are not finite.*behaviour\.ts/,
    );
  });
});
