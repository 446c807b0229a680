/**
 * A training run: offline pretraining on the dataset alone, then online fine-tuning in the
 * simulator, with evaluations, checkpoints and one metric stream. The same loop serves the CLI,
 * the engine worker of the desktop app and the browser mode.
 *
 * One update (either phase): sample a batch → learner update at the controller's β → write the
 * TD errors back as priorities → shift statistics of the batch → β controller step → one flat
 * UpdateRecord on the bus. One online step: act (uniformly random during warm-up, else the
 * stochastic policy) → env step → store the normalised transition → `updatesPerStep` updates.
 *
 * The loop yields to the event loop every few milliseconds so that a server in the same thread
 * stays responsive and pause/stop take effect between two updates.
 */
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createSacLearner, SAC_METRICS } from '../agents/sac.js';
import {
  criticWarmupPlan,
  offlinePlan,
  sacPlan,
  type ObjectiveSettings,
  type UpdatePlan,
} from '../objectives/index.js';
import { discountedReturnsToGo } from '../returns/monte-carlo.js';
import type { Learner } from '../agents/types.js';
import { createBetaController, shiftStatistics } from '../beta/index.js';
import { metricDescriptorProblems, orderedMetricRecord, type MetricDescriptor } from '../common/metrics.js';
import type { BetaController, BetaControllerState } from '../beta/types.js';
import { loadDataset } from '../data/load.js';
import { makeEnv, prepareEnv } from '../envs/registry.js';
import type { BoxSpace, Env } from '../envs/types.js';
import { scaleAction, unscaleAction } from '../export/policy.js';
import { Replay } from '../replay/replay.js';
import { allocateBatch, type TransitionBatch, type TransitionColumns } from '../replay/transitions.js';
import type { ReplayOptions, ReplayState } from '../replay/types.js';
import { initBackend } from '../tensor/backend.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { describeFileError } from '../util/file-errors.js';
import { packageInfo } from '../util/package-info.js';
import { Rng, type RngState } from '../util/random.js';
import { readLatestCheckpoint, settleCheckpoints, writeCheckpoint } from './checkpoint.js';
import { ConfigError, parseRunConfig, resolveDatasetPath, type RunConfig } from './config.js';
import { offlineShare, priorityHistogram } from './diagnostics.js';
import { evaluatePolicy, type EvaluationPolicy } from './evaluate.js';
import {
  BATCH_WEIGHT_HISTOGRAM_EDGES,
  EventBus,
  PRIORITY_HISTOGRAM_EDGES,
  UPDATE_RECORD_FIELDS,
  type Phase,
  type RunEvent,
  type RunState,
} from './events.js';
import { keepFirstCsvRows, truncateCsvLog } from './metrics-log.js';
import {
  identityNormaliser,
  normaliseObservations,
  normaliserFromColumns,
  type ObservationNormaliser,
} from './normaliser.js';
import { RunRecorder } from './recorder.js';
import {
  createRunDirectory,
  newRunId,
  readRunConfig,
  readRunEvents,
  readRunMeta,
  readRunStatus,
  removeLeftovers,
  RUN_FILES,
  runActiveElsewhere,
  RunDirectoryError,
  writeRunStatus,
  type RunMeta,
} from './run-directory.js';
import type { RunHandle, StartRunOptions } from './types.js';

/** Counters that place a run on its curves; all of them are in every checkpoint. */
export interface RunCounters {
  /** Gradient updates so far (both phases). */
  step: number;
  /** Online environment steps so far. */
  envStep: number;
  phase: Phase;
  /** Online training episodes finished. */
  episodes: number;
  /** Fractional updates owed under a non-integer update-to-data ratio. */
  updateCredit: number;
  lastReturn: number | null;
  /** Where the last evaluation happened (to avoid a duplicate final one); -1 before any. */
  lastEvaluationStep: number;
  lastEvaluationEnvStep: number;
  /** Evaluations done (rows of evaluations.csv). */
  evaluations: number;
  /** Work units (updates + warm-up env steps) at the last checkpoint. */
  lastCheckpointWork: number;
  /** The phase event of the current phase has been emitted. */
  phaseAnnounced: boolean;
}

/** The online episode in progress, kept so that a resume can rebuild the environment exactly. */
interface OpenEpisode {
  seed: number;
  /** Environment-scale actions taken so far, flattened. */
  actions: number[];
  return: number;
  length: number;
  success: boolean;
}

