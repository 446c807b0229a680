/**
 * A training run: offline pretraining on the dataset alone, then online fine-tuning in the
 * simulator, with evaluations, checkpoints and one metric stream. The same loop serves the CLI,
 * the engine worker of the desktop app and the browser mode. This file is the run's lifecycle
 * (state, pause, stop, status, checkpoints) and its phases; the pieces are built in setup.ts,
 * environment steps are collected in collect.ts, and one update is made in update-step.ts.
 *
 * How updates follow environment steps depends on the learner family (agents/registry.ts):
 * - transitions (SAC): every online step stores one transition, then `updatesPerStep` updates;
 * - sequences (ACER): every k online steps form a segment, then one on-policy update on it and
 *   Poisson(replay ratio) updates on windows replayed from the buffer.
 * Offline, both update on the dataset alone (SAC with the offline objective's plan, ACER on
 * replayed windows).
 *
 * The loop yields to the event loop every few milliseconds so that a server in the same thread
 * stays responsive and pause/stop take effect between two updates.
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { copyPolicyLayers } from '../agents/types.js';
import type { UpdatePlan } from '../objectives/plan.js';
import { segmentWindowStarts } from '../replay/sequences.js';
import { withCapacity } from '../replay/grow.js';
import { ReplaySettingsError, withSamplingSettings } from '../replay/settings-change.js';
import type { ReplayState } from '../replay/types.js';
import { Replay } from '../replay/replay.js';
import { initBackend } from '../tensor/backend.js';
import { describeFileError } from '../util/file-errors.js';
import { Rng } from '../util/random.js';
import { learnerPolicy } from './acting.js';
import { readLatestCheckpoint, settleCheckpoints, writeCheckpoint } from './checkpoint.js';
import { captureCheckpoint, truncateRunLogs, type CheckpointState } from './checkpoint-state.js';
import { Collector, rebuildEpisode } from './collect.js';
import { ConfigError, parseRunConfig, resolveDatasetPath, type RunConfig } from './config.js';
import { FloorScaleWatch } from './diagnostics.js';
import { evaluatePolicy } from './evaluate.js';
import { replacesBest, selectionScore } from '../common/best-evaluation.js';
import { EventBus, type RunEvent, type RunState, type UpdateRecord } from '../common/events.js';
import { makeEnv } from '../envs/registry.js';
import { RunRecorder } from './recorder.js';
import {
  createRunDirectory,
  newRunId,
  readRunConfig,
  readRunMeta,
  readRunStatus,
  removeLeftovers,
  RUN_FILES,
  runActiveElsewhere,
  RunDirectoryError,
  writeRunConfig,
  writeRunStatus,
} from './run-directory.js';
import {
  buildLearner,
  controllerOf,
  evaluationSeed,
  learnerMetricDescriptors,
  makeRunEnv,
  plansOf,
  runMeta,
  scheduleOf,
  startPieces,
  type OpenEpisode,
  type RunCounters,
  type RunParts,
} from './setup.js';
import type { RunHandle, StartRunOptions } from './types.js';
import { SequenceUpdates, TransitionUpdates } from './update-step.js';

export { evaluationSeed, makeRunEnv, prepareOfflineColumns, totalWork, transformReward } from './setup.js';
export { learnerPolicy } from './acting.js';
export { truncateRunLogs, type CheckpointState } from './checkpoint-state.js';
export { floorShare } from './update-step.js';
export type { RunCounters } from './setup.js';

const YIELD_EVERY_MS = 10;
const FLUSH_EVERY_MS = 1000;
const THROUGHPUT_EVERY_MS = 2000;

/** A Poisson(λ) draw (Knuth: count uniforms until their product falls below e^−λ; λ is small here). */
export function poissonDraw(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let count = 0;
  let product = rng.uniform();
  while (product > limit) {
    count++;
    product *= rng.uniform();
  }
  return count;
}

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
  private readonly collector: Collector;
  private readonly transitions: TransitionUpdates | undefined;
  private readonly sequences: SequenceUpdates | undefined;
  private readonly evalSeeds: number[];
  /** Nothing happened since the last checkpoint (so the final one would be a duplicate). */
  private checkpointCurrent = false;
  private lastYield = 0;
  private lastFlush = 0;
  private throughputMark = { time: 0, step: 0, envStep: 0 };
  /** Warns once when ROER's weights sit at a floor above 1 (null where the settings cannot). */
  private readonly floorWatch: FloorScaleWatch | null;

  constructor(private readonly parts: RunParts) {
    this.runId = parts.meta.runId;
    this.directory = parts.directory;
    const { config, schedule } = parts;
    this.collector = new Collector(
      parts.env,
      parts.replay,
      parts.normaliser,
      config.reward,
      parts.episode,
      parts.observation,
    );
    if (schedule.kind === 'transitions') this.transitions = new TransitionUpdates(parts, schedule.batchSize);
    else this.sequences = new SequenceUpdates(parts, schedule);
    this.evalSeeds = Array.from({ length: config.eval.episodes }, (_, i) => evaluationSeed(config.seed, i));
    this.floorWatch = FloorScaleWatch.applies(config.replay)
      ? new FloorScaleWatch(config.replay.roerMinClip)
      : null;
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
          this.offlineUpdate();
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
        if (this.transitions) await this.onlineTransitionStep();
        else this.onlineSequenceStep();
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

  private emitUpdate(record: UpdateRecord): void {
    this.checkpointCurrent = false;
    this.emit({ type: 'update', ...record });
    const warning = this.floorWatch?.observe(record.priorityFloorShare);
    if (warning) this.log('warn', warning);
  }

  /** One update on the dataset alone. */
  private offlineUpdate(): void {
    if (this.transitions) this.emitUpdate(this.transitions.update(this.parts.plans!.offline));
    else this.emitUpdate(this.sequences!.offline());
  }

  /** The update plan of the online phase now (the critic warm-up first, when there is one). */
  private onlinePlan(): UpdatePlan {
    const { counters, config, plans } = this.parts;
    return counters.envStep <= config.online.criticWarmupSteps ? plans!.warmup : plans!.online;
  }

  /** One environment step; a finished episode goes on the bus. */
  private collect(random: boolean): { row: number; ended: boolean } {
    const { counters, learner, rng } = this.parts;
    this.checkpointCurrent = false;
    const collected = this.collector.step(learner, rng, random, counters.episodes, {
      envStep: counters.envStep + 1,
      step: counters.step,
    });
    counters.envStep++;
    if (collected.episode) {
      this.emit({ type: 'episode', ...collected.episode });
      counters.episodes++;
      counters.lastReturn = collected.episode.return;
    }
    return collected;
  }

  /** SAC: one stored transition, then `updatesPerStep` updates once warm-up is over and a batch fits. */
  private async onlineTransitionStep(): Promise<void> {
    const { counters, config, replay } = this.parts;
    const batchSize = (this.parts.schedule as { batchSize: number }).batchSize;
    this.collect(counters.envStep < config.online.warmupSteps);
    if (counters.envStep < config.online.warmupSteps || replay.size < batchSize) return;
    counters.updateCredit += config.online.updatesPerStep;
    while (counters.updateCredit >= 1) {
      this.emitUpdate(this.transitions!.update(this.onlinePlan()));
      counters.updateCredit -= 1;
      // a high update-to-data ratio must not hold the event loop for the whole burst
      if (counters.updateCredit >= 1) await this.maybeYield();
    }
  }

  /**
   * ACER: one step of the current segment; when it holds k steps (or the online budget ends), one
   * on-policy update on it, then Poisson(replay ratio) updates on replayed windows once the buffer
   * holds `replayStart` steps (Wang et al. 2017, Algorithm 1).
   */
  private onlineSequenceStep(): void {
    const { counters, config, replay, rng } = this.parts;
    const schedule = this.parts.schedule as Extract<RunParts['schedule'], { kind: 'sequences' }>;
    const collected = this.collect(false);
    const segment = (counters.segment ??= { rows: [], ends: [] });
    segment.rows.push(collected.row);
    segment.ends.push(collected.ended);
    if (segment.rows.length < schedule.length && counters.envStep < config.online.envSteps) return;
    this.emitUpdate(this.sequences!.onPolicy(segmentWindowStarts(segment.rows, segment.ends)));
    counters.segment = { rows: [], ends: [] };
    if (replay.size >= schedule.replayStart) {
      const replays = poissonDraw(rng, schedule.replayRatio);
      for (let r = 0; r < replays; r++) this.emitUpdate(this.sequences!.replayed());
    }
  }

  private async evaluate(): Promise<void> {
    const { config, env, learner, normaliser, counters } = this.parts;
    const policy = learnerPolicy(learner, normaliser, env.actionSpace);
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
    const scored = selectionScore(result);
    if (scored && replacesBest(scored, this.parts.best)) {
      this.parts.best = {
        ...scored,
        step: counters.step,
        envStep: counters.envStep,
        phase: counters.phase,
        layers: copyPolicyLayers(learner.policyLayers()),
        observationMean: Float32Array.from(normaliser.mean),
        observationStd: Float32Array.from(normaliser.std),
      };
    }
  }

  private async checkpointIfDue(): Promise<void> {
    if (this.work() - this.parts.counters.lastCheckpointWork >= this.parts.config.checkpoint.interval) {
      await this.writeCheckpoint();
    }
  }

  /** Flush the logs durably, then write the checkpoint (logs never lag a checkpoint). */
  private async writeCheckpoint(): Promise<void> {
    const { counters, config } = this.parts;
    counters.lastCheckpointWork = this.work();
    this.checkpointCurrent = true;
    this.recorder.flush(true);
    const file = await writeCheckpoint(
      this.directory,
      counters,
      captureCheckpoint(this.parts, this.collector.episode),
      { keep: config.checkpoint.keep },
    );
    this.emit({ type: 'checkpoint', step: counters.step, envStep: counters.envStep, file });
    this.recorder.flush();
    this.writeStatus();
  }
}

