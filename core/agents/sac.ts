/**
 * Soft Actor-Critic with a learned temperature α (Haarnoja et al. 2018, arXiv 1812.05905) and the
 * ROER value network (Li et al. 2024, arXiv 2407.03995), in the order of the official code:
 *
 *   1. targets   a′ ∼ π(·|s′); y = r + γ·mask·(min Q₁ᵗ,Q₂ᵗ(s′, a′) − α·log π(a′|s′));
 *                ã = clip(a + clip(σₙ·N, ±c), ±1); q̃ = min Q₁ᵗ,Q₂ᵗ(s, ã)  (old target critics)
 *   2. critics   Σₖ mean(w·huber(Qₖ(s, a) − y, δ)) + λ_gp·mean Σₖ max(‖∂Qₖ/∂a‖ − 1, 0)²; Adam; Polyak
 *   3. value     Gumbel loss of (q̃ − V(s))/β, batch-normalised; Adam; TD δ = r + γ·mask·V(s′) − V(s)
 *   4. actor     mean(α·log π(a|s) − min Q₁,Q₂(s, a)), a ∼ π(·|s), through the updated critics; Adam
 *   5. α         loss α·(H − H̄), H = −mean log π, H̄ = −scale·|A|; Adam on log α
 *
 * Matrix products run on the TensorFlow.js backend with explicit backward passes (core/tensor/mlp.ts);
 * the per-row mathematics runs on the host (sac-math.ts). All noise comes from the seeded Rng, so
 * a learner restored with setState makes the same next update.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../replay/transitions.js';
import { currentBackend, initBackend } from '../tensor/backend.js';
import { orthogonalMatrix } from '../tensor/init.js';
import {
  initMlpArrays,
  mlpApply,
  mlpApplyHost,
  mlpBackward,
  mlpBackwardWithInputPenalty,
  mlpForward,
  mlpShapes,
  type MlpSpec,
} from '../tensor/mlp.js';
import { Adam, ParameterSet, type AdamState } from '../tensor/parameters.js';
import { Rng, type RngState } from '../util/random.js';
import type { SacConfig } from './sac-config.js';
import {
  gradientPenaltyRow,
  huber,
  huberGradient,
  roerValueLoss,
  sampleTanhGaussian,
  softTdTarget,
  tanhGaussianActorGradient,
  temperatureLoss,
  valueTdError,
} from './sac-math.js';
import type { Learner, LearnerMetrics, PolicyLayer, UpdateResult } from './types.js';

/** Format tag of `getState()` trees. */
export const SAC_STATE_FORMAT = 'o2o-sac-roer/1';

/** Rows above which act() runs on the tensor backend rather than on the host. */
const HOST_ACT_MAX_ROWS = 16;

/**
 * Create a SAC + ROER learner. Initialises the tensor backend when none is set yet (honouring
 * `config.backend` and O2O_BACKEND).
 */
export async function createSacLearner(
  config: SacConfig,
  observationWidth: number,
  actionWidth: number,
  seed: number,
): Promise<Learner> {
  if (currentBackend() === undefined || config.backend !== undefined) await initBackend(config.backend);
  return new SacLearner(config, observationWidth, actionWidth, seed);
}

/** Parameters and optimiser of one trained network. */
interface TrainedNetwork {
  parameters: ParameterSet;
  optimiser: Adam;
  /** Reused host buffer for the flat gradient. */
  gradient: Float32Array;
}

function trained(parameters: ParameterSet, learningRate: number): TrainedNetwork {
  return {
    parameters,
    optimiser: new Adam(parameters.totalSize, { learningRate }),
    gradient: new Float32Array(parameters.totalSize),
  };
}

function mean(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total / values.length;
}

export class SacLearner implements Learner {
  readonly observationWidth: number;
  readonly actionWidth: number;
  readonly config: SacConfig;
  private readonly rng: Rng;
  private readonly layers: number;
  private readonly actorSpec: MlpSpec;
  private readonly criticSpec: MlpSpec;
  private readonly valueSpec: MlpSpec;
  private readonly actor: TrainedNetwork;
  /** Both critic heads in one set: tensors [head 1: W₁, b₁, …, head 2: W₁, b₁, …]. */
  private readonly critic: TrainedNetwork;
  private readonly targetCritic: ParameterSet;
  /** The ROER value net; absent when TD errors come from Q (PER). */
  private readonly value: TrainedNetwork | undefined;
  private readonly logAlpha = new Float64Array(1);
  private readonly alphaOptimiser: Adam;
  private updates = 0;
  private hostActor: { revision: number; arrays: Float32Array[] } | undefined;
  private disposed = false;