/** What a checkpoint holds (written with core/train/checkpoint.ts). */
export interface CheckpointState {
  formatVersion: 1;
  counters: RunCounters;
  rng: RngState;
  learner: Record<string, unknown>;
  replay: ReplayState;
  beta: BetaControllerState;
  normaliser: ObservationNormaliser;
  episode: { seed: number; actions: Float32Array; return: number; length: number; success: boolean } | null;
}

/** Seed of evaluation episode i: fixed per run, so every evaluation starts from the same states. */
export function evaluationSeed(runSeed: number, episode: number): number {
  return 1_000_003 * (runSeed + 1) + episode;
}

/** The environment of a run (its runtime loaded first), checked to have a Box action space with finite bounds. */
export async function makeRunEnv(config: RunConfig): Promise<Env> {
  let env: Env;
  try {
    await prepareEnv(config.env.id);
    env = makeEnv(config.env.id, config.env.options);
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError([{ path: message.includes('option') ? 'env.options' : 'env.id', message }]);
  }
  if (env.actionSpace.kind !== 'box') {
    throw new ConfigError([
      {
        path: 'env.id',
        message: `${env.id} has a discrete action space; SAC training needs a Box action space`,
      },
    ]);
  }
  const { low, high } = env.actionSpace;
  if ([...low, ...high].some((bound) => !Number.isFinite(bound))) {
    throw new ConfigError([
      { path: 'env.id', message: `${env.id} has unbounded actions; SAC needs finite bounds` },
    ]);
  }
  return env;
}

function actionSpaceOf(env: Env): BoxSpace {
  return env.actionSpace as BoxSpace;
}

/**
 * Dataset columns as the replay stores them: observations normalised, actions mapped from the
 * environment's bounds to [−1, 1] (clipped there, the range of the tanh policy).
 */
export function prepareOfflineColumns(
  columns: TransitionColumns,
  normaliser: ObservationNormaliser,
  actionSpace: BoxSpace,
  reward: RewardTransform = IDENTITY_REWARD,
): TransitionColumns {
  const actions = new Float32Array(columns.actions.length);
  const width = columns.actionWidth;
  const row = new Float32Array(width);
  for (let n = 0; n < columns.length; n++) {
    unscaleAction(
      columns.actions.subarray(n * width, (n + 1) * width),
      actionSpace.low,
      actionSpace.high,
      row,
    );
    for (let j = 0; j < width; j++) actions[n * width + j] = Math.min(1, Math.max(-1, row[j]));
  }
  const rewards =
    reward.scale === 1 && reward.shift === 0
      ? columns.rewards
      : columns.rewards.map((value) => transformReward(reward, value));
  return {
    ...columns,
    observations: normaliseObservations(normaliser, columns.observations),
    nextObservations: normaliseObservations(normaliser, columns.nextObservations),
    actions,
    rewards,
  };
}

/** The learning signal's reward transform (the run config's `reward` section). */
export interface RewardTransform {
  scale: number;
  shift: number;
}

const IDENTITY_REWARD: RewardTransform = { scale: 1, shift: 0 };

/** scale·r + shift. */
export function transformReward(transform: RewardTransform, reward: number): number {
  return transform.scale * reward + transform.shift;
}

/** The update plans of a run's phases: offline objective, critic-only warm-up, online SAC + ROER. */
export interface RunPlans {
  offline: UpdatePlan;
  warmup: UpdatePlan;
  online: UpdatePlan;
}

export function plansOf(config: RunConfig): RunPlans {
  const settings: ObjectiveSettings = {
    valueExpClip: config.agent.valueExpClip,
    valueLossExtension: config.agent.valueLossExtension,
    expectile: config.offline.expectile,
    awrTemperature: config.offline.awrTemperature,
    awrWeightClip: config.offline.awrWeightClip,
  };
  const calibrate = config.online.calibrate;
  return {
    offline: offlinePlan(config.offline.objective, settings),
    warmup: criticWarmupPlan(settings, { calibrate }),
    online: sacPlan(settings, { calibrate }),
  };
}

/** The replay's extra column for calibration: the discounted return-to-go of offline rows, −∞ online. */
const RETURN_TO_GO_COLUMN = { name: 'returnToGo', width: 1, fill: Number.NEGATIVE_INFINITY };

