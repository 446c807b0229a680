/**
 * The pieces of a run, built from its validated config: the environment (checked against the
 * learner family), the dataset as the replay stores it, the replay, the learner (through the agent
 * registry), the β controller, the update plans and the counters. `startTrainingRun` and
 * `resumeTrainingRun` (run.ts) assemble a TrainingRun from them.
 */
import { estimateBehaviour } from '../agents/acer/index.js';
import { agentOf, type Schedule } from '../agents/registry.js';
import type { Learner } from '../agents/types.js';
import { createBetaController } from '../beta/index.js';
import type { BetaController } from '../beta/types.js';
import { metricDescriptorProblems, type MetricDescriptor } from '../common/metrics.js';
import { actionWidthOf, scaleAction, unscaleAction, type Space } from '../common/spaces.js';
import { BEHAVIOUR_FILE_COLUMNS, type BehaviourColumnName } from '../data/behaviour-columns.js';
import { loadDataset } from '../data/load.js';
import { makeEnv, prepareEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import {
  criticWarmupPlan,
  offlinePlan,
  sacPlan,
  type ObjectiveSettings,
  type UpdatePlan,
} from '../objectives/index.js';
import { Replay } from '../replay/replay.js';
import type { TransitionColumns } from '../replay/transitions.js';
import type { ReplayOptions } from '../replay/types.js';
import { discountedReturnsToGo } from '../returns/monte-carlo.js';
import { currentKernels, initBackend } from '../tensor/backend.js';
import { packageInfo } from '../util/package-info.js';
import { Rng } from '../util/random.js';
import { ConfigError, onlineObjectiveOf, type RunConfig } from './config.js';
import { UPDATE_RECORD_FIELDS, type Phase } from '../common/events.js';
import {
  denormaliseObservations,
  identityNormaliser,
  normaliseObservations,
  normaliserFromColumns,
  type ObservationNormaliser,
} from './normaliser.js';
import type { BestPolicySnapshot } from './checkpoint-state.js';
import type { RunMeta } from './run-directory.js';

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
  /**
   * Sequence learners: the replay rows of the online segment being collected and whether each
   * step ended its episode (the on-policy update runs when it holds k steps).
   */
  segment?: { rows: number[]; ends: boolean[] };
}

/** The online episode in progress, kept so that a resume can rebuild the environment exactly. */
export interface OpenEpisode {
  seed: number;
  /** Environment actions taken so far, flattened (an index per step for a Discrete space). */
  actions: number[];
  return: number;
  length: number;
  success: boolean;
}

/** The update plans of a SAC run's phases: offline objective, critic-only warm-up, online. */
export interface RunPlans {
  offline: UpdatePlan;
  warmup: UpdatePlan;
  online: UpdatePlan;
}

/** Everything a TrainingRun works with. */
export interface RunParts {
  config: RunConfig;
  /** How the loop feeds the learner (from the agent registry). */
  schedule: Schedule;
  /** The update plans (SAC; undefined for learners fed with sequences). */
  plans: RunPlans | undefined;
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
  /** The policy of the best evaluation so far (null before the first evaluation with a finite score). */
  best: BestPolicySnapshot | null;
  /** Messages for the run's log at start (e.g. a resume on another compute backend). */
  notes?: string[];
  /** What resuming had to repair or fall back from, one sentence each (logged as warnings). */
  resumeNotes?: string[];
}

/** Seed of evaluation episode i: fixed per run, so every evaluation starts from the same states. */
export function evaluationSeed(runSeed: number, episode: number): number {
  return 1_000_003 * (runSeed + 1) + episode;
}

/**
 * The environment of a run (its runtime loaded first), refused when the learner family cannot
 * drive its action space, with a message naming both.
 */
