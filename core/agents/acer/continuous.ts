/**
 * ACER for Box actions (Wang et al. 2017, §5 and Algorithm 3), in the order of ChainerRL's
 * acer.py with its separate-network stochastic dueling model, on a sequence batch whose steps
 * carry the behaviour Gaussian's statistics (`behaviourMean`, `behaviourLogStd`):
 *
 *   1. forward   policy π = N(m, σ²) with m = tanh(·), log σ bounded (math.ts gaussianHeadForward);
 *                the average policy's statistics; V(x) on the steps and each window's bootstrap
 *                observation; the advantage net A(x, a) at the taken action a_t, at one a′ ∼ π
 *                and at n samples uᵢ ∼ π (constants for the gradient):
 *                Q̃(x, a) = V(x) + A(x, a) − (1/n)Σᵢ A(x, uᵢ)   (stochastic dueling network)
 *   2. targets   ρ_t = π(a_t)/μ(a_t), c̄_t = min(1, ρ_t^{1/d}); backwards over each window from
 *                V(x_L) (masked at a terminal): Q_ret ← c̄_t(Q_ret − Q̃_t) + V_t and
 *                Q_opc ← (Q_opc − Q̃_t) + V_t after r_t + γ(1 − d_t)·(·) is step t's target
 *   3. policy    gain min(c, ρ_t)(Q_opc − V)·log π(a_t) + [1 − c/ρ(a′)]₊(Q̃(a′) − V)·log π(a′)
 *                + η·H(π), its gradient g in (m, log σ), k = ∂KL(π_avg ‖ π)/∂(m, log σ),
 *                z = g − max(0, (kᵀg − δ)/‖k‖²)·k, back-propagated as −z/n
 *                (on a dataset alone, with `behaviour-cloning`: the loss is KL(μ ‖ π) of the two
 *                Gaussians instead, with no trust region and no entropy bonus)
 *   4. critic    q_coef·[½(Q_ret − Q̃(a_t))² + ½(V_target − V)²], V_target = min(1, ρ)(Q_ret − Q̃) + V,
 *                into V and A through the dueling combination
 *   5. step      one clipped RMSProp step over all three nets; the average policy follows by
 *                θ_avg ← α·θ_avg + (1 − α)·θ
 *
 * Actions are in the learner's [−1, 1] units; sampled actions are stored unclipped.
 */
import { firstHeadPolicyLayers } from '../policy-layers.js';
import { acerRetraceTargets, acerTrace, truncatedImportanceWeight } from '../../returns/index.js';
import type { SequenceBatch } from '../../replay/sequences.js';
import type { ExtraColumn } from '../../replay/types.js';
import { orthogonalMatrix } from '../../tensor/init.js';
import { javascriptKernels, type Kernels } from '../../tensor/kernels.js';
import {
  initMlpArrays,
  Mlp,
  mlpParameterCount,
  mlpShapes,
  mlpViews,
  type MlpSpec,
  type MlpViews,
} from '../../tensor/mlp.js';
import { ParameterSet } from '../../tensor/parameters.js';
import { Scratch } from '../../tensor/scratch.js';
import { Rng, type RngState } from '../../util/random.js';
import type { PolicyLayer, SequencePolicyLoss } from '../types.js';
import {
  AcerOptimiser,
  continuousStoredColumns,
  Float64Scratch,
  IntScratch,
  mean,
  packSequenceBatch,
  StateReader,
  type AcerActResult,
  type AcerPolicyHead,
} from './common.js';
import type { AcerConfig } from './config.js';
import {
  addGaussianLogDensityGradient,
  gaussianEntropy,
  gaussianHeadBackward,
  gaussianHeadForward,
  gaussianKl,
  gaussianKlGradient,
  gaussianLogDensity,
  projectOntoTrustRegion,
} from './math.js';
import type { MetricDescriptor } from '../../common/metrics.js';
import { acerMetricDescriptors, summariseOffPolicy } from './metrics.js';

/** Format tag of `getState()` trees. */
export const ACER_CONTINUOUS_STATE_FORMAT = 'o2o-acer-continuous/1';

const HOST_ACT_MAX_ROWS = 16;

/** Output gain of the policy's last layer: a first policy with mean ≈ 0 and log σ mid-range. */
const POLICY_OUTPUT_GAIN = 0.01;