export function replayOptionsOf(
  config: RunConfig,
  observationWidth: number,
  actionWidth: number,
  offlineRows: number,
): ReplayOptions {
  const { replay } = config;
  return {
    capacity: replay.capacity ?? Math.max(offlineRows + config.online.envSteps, config.agent.batchSize),
    observationWidth,
    actionWidth,
    overwriteOffline: replay.overwriteOffline,
    priority: replay.priority,
    mode: replay.mode,
    mixing: replay.mixing,
    offlineFraction: replay.offlineFraction,
    perAlpha: replay.perAlpha,
    perImportanceStart: replay.perImportanceStart,
    perEpsilon: replay.perEpsilon,
    roerMaxClip: replay.roerMaxClip,
    roerMinClip: replay.roerMinClip,
    roerLambda: replay.roerLambda,
    roerDivergence: replay.roerDivergence,
    ...(config.online.calibrate ? { extraColumns: [RETURN_TO_GO_COLUMN] } : {}),
  };
}

/** Total work of a run in progress-bar units: offline updates plus online environment steps. */
export function totalWork(config: RunConfig): number {
  return config.offline.steps + config.online.envSteps;
}

/** The acting side of a trained learner: raw observations in, environment-scale actions out. */
export function learnerPolicy(
  learner: Learner,
  normaliser: ObservationNormaliser,
  actionSpace: BoxSpace,
): EvaluationPolicy {
  const width = actionSpace.size;
  return {
    act(observations, count) {
      const unit = learner.act(normaliseObservations(normaliser, observations), count, true);
      const actions = new Float32Array(count * width);
      for (let i = 0; i < count; i++) {
        scaleAction(
          unit.subarray(i * width, (i + 1) * width),
          actionSpace.low,
          actionSpace.high,
          actions.subarray(i * width, (i + 1) * width),
        );
      }
      return actions;
    },
    startValues(observations, actions, count) {
      const unit = new Float32Array(count * width);
      for (let i = 0; i < count; i++) {
        unscaleAction(
          actions.subarray(i * width, (i + 1) * width),
          actionSpace.low,
          actionSpace.high,
          unit.subarray(i * width, (i + 1) * width),
        );
      }
      return learner.qValues(normaliseObservations(normaliser, observations), unit, count);
    },
  };
}

interface RunParts {
  config: RunConfig;
  plans: RunPlans;
  /** What the learner's metrics record holds and how to show it (also in meta.json). */
  metricDescriptors: readonly MetricDescriptor[];
  directory: string;
  meta: RunMeta;
  env: Env;
  learner: Learner;
  replay: Replay;
  controller: BetaController;
  rng: Rng;
  normaliser: ObservationNormaliser;
  counters: RunCounters;
  episode: OpenEpisode | null;
  /** Raw observation of the open episode (set when the episode was rebuilt on resume). */
  observation: Float32Array | null;
  resumedFrom: number | null;
  /** Messages for the run's log at start (e.g. a resume on another compute backend). */
  notes?: string[];
  /** What resuming had to repair or fall back from, one sentence each (logged as warnings). */
  resumeNotes?: string[];
}

const YIELD_EVERY_MS = 10;
const FLUSH_EVERY_MS = 1000;
const THROUGHPUT_EVERY_MS = 2000;

/** A running training loop; implements the RunHandle contract. */
export class TrainingRun implements RunHandle {
  readonly bus = new EventBus();
  readonly runId: string;
  readonly directory: string;
  readonly done: Promise<RunState>;
  /** The error that failed the run, when it failed, and the message reported for it. */
  error: unknown;
  failureMessage: string | undefined;
  private currentState: RunState = 'starting';
  private stopRequested = false;
  private pauseGate: { promise: Promise<void>; release: () => void } | null = null;
  private readonly recorder: RunRecorder;
  private readonly batch: TransitionBatch;
  private readonly batchPriorities: Float32Array;
  private readonly histogram = new Array<number>(PRIORITY_HISTOGRAM_EDGES.length + 1).fill(0);
  private readonly weightHistogram = new Array<number>(BATCH_WEIGHT_HISTOGRAM_EDGES.length + 1).fill(0);
  private readonly batchWeights: Float64Array;
  private readonly evalSeeds: number[];
  private observation: Float32Array | null;
  private episode: OpenEpisode | null;
  /** Nothing happened since the last checkpoint (so the final one would be a duplicate). */
  private checkpointCurrent = false;
  private lastYield = 0;
  private lastFlush = 0;
  private throughputMark = { time: 0, step: 0, envStep: 0 };