export async function makeRunEnv(config: RunConfig): Promise<Env> {
  let env: Env;
  try {
    await prepareEnv(config.env.id);
    env = makeEnv(config.env.id, config.env.options);
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError([{ path: message.includes('option') ? 'env.options' : 'env.id', message }]);
  }
  const reason = agentOf(config.agent.kind).unsupported(env.actionSpace);
  if (reason) {
    env.close?.();
    throw new ConfigError([{ path: 'agent.kind', message: `${env.id}: ${reason}` }]);
  }
  return env;
}

/** The learning signal's reward transform (the run config's `reward` section). */
export interface RewardTransform {
  scale: number;
  shift: number;
}

/** scale·r + shift. */
export function transformReward(transform: RewardTransform, reward: number): number {
  return transform.scale * reward + transform.shift;
}

/**
 * Dataset columns as the replay stores them: observations normalised, rewards transformed, Box
 * actions mapped from the environment's bounds to [−1, 1] (clipped there, the range of the
 * policies); Discrete actions kept as indices. Recorded behaviour statistics follow the actions: a
 * Gaussian's mean maps like an action (unclipped) and its log σ shifts by −log((high − low)/2);
 * probabilities stay. Only the statistics a learner can store are kept (not log μ(a_t|x_t), whose
 * Box density would need the same change of units and which no learner reads).
 */
export function prepareOfflineColumns(
  columns: TransitionColumns,
  normaliser: ObservationNormaliser,
  actionSpace: Space,
  reward: RewardTransform = { scale: 1, shift: 0 },
): TransitionColumns {
  let actions = columns.actions;
  if (actionSpace.kind === 'box') {
    actions = new Float32Array(columns.actions.length);
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
  }
  const rewards =
    reward.scale === 1 && reward.shift === 0
      ? columns.rewards
      : columns.rewards.map((value) => transformReward(reward, value));
  const { extras: recorded, ...rest } = columns;
  const extras = behaviourInUnits(recorded, actionSpace, 'learner');
  return {
    ...rest,
    observations: normaliseObservations(normaliser, columns.observations),
    nextObservations: normaliseObservations(normaliser, columns.nextObservations),
    actions,
    rewards,
    ...(extras ? { extras } : {}),
  };
}

/**
 * The inverse of prepareOfflineColumns: replay columns back in the environment's units (observations
 * de-normalised, rewards (r − shift)/scale, Box actions from [−1, 1] to the bounds, clipped there as
 * the environment clips them; a behaviour Gaussian's mean and log σ likewise), for writing a run's
 * replay as a dataset. Extra columns that are not behaviour statistics are dropped.
 */
export function environmentColumns(
  columns: TransitionColumns,
  normaliser: ObservationNormaliser,
  actionSpace: Space,
  reward: RewardTransform = { scale: 1, shift: 0 },
): TransitionColumns {
  let actions = columns.actions;
  if (actionSpace.kind === 'box') {
    const width = columns.actionWidth;
    actions = new Float32Array(columns.actions.length);
    for (let n = 0; n < columns.length; n++) {
      scaleAction(
        columns.actions.subarray(n * width, (n + 1) * width),
        actionSpace.low,
        actionSpace.high,
        actions.subarray(n * width, (n + 1) * width),
      );
    }
  }
  const rewards =
    reward.scale === 1 && reward.shift === 0
      ? columns.rewards
      : columns.rewards.map((value) => (value - reward.shift) / reward.scale);
  const { extras: stored, ...rest } = columns;
  const extras = behaviourInUnits(stored, actionSpace, 'environment');
  return {
    ...rest,
    observations: denormaliseObservations(normaliser, columns.observations),
    nextObservations: denormaliseObservations(normaliser, columns.nextObservations),
    actions,
    rewards,
    ...(extras ? { extras } : {}),
  };
}

/**
 * The behaviour statistics a learner stores, moved between the environment's action units and the
 * learner's [−1, 1] (see prepareOfflineColumns): probabilities stay; a Gaussian's mean follows the
 * affine map of the bounds (unclipped) and its log σ shifts by ∓log((high − low)/2). Other columns
 * are dropped; undefined when none is left.
 */
