/**
 * The run event stream: one bus that the CLI progress bar, the run directory, the desktop app and
 * the browser mode all consume. Every number the UI shows comes from these records; the UI never
 * recomputes statistics the engine already has.
 */

import type { LearnerMetrics } from '../agents/types.js';
import type { ShiftStatistics } from '../beta/types.js';

export type Phase = 'offline' | 'online';
export type RunState = 'starting' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped' | 'failed';

/** Edges of the priority histogram: fixed logarithmic bins, identical for every run so runs compare. */
export const PRIORITY_HISTOGRAM_EDGES: readonly number[] = Object.freeze(
  Array.from({ length: 17 }, (_, i) => 10 ** (-2 + i * 0.25)),
);

/**
 * One learner update, flattened: the batch's shift statistics (core/beta), the learner's metrics
 * (core/agents) and the loop's own fields. Fields absent for a learner (e.g. value loss without
 * ROER) are NaN.
 */
export interface UpdateRecord extends ShiftStatistics, Required<LearnerMetrics> {
  /** Gradient updates so far (global, across phases), counting this one. */
  step: number;
  /** Environment steps taken so far (0 during offline pretraining). */
  envStep: number;
  phase: Phase;
  /** Temperature used by this update. */
  beta: number;
  /** The β controller's target ESS fraction (target ESS divided by batch size) at this update. */
  betaTarget: number;
  /** Counts of the sampled batch's priorities in PRIORITY_HISTOGRAM_EDGES bins (+ under/overflow at the ends). */
  priorityHistogram: number[];
  /** Share of the batch drawn from the offline segment. */
  offlineShare: number;
  /** Online share of the whole buffer (a β-independent shift signal). */
  bufferOnlineShare: number;
}

export interface EpisodeRecord {
  envStep: number;
  step: number;
  return: number;
  length: number;
  success: boolean;
}

export interface EvaluationRecord {
  step: number;
  envStep: number;
  phase: Phase;
  episodes: number;
  meanReturn: number;
  stdReturn: number;
  /** D4RL normalised score 100·(R − R_min)/(R_max − R_min), NaN where the env has no reference scores. */
  normalizedScore: number;
  /** Fraction of episodes that reached the goal, NaN for tasks without a goal. */
  successRate: number;
  /** Q estimate at the start states minus the discounted Monte-Carlo return from them. */
  valueBias: number;
}

export type RunEvent =
  | { type: 'run'; runId: string; directory: string; state: RunState; message?: string }
  | { type: 'phase'; phase: Phase; step: number; envStep: number }
  | ({ type: 'update' } & UpdateRecord)
  | ({ type: 'episode' } & EpisodeRecord)
  | ({ type: 'evaluation' } & EvaluationRecord)
  | { type: 'throughput'; step: number; envStep: number; updatesPerSecond: number; envStepsPerSecond: number }
  | { type: 'checkpoint'; step: number; envStep: number; file: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type RunEventType = RunEvent['type'];
export type Listener = (event: RunEvent) => void;

/** A synchronous publish/subscribe bus. A throwing listener is isolated from the others. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RunEvent): void {
    const failures: unknown[] = [];
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken consumer (e.g. a closed socket) must not stop training or other consumers.
        failures.push(error);
      }
    }
    if (event.type === 'log') return;
    for (const error of failures) {
      this.emit({ type: 'log', level: 'error', message: `event listener failed: ${String(error)}` });
    }
  }
}

export interface BatcherOptions {
  /** Flush at most this often (ms). The UI needs a few batches per second. */
  intervalMs: number;
  /** Keep at most this many update records per batch, evenly thinned; other events are never dropped. */
  maxUpdatesPerBatch: number;
}

/**
 * Collects events and hands them out in batches at most every `intervalMs`, thinning update
 * records evenly when they come faster than `maxUpdatesPerBatch` per batch. Used for transports
 * to the UI; the run directory subscribes to the bus directly and keeps everything.
 */
export class EventBatcher {
  private pending: RunEvent[] = [];
  private updatesSeen = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (events: RunEvent[]) => void,
    private readonly options: BatcherOptions = { intervalMs: 250, maxUpdatesPerBatch: 200 },
  ) {}

  push(event: RunEvent): void {
    if (event.type === 'update') this.updatesSeen++;
    this.pending.push(event);
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.options.intervalMs);
  }

  /** Deliver what is pending now (also called on shutdown so nothing is lost). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = thinUpdates(this.pending, this.updatesSeen, this.options.maxUpdatesPerBatch);
    this.pending = [];
    this.updatesSeen = 0;
    this.deliver(events);
  }
}

/** Keep every non-update event and an evenly spaced subset of update events (always the last one). */
export function thinUpdates(events: RunEvent[], updateCount: number, maxUpdates: number): RunEvent[] {
  if (updateCount <= maxUpdates) return events;
  const stride = updateCount / maxUpdates;
  const kept: RunEvent[] = [];
  let updateIndex = 0;
  let nextKeep = stride - 1;
  for (const event of events) {
    if (event.type !== 'update') {
      kept.push(event);
      continue;
    }
    if (updateIndex >= nextKeep - 1e-9 || updateIndex === updateCount - 1) {
      kept.push(event);
      nextKeep += stride;
    }
    updateIndex++;
  }
  return kept;
}
