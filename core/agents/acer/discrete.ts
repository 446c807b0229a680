/**
 * ACER for Discrete actions (Wang et al. 2017, Algorithm 2), in the order of OpenAI baselines'
 * acer.py, on a sequence batch (core/replay/sequences.ts) whose steps carry the behaviour
 * policy's μ(·|x_t) in the `behaviourProbs` column:
 *
 *   1. forward   one network with a shared ReLU trunk and two linear heads, logits ℓ and Q(x, ·);
 *                f = softmax(ℓ), V = Σ_a f(a)·Q(x, a), on every step and on each window's
 *                bootstrap observation; the average network's f_avg on every step
 *   2. targets   ρ = f/(μ + ε); backwards over each window from Q_ret = V(x_L) (masked at a
 *                terminal): Q_ret ← r_t + γ(1 − d_t)·Q_ret is step t's target, then
 *                Q_ret ← min(1, ρ_t)·(Q_ret − Q(x_t, a_t)) + V(x_t)   (core/returns acerRetraceTargets)
 *   3. policy    per step the gain G(f) = min(c, ρ_t)(Q_ret − V)·log f(a_t)
 *                + Σ_a [f(a) − c·μ(a)]₊ (Q(x, a) − V)·log f(a) + η·H(f), its gradient g = ∂G/∂f,
 *                k = ∂KL(f_avg ‖ f)/∂f = −f_avg/f, z = g − max(0, (kᵀg − δ)/‖k‖²)·k,
 *                back-propagated through the softmax as the statistics gradient −z/n
 *                (on a dataset alone, with `behaviour-cloning`: the loss is KL(μ ‖ f) instead, its
 *                gradient ∂KL/∂f = −μ/f, with no trust region and no entropy bonus)
 *   4. critic    q_coef·½(Q_ret − Q(x_t, a_t))², mean over the n valid steps
 *   5. step      one gradient for the whole network, global norm clipped, RMSProp; then
 *                θ_avg ← α·θ_avg + (1 − α)·θ
 *
 * Every product runs through the kernel seam; the per-row mathematics is in math.ts. All noise
 * comes from the seeded Rng, so a learner restored with setState makes the same next update.
 */
import { firstHeadPolicyLayers } from '../policy-layers.js';
import { acerRetraceTargets, biasCorrectionWeight, truncatedImportanceWeight } from '../../returns/index.js';
import type { SequenceBatch } from '../../replay/sequences.js';
import type { ExtraColumn } from '../../replay/types.js';
import { orthogonalMatrix } from '../../tensor/init.js';
import { javascriptKernels, type Kernels } from '../../tensor/kernels.js';
import { initMlpArrays, Mlp, mlpShapes, mlpViews, type MlpSpec, type MlpViews } from '../../tensor/mlp.js';
import { ParameterSet } from '../../tensor/parameters.js';
import { Scratch } from '../../tensor/scratch.js';
import { Rng, type RngState } from '../../util/random.js';
import type { PolicyLayer, SequencePolicyLoss } from '../types.js';
import {
  AcerOptimiser,
  discreteStoredColumns,
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
  categoricalEntropy,
  categoricalGain,
  categoricalKl,
  categoricalKlGradient,
  PROBABILITY_EPSILON,
  projectOntoTrustRegion,
  softmaxBackward,
  softmaxInto,
} from './math.js';
import type { MetricDescriptor } from '../../common/metrics.js';
import { acerMetricDescriptors, summariseOffPolicy } from './metrics.js';

/** Format tag of `getState()` trees. */
export const ACER_DISCRETE_STATE_FORMAT = 'o2o-acer-discrete/1';

/** Rows up to which act() runs in JavaScript rather than through a TF.js backend. */
const HOST_ACT_MAX_ROWS = 16;

/** Output gain of the logits head (baselines: fc init_scale 0.01, a near-uniform first policy). */
const LOGITS_GAIN = 0.01;

