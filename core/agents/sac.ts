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
 * An update plan (core/objectives) changes the pieces for the offline phase and for a critic-only
 * warm-up: with in-sample bootstrapping (XQL, IQL) the value net is fitted first on q̃ = min Qᵗ(s, a)
 * at the dataset action, the critic target becomes y = r + γ·mask·V(s′), and the actor is extracted
 * by advantage-weighted regression with A = q̃ − V(s).
 *
 * Every product runs through the kernel seam (core/tensor/kernels.ts) on host arrays; the per-row
 * mathematics runs here and in sac-math.ts / core/objectives. All noise comes from the seeded Rng,
 * so a learner restored with setState makes the same next update.
 */
import { firstHeadPolicyLayers } from './policy-layers.js';
import { awrActorGradient } from '../objectives/awr.js';
import { actorModes, behaviourRegularisedActorGradient } from '../objectives/behaviour-regularised.js';
import { conservativePenalty } from '../objectives/conservative.js';
import { offlineObjectiveSettingsSchema, sacPlan, type UpdatePlan } from '../objectives/index.js';
import type { TransitionBatch } from '../replay/transitions.js';
import { currentBackend, currentKernels, initBackend } from '../tensor/backend.js';
import { orthogonalMatrix } from '../tensor/init.js';
import { javascriptKernels, type Kernels } from '../tensor/kernels.js';
import { initMlpArrays, Mlp, mlpShapes, mlpViews, type MlpSpec, type MlpViews } from '../tensor/mlp.js';
import { Adam, ParameterSet, type AdamState } from '../tensor/parameters.js';
import { Scratch } from '../tensor/scratch.js';
import { Rng, type RngState } from '../util/random.js';
import type { SacConfig } from './sac-config.js';
import {
  gradientPenaltyRow,
  huber,
  huberGradient,
  sampleTanhGaussian,
  scheduledLearningRate,
  softTdTarget,
  tanhGaussianActorGradient,
  temperatureLoss,
  valueTdError,
} from './sac-math.js';
import type { MetricDescriptor } from '../common/metrics.js';
import { temperatureForEss } from '../common/tempered-ess.js';
import type {
  ActResult,
  LearnerMetrics,
  PolicyHead,
  PolicyLayer,
  TransitionLearner,
  UpdateResult,
} from './types.js';

/** Format tag of `getState()` trees. */
export const SAC_STATE_FORMAT = 'o2o-sac-roer/1';

/** Rows up to which act() runs in JavaScript rather than through a TF.js backend. */
const HOST_ACT_MAX_ROWS = 16;

/**
 * Create a SAC + ROER learner on the current kernels. Initialises the compute backend when none is
 * set yet (honouring O2O_BACKEND).
 */
export async function createSacLearner(
  config: SacConfig,
  observationWidth: number,
  actionWidth: number,
  seed: number,
): Promise<SacLearner> {
  if (currentBackend() === undefined) await initBackend();
  return new SacLearner(config, observationWidth, actionWidth, seed, currentKernels());
}

/** Parameters, optimiser and flat gradient of one trained network (or a pair of heads). */
class TrainedNetwork {
  readonly optimiser: Adam;
  readonly gradient: Float32Array;

  constructor(
    readonly parameters: ParameterSet,
    learningRate: number,
  ) {
    this.optimiser = new Adam(parameters.totalSize, { learningRate });
    this.gradient = new Float32Array(parameters.totalSize);
  }
}

function mean(values: ArrayLike<number>, count = values.length): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i];
  return total / count;
}

export class SacLearner implements TransitionLearner {
  readonly kind = 'sac' as const;
  readonly sampling = 'transitions' as const;
  readonly observationWidth: number;
  readonly actionWidth: number;
  readonly config: SacConfig;
  private readonly kernels: Kernels;
  private readonly rng: Rng;
  private readonly scratch = new Scratch();
  private readonly actorNet: Mlp;
  private readonly criticNet: Mlp;
  private readonly valueNet: Mlp;
  private readonly actor: TrainedNetwork;
  /** Both critic heads in one vector: [head 1: W₁, b₁, …, head 2: W₁, b₁, …]. */
  private readonly critic: TrainedNetwork;
  private readonly targetCritic: ParameterSet;
  /**
   * Polyak average of the actor's weights (`policyAveraging` > 0): the deterministic policy that is
   * evaluated and exported. Iterate averaging damps the step-to-step noise of the live actor, whose
   * mean can flip between two directions of diverse data from one update to the next.
   */
  private readonly averagedActor: ParameterSet | null;
  /** The ROER value net (the in-sample V of XQL/IQL offline); its TD errors are the priorities unless tdSource is 'q'. */
  private readonly value: TrainedNetwork;
  /** Views into the vectors above, built once (the vectors are updated in place). */
  private readonly views: {
    actor: MlpViews;
    /** The averaged actor's views, or the live actor's when averaging is off. */
    deterministicActor: MlpViews;
    actorGradient: MlpViews;
    critic: [MlpViews, MlpViews];
    criticGradient: [MlpViews, MlpViews];
    targetCritic: [MlpViews, MlpViews];
    value: MlpViews;
    valueGradient: MlpViews;
  };
  private readonly logAlpha = new Float32Array(1);
  private readonly alphaGradient = new Float32Array(1);
  private readonly alphaOptimiser: Adam;
  /** The online SAC + ROER plan, used when `update` is given none. */
  private readonly defaultPlan: UpdatePlan;
  private updates = 0;
  /** Share of the run's updates done, for the actor's learning-rate schedule. */
  private progress = 0;
  private disposed = false;