  constructor(config: SacConfig, observationWidth: number, actionWidth: number, seed: number) {
    if (!Number.isInteger(observationWidth) || observationWidth < 1) {
      throw new RangeError(`observationWidth must be a positive integer, got ${observationWidth}`);
    }
    if (!Number.isInteger(actionWidth) || actionWidth < 1) {
      throw new RangeError(`actionWidth must be a positive integer, got ${actionWidth}`);
    }
    this.config = config;
    this.observationWidth = observationWidth;
    this.actionWidth = actionWidth;
    this.rng = new Rng(seed);
    const hiddenSizes = config.hiddenSizes;
    this.layers = hiddenSizes.length + 1;
    this.actorSpec = { inputSize: observationWidth, hiddenSizes, outputSize: 2 * actionWidth };
    this.criticSpec = { inputSize: observationWidth + actionWidth, hiddenSizes, outputSize: 1 };
    this.valueSpec = { inputSize: observationWidth, hiddenSizes, outputSize: 1 };

    const initRng = this.rng.fork();
    this.actor = trained(
      ParameterSet.fromArrays(mlpShapes(this.actorSpec), this.initActorArrays(initRng)),
      config.actorLearningRate,
    );
    const criticShapes = [...mlpShapes(this.criticSpec), ...mlpShapes(this.criticSpec)];
    const criticArrays = [
      ...initMlpArrays(this.criticSpec, initRng),
      ...initMlpArrays(this.criticSpec, initRng),
    ];
    this.critic = trained(ParameterSet.fromArrays(criticShapes, criticArrays), config.criticLearningRate);
    this.targetCritic = ParameterSet.fromArrays(criticShapes, criticArrays);
    this.value =
      config.tdSource === 'value'
        ? trained(
            ParameterSet.fromArrays(mlpShapes(this.valueSpec), initMlpArrays(this.valueSpec, initRng)),
            config.valueLearningRate,
          )
        : undefined;
    this.logAlpha[0] = Math.log(config.initialAlpha);
    this.alphaOptimiser = new Adam(1, { learningRate: config.alphaLearningRate });
  }

  /** Actor: hidden layers orthogonal(√2); mean and log σ heads each orthogonal(1) (official final_fc_init_scale). */
  private initActorArrays(rng: Rng): Float32Array[] {
    const arrays = initMlpArrays(this.actorSpec, rng);
    const hidden = this.config.hiddenSizes[this.config.hiddenSizes.length - 1];
    const width = this.actionWidth;
    const meanHead = orthogonalMatrix(hidden, width, 1, rng);
    const logStdHead = orthogonalMatrix(hidden, width, 1, rng);
    const kernel = new Float32Array(hidden * 2 * width);
    for (let r = 0; r < hidden; r++) {
      kernel.set(meanHead.subarray(r * width, (r + 1) * width), r * 2 * width);
      kernel.set(logStdHead.subarray(r * width, (r + 1) * width), r * 2 * width + width);
    }
    arrays[arrays.length - 2] = kernel;
    return arrays;
  }

  get alpha(): number {
    return Math.exp(this.logAlpha[0]);
  }

  get targetEntropy(): number {
    return -this.config.targetEntropyScale * this.actionWidth;
  }

  /** Number of updates made so far. */
  get updateCount(): number {
    return this.updates;
  }