  constructor(private readonly parts: RunParts) {
    this.runId = parts.meta.runId;
    this.directory = parts.directory;
    this.episode = parts.episode;
    this.observation = parts.observation;
    const { config, env } = parts;
    this.batch = allocateBatch(config.agent.batchSize, env.observationSpace.size, actionSpaceOf(env).size);
    this.batchPriorities = new Float32Array(config.agent.batchSize);
    this.batchWeights = new Float64Array(config.agent.batchSize);
    this.evalSeeds = Array.from({ length: config.eval.episodes }, (_, i) => evaluationSeed(config.seed, i));
    this.recorder = new RunRecorder(parts.directory);
    this.bus.subscribe((event) => this.recorder.record(event));
    this.done = this.run();
  }

  get state(): RunState {
    return this.currentState;
  }

  get counters(): Readonly<RunCounters> {
    return this.parts.counters;
  }

  get config(): RunConfig {
    return this.parts.config;
  }

  pause(): void {
    if (this.currentState !== 'running') return;
    let release!: () => void;
    const promise = new Promise<void>((resolvePromise) => (release = resolvePromise));
    this.pauseGate = { promise, release };
    this.setState('paused');
  }

  resume(): void {
    if (this.currentState !== 'paused' || !this.pauseGate) return;
    const gate = this.pauseGate;
    this.pauseGate = null;
    this.setState('running');
    gate.release();
  }

  async stop(): Promise<void> {
    if (!['finished', 'stopped', 'failed'].includes(this.currentState)) {
      this.stopRequested = true;
      if (this.currentState !== 'starting') this.setState('stopping');
      this.pauseGate?.release();
      this.pauseGate = null;
    }
    await this.done;
  }

  private emit(event: RunEvent): void {
    this.bus.emit(event);
  }

  private setState(state: RunState, message?: string): void {
    this.currentState = state;
    this.emit({
      type: 'run',
      runId: this.runId,
      directory: this.directory,
      state,
      ...(message ? { message } : {}),
    });
    this.writeStatus(message);
  }

  private writeStatus(message?: string): void {
    const { counters } = this.parts;
    writeRunStatus(this.directory, {
      state: this.currentState,
      step: counters.step,
      envStep: counters.envStep,
      phase: counters.phase,
      lastReturn: counters.lastReturn,
      updatedAt: new Date().toISOString(),
      ...(message ? { message } : {}),
      pid: process.pid,
    });
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.emit({ type: 'log', level, message });
  }

  /** Work units for checkpoint spacing: updates, plus environment steps during warm-up (no updates then). */
  private work(): number {
    const { counters, config } = this.parts;
    return counters.step + Math.min(counters.envStep, config.online.warmupSteps);
  }