  constructor(
    config: SacConfig,
    observationWidth: number,
    actionWidth: number,
    seed: number,
    kernels: Kernels,
  ) {
    if (!Number.isInteger(observationWidth) || observationWidth < 1) {
      throw new RangeError(`observationWidth must be a positive integer, got ${observationWidth}`);
    }
    if (!Number.isInteger(actionWidth) || actionWidth < 1) {
      throw new RangeError(`actionWidth must be a positive integer, got ${actionWidth}`);
    }
    this.config = config;
    this.kernels = kernels;
    this.observationWidth = observationWidth;
    this.actionWidth = actionWidth;
    this.rng = new Rng(seed);
    const hiddenSizes = config.hiddenSizes;
    const actorSpec: MlpSpec = { inputSize: observationWidth, hiddenSizes, outputSize: 2 * actionWidth };
    const criticSpec: MlpSpec = { inputSize: observationWidth + actionWidth, hiddenSizes, outputSize: 1 };
    const valueSpec: MlpSpec = { inputSize: observationWidth, hiddenSizes, outputSize: 1 };
    this.actorNet = new Mlp(actorSpec);
    this.criticNet = new Mlp(criticSpec);
    this.valueNet = new Mlp(valueSpec);

    const initRng = this.rng.fork();
    this.actor = new TrainedNetwork(
      ParameterSet.fromArrays(mlpShapes(actorSpec), this.initActorArrays(initRng, actorSpec)),
      config.actorLearningRate,
    );
    const criticShapes = [...mlpShapes(criticSpec), ...mlpShapes(criticSpec)];
    const criticArrays = [...initMlpArrays(criticSpec, initRng), ...initMlpArrays(criticSpec, initRng)];
    this.critic = new TrainedNetwork(
      ParameterSet.fromArrays(criticShapes, criticArrays),
      config.criticLearningRate,
    );
    this.targetCritic = ParameterSet.fromArrays(criticShapes, criticArrays);
    this.averagedActor =
      config.policyAveraging > 0
        ? new ParameterSet(mlpShapes(actorSpec), this.actor.parameters.values)
        : null;
    this.value = new TrainedNetwork(
      ParameterSet.fromArrays(mlpShapes(valueSpec), initMlpArrays(valueSpec, initRng)),
      config.valueLearningRate,
    );
    const headSize = this.critic.parameters.totalSize / 2;
    const heads = (flat: Float32Array): [MlpViews, MlpViews] => [
      mlpViews(criticSpec, flat, 0),
      mlpViews(criticSpec, flat, headSize),
    ];
    this.views = {
      actor: mlpViews(actorSpec, this.actor.parameters.values),
      deterministicActor: mlpViews(actorSpec, (this.averagedActor ?? this.actor.parameters).values),
      actorGradient: mlpViews(actorSpec, this.actor.gradient),
      critic: heads(this.critic.parameters.values),
      criticGradient: heads(this.critic.gradient),
      targetCritic: heads(this.targetCritic.values),
      value: mlpViews(valueSpec, this.value.parameters.values),
      valueGradient: mlpViews(valueSpec, this.value.gradient),
    };
    this.logAlpha[0] = Math.log(config.initialAlpha);
    this.alphaOptimiser = new Adam(1, { learningRate: config.alphaLearningRate });
    // Outside a training run (tests, tools): SAC + ROER; the offline settings are unused by it.
    this.defaultPlan = sacPlan({
      ...offlineObjectiveSettingsSchema.parse({}),
      valueExpClip: config.valueExpClip,
      valueLossExtension: config.valueLossExtension,
    });
  }