/** Start a new run: validate the config, load the dataset, create the run directory, start the loop. */
export async function startTrainingRun(options: StartRunOptions): Promise<TrainingRun> {
  const config = resolveDatasetPath(parseRunConfig(options.config), resolve(options.baseDirectory ?? '.'));
  const { backendName, ...pieces } = await startPieces(config);
  const name =
    options.name ??
    (config.agent.kind === 'acer'
      ? `${config.env.id}-acer`
      : `${config.env.id}-${config.replay.priority}-${config.beta.kind}`);
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

/** Validate and write a larger online budget into the run's config.json; returns the new config. */
function extendOnlineBudget(directory: string, raw: unknown, config: RunConfig, envSteps: number): RunConfig {
  const configPath = join(directory, RUN_FILES.config);
  if (!Number.isInteger(envSteps) || envSteps <= config.online.envSteps) {
    throw new ConfigError(
      [
        {
          path: 'online.envSteps',
          message: `the run's budget is ${config.online.envSteps} environment steps; extending needs a larger whole number, got ${envSteps}`,
        },
      ],
      configPath,
    );
  }
  const stored = raw as { online?: object };
  const extended = { ...stored, online: { ...stored.online, envSteps } };
  const parsed = parseRunConfig(extended, configPath);
  writeRunConfig(directory, extended);
  return parsed;
}

/**
 * The checkpointed buffer with the settings of the run's config.json: its sampling settings (an
 * edited `replay.mixing`, `replay.priority`, … takes effect, each change noted), and room for the
 * offline rows plus every online row of the budget (raised by `--env-steps` or edited), as a run
 * started with that budget would have had, or the capacity the user fixed in `replay.capacity`.
 * A setting the stored rows cannot follow (a smaller capacity, another `overwriteOffline`) is a
 * ConfigError at its key path.
 */
function resumedReplayState(
  directory: string,
  config: RunConfig,
  stored: ReplayState,
  notes: string[],
): ReplayState {
  const configPath = join(directory, RUN_FILES.config);
  const storedCapacity = stored.options.capacity;
  const capacity =
    config.replay.capacity ?? Math.max(storedCapacity, stored.offlineCount + config.online.envSteps);
  if (capacity < storedCapacity) {
    throw new ConfigError(
      [
        {
          path: 'replay.capacity',
          message: `the checkpointed buffer has capacity ${storedCapacity}; on resume it can only grow, got ${capacity}`,
        },
      ],
      configPath,
    );
  }
  try {
    const { state, changes } = withSamplingSettings(stored, config.replay);
    if (changes.length > 0) notes.push(`replay settings changed since the checkpoint: ${changes.join('; ')}`);
    return withCapacity(state, capacity);
  } catch (error) {
    if (error instanceof ReplaySettingsError) {
      throw new ConfigError([{ path: error.path, message: error.detail }], configPath);
    }
    throw error;
  }
}

export interface ResumeOptions {
  /**
   * Raise the online budget to this many environment steps in all before continuing (a finished
   * run goes on). Only the budget changes, so the continued curves mean what the first part meant.
   */
  envSteps?: number;
}

/** Continue a run from its newest checkpoint (or from scratch in the same directory if it has none). */
export async function resumeTrainingRun(
  directory: string,
  options: ResumeOptions = {},
): Promise<TrainingRun> {
  directory = resolve(directory);
  const meta = readRunMeta(directory);
  const raw = readRunConfig(directory);
  let config = parseRunConfig(raw, join(directory, RUN_FILES.config));
  const status = readRunStatus(directory);
  if (runActiveElsewhere(status)) {
    throw new RunDirectoryError(
      `${directory}: the run is ${status.state} in process ${status.pid}; stop it before resuming`,
    );
  }
  if (options.envSteps !== undefined) {
    config = extendOnlineBudget(directory, raw, config, options.envSteps);
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
  // Before the learner, whose tensors a rejected setting would otherwise leave behind.
  const replay = Replay.fromState(resumedReplayState(directory, config, state.replay, notes));
  const learner = await buildLearner(config, env);
  learner.setState(state.learner);
  const controller = controllerOf(config);
  controller.setState(state.beta);
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
    schedule: scheduleOf(config),
    plans: plansOf(config),
    metricDescriptors: learnerMetricDescriptors(config, env.actionSpace),
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
    best: state.best ?? null,
    notes,
    resumeNotes,
  });
}

/** RunHandle contract: start a run. */
export async function startRun(options: StartRunOptions): Promise<RunHandle> {
  return startTrainingRun(options);
}

/** RunHandle contract: resume a run from its directory (optionally with a larger online budget). */
export async function resumeRun(directory: string, options: ResumeOptions = {}): Promise<RunHandle> {
  return resumeTrainingRun(directory, options);
}