export class AcerDiscreteLearner {
  readonly kind = 'acer' as const;
  readonly sampling = 'sequences' as const;
  readonly variant = 'discrete' as const;
  readonly actionWidth = 1;
  /** The replay columns this learner reads (and `act` fills) per step. */
  readonly storedColumns: ExtraColumn[];
  private readonly net: Mlp;
  private readonly model: AcerOptimiser;
  private readonly average: ParameterSet;
  private readonly views: { net: MlpViews; gradient: MlpViews; average: MlpViews };
  private readonly rng: Rng;
  private readonly scratch = new Scratch();
  private readonly float64 = new Float64Scratch();
  private readonly ints = new IntScratch();
  private updates = 0;
  private disposed = false;

  constructor(
    readonly config: AcerConfig,
    readonly observationWidth: number,
    readonly actionCount: number,
    seed: number,
    private readonly kernels: Kernels,
  ) {
    if (!Number.isInteger(observationWidth) || observationWidth < 1) {
      throw new RangeError(`observationWidth must be a positive integer, got ${observationWidth}`);
    }
    if (!Number.isInteger(actionCount) || actionCount < 2) {
      throw new RangeError(`a discrete ACER needs at least 2 actions, got ${actionCount}`);
    }
    this.storedColumns = discreteStoredColumns(actionCount);
    this.rng = new Rng(seed);
    const spec: MlpSpec = {
      inputSize: observationWidth,
      hiddenSizes: config.hiddenSizes,
      outputSize: 2 * actionCount,
    };
    this.net = new Mlp(spec);
    const arrays = initMlpArrays(spec, this.rng.fork());
    arrays[arrays.length - 2] = this.headKernel(this.rng.fork());
    const parameters = ParameterSet.fromArrays(mlpShapes(spec), arrays);
    this.model = new AcerOptimiser(parameters, config);
    this.average = ParameterSet.fromArrays(mlpShapes(spec), arrays);
    this.views = {
      net: mlpViews(spec, parameters.values),
      gradient: mlpViews(spec, this.model.gradient),
      average: mlpViews(spec, this.average.values),
    };
  }

  /** Last layer: logits columns orthogonal with gain 0.01, Q columns with gain 1 (baselines' fc defaults). */
  private headKernel(rng: Rng): Float32Array {
    const hidden = this.config.hiddenSizes[this.config.hiddenSizes.length - 1];
    const a = this.actionCount;
    const logits = orthogonalMatrix(hidden, a, LOGITS_GAIN, rng);
    const q = orthogonalMatrix(hidden, a, 1, rng);
    const kernel = new Float32Array(hidden * 2 * a);
    for (let r = 0; r < hidden; r++) {
      kernel.set(logits.subarray(r * a, (r + 1) * a), r * 2 * a);
      kernel.set(q.subarray(r * a, (r + 1) * a), r * 2 * a + a);
    }
    return kernel;
  }

  /** Metric keys of `update()`. */
  get metricDescriptors(): MetricDescriptor[] {
    return acerMetricDescriptors('discrete');
  }

  get updateCount(): number {
    return this.updates;
  }

  get kernelProvider(): string {
    return this.kernels.provider;
  }