  /** Actor: hidden layers orthogonal(√2); mean and log σ heads each orthogonal(1) (official final_fc_init_scale). */
  private initActorArrays(rng: Rng, spec: MlpSpec): Float32Array[] {
    const arrays = initMlpArrays(spec, rng);
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

  /** Bytes of the reusable working buffers (allocated on first use, then stable). */
  get workspaceBytes(): number {
    let total = this.scratch.bytes;
    for (const buffer of this.scratchFloat64Buffers.values()) total += buffer.byteLength;
    return total;
  }

  /** Which kernels run the products. */
  get kernelProvider(): string {
    return this.kernels.provider;
  }

  get alpha(): number {
    return Math.exp(this.logAlpha[0]);
  }

  /** Set α (e.g. at the hand-off from an offline phase that did not learn it). */
  setAlpha(alpha: number): void {
    if (!(alpha > 0) || !Number.isFinite(alpha))
      throw new RangeError(`α must be a positive number, got ${alpha}`);
    this.logAlpha[0] = Math.log(alpha);
  }

  get targetEntropy(): number {
    return -this.config.targetEntropyScale * this.actionWidth;
  }

  /** Number of updates made so far. */
  get updateCount(): number {
    return this.updates;
  }

  update(batch: TransitionBatch, beta: number, plan: UpdatePlan = this.defaultPlan): UpdateResult {
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
    const alpha = this.alpha;
    const inSample = plan.bootstrap === 'value';

    // 1. Targets from the target critics as they were before this update: q̃ = min Qᵗ(s, ã) for the
    //    value net, and (SAC) the soft target y through a′ ∼ π(·|s′).
    const target = this.targetValues(batch, alpha, plan);

    let tdTargets: Float64Array;
    let value: ValueStep;
    let critic: CriticStep;
    if (inSample) {
      // 2′. Value net first (in-sample), then y = r + γ·mask·V(s′) with the fresh V; then the critics.
      value = this.updateValue(batch, target.valueTargets, beta, plan);
      tdTargets = this.scratchFloat64('td-targets', rows);
      for (let i = 0; i < rows; i++) {
        tdTargets[i] = batch.rewards[i] + this.config.discount * batch.masks[i] * value.nextValues[i];
      }
      this.calibrate(batch, tdTargets, plan);
      critic = this.updateCritics(batch, tdTargets, plan);
    } else {
      tdTargets = target.softTargets!;
      this.calibrate(batch, tdTargets, plan);
      critic = this.updateCritics(batch, tdTargets, plan);
      value = this.updateValue(batch, target.valueTargets, beta, plan);
    }

    // TD errors for the priority rule: from V (ROER), or y − min Q(s, a) with the critics before their step (PER).
    const tdErrors = new Float32Array(rows);
    if (this.config.tdSource === 'value') tdErrors.set(value.tdErrors);
    else for (let i = 0; i < rows; i++) tdErrors[i] = tdTargets[i] - Math.min(critic.q1[i], critic.q2[i]);

    // 4. Actor: reparameterised through the updated critics (SAC), or advantage-weighted regression
    //    onto the dataset actions with A = q̃ − V(s) (in-sample objectives), or frozen (warm-up).
    let actor:
      | {
          loss: number;
          entropy: number;
          awr?: AwrStatistics;
          behaviourRegularised?: BehaviourRegularisedStatistics;
        }
      | undefined;
    if (plan.actor === 'reparameterised')
      actor = this.updateActorReparameterised(batch.observations, rows, alpha);
    else if (plan.actor === 'awr')
      actor = this.updateActorAwr(batch, target.valueTargets, value.values, plan, beta);
    else if (plan.actor === 'ddpg-bc') actor = this.updateActorBehaviourRegularised(batch, plan);

    // 5. Temperature.
    let alphaLoss = Number.NaN;
    if (plan.temperature === 'learned' && actor) {
      alphaLoss = temperatureLoss(alpha, actor.entropy, this.targetEntropy);
      this.alphaGradient[0] = alphaLoss;
      this.alphaOptimiser.apply(this.kernels, this.logAlpha, this.alphaGradient);
    }

    this.updates++;
    let weightMin = Infinity;
    let weightMax = -Infinity;
    for (let i = 0; i < rows; i++) {
      weightMin = Math.min(weightMin, batch.weights[i]);
      weightMax = Math.max(weightMax, batch.weights[i]);
    }
    const metrics: LearnerMetrics = {
      criticLoss: critic.loss,
      valueLoss: value.loss,
      actorLoss: actor?.loss ?? Number.NaN,
      alphaLoss,
      alpha,
      qMean: (mean(critic.q1) + mean(critic.q2)) / 2,
      vMean: value.vMean,
      policyEntropy: actor?.entropy ?? Number.NaN,
      gradientPenalty: critic.penalty,
      ...(plan.conservative ? { conservativePenalty: critic.conservative } : {}),
      lossWeightMean: mean(batch.weights),
      lossWeightMin: weightMin,
      lossWeightMax: weightMax,
      ...(this.config.actorLearningRateSchedule === 'constant'
        ? {}
        : { actorLearningRate: actor ? this.actorLearningRate : Number.NaN }),
      ...(actor?.awr
        ? {
            awrWeightMean: actor.awr.mean,
            awrWeightMax: actor.awr.max,
            awrClippedFraction: actor.awr.clippedFraction,
            advantageMean: actor.awr.advantageMean,
            ...(plan.awrTemperature === 'ess'
              ? { awrTemperature: actor.awr.temperature, awrEssFraction: actor.awr.essFraction }
              : {}),
          }
        : {}),
      ...(actor?.behaviourRegularised
        ? {
            bcSquaredError: actor.behaviourRegularised.bcSquaredError,
            actorQScale: actor.behaviourRegularised.qScale,
          }
        : {}),
    };
    return { tdErrors, metrics };
  }

  private scratchFloat64Buffers = new Map<string, Float64Array>();
  private scratchFloat64(name: string, length: number): Float64Array {
    let buffer = this.scratchFloat64Buffers.get(name);
    if (!buffer || buffer.length < length) {
      buffer = new Float64Array(length);
      this.scratchFloat64Buffers.set(name, buffer);
    }
    return buffer.subarray(0, length);
  }

  /**
   * Target-critic values of this update (old target weights): q̃ = min Qᵗ(s, ã) with ã the dataset
   * action (with ROER's clipped noise unless the plan is in-sample), and, for the SAC bootstrap,
   * y = r + γ·mask·(min Qᵗ(s′, a′) − α·log π(a′|s′)), a′ ∼ π(·|s′). Both go through one pass per head.
   */
  private targetValues(
    batch: TransitionBatch,
    alpha: number,
    plan: UpdatePlan,
  ): { valueTargets: Float64Array; softTargets?: Float64Array } {
    const rows = batch.size;
    const inputWidth = this.criticNet.inputSize;
    const soft = plan.bootstrap === 'policy';
    const targetRows = (soft ? 2 : 1) * rows;
    const input = this.scratch.get('targets/input', targetRows * inputWidth);
    let next: ReturnType<typeof sampleTanhGaussian> | undefined;
    if (soft) {
      const noise = this.rng.fillNormal(this.scratch.get('targets/noise', rows * this.actionWidth));
      const outputs = this.actorNet.forward(
        this.kernels,
        this.views.actor,
        batch.nextObservations,
        rows,
        this.scratch,
        'targets/actor',
      ).output;
      next = sampleTanhGaussian(
        outputs,
        noise,
        rows,
        this.actionWidth,
        this.config.logStdMin,
        this.config.logStdMax,
      );
      this.packStateAction(batch.nextObservations, next.actions, rows, input, 0);
    }
    const valueActions = plan.valueActionNoise ? this.noisyActions(batch.actions) : batch.actions;
    this.packStateAction(batch.observations, valueActions, rows, input, soft ? rows : 0);
    const [q1, q2] = this.evaluateHeads(this.views.targetCritic, input, targetRows, 'targets');
    let softTargets: Float64Array | undefined;
    if (soft) {
      softTargets = this.scratchFloat64('soft-targets', rows);
      for (let i = 0; i < rows; i++) {
        softTargets[i] = softTdTarget(
          batch.rewards[i],
          batch.masks[i],
          q1[i],
          q2[i],
          next!.logProbs[i],
          alpha,
          this.config.discount,
        );
      }
    }
    const valueTargets = this.scratchFloat64('value-targets', rows);
    const offset = soft ? rows : 0;
    for (let i = 0; i < rows; i++) valueTargets[i] = Math.min(q1[offset + i], q2[offset + i]);
    return { valueTargets, softTargets };
  }

  /** Cal-QL: floor the critic targets of rows with a known Monte-Carlo return-to-go at that return. */
  private calibrate(batch: TransitionBatch, tdTargets: Float64Array, plan: UpdatePlan): void {
    const returnsToGo = batch.extras?.returnToGo;
    if (!plan.calibrate || !returnsToGo) return;
    for (let i = 0; i < batch.size; i++) {
      const floor = returnsToGo[i];
      if (floor > tdTargets[i]) tdTargets[i] = floor;
    }
  }

  /** ã = clip(a + clip(σₙ·N(0, 1), −c, c), −1, 1) (official update_v). */
  private noisyActions(actions: Float32Array): Float32Array {
    const { valueActionNoise, valueNoiseClip } = this.config;
    const out = this.scratch.get('targets/noisy-actions', actions.length);
    for (let i = 0; i < actions.length; i++) {
      const noise =
        valueActionNoise > 0
          ? Math.min(Math.max(valueActionNoise * this.rng.normal(), -valueNoiseClip), valueNoiseClip)
          : 0;
      out[i] = Math.min(Math.max(actions[i] + noise, -1), 1);
    }
    return out;
  }

  /**
   * Step 2: twin critics on the Huber loss weighted by the batch weights, with the gradient penalty
   * and (CQL) the conservative regulariser; then Polyak.
   */
  private updateCritics(batch: TransitionBatch, tdTargets: Float64Array, plan: UpdatePlan): CriticStep {
    const rows = batch.size;
    const { huberDelta, gradientPenalty: penaltyWeight } = this.config;
    const inputWidth = this.criticNet.inputSize;
    const observationWidth = this.observationWidth;
    const actionWidth = this.actionWidth;
    const weights = batch.weights;
    const input = this.scratch.get('critic/input', rows * inputWidth);
    this.packStateAction(batch.observations, batch.actions, rows, input, 0);
    let loss = 0;
    let penaltyTotal = 0;
    const q: Float32Array[] = [];
    for (let head = 0; head < 2; head++) {
      const key = `critic/head${head}`;
      const params = this.views.critic[head];
      const trace = this.criticNet.forward(this.kernels, params, input, rows, this.scratch, key);
      const values = trace.output;
      q.push(values);
      const outputGradient = this.scratch.get(`${key}/dq`, rows);
      // CQL's regulariser pulls every data value up by w/B (its sampled rows come after this loop).
      const dataPull = plan.conservative ? plan.conservative.weight / rows : 0;
      for (let i = 0; i < rows; i++) {
        const error = values[i] - tdTargets[i];
        loss += (weights[i] * huber(error, huberDelta)) / rows;
        outputGradient[i] = (weights[i] * huberGradient(error, huberDelta)) / rows - dataPull;
      }
      const gradients = this.views.criticGradient[head];
      if (penaltyWeight > 0) {
        this.criticNet.backwardWithInputPenalty(
          this.kernels,
          params,
          trace,
          outputGradient,
          gradients,
          (g) => {
            // Rows with a positive penalty are packed to the front; their observation columns stay 0.
            const activeRows = new Int32Array(rows);
            const activeGradients = this.scratch.zeros(`${key}/penalty`, rows * inputWidth);
            let active = 0;
            for (let i = 0; i < rows; i++) {
              const penalty = gradientPenaltyRow(
                g,
                i * inputWidth + observationWidth,
                actionWidth,
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
              gradient: activeGradients.subarray(0, active * inputWidth),
            };
          },
          this.scratch,
          key,
        );
      } else {
        this.criticNet.backward(
          this.kernels,
          params,
          trace,
          outputGradient,
          gradients,
          null,
          this.scratch,
          key,
        );
      }
    }
    let conservativeTotal = Number.NaN;
    if (plan.conservative) {
      conservativeTotal = this.addConservativeGradient(batch, q, plan.conservative, plan.calibrate);
    }
    const total =
      loss +
      penaltyWeight * penaltyTotal +
      (plan.conservative ? plan.conservative.weight * conservativeTotal : 0);
    this.assertFinite('critic', total, this.critic.gradient);
    this.critic.optimiser.apply(this.kernels, this.critic.parameters, this.critic.gradient);
    this.targetCritic.polyakToward(this.kernels, this.critic.parameters, this.config.tau);
    return { loss: total, penalty: penaltyTotal, conservative: conservativeTotal, q1: q[0], q2: q[1] };
  }

  /**
   * CQL: adds w·∇R of each head to the critic gradient (core/objectives/conservative.ts) and returns
   * R averaged over the heads. Per state, N uniform actions on [−1, 1]^d (log ρ = −d·log 2) and N
   * samples of the current policy (log ρ = log π(x|s), no gradient into the actor); with `calibrate`,
   * the policy samples' values are floored at the row's return-to-go (Cal-QL).
   */
  private addConservativeGradient(
    batch: TransitionBatch,
    dataQ: Float32Array[],
    conservative: { weight: number; samples: number },
    calibrate: boolean,
  ): number {
    const rows = batch.size;
    const n = conservative.samples;
    const k = 2 * n;
    const width = this.actionWidth;
    const observationWidth = this.observationWidth;
    const inputWidth = this.criticNet.inputSize;
    // Policy samples: the actor's outputs for each state, repeated N times.
    const outputs = this.actorNet.forward(
      this.kernels,
      this.views.actor,
      batch.observations,
      rows,
      this.scratch,
      'cql/actor',
    ).output;
    const outputWidth = 2 * width;
    const repeated = this.scratch.get('cql/actor-outputs', rows * n * outputWidth);
    for (let i = 0; i < rows; i++) {
      const source = outputs.subarray(i * outputWidth, (i + 1) * outputWidth);
      for (let j = 0; j < n; j++) repeated.set(source, (i * n + j) * outputWidth);
    }
    const noise = this.rng.fillNormal(this.scratch.get('cql/noise', rows * n * width));
    const policy = sampleTanhGaussian(
      repeated,
      noise,
      rows * n,
      width,
      this.config.logStdMin,
      this.config.logStdMax,
    );
    // Rows [sᵢ, xᵢⱼ]: j < N uniform, j ≥ N the policy's.
    const input = this.scratch.get('cql/input', rows * k * inputWidth);
    const logDensities = this.scratchFloat64('cql/log-densities', rows * k);
    const uniformLogDensity = -width * Math.LN2;
    for (let i = 0; i < rows; i++) {
      const observation = batch.observations.subarray(i * observationWidth, (i + 1) * observationWidth);
      for (let j = 0; j < k; j++) {
        const base = (i * k + j) * inputWidth;
        input.set(observation, base);
        if (j < n) {
          for (let c = 0; c < width; c++) input[base + observationWidth + c] = this.rng.uniformIn(-1, 1);
          logDensities[i * k + j] = uniformLogDensity;
        } else {
          const sample = i * n + (j - n);
          input.set(policy.actions.subarray(sample * width, (sample + 1) * width), base + observationWidth);
          logDensities[i * k + j] = policy.logProbs[sample];
        }
      }
    }
    const returnsToGo = calibrate ? batch.extras?.returnToGo : undefined;
    let total = 0;
    for (let head = 0; head < 2; head++) {
      const key = `cql/head${head}`;
      const params = this.views.critic[head];
      const trace = this.criticNet.forward(this.kernels, params, input, rows * k, this.scratch, key);
      const result = conservativePenalty(
        trace.output,
        logDensities,
        dataQ[head],
        rows,
        k,
        returnsToGo ? { values: returnsToGo, floorFrom: n } : undefined,
      );
      total += result.penalty / 2;
      // w·∂R/∂Q on the sampled rows; the data rows' −w/B went into the TD loss's backward pass.
      const sampledGradient = this.scratch.get(`${key}/dq`, rows * k);
      for (let r = 0; r < rows * k; r++) sampledGradient[r] = conservative.weight * result.sampledGradient[r];
      const gradients = this.views.criticGradient[head];
      this.criticNet.backward(
        this.kernels,
        params,
        trace,
        sampledGradient,
        gradients,
        null,
        this.scratch,
        key,
        true,
      );
    }
    return total;
  }

  /**
   * Step 3: the value net on the plan's loss of (q̃ − V(s)) at temperature β; then V on [s; s′] with
   * the fresh weights gives the TD errors δ = r + γ·mask·V(s′) − V(s) and V(s′) for in-sample targets.
   */
  private updateValue(
    batch: TransitionBatch,
    valueTargets: Float64Array,
    beta: number,
    plan: UpdatePlan,
  ): ValueStep {
    const value = this.value;
    const rows = batch.size;
    const obsWidth = this.observationWidth;
    const trace = this.valueNet.forward(
      this.kernels,
      this.views.value,
      batch.observations,
      rows,
      this.scratch,
      'value',
    );
    const vMean = mean(trace.output, rows);
    const result = plan.valueLoss(valueTargets, trace.output, beta);
    const dv = this.scratch.get('value/dv', rows);
    for (let i = 0; i < rows; i++) dv[i] = result.valueGradient[i];
    this.valueNet.backward(
      this.kernels,
      this.views.value,
      trace,
      dv,
      this.views.valueGradient,
      null,
      this.scratch,
      'value',
    );
    this.assertFinite('value', result.loss, value.gradient);
    value.optimiser.apply(this.kernels, value.parameters, value.gradient);

    // V(s) and V(s′) with the updated weights, in one pass.
    const stacked = this.scratch.get('value/stacked', 2 * rows * obsWidth);
    stacked.set(batch.observations.subarray(0, rows * obsWidth), 0);
    stacked.set(batch.nextObservations.subarray(0, rows * obsWidth), rows * obsWidth);
    const fresh = this.valueNet.forward(
      this.kernels,
      this.views.value,
      stacked,
      2 * rows,
      this.scratch,
      'value/fresh',
    ).output;
    const tdErrors = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      tdErrors[i] = valueTdError(
        batch.rewards[i],
        batch.masks[i],
        fresh[rows + i],
        fresh[i],
        this.config.discount,
      );
    }
    return {
      loss: result.loss,
      vMean,
      values: fresh.subarray(0, rows),
      nextValues: fresh.subarray(rows, 2 * rows),
      tdErrors,
    };
  }

  /** Step 4 (SAC): the reparameterised actor loss mean(α·log π(a|s) − min Q(s, a)) through the updated critics. */
  private updateActorReparameterised(
    observations: Float32Array,
    rows: number,
    alpha: number,
  ): { loss: number; entropy: number } {
    const width = this.actionWidth;
    const noise = this.rng.fillNormal(this.scratch.get('actor/noise', rows * width));
    const trace = this.actorNet.forward(
      this.kernels,
      this.views.actor,
      observations,
      rows,
      this.scratch,
      'actor',
    );
    const sample = sampleTanhGaussian(
      trace.output,
      noise,
      rows,
      width,
      this.config.logStdMin,
      this.config.logStdMax,
    );
    const { values, actionGradient } = this.minCriticWithActionGradient(observations, sample.actions, rows);
    let loss = 0;
    for (let i = 0; i < rows; i++) loss += (alpha * sample.logProbs[i] - values[i]) / rows;
    const outputGradient = tanhGaussianActorGradient(sample, noise, actionGradient, alpha, rows, width);
    this.stepActorOnOutputGradient(trace, outputGradient, loss);
    return { loss, entropy: -mean(sample.logProbs) };
  }

  /**
   * Step 4 (in-sample): advantage-weighted regression onto the dataset actions,
   * loss = −mean(wᵢ·log π(aᵢ|sᵢ)) with wᵢ = min(exp(Aᵢ/T), clip), Aᵢ = q̃ᵢ − V(sᵢ) (core/objectives/awr.ts).
   */
  private updateActorAwr(
    batch: TransitionBatch,
    targetQ: Float64Array,
    values: Float32Array,
    plan: UpdatePlan,
    beta: number,
  ): { loss: number; entropy: number; awr: AwrStatistics } {
    const rows = batch.size;
    const trace = this.actorNet.forward(
      this.kernels,
      this.views.actor,
      batch.observations,
      rows,
      this.scratch,
      'actor',
    );
    const temperature =
      plan.awrTemperature === 'beta'
        ? beta
        : plan.awrTemperature === 'ess'
          ? essAwrTemperature(targetQ, values, rows, plan.awrTargetEss)
          : plan.awrTemperature;
    const result = awrActorGradient(trace.output, batch.actions, targetQ, values, rows, this.actionWidth, {
      temperature,
      normalise: plan.awrTemperature === 'ess',
      weightClip: plan.awrWeightClip,
      likelihood: plan.awrLikelihood,
      logStdMin: this.config.logStdMin,
      logStdMax: this.config.logStdMax,
    });
    this.stepActorOnOutputGradient(trace, result.outputGradient, result.loss);
    const entropy = this.sampledEntropy(trace, rows);
    return {
      loss: result.loss,
      entropy,
      awr: {
        mean: result.weightMean,
        max: result.weightMax,
        clippedFraction: result.clippedFraction,
        advantageMean: result.advantageMean,
        temperature,
        essFraction: result.essFraction,
      },
    };
  }

  /**
   * Step 4 (in-sample, DDPG+BC): climb min Q(s, tanh μ) through the critics at the actor's mode,
   * normalised by mean |Q|, against α·½‖a_data − tanh μ‖²; log σ fits the data's spread around μ
   * (core/objectives/behaviour-regularised.ts).
   */
  private updateActorBehaviourRegularised(
    batch: TransitionBatch,
    plan: UpdatePlan,
  ): { loss: number; entropy: number; behaviourRegularised: BehaviourRegularisedStatistics } {
    const rows = batch.size;
    const width = this.actionWidth;
    const trace = this.actorNet.forward(
      this.kernels,
      this.views.actor,
      batch.observations,
      rows,
      this.scratch,
      'actor',
    );
    const modes = actorModes(trace.output, rows, width, this.scratch.get('actor/modes', rows * width));
    const { values, actionGradient } = this.minCriticWithActionGradient(batch.observations, modes, rows);
    const result = behaviourRegularisedActorGradient(
      trace.output,
      batch.actions,
      values,
      actionGradient,
      rows,
      width,
      { bcWeight: plan.bcWeight, logStdMin: this.config.logStdMin, logStdMax: this.config.logStdMax },
    );
    this.stepActorOnOutputGradient(trace, result.outputGradient, result.loss);
    const entropy = this.sampledEntropy(trace, rows);
    return {
      loss: result.loss,
      entropy,
      behaviourRegularised: { bcSquaredError: result.bcSquaredError, qScale: result.qScale },
    };
  }

  /** The end of every actor step: backpropagate dL/d[μ | raw log σ], check it, step the actor. */
  private stepActorOnOutputGradient(
    trace: ReturnType<Mlp['forward']>,
    outputGradient: Float32Array,
    loss: number,
  ): void {
    this.actorNet.backward(
      this.kernels,
      this.views.actor,
      trace,
      outputGradient,
      this.views.actorGradient,
      null,
      this.scratch,
      'actor',
    );
    this.assertFinite('actor', loss, this.actor.gradient);
    this.stepActor();
  }

  /**
   * The policy's entropy −E log π(a|s), a ∼ π, at the traced outputs, estimated as SAC's actor
   * step does (one sample per row), so the in-sample steps report a metric that means the same.
   */
  private sampledEntropy(trace: ReturnType<Mlp['forward']>, rows: number): number {
    const noise = this.rng.fillNormal(this.scratch.get('actor/noise', rows * this.actionWidth));
    const sample = sampleTanhGaussian(
      trace.output,
      noise,
      rows,
      this.actionWidth,
      this.config.logStdMin,
      this.config.logStdMax,
    );
    return -mean(sample.logProbs);
  }

  /**
   * min(Q₁, Q₂) of the live critics at the rows (s, a) and its action gradient ∂ min Q/∂a, which
   * flows through the smaller head of each row (the actor steps of SAC and DDPG+BC).
   */
  private minCriticWithActionGradient(
    observations: Float32Array,
    actions: Float32Array,
    rows: number,
  ): { values: Float64Array; actionGradient: Float32Array } {
    const width = this.actionWidth;
    const obsWidth = this.observationWidth;
    const inputWidth = this.criticNet.inputSize;
    const input = this.scratch.get('actor/critic-input', rows * inputWidth);
    this.packStateAction(observations, actions, rows, input, 0);
    const traces = [0, 1].map((head) =>
      this.criticNet.forward(
        this.kernels,
        this.views.critic[head],
        input,
        rows,
        this.scratch,
        `actor/critic${head}`,
      ),
    );
    const q1 = traces[0].output;
    const q2 = traces[1].output;
    const values = this.scratchFloat64('actor/q-min', rows);
    const selectors = [this.scratch.zeros('actor/select0', rows), this.scratch.zeros('actor/select1', rows)];
    for (let i = 0; i < rows; i++) {
      values[i] = Math.min(q1[i], q2[i]);
      selectors[q1[i] <= q2[i] ? 0 : 1][i] = 1;
    }
    const actionGradient = this.scratch.zeros('actor/action-gradient', rows * width);
    const inputGradient = this.scratch.get('actor/critic-input-gradient', rows * inputWidth);
    for (let head = 0; head < 2; head++) {
      this.criticNet.backward(
        this.kernels,
        this.views.critic[head],
        traces[head],
        selectors[head],
        null,
        inputGradient,
        this.scratch,
        `actor/critic${head}`,
      );
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < width; j++)
          actionGradient[i * width + j] += inputGradient[i * inputWidth + obsWidth + j];
      }
    }
    return { values, actionGradient };
  }

  /** Rows of [s, a] written into `out` from row `firstRow`. */
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

  /** Both heads of a critic set on packed [s, a] rows (views valid until `key` is used again). */
  private evaluateHeads(
    heads: [MlpViews, MlpViews],
    input: Float32Array,
    rows: number,
    key: string,
  ): [Float32Array, Float32Array] {
    return [
      this.criticNet.forward(this.kernels, heads[0], input, rows, this.scratch, `${key}/q1`).output,
      this.criticNet.forward(this.kernels, heads[1], input, rows, this.scratch, `${key}/q2`).output,
    ];
  }

  act(observations: Float32Array, count: number, deterministic: boolean): ActResult {
    this.assertUsable();
    if (observations.length < count * this.observationWidth) {
      throw new RangeError(
        `act: ${count} observations of width ${this.observationWidth} need ${count * this.observationWidth} values, got ${observations.length}`,
      );
    }
    // A few rows cost less in a JavaScript loop than in a TF.js dispatch; the native kernels win at any size.
    const kernels =
      this.kernels.provider === 'native' || count > HOST_ACT_MAX_ROWS ? this.kernels : javascriptKernels;
    const outputs = this.actorNet.forward(
      kernels,
      deterministic || this.config.explorationActor === 'averaged'
        ? this.views.deterministicActor
        : this.views.actor,
      observations,
      count,
      this.scratch,
      'act',
    ).output;
    const width = this.actionWidth;
    const noise = this.scratch.zeros('act/noise', count * width);
    if (!deterministic) {
      this.rng.fillNormal(noise);
      const scale = this.config.explorationNoiseScale;
      if (scale !== 1) for (let i = 0; i < noise.length; i++) noise[i] *= scale;
    }
    return {
      actions: sampleTanhGaussian(outputs, noise, count, width, this.config.logStdMin, this.config.logStdMax)
        .actions,
    };
  }

  qValues(observations: Float32Array, actions: Float32Array, count: number): Float32Array {
    this.assertUsable();
    if (observations.length < count * this.observationWidth || actions.length < count * this.actionWidth) {
      throw new RangeError(`qValues: arrays too short for ${count} rows`);
    }
    const input = this.scratch.get('q-values/input', count * this.criticNet.inputSize);
    this.packStateAction(observations, actions, count, input, 0);
    const [q1, q2] = this.evaluateHeads(this.views.critic, input, count, 'q-values');
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.min(q1[i], q2[i]);
    return out;
  }

  policyHead(): PolicyHead {
    return { kind: 'tanh-gaussian', actionWidth: this.actionWidth, deterministic: 'tanh-mean' };
  }

  /** The deterministic actor for export: its ReLU layers, then tanh of the mean head (log σ dropped). */
  policyLayers(): PolicyLayer[] {
    this.assertUsable();
    const widths = [this.observationWidth, ...this.config.hiddenSizes];
    return firstHeadPolicyLayers(this.views.deterministicActor, widths, this.actionWidth, 'tanh');
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
      averagedActor: this.averagedActor?.read() ?? null,
      value: network(this.value),
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
    // A state saved without averaging (or before it existed) starts the average at the live actor.
    if (this.averagedActor) {
      const averaged = state.averagedActor;
      this.averagedActor.assign(
        averaged === null || averaged === undefined
          ? this.actor.parameters.values
          : floatArray(averaged, 'averagedActor', this.averagedActor.totalSize),
      );
    }
    // States written before the value net was always present (tdSource 'q') keep a fresh value net.
    if (state.value !== null) restore(this.value, state.value, 'value');
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
  }

  dispose(): void {
    this.disposed = true;
  }

  setProgress(fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`progress must be in [0, 1], got ${fraction}`);
    this.progress = fraction;
  }

  /** The actor's learning rate now, following `actorLearningRateSchedule`. */
  get actorLearningRate(): number {
    return scheduledLearningRate(
      this.config.actorLearningRate,
      this.config.actorLearningRateSchedule,
      this.progress,
    );
  }

  /** Apply the actor's gradient, then move its average (when averaging is on) toward the new weights. */
  private stepActor(): void {
    this.actor.optimiser.apply(
      this.kernels,
      this.actor.parameters,
      this.actor.gradient,
      this.actorLearningRate,
    );
    this.averagedActor?.polyakToward(this.kernels, this.actor.parameters, this.config.policyAveraging);
  }

  /**
   * Refuse a step whose loss or gradient is not finite, before it reaches the weights, with a
   * message a user can act on (the networks keep their last finite values).
   */
  private assertFinite(network: string, loss: number, gradient: Float32Array): void {
    if (!Number.isFinite(loss) || !this.kernels.allFinite(gradient)) {
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

/** What the critic step returns: the loss with its penalty terms, and Q(s, a) of both heads before the step. */
interface CriticStep {
  loss: number;
  /** Gradient penalty per head (before its weight). */
  penalty: number;
  /** CQL's regulariser R averaged over the heads (before its weight); NaN without it. */
  conservative: number;
  q1: Float32Array;
  q2: Float32Array;
}

/** What the value step returns: loss, mean V before the step, and V(s), V(s′), δ with the updated net. */
interface ValueStep {
  loss: number;
  vMean: number;
  values: Float32Array;
  nextValues: Float32Array;
  tdErrors: Float32Array;
}

/** What the DDPG+BC actor step reports: ‖a_data − mode‖² and the normaliser mean |Q|. */
interface BehaviourRegularisedStatistics {
  bcSquaredError: number;
  qScale: number;
}

interface AwrStatistics {
  mean: number;
  max: number;
  clippedFraction: number;
  advantageMean: number;
  /** The temperature T of the update's weights, and their ESS share (Σw)²/(n·Σw²). */
  temperature: number;
  essFraction: number;
}

/** The AWR temperature of `awrTemperature: 'ess'`: ESS of the weights exp(A/T), A = q̃ − V, at fraction·n. */
function essAwrTemperature(
  targetQ: ArrayLike<number>,
  values: ArrayLike<number>,
  rows: number,
  fraction: number,
): number {
  const advantages = new Float64Array(rows);
  for (let i = 0; i < rows; i++) advantages[i] = targetQ[i] - values[i];
  return temperatureForEss(advantages, fraction);
}

/**
 * The metrics SAC (+ ROER value net) reports per update, with how the app shows them. The keys
 * are those of the record `update` returns; the training loop writes these descriptors to the
 * run's meta.json and the app draws its Learner charts from them.
 */
export const SAC_METRICS: readonly MetricDescriptor[] = [
  {
    key: 'criticLoss',
    label: 'critic loss',
    group: 'Losses',
    unit: '',
    logScale: true,
    description: 'Huber TD loss of the twin critics, weighted per sample',
  },
  {
    key: 'valueLoss',
    label: 'value loss',
    group: 'Losses',
    unit: '',
    logScale: true,
    description: 'Gumbel (ROER) loss of the value net V(s)',
  },
  {
    key: 'actorLoss',
    label: 'actor loss',
    group: 'Losses',
    unit: '',
    logScale: false,
    description: 'α·log π − min Q over the batch; can be negative',
  },
  {
    key: 'alpha',
    label: 'α',
    group: 'Entropy temperature α and policy entropy',
    unit: '',
    logScale: true,
    description: 'the learned entropy temperature',
  },
  {
    key: 'policyEntropy',
    label: 'policy entropy',
    group: 'Entropy temperature α and policy entropy',
    unit: 'nats',
    logScale: false,
    description: 'mean −log π(a|s) of the batch',
  },
  {
    key: 'alphaLoss',
    label: 'α loss',
    group: 'Entropy temperature α and policy entropy',
    unit: '',
    logScale: false,
    description: 'loss of log α toward the target entropy',
  },
  {
    key: 'qMean',
    label: 'Q mean',
    group: 'Mean Q and V on the batch',
    unit: 'return',
    logScale: false,
    description: 'mean of the twin critics over the batch',
  },
  {
    key: 'vMean',
    label: 'V mean',
    group: 'Mean Q and V on the batch',
    unit: 'return',
    logScale: false,
    description: 'mean of the value net over the batch',
  },
  {
    key: 'lossWeightMean',
    label: 'mean critic-loss weight',
    group: 'Critic-loss weights and gradient penalty',
    unit: '',
    logScale: true,
    description: "mean of the batch's per-sample critic-loss weights (ROER priorities in weighting mode)",
  },
  {
    key: 'lossWeightMin',
    label: 'min weight',
    group: 'Critic-loss weights and gradient penalty',
    unit: '',
    logScale: true,
    bandOf: 'lossWeightMean',
  },
  {
    key: 'lossWeightMax',
    label: 'max weight',
    group: 'Critic-loss weights and gradient penalty',
    unit: '',
    logScale: true,
    bandOf: 'lossWeightMean',
  },
  {
    key: 'gradientPenalty',
    label: 'gradient penalty',
    group: 'Critic-loss weights and gradient penalty',
    unit: '',
    logScale: false,
    description: 'mean(max(‖∂Q/∂a‖ − 1, 0)²) per critic head',
  },
  {
    key: 'conservativePenalty',
    label: 'CQL regulariser',
    group: 'Critic-loss weights and gradient penalty',
    unit: 'return',
    logScale: false,
    description:
      'CQL: log ∫ exp Q(s, a) da − Q(s, a_data), the soft maximum over actions above the data value (cql objective only)',
  },
  {
    key: 'actorLearningRate',
    label: 'actor learning rate',
    group: 'Actor learning rate',
    unit: '',
    logScale: false,
    description: "the actor's scheduled Adam rate of the update (actorLearningRateSchedule 'cosine' only)",
  },
  {
    key: 'advantageMean',
    label: 'advantage mean (q̃ − V)',
    group: 'Mean Q and V on the batch',
    unit: 'return',
    logScale: false,
    description: 'AWR: mean advantage over the batch (in-sample offline objectives only)',
  },
  {
    key: 'awrWeightMean',
    label: 'mean AWR weight',
    group: 'AWR weights (in-sample offline objectives)',
    unit: '',
    logScale: true,
    description: 'mean of the clipped weights exp(A/T)',
  },
  {
    key: 'awrWeightMax',
    label: 'max AWR weight',
    group: 'AWR weights (in-sample offline objectives)',
    unit: '',
    logScale: true,
    description: 'largest weight of the batch',
  },
  {
    key: 'awrTemperature',
    label: 'AWR temperature',
    group: 'AWR temperature',
    unit: 'return',
    logScale: true,
    description: "the temperature T the batch chose for ESS = awrTargetEss·n (awrTemperature 'ess' only)",
  },
  {
    key: 'awrEssFraction',
    label: 'AWR weights ESS / n',
    group: 'AWR weights (in-sample offline objectives)',
    unit: '',
    logScale: false,
    description:
      "effective sample size of the clipped AWR weights over the batch size (awrTemperature 'ess' only)",
  },
  {
    key: 'awrClippedFraction',
    label: 'share clipped',
    group: 'AWR weights (in-sample offline objectives)',
    unit: '',
    logScale: false,
    description: 'share of the batch whose weight hit the clip',
  },
  {
    key: 'bcSquaredError',
    label: '‖a_data − mode‖²',
    group: 'DDPG+BC policy extraction',
    unit: '',
    logScale: true,
    description:
      "mean squared distance of the actor's mode from the dataset action (ddpg-bc extraction only)",
  },
  {
    key: 'actorQScale',
    label: 'mean |Q| at the mode',
    group: 'DDPG+BC policy extraction',
    unit: 'return',
    logScale: false,
    description: 'the normaliser of the value term: mean |min Q(s, mode)| (ddpg-bc extraction only)',
  },
];