  /** Let other work on the event loop run (a server in the same thread) when the loop has held it long enough. */
  private async maybeYield(): Promise<void> {
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      this.lastYield = performance.now();
    }
  }

  /** Yield, flush and report throughput when due, wait while paused; true when a stop was requested. */
  private async tick(): Promise<boolean> {
    await this.maybeYield();
    const now = performance.now();
    if (now - this.lastFlush >= FLUSH_EVERY_MS) {
      this.lastFlush = now;
      this.recorder.flush();
      this.writeStatus();
      const elapsed = (now - this.throughputMark.time) / 1000;
      if (elapsed * 1000 >= THROUGHPUT_EVERY_MS) {
        const { step, envStep } = this.parts.counters;
        this.emit({
          type: 'throughput',
          step,
          envStep,
          updatesPerSecond: (step - this.throughputMark.step) / elapsed,
          envStepsPerSecond: (envStep - this.throughputMark.envStep) / elapsed,
        });
        this.throughputMark = { time: now, step, envStep };
      }
    }
    while (this.pauseGate && !this.stopRequested) {
      this.recorder.flush();
      await this.pauseGate.promise;
      this.throughputMark = { time: performance.now(), ...this.stepMark() };
    }
    return this.stopRequested;
  }

  private stepMark(): { step: number; envStep: number } {
    return { step: this.parts.counters.step, envStep: this.parts.counters.envStep };
  }

  private async run(): Promise<RunState> {
    // Let the caller subscribe to the bus before the first event.
    await yieldToEventLoop();
    const { counters, config } = this.parts;
    try {
      this.lastYield = this.lastFlush = performance.now();
      this.throughputMark = { time: this.lastYield, ...this.stepMark() };
      this.setState(
        'running',
        this.parts.resumedFrom !== null
          ? `resumed from the checkpoint at step ${this.parts.resumedFrom}`
          : undefined,
      );
      for (const note of this.parts.resumeNotes ?? []) this.log('warn', note);
      for (const note of this.parts.notes ?? []) this.log('info', note);

      if (counters.phase === 'offline') {
        this.announcePhase();
        while (counters.step < config.offline.steps) {
          if (await this.tick()) return await this.finish('stopped');
          this.update();
          const interval = config.offline.evalInterval;
          if (interval > 0 && counters.step % interval === 0 && counters.step < config.offline.steps)
            await this.evaluate();
          await this.checkpointIfDue();
        }
        if (counters.lastEvaluationStep !== counters.step) await this.evaluate();
        counters.phase = 'online';
        counters.phaseAnnounced = false;
      }

      if (config.online.envSteps > 0) this.announcePhase();
      while (counters.envStep < config.online.envSteps) {
        if (await this.tick()) return await this.finish('stopped');
        this.environmentStep();
        if (
          counters.envStep >= config.online.warmupSteps &&
          this.parts.replay.size >= config.agent.batchSize
        ) {
          counters.updateCredit += config.online.updatesPerStep;
          while (counters.updateCredit >= 1) {
            this.update();
            counters.updateCredit -= 1;
            // a high update-to-data ratio must not hold the event loop for the whole burst
            if (counters.updateCredit >= 1) await this.maybeYield();
          }
        }
        if (counters.envStep % config.eval.interval === 0) await this.evaluate();
        await this.checkpointIfDue();
      }
      if (
        counters.lastEvaluationStep !== counters.step ||
        counters.lastEvaluationEnvStep !== counters.envStep
      ) {
        await this.evaluate();
      }
      return await this.finish('finished');
    } catch (error) {
      this.error = error;
      return this.fail(error);
    }
  }

  private announcePhase(): void {
    const { counters } = this.parts;
    if (counters.phaseAnnounced) return;
    counters.phaseAnnounced = true;
    this.emit({ type: 'phase', phase: counters.phase, step: counters.step, envStep: counters.envStep });
  }

  private async finish(state: 'finished' | 'stopped'): Promise<RunState> {
    if (!this.checkpointCurrent) await this.writeCheckpoint();
    this.setState(state);
    this.recorder.close();
    this.parts.learner.dispose();
    return state;
  }

  private fail(error: unknown): RunState {
    const { step, envStep, phase } = this.parts.counters;
    const fileProblem = describeFileError(error);
    const cause = fileProblem ?? (error instanceof Error ? error.message : String(error));
    const message = `training failed at update ${step} (env step ${envStep}, ${phase} phase): ${cause}`;
    if (fileProblem) this.error = new RunDirectoryError(message);
    try {
      // the stack goes to the event log for a bug report; the message is what the user sees
      this.emit({
        type: 'log',
        level: 'error',
        message,
        ...(error instanceof Error && error.stack ? { detail: error.stack } : {}),
      });
      this.failureMessage = message;
      this.setState('failed', message);
      this.recorder.close();
    } catch {
      // the run directory itself may be the problem; the state is still reported on the bus
    }
    try {
      this.parts.learner.dispose();
    } catch {
      // already failing
    }
    return 'failed';
  }

  /** One gradient update and its UpdateRecord. */
  private update(): void {
    const { replay, learner, controller, counters, config } = this.parts;
    const batch = this.batch;
    const totalUpdates = config.offline.steps + config.online.envSteps * config.online.updatesPerStep;
    this.checkpointCurrent = false;
    replay.setImportanceProgress(totalUpdates > 0 ? Math.min(1, counters.step / totalUpdates) : 1);
    replay.sample(batch);
    const beta = controller.beta;
    const { tdErrors, metrics } = learner.update(batch, beta, this.currentPlan());
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
    this.emit({
      type: 'update',
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
    });
  }

  /** The update plan of the current phase (offline objective, critic warm-up, online). */
  private currentPlan(): UpdatePlan {
    const { counters, config, plans } = this.parts;
    if (counters.phase === 'offline') return plans.offline;
    return counters.envStep <= config.online.criticWarmupSteps ? plans.warmup : plans.online;
  }

  private startEpisode(): Float32Array {
    const seed = this.parts.rng.int(2 ** 31);
    this.episode = { seed, actions: [], return: 0, length: 0, success: false };
    return this.parts.env.reset(seed);
  }

  /** One online environment step; the transition goes to the replay buffer normalised. */
  private environmentStep(): void {
    const { env, learner, replay, rng, normaliser, counters, config } = this.parts;
    const space = actionSpaceOf(env);
    this.checkpointCurrent = false;
    if (this.episode === null || this.observation === null) this.observation = this.startEpisode();
    const episode = this.episode!;
    const observation = normaliseObservations(normaliser, this.observation);
    let unit: Float32Array;
    if (counters.envStep < config.online.warmupSteps) {
      unit = new Float32Array(space.size);
      for (let j = 0; j < space.size; j++) unit[j] = rng.uniformIn(-1, 1);
    } else {
      unit = learner.act(observation, 1, false);
    }
    const action = scaleAction(unit, space.low, space.high, new Float32Array(space.size));
    const result = env.step(action);
    replay.addOnline({
      observation,
      action: unit,
      reward: transformReward(config.reward, result.reward),
      nextObservation: normaliseObservations(normaliser, result.observation),
      terminal: result.terminated,
      timeout: result.truncated,
      episodeId: counters.episodes,
    });
    counters.envStep++;
    for (const value of action) episode.actions.push(value);
    episode.return += result.reward;
    episode.length++;
    if (result.info.success === true) episode.success = true;
    if (result.terminated || result.truncated) {
      this.emit({
        type: 'episode',
        envStep: counters.envStep,
        step: counters.step,
        time: Date.now() / 1000,
        return: episode.return,
        length: episode.length,
        success: episode.success,
      });
      counters.episodes++;
      counters.lastReturn = episode.return;
      this.episode = null;
      this.observation = null;
    } else {
      this.observation = result.observation;
    }
  }

  private async evaluate(): Promise<void> {
    const { config, env, learner, normaliser, counters } = this.parts;
    const policy = learnerPolicy(learner, normaliser, actionSpaceOf(env));
    const result = await evaluatePolicy(() => makeEnv(config.env.id, config.env.options), policy, {
      episodes: config.eval.episodes,
      seedOf: (i) => this.evalSeeds[i],
      gamma: config.agent.discount,
      yieldEvery: () => this.maybeYield(),
    });
    this.checkpointCurrent = false;
    counters.evaluations++;
    counters.lastEvaluationStep = counters.step;
    counters.lastEvaluationEnvStep = counters.envStep;
    this.emit({
      type: 'evaluation',
      step: counters.step,
      envStep: counters.envStep,
      phase: counters.phase,
      time: Date.now() / 1000,
      episodes: result.episodes,
      meanReturn: result.meanReturn,
      stdReturn: result.stdReturn,
      normalizedScore: result.normalizedScore,
      successRate: result.successRate,
      valueBias: result.valueBias,
    });
  }

  private async checkpointIfDue(): Promise<void> {
    if (this.work() - this.parts.counters.lastCheckpointWork >= this.parts.config.checkpoint.interval) {
      await this.writeCheckpoint();
    }
  }

  /** Flush the logs durably, then write the checkpoint (logs never lag a checkpoint). */
  private async writeCheckpoint(): Promise<void> {
    const { counters, rng, learner, replay, controller, normaliser, config } = this.parts;
    counters.lastCheckpointWork = this.work();
    this.checkpointCurrent = true;
    this.recorder.flush(true);
    const state: CheckpointState = {
      formatVersion: 1,
      counters: { ...counters },
      rng: rng.getState(),
      learner: learner.getState(),
      replay: replay.getState(),
      beta: controller.getState(),
      normaliser,
      episode: this.episode ? { ...this.episode, actions: Float32Array.from(this.episode.actions) } : null,
    };
    const file = await writeCheckpoint(this.directory, counters, state, { keep: config.checkpoint.keep });
    this.emit({ type: 'checkpoint', step: counters.step, envStep: counters.envStep, file });
    this.recorder.flush();
    this.writeStatus();
  }
}