  /** Fraction of training done, in [0, 1], for the linear learning-rate schedule. */
  setProgress(fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`progress must be in [0, 1], got ${fraction}`);
    this.model.progress = fraction;
  }

  /**
   * Sample (or, when `deterministic`, take the argmax of) π(·|x) for `count` observations, and
   * return μ(·|x) = π(·|x) to store with each step.
   */
  act(observations: Float32Array, count: number, deterministic: boolean): AcerActResult {
    this.assertUsable();
    const width = this.observationWidth;
    if (observations.length < count * width) {
      throw new RangeError(
        `act: ${count} observations of width ${width} need ${count * width} values, got ${observations.length}`,
      );
    }
    const kernels =
      this.kernels.provider === 'native' || count > HOST_ACT_MAX_ROWS ? this.kernels : javascriptKernels;
    const outputs = this.net.forward(
      kernels,
      this.views.net,
      observations,
      count,
      this.scratch,
      'act',
    ).output;
    const a = this.actionCount;
    const probs = new Float32Array(count * a);
    const actionIndices = new Int32Array(count);
    const row = this.float64.get('act/probs', a);
    for (let i = 0; i < count; i++) {
      softmaxInto(outputs, i * 2 * a, a, row, 0);
      let chosen = 0;
      if (deterministic) {
        for (let j = 1; j < a; j++) if (row[j] > row[chosen]) chosen = j;
      } else {
        let u = this.rng.uniform();
        chosen = a - 1;
        for (let j = 0; j < a; j++) {
          u -= row[j];
          if (u < 0) {
            chosen = j;
            break;
          }
        }
      }
      actionIndices[i] = chosen;
      for (let j = 0; j < a; j++) probs[i * a + j] = row[j];
    }
    return { actions: Float32Array.from(actionIndices), actionIndices, extras: { behaviourProbs: probs } };
  }

  /** One ACER update on `batch`; returns the metrics record (keys in `metricDescriptors`). */
  update(batch: SequenceBatch, objective: SequencePolicyLoss = 'acer'): Record<string, number> {
    const { loss, metrics } = this.computeGradient(batch, objective);
    // 5. One step for the whole network, then the average network.
    const step = this.model.step(this.kernels, loss, this.updates + 1);
    this.kernels.polyak(this.average.values, this.model.parameters.values, 1 - this.config.averageDecay);
    this.updates++;
    return {
      ...metrics,
      gradientNorm: step.gradientNorm,
      gradientClipped: step.clipped,
      learningRate: step.learningRate,
    };
  }

  /** The live parameter vector [W₁, b₁, …] of the network (for gradient checks and export). */
  get parameters(): Float32Array {
    return this.model.parameters.values;
  }

  /**
   * Steps 1–4 of an update: the gradient `update` would step with (before clipping; a live view,
   * valid until the next call), the loss it belongs to, and the metrics. Changes no weights.
   */
  computeGradient(
    batch: SequenceBatch,
    objective: SequencePolicyLoss = 'acer',
  ): {
    loss: number;
    gradient: Float32Array;
    metrics: Record<string, number>;
  } {
    this.assertUsable();
    if (batch.observationWidth !== this.observationWidth || batch.actionWidth !== 1) {
      throw new RangeError(
        `sequence batch has observation/action widths ${batch.observationWidth}/${batch.actionWidth}, ` +
          `the learner ${this.observationWidth}/1`,
      );
    }
    const actionIndices = batch.actionIndices;
    if (!actionIndices)
      throw new RangeError('a discrete ACER needs action indices in the batch (replay actionCount)');
    const behaviour = batch.extras?.behaviourProbs;
    if (!behaviour) {
      throw new RangeError(
        'the batch has no behaviourProbs column: store ACER’s storedColumns in the replay',
      );
    }
    const { config } = this;
    const a = this.actionCount;
    const c = config.truncation;
    const cloning = objective === 'behaviour-cloning';
    const trustRegion = config.trustRegion && !cloning;

    // 1. Forward: the network on every step and bootstrap observation, the average network on the steps.
    const packed = packSequenceBatch(batch, this.scratch, this.ints);
    const n = packed.steps;
    const rows = n + packed.windows;
    const trace = this.net.forward(
      this.kernels,
      this.views.net,
      packed.observations,
      rows,
      this.scratch,
      'net',
    );
    const outputs = trace.output;
    const averageOutputs = this.net.forward(
      this.kernels,
      this.views.average,
      packed.observations,
      n,
      this.scratch,
      'average',
    ).output;
    const f = this.float64.get('f', rows * a);
    const averageF = this.float64.get('f-average', n * a);
    const values = this.float64.get('v', rows);
    for (let i = 0; i < rows; i++) {
      softmaxInto(outputs, i * 2 * a, a, f, i * a);
      let v = 0;
      for (let j = 0; j < a; j++) v += f[i * a + j] * outputs[i * 2 * a + a + j];
      values[i] = v;
      if (i < n) softmaxInto(averageOutputs, i * 2 * a, a, averageF, i * a);
    }

    // 2. Targets: ρ, traces min(1, ρ), and Q_ret backwards over each window.
    const actions = this.ints.get('actions', n);
    const rho = this.float64.get('rho', n);
    const traces = this.float64.get('traces', n);
    const taken = this.float64.get('q-taken', n);
    const rewards = this.float64.get('rewards', n);
    const discounts = this.float64.get('discounts', n);
    const mu = this.float64.get('mu', n * a);
    for (let i = 0; i < n; i++) {
      const entry = packed.entry[i];
      const action = actionIndices[entry];
      if (!(action >= 0 && action < a)) {
        throw new RangeError(`sequence batch step ${entry} has action ${action}, outside [0, ${a})`);
      }
      actions[i] = action;
      for (let j = 0; j < a; j++) {
        const p = behaviour[entry * a + j];
        if (!(p >= 0 && p <= 1)) {
          throw new RangeError(
            `behaviourProbs of replay row ${batch.indices[entry]} is ${p}, expected a probability: steps stored ` +
              'without μ(·|x) (a dataset without behaviour probabilities) need them estimated first (core/agents/acer/behaviour.ts)',
          );
        }
        mu[i * a + j] = p;
      }
      rho[i] = f[i * a + action] / (mu[i * a + action] + PROBABILITY_EPSILON);
      traces[i] = Math.min(1, rho[i]);
      taken[i] = outputs[i * 2 * a + a + action];
      rewards[i] = batch.rewards[entry];
      discounts[i] = config.discount * batch.masks[entry];
    }
    const qRet = this.float64.get('q-ret', n);
    for (let b = 0; b < batch.size; b++) {
      const start = packed.start[b];
      if (start < 0) continue;
      const end = start + batch.lengths[b];
      acerRetraceTargets(
        {
          rewards: rewards.subarray(start, end),
          discounts: discounts.subarray(start, end),
          actionValues: taken.subarray(start, end),
          values: values.subarray(start, end),
          traces: traces.subarray(start, end),
          bootstrapValue: values[packed.bootstrapRow[b]],
        },
        qRet.subarray(start, end),
      );
    }

    // 3–4. Per-step gradients of the loss with respect to the network's outputs [ℓ | Q].
    const outputGradient = this.scratch.zeros('net/output-gradient', rows * 2 * a);
    const g = this.float64.get('g', a);
    const kl = this.float64.get('k', a);
    const bias = this.float64.get('bias', a);
    const dLogits = this.float64.get('d-logits', a);
    let gainTotal = 0;
    let entropyTotal = 0;
    let qLossTotal = 0;
    let klTotal = 0;
    let active = 0;
    let adjustmentTotal = 0;
    let biasMassTotal = 0;
    let advantageTotal = 0;
    for (let i = 0; i < n; i++) {
      const fi = f.subarray(i * a, (i + 1) * a);
      const v = values[i];
      const advantage = qRet[i] - v;
      advantageTotal += advantage;
      let biasMass = 0;
      for (let j = 0; j < a; j++) {
        const weight = biasCorrectionWeight(fi[j], mu[i * a + j], c);
        biasMass += weight;
        bias[j] = weight * (outputs[i * 2 * a + a + j] - v);
      }
      biasMassTotal += biasMass;
      const entropy = categoricalEntropy(fi);
      entropyTotal += entropy;
      const averageRow = averageF.subarray(i * a, (i + 1) * a);
      klTotal += categoricalKl(averageRow, fi);
      if (cloning) {
        // Gain −KL(μ ‖ f): g = −∂KL/∂f = μ/f.
        const muRow = mu.subarray(i * a, (i + 1) * a);
        gainTotal -= categoricalKl(muRow, fi);
        categoricalKlGradient(muRow, fi, g);
        for (let j = 0; j < a; j++) g[j] = -g[j];
      } else {
        const gain = categoricalGain(
          fi,
          {
            action: actions[i],
            actionWeight: truncatedImportanceWeight(rho[i], c) * advantage,
            biasWeights: bias,
            entropyCoefficient: config.entropyCoefficient,
          },
          g,
        );
        gainTotal += gain - config.entropyCoefficient * entropy;
        if (trustRegion) {
          categoricalKlGradient(averageRow, fi, kl);
          const step = projectOntoTrustRegion(g, kl, config.trustRegionDelta, g);
          if (step.adjustment > 0) active++;
          adjustmentTotal += step.adjustment;
        }
      }
      // The loss is −mean G: its gradient in f is −z/n, through the softmax into the logits.
      for (let j = 0; j < a; j++) g[j] = -g[j] / n;
      softmaxBackward(fi, g, dLogits);
      const base = i * 2 * a;
      for (let j = 0; j < a; j++) outputGradient[base + j] = dLogits[j];
      const error = qRet[i] - taken[i];
      qLossTotal += 0.5 * error * error;
      outputGradient[base + a + actions[i]] = (-config.qCoefficient * error) / n;
    }
    const policyLoss = -gainTotal / n;
    const qLoss = qLossTotal / n;

    this.net.backward(
      this.kernels,
      this.views.net,
      trace,
      outputGradient,
      this.views.gradient,
      null,
      this.scratch,
      'net',
    );
    const loss =
      policyLoss +
      config.qCoefficient * qLoss -
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
      entropy: entropyTotal / n,
      qMean: mean(taken),
      vMean: mean(values, n),
      qRetMean: mean(qRet),
      advantageMean: advantageTotal / n,
      ...summary,
      biasCorrectionMass: biasMassTotal / n,
      klMean: klTotal / n,
      trustRegionActiveFraction: trustRegion ? active / n : Number.NaN,
      trustRegionActive: trustRegion ? (active > 0 ? 1 : 0) : Number.NaN,
      trustRegionAdjustmentMean: trustRegion ? adjustmentTotal / n : Number.NaN,
      batchSteps: n,
    };
    return { loss, gradient: this.model.gradient, metrics };
  }

  /** Q(x, a) for `count` rows (a as indices, or floats holding them), for value diagnostics. */
  qValues(observations: Float32Array, actions: ArrayLike<number>, count: number): Float32Array {
    this.assertUsable();
    const a = this.actionCount;
    const outputs = this.net.forward(
      this.kernels,
      this.views.net,
      observations,
      count,
      this.scratch,
      'q-values',
    ).output;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const action = actions[i];
      if (!Number.isInteger(action) || action < 0 || action >= a) {
        throw new RangeError(`qValues: action ${action} of row ${i} is not an index in [0, ${a})`);
      }
      out[i] = outputs[i * 2 * a + a + action];
    }
    return out;
  }

  /** The deterministic policy for export: the trunk's ReLU layers, then the logits; the action is their argmax. */
  policyLayers(): PolicyLayer[] {
    this.assertUsable();
    const widths = [this.observationWidth, ...this.config.hiddenSizes];
    return firstHeadPolicyLayers(this.views.net, widths, this.actionCount, 'linear');
  }

  policyHead(): AcerPolicyHead {
    return { kind: 'categorical', actionCount: this.actionCount, deterministic: 'argmax' };
  }

  getState(): Record<string, unknown> {
    this.assertUsable();
    return {
      format: ACER_DISCRETE_STATE_FORMAT,
      observationWidth: this.observationWidth,
      actionCount: this.actionCount,
      hiddenSizes: [...this.config.hiddenSizes],
      updates: this.updates,
      model: this.model.getState(),
      average: this.average.read(),
      rng: this.rng.getState(),
    };
  }

  setState(state: Record<string, unknown>): void {
    this.assertUsable();
    const read = new StateReader('ACER');
    if (state.format !== ACER_DISCRETE_STATE_FORMAT) {
      read.fail(`format is ${String(state.format)}, expected ${ACER_DISCRETE_STATE_FORMAT}`);
    }
    read.same(state.observationWidth, this.observationWidth, 'observationWidth');
    read.same(state.actionCount, this.actionCount, 'actionCount');
    read.same(state.hiddenSizes, this.config.hiddenSizes, 'hiddenSizes');
    this.model.setState(state.model, read);
    this.average.assign(read.floats(state.average, 'average', this.average.totalSize));
    this.updates = read.number(state.updates, 'updates');
    const rng = state.rng as RngState | undefined;
    if (!rng || !Array.isArray(rng.words)) read.fail('rng missing');
    this.rng.setState(rng!);
  }

  dispose(): void {
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('the learner was disposed');
  }
}