function behaviourInUnits(
  statistics: Record<string, Float32Array> | undefined,
  actionSpace: Space,
  to: 'learner' | 'environment',
): Record<string, Float32Array> | undefined {
  if (!statistics) return undefined;
  const extras: Record<string, Float32Array> = {};
  if (statistics.behaviourProbs && actionSpace.kind === 'discrete')
    extras.behaviourProbs = statistics.behaviourProbs;
  if (statistics.behaviourMean && statistics.behaviourLogStd && actionSpace.kind === 'box') {
    const { low, high } = actionSpace;
    const width = low.length;
    const toLearner = to === 'learner';
    const mean = new Float32Array(statistics.behaviourMean.length);
    const logStd = new Float32Array(statistics.behaviourLogStd.length);
    for (let k = 0; k < mean.length; k++) {
      const half = (high[k % width] - low[k % width]) / 2;
      const middle = (high[k % width] + low[k % width]) / 2;
      const value = statistics.behaviourMean[k];
      mean[k] = toLearner ? (value - middle) / half : value * half + middle;
      logStd[k] = statistics.behaviourLogStd[k] + (toLearner ? -Math.log(half) : Math.log(half));
    }
    extras.behaviourMean = mean;
    extras.behaviourLogStd = logStd;
  }
  return Object.keys(extras).length > 0 ? extras : undefined;
}

/** The update plans of a SAC run (undefined for ACER, whose update has no plans). */
export function plansOf(config: RunConfig): RunPlans | undefined {
  if (config.agent.kind !== 'sac') return undefined;
  // The `offline` section carries the objective settings (core/objectives/settings.ts) beside its budget.
  const settings: ObjectiveSettings = {
    ...config.offline,
    valueExpClip: config.agent.valueExpClip,
    valueLossExtension: config.agent.valueLossExtension,
  };
  const calibrate = config.online.calibrate;
  return {
    offline: offlinePlan(config.offline.objective, settings),
    warmup: criticWarmupPlan(settings, { calibrate }),
    online:
      onlineObjectiveOf(config) === 'offline'
        ? { ...offlinePlan(config.offline.objective, settings), calibrate }
        : sacPlan(settings, { calibrate }),
  };
}

/** The replay's extra column for calibration: the discounted return-to-go of offline rows, −∞ online. */
const RETURN_TO_GO_COLUMN = { name: 'returnToGo', width: 1, fill: Number.NEGATIVE_INFINITY };

/** How the loop feeds the run's learner. */
export function scheduleOf(config: RunConfig): Schedule {
  return agentOf(config.agent.kind).schedule(config.agent);
}

/** The smallest replay that makes sense: one batch of transitions, or one window per slot. */
function minimumCapacity(schedule: Schedule): number {
  return schedule.kind === 'transitions' ? schedule.batchSize : schedule.length * schedule.batchSequences;
}

export function replayOptionsOf(
  config: RunConfig,
  observationWidth: number,
  actionSpace: Space,
  offlineRows: number,
): ReplayOptions {
  const { replay } = config;
  const extraColumns = [
    ...agentOf(config.agent.kind).storedColumns(config.agent, actionSpace),
    ...(config.online.calibrate ? [RETURN_TO_GO_COLUMN] : []),
  ];
  return {
    capacity:
      replay.capacity ?? Math.max(offlineRows + config.online.envSteps, minimumCapacity(scheduleOf(config))),
    observationWidth,
    actionWidth: actionWidthOf(actionSpace),
    ...(actionSpace.kind === 'discrete' ? { actionCount: actionSpace.n } : {}),
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
    weightNormalisation: replay.weightNormalisation,
    ...(extraColumns.length > 0 ? { extraColumns } : {}),
  };
}