/** Share of `priorities` at the ROER floor `minClip` (compared in float32, as the buffer stores them). */
export function floorShare(priorities: ArrayLike<number>, minClip: number): number {
  if (priorities.length === 0) return Number.NaN;
  const floor = Math.fround(minClip);
  let atFloor = 0;
  for (let i = 0; i < priorities.length; i++) if (priorities[i] <= floor) atFloor++;
  return atFloor / priorities.length;
}

/**
 * The metric descriptors of the run's learner (the learner contract: every key its update
 * returns is declared here), checked against the update record's own field names.
 */
export function learnerMetricDescriptors(_config: RunConfig): readonly MetricDescriptor[] {
  const descriptors = SAC_METRICS;
  const problems = metricDescriptorProblems(descriptors, UPDATE_RECORD_FIELDS);
  if (problems.length > 0)
    throw new Error(`the learner's metric descriptors are invalid: ${problems.join('; ')}`);
  return descriptors;
}

/** The SAC learner of a run's config and environment (fresh weights; a checkpoint's state goes on top). */
export async function buildLearner(config: RunConfig, env: Env): Promise<Learner> {
  return createSacLearner(config.agent, env.observationSpace.size, actionSpaceOf(env).size, config.seed);
}

function controllerOf(config: RunConfig): BetaController {
  return createBetaController({ ...config.beta });
}

