/**
 * The run event stream: one bus that the CLI progress bar, the run directory, the desktop app and
 * the browser mode all consume. Every number the UI shows comes from these records; the UI never
 * recomputes statistics the engine already has.
 */

import type { MetricDescriptor, MetricRecord } from './metrics.js';
import type { ShiftStatistics } from './shift-statistics.js';

export type Phase = 'offline' | 'online';
export type RunState = 'starting' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped' | 'failed';

/** Edges of the priority histogram: fixed logarithmic bins, identical for every run so runs compare. */
export const PRIORITY_HISTOGRAM_EDGES: readonly number[] = Object.freeze(
  Array.from({ length: 17 }, (_, i) => 10 ** (-2 + i * 0.25)),
);

/**
 * Edges of the batch-weight histogram: the unclipped ROER ratio exp(δ/β) of every row of the batch
 * (the weights whose effective sample size the ESS chart shows), in fixed log bins from 10⁻⁴ to 10⁴.
 * Beside the stored priorities (which ROER clips at 1 and moves by an EMA of rate λ, so that they
 * stay near the floor) this shows how uneven the batch's weights really are.
 */
export const BATCH_WEIGHT_HISTOGRAM_EDGES: readonly number[] = Object.freeze(
  Array.from({ length: 17 }, (_, i) => 10 ** (-4 + i * 0.5)),
);

/**
 * One learner update: the loop's own fields, the batch's shift statistics (core/beta) and the
 * learner's open metrics record (core/common/metrics.ts). The metrics stay nested in the event;
 * the run directory's updates.csv and the app's tables spread them into columns named by their
 * keys, so a metric key may not repeat a field name of this record (UPDATE_RECORD_FIELDS).
 */
export interface UpdateRecord extends ShiftStatistics {
  /** Gradient updates so far (global, across phases), counting this one. */
  step: number;
  /** Environment steps taken so far (0 during offline pretraining). */
  envStep: number;
  phase: Phase;
  /** Wall-clock time of the update, in seconds since 1970-01-01 UTC. */
  time: number;
  /** Temperature used by this update. */
  beta: number;
  /** The β controller's target ESS fraction (target ESS divided by batch size) at this update. */
  betaTarget: number;
  /** Counts of the sampled batch's stored priorities in PRIORITY_HISTOGRAM_EDGES bins (+ under/overflow at the ends). */
  priorityHistogram: number[];
  /** Share of the sampled batch whose stored priority sits at the ROER floor (roerMinClip); NaN without ROER. */
  priorityFloorShare: number;
  /** Counts of the batch's unclipped exp(δ/β) in BATCH_WEIGHT_HISTOGRAM_EDGES bins (+ under/overflow). */
  batchWeightHistogram: number[];
  /** Share of the batch drawn from the offline segment. */
  offlineShare: number;
  /** Online share of the whole buffer (a β-independent shift signal). */
  bufferOnlineShare: number;
  /** The learner's metrics of this update, keyed as its metric descriptors declare. */
  metrics: MetricRecord;
}

/** Every field name of an update event (the compiler checks the list is complete): metric keys may not reuse them. */
const UPDATE_FIELD_SET: Record<keyof UpdateRecord | 'type', true> = {
  type: true,
  step: true,
  envStep: true,
  phase: true,
  time: true,
  beta: true,
  betaTarget: true,
  priorityHistogram: true,
  priorityFloorShare: true,
  batchWeightHistogram: true,
  offlineShare: true,
  bufferOnlineShare: true,
  metrics: true,
  ess: true,
  essFraction: true,
  weightEntropy: true,
  tdMean: true,
  tdStd: true,
  tdP05: true,
  tdP25: true,
  tdP50: true,
  tdP75: true,
  tdP95: true,
};
export const UPDATE_RECORD_FIELDS: readonly string[] = Object.keys(UPDATE_FIELD_SET);

/** The descriptors a run's learner declared, kept in the run's meta.json. */
export type { MetricDescriptor };

export interface EpisodeRecord {
  envStep: number;
  step: number;
  /** Wall-clock time the episode ended, in seconds since 1970-01-01 UTC. */
  time: number;
  return: number;
  length: number;
  success: boolean;
}

export interface EvaluationRecord {
  step: number;
  envStep: number;
  phase: Phase;
  /** Wall-clock time of the evaluation, in seconds since 1970-01-01 UTC. */
  time: number;
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
  /** `message` is what a user reads; `detail` (a stack trace) goes to the run's events.jsonl for a bug report. */
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; detail?: string };

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