/** Total work of a run in progress-bar units: offline updates plus online environment steps. */
export function totalWork(config: RunConfig): number {
  return config.offline.steps + config.online.envSteps;
}

/**
 * The metric descriptors of the run's learner (the learner contract: every key its update
 * returns is declared here), checked against the update record's own field names.
 */
export function learnerMetricDescriptors(config: RunConfig, space: Space): readonly MetricDescriptor[] {
  const descriptors = agentOf(config.agent.kind).metrics(space);
  const problems = metricDescriptorProblems(descriptors, UPDATE_RECORD_FIELDS);
  if (problems.length > 0)
    throw new Error(`the learner's metric descriptors are invalid: ${problems.join('; ')}`);
  return descriptors;
}

/** The learner of a run's config and environment (fresh weights; a checkpoint's state goes on top). */
export async function buildLearner(config: RunConfig, env: Env): Promise<Learner> {
  await initBackend(config.backend, config.threads);
  return agentOf(config.agent.kind).create(
    config.agent,
    env.observationSpace.size,
    env.actionSpace,
    config.seed,
    currentKernels(),
  );
}

export function controllerOf(config: RunConfig): BetaController {
  return createBetaController({ ...config.beta });
}

export function runMeta(
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

export function freshCounters(config: RunConfig): RunCounters {
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

/** Environment, backend, dataset (as stored), replay, learner and controller of a fresh run. */
export async function startPieces(
  config: RunConfig,
): Promise<Omit<RunParts, 'directory' | 'meta' | 'resumedFrom'> & { backendName: string; notes: string[] }> {
  const env = await makeRunEnv(config);
  const space = env.actionSpace;
  const backend = await initBackend(config.backend, config.threads);
  const rng = new Rng(config.seed);
  const notes: string[] = [];
  let normaliser = identityNormaliser(env.observationSpace.size);
  let offline: TransitionColumns | null = null;
  if (config.dataset) {
    const dataset = await loadDataset(config.dataset.path, {
      envId: env.id,
      observationWidth: env.observationSpace.size,
      actionWidth: actionWidthOf(space),
      ...(space.kind === 'box' ? { actionBounds: { low: space.low, high: space.high } } : {}),
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
    const stored = agentOf(config.agent.kind).storedColumns(config.agent, space);
    const missing = stored.filter((column) => offline!.extras?.[column.name] === undefined);
    if (missing.length > 0) {
      // A dataset recorded without the behaviour statistics ACER corrects with: estimate μ by
      // behaviour cloning on the dataset itself (core/agents/acer/behaviour.ts).
      const estimate = estimateBehaviour(offline, space, currentKernels(), { seed: config.seed });
      offline = { ...offline, extras: { ...offline.extras, ...estimate.columns } };
      notes.push(
        `the dataset has no ${missing.map((column) => column.name).join(', ')}: the behaviour policy μ was estimated ` +
          `by behaviour cloning on it (mean log-likelihood ${estimate.meanLogLikelihood.toFixed(3)} per step)`,
      );
    } else if (stored.length > 0) {
      notes.push(
        `the learner corrects for the behaviour policy μ with the statistics the dataset records (${stored.map((column) => BEHAVIOUR_FILE_COLUMNS[column.name as BehaviourColumnName] ?? column.name).join(', ')})`,
      );
    }
  }
  const replay = new Replay(
    replayOptionsOf(config, env.observationSpace.size, space, offline?.length ?? 0),
    rng.fork(),
  );
  if (offline) replay.loadOffline(offline);
  return {
    backendName: backend.name,
    config,
    schedule: scheduleOf(config),
    plans: plansOf(config),
    metricDescriptors: learnerMetricDescriptors(config, space),
    env,
    learner: await buildLearner(config, env),
    replay,
    controller: controllerOf(config),
    rng,
    normaliser,
    counters: freshCounters(config),
    episode: null,
    observation: null,
    best: null,
    notes,
  };
}