function runMeta(
  runId: string,
  name: string,
  backend: string,
  metrics: readonly MetricDescriptor[],
): RunMeta {
  return {
    runId,
    name,
    metrics: [...metrics],
    createdAt: new Date().toISOString(),
    packageVersion: packageInfo().version,
    backend,
    platform: `${process.platform}-${process.arch}`,
    nodeVersion: process.version,
  };
}

function freshCounters(config: RunConfig): RunCounters {
  return {
    step: 0,
    envStep: 0,
    phase: config.offline.steps > 0 ? 'offline' : 'online',
    episodes: 0,
    updateCredit: 0,
    lastReturn: null,
    lastEvaluationStep: -1,
    lastEvaluationEnvStep: -1,
    evaluations: 0,
    lastCheckpointWork: 0,
    phaseAnnounced: false,
  };
}

/** Start a new run: validate the config, load the dataset, create the run directory, start the loop. */
export async function startTrainingRun(options: StartRunOptions): Promise<TrainingRun> {
  const config = resolveDatasetPath(parseRunConfig(options.config), resolve(options.baseDirectory ?? '.'));
  const { backendName, ...pieces } = await startPieces(config);
  const name = options.name ?? `${config.env.id}-${config.replay.priority}-${config.beta.kind}`;
  const runId = newRunId(name);
  const directory = resolve(options.directory ?? join(options.runsDirectory ?? 'runs', runId));
  const meta = runMeta(runId, name, backendName, pieces.metricDescriptors);
  try {
    createRunDirectory(directory, config, meta);
  } catch (error) {
    pieces.learner.dispose();
    throw error;
  }
  return new TrainingRun({ ...pieces, directory, meta, resumedFrom: null });
}

/**
 * Make the logs end exactly where a checkpoint's counters do, so that a resumed run continues its
 * curves with no gap and no duplicate: the first `step` update rows, the first `episodes` episode
 * rows and the first `evaluations` evaluation rows (plus any torn last line) are kept; phase and
 * checkpoint events the checkpoint has not seen are dropped; run and log events stay as history.
 */
export function truncateRunLogs(
  directory: string,
  counters: Pick<RunCounters, 'step' | 'envStep' | 'episodes' | 'evaluations' | 'phase' | 'phaseAnnounced'>,
): void {
  truncateCsvLog(join(directory, RUN_FILES.updates), 'step', counters.step);
  keepFirstCsvRows(join(directory, RUN_FILES.episodes), counters.episodes);
  keepFirstCsvRows(join(directory, RUN_FILES.evaluations), counters.evaluations);
  const phaseSeen = (phase: Phase) =>
    phase === counters.phase ? counters.phaseAnnounced : phase === 'offline' && counters.phase === 'online';
  const events = readRunEvents(directory).filter((event) => {
    if (event.type === 'phase') return phaseSeen(event.phase) && event.step <= counters.step;
    if (event.type === 'checkpoint') return event.step <= counters.step && event.envStep <= counters.envStep;
    return true;
  });
  writeFileAtomicSync(
    join(directory, RUN_FILES.events),
    events.map((event) => `${JSON.stringify(event)}\n`).join(''),
  );
}

/**
 * Rebuild the open episode by resetting with its seed and replaying its actions (environments are
 * deterministic given the reset seed); returns the current raw observation, or null if the episode
 * cannot be rebuilt (then a fresh episode starts).
 */
function rebuildEpisode(env: Env, episode: CheckpointState['episode']): Float32Array | null {
  if (!episode) return null;
  const width = actionSpaceOf(env).size;
  let observation = env.reset(episode.seed);
  for (let t = 0; t < episode.length; t++) {
    const result = env.step(episode.actions.slice(t * width, (t + 1) * width));
    if ((result.terminated || result.truncated) && t < episode.length - 1) return null;
    observation = result.observation;
  }
  return observation;
}