  update(batch: TransitionBatch, beta: number): UpdateResult {
    this.assertUsable();
    if (!(beta > 0) || !Number.isFinite(beta))
      throw new RangeError(`β must be a positive number, got ${beta}`);
    if (batch.observationWidth !== this.observationWidth || batch.actionWidth !== this.actionWidth) {
      throw new RangeError(
        `batch has observation/action widths ${batch.observationWidth}/${batch.actionWidth}, ` +
          `the learner ${this.observationWidth}/${this.actionWidth}`,
      );
    }
    const rows = batch.size;
    const { discount, huberDelta } = this.config;
    const alpha = this.alpha;
    const width = this.actionWidth;
    const layers = this.layers;

    // 1. Targets, with the critics' target copies as they were before this update.
    const nextNoise = this.rng.fillNormal(new Float32Array(rows * width));
    const nextOutputs = tf.tidy(() =>
      mlpApply(
        this.actor.parameters,
        0,
        layers,
        this.matrix(batch.nextObservations, rows, this.observationWidth),
      ),
    );
    const next = sampleTanhGaussian(
      nextOutputs.dataSync(),
      nextNoise,
      rows,
      width,
      this.config.logStdMin,
      this.config.logStdMax,
    );
    nextOutputs.dispose();
    const noisyActions = this.value ? this.valueTargetActions(batch.actions) : undefined;
    const targetRows = noisyActions ? 2 * rows : rows;
    const targetInput = new Float32Array(targetRows * this.criticSpec.inputSize);
    this.packStateAction(batch.nextObservations, next.actions, rows, targetInput, 0);
    if (noisyActions) this.packStateAction(batch.observations, noisyActions, rows, targetInput, rows);
    const [targetQ1, targetQ2] = this.evaluateHeads(this.targetCritic, targetInput, targetRows);
    const tdTargets = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      tdTargets[i] = softTdTarget(
        batch.rewards[i],
        batch.masks[i],
        targetQ1[i],
        targetQ2[i],
        next.logProbs[i],
        alpha,
        discount,
      );
    }

    // 2. Critics.
    const criticInput = new Float32Array(rows * this.criticSpec.inputSize);
    this.packStateAction(batch.observations, batch.actions, rows, criticInput, 0);
    const critic = this.updateCritics(criticInput, rows, tdTargets, batch.weights, huberDelta);

    // 3. Value net and TD errors.
    const tdErrors = new Float32Array(rows);
    let valueLoss = Number.NaN;
    let vMean = Number.NaN;
    if (this.value) {
      const valueTargets = new Float64Array(rows);
      for (let i = 0; i < rows; i++) valueTargets[i] = Math.min(targetQ1[rows + i], targetQ2[rows + i]);
      const result = this.updateValue(this.value, batch, valueTargets, beta);
      valueLoss = result.loss;
      vMean = result.vMean;
      tdErrors.set(result.tdErrors);
    } else {
      for (let i = 0; i < rows; i++) tdErrors[i] = tdTargets[i] - Math.min(critic.q1[i], critic.q2[i]);
    }

    // 4. Actor, through the updated critics.
    const actor = this.updateActor(batch.observations, rows, alpha);

    // 5. Temperature.
    const entropy = -mean(actor.logProbs);
    const alphaLoss = temperatureLoss(alpha, entropy, this.targetEntropy);
    this.alphaOptimiser.applyTo(this.logAlpha, [alphaLoss]);