/** log ρ is capped here before exp (ρ ≈ 5·10²¹), far above any truncation c. */
const LOG_RATIO_CAP = 50;

/** The samples one update drew, for gradient checks and diagnostics. */
export interface ContinuousUpdateSamples {
  /** [n × d] a′ ∼ π(·|x_t) of the bias correction. */
  correctionActions: Float32Array;
  /** [n × samples × d] uᵢ ∼ π(·|x_t) of the dueling baseline. */
  duelingActions: Float32Array;
}

export class AcerContinuousLearner {
  readonly kind = 'acer' as const;
  readonly sampling = 'sequences' as const;
  readonly variant = 'continuous' as const;
  readonly storedColumns: ExtraColumn[];
  private readonly policyNet: Mlp;
  private readonly valueNet: Mlp;
  private readonly advantageNet: Mlp;
  private readonly model: AcerOptimiser;
  /** The average policy network (only the policy is averaged; its statistics feed the trust region). */
  private readonly average: ParameterSet;
  private readonly views: {
    policy: MlpViews;
    value: MlpViews;
    advantage: MlpViews;
    policyGradient: MlpViews;
    valueGradient: MlpViews;
    advantageGradient: MlpViews;
    average: MlpViews;
  };
  private readonly rng: Rng;
  /** Draws of the dueling baseline in `qValues`, apart from the training stream. */
  private readonly diagnosticsRng: Rng;
  private readonly scratch = new Scratch();
  private readonly float64 = new Float64Scratch();
  private readonly ints = new IntScratch();
  private updates = 0;
  private disposed = false;

  constructor(
    readonly config: AcerConfig,
    readonly observationWidth: number,
    readonly actionWidth: number,
    seed: number,
    private readonly kernels: Kernels,
  ) {
    if (!Number.isInteger(observationWidth) || observationWidth < 1) {
      throw new RangeError(`observationWidth must be a positive integer, got ${observationWidth}`);
    }
    if (!Number.isInteger(actionWidth) || actionWidth < 1) {
      throw new RangeError(`actionWidth must be a positive integer, got ${actionWidth}`);
    }
    this.storedColumns = continuousStoredColumns(actionWidth);
    this.rng = new Rng(seed);
    this.diagnosticsRng = this.rng.fork();
    const d = actionWidth;
    const policySpec: MlpSpec = {
      inputSize: observationWidth,
      hiddenSizes: config.hiddenSizes,
      outputSize: 2 * d,
    };
    const valueSpec: MlpSpec = {
      inputSize: observationWidth,
      hiddenSizes: config.hiddenSizes,
      outputSize: 1,
    };
    const advantageSpec: MlpSpec = {
      inputSize: observationWidth + d,
      hiddenSizes: config.advantageHiddenSizes,
      outputSize: 1,
    };
    this.policyNet = new Mlp(policySpec);
    this.valueNet = new Mlp(valueSpec);
    this.advantageNet = new Mlp(advantageSpec);

    const initRng = this.rng.fork();
    const policyArrays = initMlpArrays(policySpec, initRng);
    const hidden = config.hiddenSizes[config.hiddenSizes.length - 1];
    policyArrays[policyArrays.length - 2] = orthogonalMatrix(hidden, 2 * d, POLICY_OUTPUT_GAIN, initRng);
    const valueArrays = initMlpArrays(valueSpec, initRng, 1);
    const advantageArrays = initMlpArrays(advantageSpec, initRng, 1);
    const parameters = ParameterSet.fromArrays(
      [...mlpShapes(policySpec), ...mlpShapes(valueSpec), ...mlpShapes(advantageSpec)],
      [...policyArrays, ...valueArrays, ...advantageArrays],
    );
    this.model = new AcerOptimiser(parameters, config);
    this.average = ParameterSet.fromArrays(mlpShapes(policySpec), policyArrays);
    const valueOffset = mlpParameterCount(policySpec);
    const advantageOffset = valueOffset + mlpParameterCount(valueSpec);
    const values = parameters.values;
    const gradient = this.model.gradient;
    this.views = {
      policy: mlpViews(policySpec, values, 0),
      value: mlpViews(valueSpec, values, valueOffset),
      advantage: mlpViews(advantageSpec, values, advantageOffset),
      policyGradient: mlpViews(policySpec, gradient, 0),
      valueGradient: mlpViews(valueSpec, gradient, valueOffset),
      advantageGradient: mlpViews(advantageSpec, gradient, advantageOffset),
      average: mlpViews(policySpec, this.average.values),
    };
  }