/** Continue a run from its newest checkpoint (or from scratch in the same directory if it has none). */
export async function resumeTrainingRun(directory: string): Promise<TrainingRun> {
  directory = resolve(directory);
  const meta = readRunMeta(directory);
  const config = parseRunConfig(readRunConfig(directory), join(directory, RUN_FILES.config));
  const status = readRunStatus(directory);
  if (runActiveElsewhere(status)) {
    throw new RunDirectoryError(
      `${directory}: the run is ${status.state} in process ${status.pid}; stop it before resuming`,
    );
  }
  await removeLeftovers(directory);
  const checkpoint = await readLatestCheckpoint<CheckpointState>(directory);
  if (!checkpoint) {
    // Nothing to continue from: start over in place, keeping config and metadata.
    const { backendName: _backend, ...fresh } = await startPieces(config);
    truncateRunLogs(directory, fresh.counters);
    return new TrainingRun({ ...fresh, directory, meta, resumedFrom: 0 });
  }
  const resumeNotes = [...checkpoint.notes];
  if (resumeNotes.length > 0) {
    const moved = await settleCheckpoints(directory, checkpoint);
    if (moved.length > 0) {
      resumeNotes.push(
        `the damaged checkpoints were kept as ${moved.map((name) => `checkpoints/${name}`).join(', ')}`,
      );
    }
  }
  const state = checkpoint.state;
  if (state.formatVersion !== 1) {
    throw new RunDirectoryError(
      `${directory}: checkpoint format ${String(state.formatVersion)} is not supported`,
    );
  }
  const env = await makeRunEnv(config);
  const backend = await initBackend(config.backend, config.threads);
  const notes: string[] = [];
  if (meta.backend !== backend.name) {
    notes.push(
      `the run was started on the ${meta.backend} backend and resumes on ${backend.name}: both compute the ` +
        'same updates, equal to float32 rounding (not bit for bit), so the curves continue without a jump',
    );
  }
  const learner = await buildLearner(config, env);
  learner.setState(state.learner);
  const controller = controllerOf(config);
  controller.setState(state.beta);
  const replay = Replay.fromState(state.replay);
  const counters = { ...state.counters };
  truncateRunLogs(directory, counters);
  let observation: Float32Array | null = null;
  let episode: OpenEpisode | null = null;
  if (state.episode) {
    observation = rebuildEpisode(env, state.episode);
    if (observation) episode = { ...state.episode, actions: Array.from(state.episode.actions) };
  }
  return new TrainingRun({
    config,
    plans: plansOf(config),
    metricDescriptors: learnerMetricDescriptors(config),
    directory,
    meta,
    env,
    learner,
    replay,
    controller,
    rng: Rng.fromState(state.rng),
    normaliser: state.normaliser,
    counters,
    episode,
    observation,
    resumedFrom: checkpoint.step,
    notes,
    resumeNotes,
  });
}

/** Environment, backend, dataset (normalised), replay, learner and controller of a fresh run. */
async function startPieces(config: RunConfig) {
  const env = await makeRunEnv(config);
  const space = actionSpaceOf(env);
  const backend = await initBackend(config.backend, config.threads);
  const rng = new Rng(config.seed);
  let normaliser = identityNormaliser(env.observationSpace.size);
  let offline: TransitionColumns | null = null;
  if (config.dataset) {
    const dataset = await loadDataset(config.dataset.path, {
      envId: env.id,
      observationWidth: env.observationSpace.size,
      actionWidth: space.size,
      actionBounds: { low: space.low, high: space.high },
    });
    if (config.dataset.normalizeObservations) normaliser = normaliserFromColumns(dataset.columns);
    offline = prepareOfflineColumns(dataset.columns, normaliser, space, config.reward);
    if (config.online.calibrate) {
      const returnToGo = discountedReturnsToGo(
        offline.rewards,
        offline.terminals,
        offline.timeouts,
        config.agent.discount,
      );
      offline = { ...offline, extras: { ...offline.extras, returnToGo } };
    }
  }
  const replay = new Replay(
    replayOptionsOf(config, env.observationSpace.size, space.size, offline?.length ?? 0),
    rng.fork(),
  );
  if (offline) replay.loadOffline(offline);
  return {
    backendName: backend.name as string,
    config,
    plans: plansOf(config),
    metricDescriptors: learnerMetricDescriptors(config),
    env,
    learner: await buildLearner(config, env),
    replay,
    controller: controllerOf(config),
    rng,
    normaliser,
    counters: freshCounters(config),
    episode: null,
    observation: null,
  };
}

/** RunHandle contract: start a run. */
export async function startRun(options: StartRunOptions): Promise<RunHandle> {
  return startTrainingRun(options);
}

/** RunHandle contract: resume a run from its directory. */
export async function resumeRun(directory: string): Promise<RunHandle> {
  return resumeTrainingRun(directory);
}