    this.updates++;
    let weightMin = Infinity;
    let weightMax = -Infinity;
    for (let i = 0; i < rows; i++) {
      weightMin = Math.min(weightMin, batch.weights[i]);
      weightMax = Math.max(weightMax, batch.weights[i]);
    }
    const metrics: LearnerMetrics = {
      criticLoss: critic.loss,
      valueLoss,
      actorLoss: actor.loss,
      alphaLoss,
      alpha,
      qMean: (mean(critic.q1) + mean(critic.q2)) / 2,
      vMean,
      policyEntropy: entropy,
      gradientPenalty: critic.penalty,
      lossWeightMean: mean(batch.weights),
      lossWeightMin: weightMin,
      lossWeightMax: weightMax,
    };
    return { tdErrors, metrics };
  }

  /** ã = clip(a + clip(σₙ·N(0, 1), −c, c), −1, 1) (official update_v). */
  private valueTargetActions(actions: Float32Array): Float32Array {
    const { valueActionNoise, valueNoiseClip } = this.config;
    const out = new Float32Array(actions.length);
    for (let i = 0; i < actions.length; i++) {
      const noise =
        valueActionNoise > 0
          ? Math.min(Math.max(valueActionNoise * this.rng.normal(), -valueNoiseClip), valueNoiseClip)
          : 0;
      out[i] = Math.min(Math.max(actions[i] + noise, -1), 1);
    }
    return out;
  }

  private updateCritics(
    input: Float32Array,
    rows: number,
    tdTargets: Float64Array,
    weights: Float32Array,
    huberDelta: number,
  ): { loss: number; penalty: number; q1: Float32Array; q2: Float32Array } {
    const layers = this.layers;
    const params = this.critic.parameters;
    const penaltyWeight = this.config.gradientPenalty;
    const inputWidth = this.criticSpec.inputSize;
    const observationWidth = this.observationWidth;
    let loss = 0;
    let penaltyTotal = 0;
    const q: Float32Array[] = [];
    tf.tidy(() => {
      const x = tf.tensor2d(input, [rows, inputWidth]);
      const gradients: tf.Tensor[] = [];
      for (let head = 0; head < 2; head++) {
        const first = head * 2 * layers;
        const trace = mlpForward(params, first, layers, x);
        const values = trace.output.dataSync() as Float32Array;
        q.push(values.slice());
        const outputGradient = new Float32Array(rows);
        for (let i = 0; i < rows; i++) {
          const error = values[i] - tdTargets[i];
          loss += (weights[i] * huber(error, huberDelta)) / rows;
          outputGradient[i] = (weights[i] * huberGradient(error, huberDelta)) / rows;
        }
        const dq = tf.tensor2d(outputGradient, [rows, 1]);
        if (penaltyWeight > 0) {
          const result = mlpBackwardWithInputPenalty(params, first, trace, dq, (inputGradient) => {
            const g = inputGradient.dataSync();
            // Rows with a positive penalty are packed to the front; their observation columns stay 0.
            const activeRows = new Int32Array(rows);
            const activeGradients = new Float32Array(rows * inputWidth);
            let active = 0;
            for (let i = 0; i < rows; i++) {
              const penalty = gradientPenaltyRow(
                g,
                i * inputWidth + observationWidth,
                this.actionWidth,
                penaltyWeight / rows,
                activeGradients,
                active * inputWidth + observationWidth,
              );
              if (penalty > 0) {
                penaltyTotal += penalty / rows;
                activeRows[active++] = i;
              }
            }
            return {
              rows: activeRows.subarray(0, active),
              gradient:
                active > 0
                  ? tf.tensor2d(activeGradients.subarray(0, active * inputWidth), [active, inputWidth])
                  : undefined,
            };
          });
          gradients.push(...result.gradients);
        } else {
          gradients.push(...mlpBackward(params, first, trace, dq, { weights: true, input: false }).gradients);
        }
      }
      params.gatherGradients(gradients, this.critic.gradient);
    });
    this.assertFinite('critic', loss + penaltyWeight * penaltyTotal, this.critic.gradient);
    this.critic.optimiser.apply(params, this.critic.gradient);
    this.targetCritic.polyakToward(params, this.config.tau);
    return { loss: loss + penaltyWeight * penaltyTotal, penalty: penaltyTotal, q1: q[0], q2: q[1] };
  }

  private updateValue(
    value: TrainedNetwork,
    batch: TransitionBatch,
    valueTargets: Float64Array,
    beta: number,
  ): { loss: number; vMean: number; tdErrors: Float32Array } {
    const rows = batch.size;
    const layers = this.layers;
    let loss = 0;
    let vMean = 0;
    tf.tidy(() => {
      const trace = mlpForward(
        value.parameters,
        0,
        layers,
        this.matrix(batch.observations, rows, this.observationWidth),
      );
      const values = trace.output.dataSync();
      vMean = mean(values);
      const result = roerValueLoss(
        valueTargets,
        values,
        beta,
        this.config.valueExpClip,
        this.config.valueLossExtension,
      );
      loss = result.loss;
      const dv = tf.tensor2d(Float32Array.from(result.valueGradient), [rows, 1]);
      const { gradients } = mlpBackward(value.parameters, 0, trace, dv, { weights: true, input: false });
      value.parameters.gatherGradients(gradients, value.gradient);
    });
    this.assertFinite('value', loss, value.gradient);
    value.optimiser.apply(value.parameters, value.gradient);

    // TD errors with the updated value net, s and s′ in one pass.
    const stacked = new Float32Array(2 * rows * this.observationWidth);
    stacked.set(batch.observations.subarray(0, rows * this.observationWidth), 0);
    stacked.set(
      batch.nextObservations.subarray(0, rows * this.observationWidth),
      rows * this.observationWidth,
    );
    const fresh = tf.tidy(() =>
      mlpApply(value.parameters, 0, layers, tf.tensor2d(stacked, [2 * rows, this.observationWidth])),
    );
    const v = fresh.dataSync();
    fresh.dispose();
    const tdErrors = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      tdErrors[i] = valueTdError(batch.rewards[i], batch.masks[i], v[rows + i], v[i], this.config.discount);
    }
    return { loss, vMean, tdErrors };
  }

  private updateActor(
    observations: Float32Array,
    rows: number,
    alpha: number,
  ): { loss: number; logProbs: Float64Array } {
    const layers = this.layers;
    const width = this.actionWidth;
    const inputWidth = this.criticSpec.inputSize;
    const noise = this.rng.fillNormal(new Float32Array(rows * width));
    let loss = 0;
    let logProbs: Float64Array = new Float64Array(0);
    tf.tidy(() => {
      const trace = mlpForward(
        this.actor.parameters,
        0,
        layers,
        this.matrix(observations, rows, this.observationWidth),
      );
      const sample = sampleTanhGaussian(
        trace.output.dataSync(),
        noise,
        rows,
        width,
        this.config.logStdMin,
        this.config.logStdMax,
      );
      logProbs = sample.logProbs;
      const input = new Float32Array(rows * inputWidth);
      this.packStateAction(observations, sample.actions, rows, input, 0);
      const x = tf.tensor2d(input, [rows, inputWidth]);
      const params = this.critic.parameters;
      const traces = [0, 1].map((head) => mlpForward(params, head * 2 * layers, layers, x));
      const q1 = traces[0].output.dataSync();
      const q2 = traces[1].output.dataSync();
      // ∂ min(Q₁, Q₂)/∂a flows through the smaller head of each row.
      const selectors = [new Float32Array(rows), new Float32Array(rows)];
      for (let i = 0; i < rows; i++) {
        const minimum = Math.min(q1[i], q2[i]);
        selectors[q1[i] <= q2[i] ? 0 : 1][i] = 1;
        loss += (alpha * logProbs[i] - minimum) / rows;
      }
      const actionGradient = new Float32Array(rows * width);
      for (let head = 0; head < 2; head++) {
        const { inputGradient } = mlpBackward(
          params,
          head * 2 * layers,
          traces[head],
          tf.tensor2d(selectors[head], [rows, 1]),
          { weights: false, input: true },
        );
        const g = inputGradient!.dataSync();
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < width; j++) {
            actionGradient[i * width + j] += g[i * inputWidth + this.observationWidth + j];
          }
        }
      }
      const outputGradient = tanhGaussianActorGradient(sample, noise, actionGradient, alpha, rows, width);
      const { gradients } = mlpBackward(
        this.actor.parameters,
        0,
        trace,
        tf.tensor2d(outputGradient, [rows, 2 * width]),
        { weights: true, input: false },
      );
      this.actor.parameters.gatherGradients(gradients, this.actor.gradient);
    });
    this.assertFinite('actor', loss, this.actor.gradient);
    this.actor.optimiser.apply(this.actor.parameters, this.actor.gradient);
    return { loss, logProbs };
  }

  /** min(Q₁, Q₂) inputs: rows of [s, a] written into `out` from row `firstRow`. */
  private packStateAction(
    observations: Float32Array,
    actions: Float32Array,
    rows: number,
    out: Float32Array,
    firstRow: number,
  ): void {
    const o = this.observationWidth;
    const a = this.actionWidth;
    const stride = o + a;
    for (let i = 0; i < rows; i++) {
      const base = (firstRow + i) * stride;
      out.set(observations.subarray(i * o, (i + 1) * o), base);
      out.set(actions.subarray(i * a, (i + 1) * a), base + o);
    }
  }

  private matrix(values: Float32Array, rows: number, width: number): tf.Tensor2D {
    return tf.tensor2d(values.subarray(0, rows * width), [rows, width]);
  }

  /** Both heads of a critic set on packed [s, a] rows; host copies of Q₁ and Q₂. */
  private evaluateHeads(
    params: ParameterSet,
    input: Float32Array,
    rows: number,
  ): [Float32Array, Float32Array] {
    const layers = this.layers;
    return tf.tidy(() => {
      const x = tf.tensor2d(input, [rows, this.criticSpec.inputSize]);
      const q1 = mlpApply(params, 0, layers, x).dataSync() as Float32Array;
      const q2 = mlpApply(params, 2 * layers, layers, x).dataSync() as Float32Array;
      return [q1.slice(), q2.slice()];
    });
  }

  act(observations: Float32Array, count: number, deterministic: boolean): Float32Array {
    this.assertUsable();
    if (observations.length < count * this.observationWidth) {
      throw new RangeError(
        `act: ${count} observations of width ${this.observationWidth} need ${count * this.observationWidth} values, got ${observations.length}`,
      );
    }
    let outputs: Float32Array;
    if (count <= HOST_ACT_MAX_ROWS) {
      outputs = mlpApplyHost(this.hostActorArrays(), this.actorSpec, observations, count);
    } else {
      const result = tf.tidy(() =>
        mlpApply(
          this.actor.parameters,
          0,
          this.layers,
          this.matrix(observations, count, this.observationWidth),
        ),
      );
      outputs = (result.dataSync() as Float32Array).slice();
      result.dispose();
    }
    const width = this.actionWidth;
    const noise = new Float32Array(count * width);
    if (!deterministic) this.rng.fillNormal(noise);
    return sampleTanhGaussian(outputs, noise, count, width, this.config.logStdMin, this.config.logStdMax)
      .actions;
  }

  private hostActorArrays(): Float32Array[] {
    const revision = this.actor.parameters.revision;
    if (this.hostActor === undefined || this.hostActor.revision !== revision) {
      const flat = this.actor.parameters.read();
      const { offsets, sizes } = this.actor.parameters;
      this.hostActor = {
        revision,
        arrays: sizes.map((size, i) => flat.subarray(offsets[i], offsets[i] + size)),
      };
    }
    return this.hostActor.arrays;
  }

  qValues(observations: Float32Array, actions: Float32Array, count: number): Float32Array {
    this.assertUsable();
    if (observations.length < count * this.observationWidth || actions.length < count * this.actionWidth) {
      throw new RangeError(`qValues: arrays too short for ${count} rows`);
    }
    const input = new Float32Array(count * this.criticSpec.inputSize);
    this.packStateAction(observations, actions, count, input, 0);
    const [q1, q2] = this.evaluateHeads(this.critic.parameters, input, count);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.min(q1[i], q2[i]);
    return out;
  }

  policyLayers(): PolicyLayer[] {
    this.assertUsable();
    const arrays = this.hostActorArrays();
    const widths = [this.observationWidth, ...this.config.hiddenSizes];
    const layers: PolicyLayer[] = [];
    for (let l = 0; l < this.layers - 1; l++) {
      layers.push({
        inputSize: widths[l],
        outputSize: widths[l + 1],
        weight: arrays[2 * l].slice(),
        bias: arrays[2 * l + 1].slice(),
        activation: 'relu',
      });
    }
    // Output layer: keep the mean head (first |A| columns), drop log σ.
    const hidden = widths[widths.length - 1];
    const width = this.actionWidth;
    const kernel = arrays[2 * (this.layers - 1)];
    const weight = new Float32Array(hidden * width);
    for (let r = 0; r < hidden; r++)
      weight.set(kernel.subarray(r * 2 * width, r * 2 * width + width), r * width);
    layers.push({
      inputSize: hidden,
      outputSize: width,
      weight,
      bias: arrays[2 * (this.layers - 1) + 1].slice(0, width),
      activation: 'tanh',
    });
    return layers;
  }

  getState(): Record<string, unknown> {
    this.assertUsable();
    const network = (net: TrainedNetwork) => ({
      parameters: net.parameters.read(),
      optimiser: net.optimiser.getState(),
    });
    return {
      format: SAC_STATE_FORMAT,
      observationWidth: this.observationWidth,
      actionWidth: this.actionWidth,
      hiddenSizes: [...this.config.hiddenSizes],
      tdSource: this.config.tdSource,
      updates: this.updates,
      actor: network(this.actor),
      critic: network(this.critic),
      targetCritic: this.targetCritic.read(),
      value: this.value ? network(this.value) : null,
      logAlpha: this.logAlpha[0],
      alphaOptimiser: this.alphaOptimiser.getState(),
      rng: this.rng.getState(),
    };
  }

  setState(state: Record<string, unknown>): void {
    this.assertUsable();
    const fail = (message: string): never => {
      throw new Error(`learner state: ${message}`);
    };
    if (state.format !== SAC_STATE_FORMAT)
      fail(`format is ${String(state.format)}, expected ${SAC_STATE_FORMAT}`);
    if (state.observationWidth !== this.observationWidth || state.actionWidth !== this.actionWidth) {
      fail(
        `widths ${String(state.observationWidth)}/${String(state.actionWidth)} differ from the learner's ` +
          `${this.observationWidth}/${this.actionWidth}`,
      );
    }
    const hidden = state.hiddenSizes as unknown;
    if (!Array.isArray(hidden) || hidden.join(',') !== this.config.hiddenSizes.join(',')) {
      fail(
        `hiddenSizes ${JSON.stringify(hidden)} differ from the config's [${this.config.hiddenSizes.join(', ')}]`,
      );
    }
    if ((state.value === null) !== (this.value === undefined)) {
      fail(
        `value net ${state.value === null ? 'missing' : 'present'}, but tdSource is ${this.config.tdSource}`,
      );
    }
    const floatArray = (value: unknown, name: string, length: number): Float32Array => {
      if (!(value instanceof Float32Array)) return fail(`${name} must be a Float32Array`);
      if (value.length !== length) return fail(`${name} has ${value.length} values, expected ${length}`);
      return value;
    };
    const restore = (net: TrainedNetwork, value: unknown, name: string) => {
      const record = value as { parameters?: unknown; optimiser?: Partial<AdamState> } | null;
      if (record === null || typeof record !== 'object') return fail(`${name} missing`);
      const size = net.parameters.totalSize;
      net.parameters.assign(floatArray(record.parameters, `${name}.parameters`, size));
      const optimiser = record.optimiser ?? {};
      net.optimiser.setState({
        step: Number(optimiser.step),
        firstMoment: floatArray(optimiser.firstMoment, `${name}.optimiser.firstMoment`, size),
        secondMoment: floatArray(optimiser.secondMoment, `${name}.optimiser.secondMoment`, size),
      });
    };
    restore(this.actor, state.actor, 'actor');
    restore(this.critic, state.critic, 'critic');
    this.targetCritic.assign(floatArray(state.targetCritic, 'targetCritic', this.targetCritic.totalSize));
    if (this.value) restore(this.value, state.value, 'value');
    if (typeof state.logAlpha !== 'number' || !Number.isFinite(state.logAlpha))
      fail('logAlpha must be a finite number');
    this.logAlpha[0] = state.logAlpha as number;
    const alphaState = state.alphaOptimiser as Partial<AdamState> | undefined;
    this.alphaOptimiser.setState({
      step: Number(alphaState?.step),
      firstMoment: floatArray(alphaState?.firstMoment, 'alphaOptimiser.firstMoment', 1),
      secondMoment: floatArray(alphaState?.secondMoment, 'alphaOptimiser.secondMoment', 1),
    });
    if (typeof state.updates !== 'number') fail('updates must be a number');
    this.updates = state.updates as number;
    const rngState = state.rng as RngState | undefined;
    if (!rngState || !Array.isArray(rngState.words)) fail('rng state missing');
    this.rng.setState(rngState!);
    this.hostActor = undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const net of [this.actor, this.critic, this.value]) {
      net?.parameters.dispose();
    }
    this.targetCritic.dispose();
  }

  /**
   * Refuse a step whose loss or gradient is not finite, before it reaches the weights, with a
   * message a user can act on (the networks keep their last finite values).
   */
  private assertFinite(network: string, loss: number, gradient: Float32Array): void {
    let finite = Number.isFinite(loss);
    for (let i = 0; finite && i < gradient.length; i++) finite = Number.isFinite(gradient[i]);
    if (!finite) {
      throw new Error(
        `${network} loss or gradient is not finite at update ${this.updates + 1}; check the batch for ` +
          'NaN/Inf observations or rewards, the reward scale, and the learning rates',
      );
    }
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('the learner was disposed');
  }
}