  get metricDescriptors(): MetricDescriptor[] {
    return acerMetricDescriptors('continuous');
  }

  get updateCount(): number {
    return this.updates;
  }

  get kernelProvider(): string {
    return this.kernels.provider;
  }

  /** The live parameter vector [policy | value | advantage], each as core/tensor's MLP layout. */
  get parameters(): Float32Array {
    return this.model.parameters.values;
  }

  /** Fraction of training done, in [0, 1], for the linear learning-rate schedule. */
  setProgress(fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`progress must be in [0, 1], got ${fraction}`);
    this.model.progress = fraction;
  }

  /** The policy's statistics (mean, log σ) [count × d] each, for `count` observations. */
  private policyStatistics(
    kernels: Kernels,
    parameters: MlpViews,
    observations: Float32Array,
    count: number,
    key: string,
  ): { means: Float64Array; logStds: Float64Array } {
    const d = this.actionWidth;
    const outputs = this.policyNet.forward(
      kernels,
      parameters,
      observations,
      count,
      this.scratch,
      key,
    ).output;
    const means = this.float64.get(`${key}/mean`, count * d);
    const logStds = this.float64.get(`${key}/log-std`, count * d);
    for (let i = 0; i < count; i++) {
      gaussianHeadForward(
        outputs,
        i * 2 * d,
        d,
        this.config.logStdMin,
        this.config.logStdMax,
        means,
        logStds,
        i * d,
      );
    }
    return { means, logStds };
  }

  /**
   * Sample a ∼ N(m, σ²) (or take m when `deterministic`) for `count` observations, and return the
   * statistics (m, log σ) to store with each step.
   */
  act(observations: Float32Array, count: number, deterministic: boolean): AcerActResult {
    this.assertUsable();
    if (observations.length < count * this.observationWidth) {
      throw new RangeError(
        `act: ${count} observations of width ${this.observationWidth} need ${count * this.observationWidth} values, got ${observations.length}`,
      );
    }
    const kernels =
      this.kernels.provider === 'native' || count > HOST_ACT_MAX_ROWS ? this.kernels : javascriptKernels;
    const { means, logStds } = this.policyStatistics(kernels, this.views.policy, observations, count, 'act');
    const size = count * this.actionWidth;
    const actions = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      actions[i] = deterministic ? means[i] : means[i] + Math.exp(logStds[i]) * this.rng.normal();
    }
    return {
      actions,
      extras: { behaviourMean: Float32Array.from(means), behaviourLogStd: Float32Array.from(logStds) },
    };
  }

  /** One ACER update on `batch`; returns the metrics record (keys in `metricDescriptors`). */
  update(batch: SequenceBatch, objective: SequencePolicyLoss = 'acer'): Record<string, number> {
    const { loss, metrics } = this.computeGradient(batch, objective);
    const step = this.model.step(this.kernels, loss, this.updates + 1);
    this.kernels.polyak(
      this.average.values,
      this.model.parameters.values.subarray(0, this.average.totalSize),
      1 - this.config.averageDecay,
    );
    this.updates++;
    return {
      ...metrics,
      gradientNorm: step.gradientNorm,
      gradientClipped: step.clipped,
      learningRate: step.learningRate,
    };
  }

  /**
   * Steps 1–4 of an update: the gradient `update` would step with (before clipping; a live view,
   * valid until the next call), its loss, the metrics, and the samples drawn. Changes no weights
   * (it does advance the random stream).
   */
  computeGradient(
    batch: SequenceBatch,
    objective: SequencePolicyLoss = 'acer',
  ): {
    loss: number;
    gradient: Float32Array;
    metrics: Record<string, number>;
    samples: ContinuousUpdateSamples;
  } {
    this.assertUsable();
    const d = this.actionWidth;
    const dO = this.observationWidth;
    if (batch.observationWidth !== dO || batch.actionWidth !== d) {
      throw new RangeError(
        `sequence batch has observation/action widths ${batch.observationWidth}/${batch.actionWidth}, the learner ${dO}/${d}`,
      );
    }
    const behaviourMean = batch.extras?.behaviourMean;
    const behaviourLogStd = batch.extras?.behaviourLogStd;
    if (!behaviourMean || !behaviourLogStd) {
      throw new RangeError(
        'the batch has no behaviourMean/behaviourLogStd columns: store ACER’s storedColumns in the replay',
      );
    }
    const { config } = this;
    const c = config.truncation;
    const samples = config.duelingSamples;
    const cloning = objective === 'behaviour-cloning';
    const trustRegion = config.trustRegion && !cloning;
    const { logStdMin, logStdMax } = config;

    // 1. Forward passes.
    const packed = packSequenceBatch(batch, this.scratch, this.ints);
    const n = packed.steps;
    const rows = n + packed.windows;
    const policyTrace = this.policyNet.forward(
      this.kernels,
      this.views.policy,
      packed.observations,
      n,
      this.scratch,
      'policy',
    );
    const means = this.float64.get('mean', n * d);
    const logStds = this.float64.get('log-std', n * d);
    for (let i = 0; i < n; i++) {
      gaussianHeadForward(policyTrace.output, i * 2 * d, d, logStdMin, logStdMax, means, logStds, i * d);
    }
    const averageStatistics = this.policyStatistics(
      this.kernels,
      this.views.average,
      packed.observations,
      n,
      'average',
    );
    const valueTrace = this.valueNet.forward(
      this.kernels,
      this.views.value,
      packed.observations,
      rows,
      this.scratch,
      'value',
    );
    const values = this.float64.get('v', rows);
    for (let i = 0; i < rows; i++) values[i] = valueTrace.output[i];

    // The advantage net's rows: (x_t, a_t), then (x_t, a′_t), then (x_t, uᵢ) for i < n samples.
    const inputWidth = dO + d;
    const advantageRows = n * (2 + samples);
    const input = this.scratch.get('advantage/input', advantageRows * inputWidth);
    const correctionActions = this.scratch.get('samples/correction', n * d);
    const duelingActions = this.scratch.get('samples/dueling', n * samples * d);
    const actions = this.float64.get('actions', n * d);
    for (let i = 0; i < n; i++) {
      const entry = packed.entry[i];
      const observation = packed.observations.subarray(i * dO, (i + 1) * dO);
      for (let j = 0; j < d; j++) actions[i * d + j] = batch.actions[entry * d + j];
      for (const row of [i, n + i]) input.set(observation, row * inputWidth);
      input.set(batch.actions.subarray(entry * d, (entry + 1) * d), i * inputWidth + dO);
      for (let j = 0; j < d; j++) {
        const sigma = Math.exp(logStds[i * d + j]);
        const a = means[i * d + j] + sigma * this.rng.normal();
        correctionActions[i * d + j] = a;
        input[(n + i) * inputWidth + dO + j] = a;
      }
      for (let s = 0; s < samples; s++) {
        const row = 2 * n + i * samples + s;
        input.set(observation, row * inputWidth);
        for (let j = 0; j < d; j++) {
          const u = means[i * d + j] + Math.exp(logStds[i * d + j]) * this.rng.normal();
          duelingActions[(i * samples + s) * d + j] = u;
          input[row * inputWidth + dO + j] = u;
        }
      }
    }
    const advantageTrace = this.advantageNet.forward(
      this.kernels,
      this.views.advantage,
      input,
      advantageRows,
      this.scratch,
      'advantage',
    );
    const advantages = advantageTrace.output;

    // 2. Q̃, ρ, traces, and the targets backwards over each window.
    const dueling = this.float64.get('q-tilde', n);
    const correctionQ = this.float64.get('q-tilde-correction', n);
    const rho = this.float64.get('rho', n);
    const correctionRho = this.float64.get('rho-correction', n);
    const traces = this.float64.get('traces', n);
    const ones = this.float64.get('ones', n).fill(1);
    const rewards = this.float64.get('rewards', n);
    const discounts = this.float64.get('discounts', n);
    const muMean = this.float64.get('mu-mean', d);
    const muLogStd = this.float64.get('mu-log-std', d);
    for (let i = 0; i < n; i++) {
      const entry = packed.entry[i];
      let baseline = 0;
      for (let s = 0; s < samples; s++) baseline += advantages[2 * n + i * samples + s];
      baseline /= samples;
      dueling[i] = values[i] + advantages[i] - baseline;
      correctionQ[i] = values[i] + advantages[n + i] - baseline;
      for (let j = 0; j < d; j++) {
        muMean[j] = behaviourMean[entry * d + j];
        muLogStd[j] = behaviourLogStd[entry * d + j];
        if (!Number.isFinite(muMean[j]) || !Number.isFinite(muLogStd[j])) {
          throw new RangeError(
            `behaviourMean/behaviourLogStd of replay row ${batch.indices[entry]} are not finite: steps stored ` +
              'without the behaviour statistics (a dataset without them) need them estimated first (core/agents/acer/behaviour.ts)',
          );
        }
      }
      const mi = means.subarray(i * d, (i + 1) * d);
      const si = logStds.subarray(i * d, (i + 1) * d);
      rho[i] = Math.exp(
        Math.min(
          LOG_RATIO_CAP,
          gaussianLogDensity(actions, mi, si, d, i * d) -
            gaussianLogDensity(actions, muMean, muLogStd, d, i * d),
        ),
      );
      correctionRho[i] = Math.exp(
        Math.min(
          LOG_RATIO_CAP,
          gaussianLogDensity(correctionActions, mi, si, d, i * d) -
            gaussianLogDensity(correctionActions, muMean, muLogStd, d, i * d),
        ),
      );
      traces[i] = acerTrace(rho[i], d);
      rewards[i] = batch.rewards[entry];
      discounts[i] = config.discount * batch.masks[entry];
    }
    const qRet = this.float64.get('q-ret', n);
    const qOpc = this.float64.get('q-opc', n);
    for (let b = 0; b < batch.size; b++) {
      const start = packed.start[b];
      if (start < 0) continue;
      const end = start + batch.lengths[b];
      const segment = {
        rewards: rewards.subarray(start, end),
        discounts: discounts.subarray(start, end),
        actionValues: dueling.subarray(start, end),
        values: values.subarray(start, end),
        bootstrapValue: values[packed.bootstrapRow[b]],
      };
      acerRetraceTargets({ ...segment, traces: traces.subarray(start, end) }, qRet.subarray(start, end));
      acerRetraceTargets({ ...segment, traces: ones.subarray(start, end) }, qOpc.subarray(start, end));
    }

    // 3–4. Gradients with respect to each network's outputs.
    const policyGradient = this.scratch.zeros('policy/output-gradient', n * 2 * d);
    const valueGradient = this.scratch.zeros('value/output-gradient', rows);
    const advantageGradient = this.scratch.zeros('advantage/output-gradient', advantageRows);
    const g = this.float64.get('g', 2 * d);
    const k = this.float64.get('k', 2 * d);
    let gainTotal = 0;
    let entropyTotal = 0;
    let klTotal = 0;
    let qLossTotal = 0;
    let vLossTotal = 0;
    let active = 0;
    let adjustmentTotal = 0;
    let corrected = 0;
    let advantageTotal = 0;
    let stdTotal = 0;
    for (let i = 0; i < n; i++) {
      const mi = means.subarray(i * d, (i + 1) * d);
      const si = logStds.subarray(i * d, (i + 1) * d);
      const v = values[i];
      const advantage = qOpc[i] - v;
      advantageTotal += qRet[i] - v;
      const weight = truncatedImportanceWeight(rho[i], c) * advantage;
      const correctionWeight = correctionRho[i] > c ? (1 - c / correctionRho[i]) * (correctionQ[i] - v) : 0;
      if (correctionRho[i] > c) corrected++;
      g.fill(0);
      const gMean = g.subarray(0, d);
      const gLogStd = g.subarray(d);
      if (cloning) {
        // Gain −KL(μ ‖ π) of the behaviour Gaussian stored with the step and the policy's.
        const entry = packed.entry[i];
        const bm = behaviourMean.subarray(entry * d, (entry + 1) * d);
        const bs = behaviourLogStd.subarray(entry * d, (entry + 1) * d);
        gainTotal -= gaussianKl(bm, bs, mi, si, d);
        gaussianKlGradient(bm, bs, mi, si, d, gMean, gLogStd);
        for (let j = 0; j < 2 * d; j++) g[j] = -g[j];
      } else {
        addGaussianLogDensityGradient(actions, mi, si, d, weight, gMean, gLogStd, i * d);
        if (correctionWeight !== 0)
          addGaussianLogDensityGradient(
            correctionActions,
            mi,
            si,
            d,
            correctionWeight,
            gMean,
            gLogStd,
            i * d,
          );
        for (let j = 0; j < d; j++) gLogStd[j] += config.entropyCoefficient; // ∂(η·H)/∂ log σ_j = η
        gainTotal +=
          weight * gaussianLogDensity(actions, mi, si, d, i * d) +
          correctionWeight * gaussianLogDensity(correctionActions, mi, si, d, i * d);
      }
      entropyTotal += gaussianEntropy(si, d);
      for (let j = 0; j < d; j++) stdTotal += Math.exp(si[j]);
      const am = averageStatistics.means.subarray(i * d, (i + 1) * d);
      const as = averageStatistics.logStds.subarray(i * d, (i + 1) * d);
      klTotal += gaussianKl(am, as, mi, si, d);
      if (trustRegion) {
        gaussianKlGradient(am, as, mi, si, d, k.subarray(0, d), k.subarray(d));
        const step = projectOntoTrustRegion(g, k, config.trustRegionDelta, g);
        if (step.adjustment > 0) active++;
        adjustmentTotal += step.adjustment;
      }
      for (let j = 0; j < 2 * d; j++) g[j] = -g[j] / n;
      gaussianHeadBackward(mi, si, gMean, gLogStd, d, logStdMin, logStdMax, policyGradient, i * 2 * d);

      // Critic: ½(Q_ret − Q̃)² into V and A through the dueling combination, and ½(V_target − V)².
      const qError = qRet[i] - dueling[i];
      qLossTotal += 0.5 * qError * qError;
      const dQ = (-config.qCoefficient * qError) / n;
      valueGradient[i] += dQ;
      advantageGradient[i] += dQ;
      for (let s = 0; s < samples; s++) advantageGradient[2 * n + i * samples + s] -= dQ / samples;
      const valueTarget = Math.min(1, rho[i]) * qError + v;
      const vError = valueTarget - v;
      vLossTotal += 0.5 * vError * vError;
      valueGradient[i] += (-config.qCoefficient * vError) / n;
    }
    this.policyNet.backward(
      this.kernels,
      this.views.policy,
      policyTrace,
      policyGradient,
      this.views.policyGradient,
      null,
      this.scratch,
      'policy',
    );
    this.valueNet.backward(
      this.kernels,
      this.views.value,
      valueTrace,
      valueGradient,
      this.views.valueGradient,
      null,
      this.scratch,
      'value',
    );
    this.advantageNet.backward(
      this.kernels,
      this.views.advantage,
      advantageTrace,
      advantageGradient,
      this.views.advantageGradient,
      null,
      this.scratch,
      'advantage',
    );
    const policyLoss = -gainTotal / n;
    const qLoss = qLossTotal / n;
    const vLoss = vLossTotal / n;
    const loss =
      policyLoss +
      config.qCoefficient * (qLoss + vLoss) -
      (cloning ? 0 : (config.entropyCoefficient * entropyTotal) / n);

    const summary = summariseOffPolicy(
      rho,
      traces,
      packed.start,
      batch.lengths,
      c,
      this.float64.get('sorted', n),
      this.float64.get('trace-lengths', n),
    );
    const metrics = {
      policyLoss,
      qLoss,
      vLoss,
      entropy: entropyTotal / n,
      policyStd: stdTotal / (n * d),
      qMean: mean(dueling),
      vMean: mean(values, n),
      qRetMean: mean(qRet),
      qOpcMean: mean(qOpc),
      advantageMean: advantageTotal / n,
      ...summary,
      biasCorrectionRate: corrected / n,
      klMean: klTotal / n,
      trustRegionActiveFraction: trustRegion ? active / n : Number.NaN,
      trustRegionActive: trustRegion ? (active > 0 ? 1 : 0) : Number.NaN,
      trustRegionAdjustmentMean: trustRegion ? adjustmentTotal / n : Number.NaN,
      batchSteps: n,
    };
    return { loss, gradient: this.model.gradient, metrics, samples: { correctionActions, duelingActions } };
  }

  /**
   * Q̃(x, a) = V(x) + A(x, a) − (1/n)Σᵢ A(x, uᵢ), uᵢ ∼ π(·|x), for `count` rows (value
   * diagnostics); its draws come from a stream of their own, saved with the state.
   */
  qValues(observations: Float32Array, actions: Float32Array, count: number): Float32Array {
    this.assertUsable();
    const d = this.actionWidth;
    const dO = this.observationWidth;
    const samples = this.config.duelingSamples;
    const { means, logStds } = this.policyStatistics(
      this.kernels,
      this.views.policy,
      observations,
      count,
      'q-values/policy',
    );
    const v = this.valueNet.forward(
      this.kernels,
      this.views.value,
      observations,
      count,
      this.scratch,
      'q-values/value',
    ).output;
    const width = dO + d;
    const rowsPer = 1 + samples;
    const input = this.scratch.get('q-values/input', count * rowsPer * width);
    for (let i = 0; i < count; i++) {
      for (let r = 0; r < rowsPer; r++) {
        const row = i * rowsPer + r;
        input.set(observations.subarray(i * dO, (i + 1) * dO), row * width);
        for (let j = 0; j < d; j++) {
          input[row * width + dO + j] =
            r === 0
              ? actions[i * d + j]
              : means[i * d + j] + Math.exp(logStds[i * d + j]) * this.diagnosticsRng.normal();
        }
      }
    }
    const a = this.advantageNet.forward(
      this.kernels,
      this.views.advantage,
      input,
      count * rowsPer,
      this.scratch,
      'q-values/advantage',
    ).output;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let baseline = 0;
      for (let s = 1; s < rowsPer; s++) baseline += a[i * rowsPer + s];
      out[i] = v[i] + a[i * rowsPer] - baseline / samples;
    }
    return out;
  }

  /** The deterministic policy for export: the policy's ReLU layers, then tanh of the mean head. */
  policyLayers(): PolicyLayer[] {
    this.assertUsable();
    const widths = [this.observationWidth, ...this.config.hiddenSizes];
    return firstHeadPolicyLayers(this.views.policy, widths, this.actionWidth, 'tanh');
  }

  policyHead(): AcerPolicyHead {
    return { kind: 'gaussian', actionWidth: this.actionWidth, deterministic: 'mean' };
  }

  getState(): Record<string, unknown> {
    this.assertUsable();
    return {
      format: ACER_CONTINUOUS_STATE_FORMAT,
      observationWidth: this.observationWidth,
      actionWidth: this.actionWidth,
      hiddenSizes: [...this.config.hiddenSizes],
      advantageHiddenSizes: [...this.config.advantageHiddenSizes],
      updates: this.updates,
      model: this.model.getState(),
      average: this.average.read(),
      rng: this.rng.getState(),
      diagnosticsRng: this.diagnosticsRng.getState(),
    };
  }

  setState(state: Record<string, unknown>): void {
    this.assertUsable();
    const read = new StateReader('ACER');
    if (state.format !== ACER_CONTINUOUS_STATE_FORMAT) {
      read.fail(`format is ${String(state.format)}, expected ${ACER_CONTINUOUS_STATE_FORMAT}`);
    }
    read.same(state.observationWidth, this.observationWidth, 'observationWidth');
    read.same(state.actionWidth, this.actionWidth, 'actionWidth');
    read.same(state.hiddenSizes, this.config.hiddenSizes, 'hiddenSizes');
    read.same(state.advantageHiddenSizes, this.config.advantageHiddenSizes, 'advantageHiddenSizes');
    this.model.setState(state.model, read);
    this.average.assign(read.floats(state.average, 'average', this.average.totalSize));
    this.updates = read.number(state.updates, 'updates');
    for (const [name, rng] of [
      ['rng', this.rng],
      ['diagnosticsRng', this.diagnosticsRng],
    ] as const) {
      const saved = state[name] as RngState | undefined;
      if (!saved || !Array.isArray(saved.words)) read.fail(`${name} missing`);
      rng.setState(saved!);
    }
  }

  dispose(): void {
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('the learner was disposed');
  }
}
