/**
 * Live state of every run the UI knows about, fed by the engine's event batches (api.onEvents)
 * and by stored histories (runs.history). Metric records go into columnar tables (typed arrays
 * that grow by doubling) that charts read directly; a `version` counter per run is the only
 * reactive signal for them, so a batch of 200 updates costs one redraw, not 200 proxied writes.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { MetricDescriptor } from '../../../core/common/metrics.js';
import type { EventBatch, RunHistory, RunSummary } from '../../../core/common/protocol.js';
import type { Phase, RunEvent, RunState } from '../../../core/common/events.js';
import { ColumnTable } from './columns.js';
import { getAtPath, plannedUpdates } from './config-form.js';
import { errorMessage } from './rpc.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

const FINAL_STATES: readonly RunState[] = ['finished', 'stopped', 'failed'];

export class RunData {
  readonly runId: string;
  name = $state('');
  envId = $state('');
  directory = $state('');
  state = $state<RunState>('starting');
  stateMessage = $state('');
  phase = $state<Phase | null>(null);
  step = $state(0);
  envStep = $state(0);
  updatesPerSecond = $state(Number.NaN);
  envStepsPerSecond = $state(Number.NaN);
  /** Update step at which online fine-tuning began (null while still offline). */
  onlineStartStep = $state<number | null>(null);
  onlineStartEnvStep = $state<number | null>(null);
  /** The run's stored config (from the run list), when known. */
  config = $state.raw<unknown>(null);
  createdAt = $state('');
  tags = $state.raw<string[]>([]);
  notes = $state('');
  /** How to show the learner's metric columns (from the run's meta.json via its history). */
  metricDescriptors = $state.raw<MetricDescriptor[]>([]);
  lastReturn = $state<number | null>(null);
  logs = $state.raw<LogLine[]>([]);
  /** Bumped whenever the metric tables change. */
  version = $state(0);
  historyStatus = $state<'none' | 'loading' | 'loaded' | 'failed'>('none');
  historyError = $state('');

  updates = new ColumnTable();
  evaluations = new ColumnTable();
  episodes = new ColumnTable();
  phases: { phase: Phase; step: number; envStep: number }[] = [];
  /** Events received while a history load is in flight, replayed on top of it. */
  private pendingLive: RunEvent[] | null = null;

  constructor(runId: string) {
    this.runId = runId;
    this.name = runId;
  }

  get isFinal(): boolean {
    return FINAL_STATES.includes(this.state);
  }

  /** Updates the run's config plans (offline steps + online updates), when the config is known. */
  get plannedUpdates(): number | null {
    return this.config === null ? null : plannedUpdates(this.config);
  }

  /**
   * Updates of the critic warm-up at the start of fine-tuning (online.criticWarmupSteps environment
   * steps at online.updatesPerStep), 0 without one or while the config is unknown.
   */
  get criticWarmupUpdates(): number {
    const steps = getAtPath(this.config, 'online.criticWarmupSteps');
    const perStep = getAtPath(this.config, 'online.updatesPerStep');
    return typeof steps === 'number' ? Math.round(steps * (typeof perStep === 'number' ? perStep : 1)) : 0;
  }

  /**
   * Progress in work units, as the CLI counts it: offline updates, then online environment steps
   * (`done` of `total`); null while the config is unknown. Survives a reload and a second tab,
   * since both the config and the counters come from the engine.
   */
  get work(): { done: number; total: number } | null {
    const offline = getAtPath(this.config, 'offline.steps');
    const online = getAtPath(this.config, 'online.envSteps');
    if (typeof offline !== 'number' || typeof online !== 'number') return null;
    const done =
      this.phase === 'online' || this.envStep > 0 ? offline + this.envStep : Math.min(this.step, offline);
    return { done: Math.min(done, offline + online), total: Math.max(1, offline + online) };
  }

  applySummary(summary: RunSummary): void {
    this.name = summary.name || summary.runId;
    this.config = summary.config ?? null;
    this.createdAt = summary.createdAt;
    this.tags = summary.tags ?? [];
    this.notes = summary.notes ?? '';
    this.envId = summary.envId;
    this.directory = summary.directory;
    this.state = summary.state;
    this.step = Math.max(this.step, summary.step);
    this.envStep = Math.max(this.envStep, summary.envStep);
    this.lastReturn = summary.lastReturn;
  }

  /** Apply a batch of live events. Records at steps already stored (from history) are skipped. */
  ingest(events: readonly RunEvent[]): void {
    if (this.pendingLive) {
      this.pendingLive.push(...events);
      return;
    }
    let changed = false;
    for (const event of events) changed = this.apply(event) || changed;
    if (changed) this.version++;
  }

  private apply(event: RunEvent): boolean {
    switch (event.type) {
      case 'run':
        this.state = event.state;
        this.stateMessage = event.message ?? '';
        if (event.directory) this.directory = event.directory;
        return false;
      case 'phase':
        this.phase = event.phase;
        if (!this.phases.some((p) => p.phase === event.phase && p.step === event.step))
          this.phases = [...this.phases, { phase: event.phase, step: event.step, envStep: event.envStep }];
        if (event.phase === 'online' && this.onlineStartStep === null) {
          this.onlineStartStep = event.step;
          this.onlineStartEnvStep = event.envStep;
        }
        return true;
      case 'update': {
        if (this.updates.length > 0 && event.step <= this.updates.last('step')) return false;
        this.updates.append(event);
        this.step = Math.max(this.step, event.step);
        this.envStep = Math.max(this.envStep, event.envStep);
        this.phase = event.phase;
        return true;
      }
      case 'evaluation':
        if (this.evaluations.length > 0 && event.step < this.evaluations.last('step')) return false;
        this.evaluations.append(event);
        return true;
      case 'episode':
        if (this.episodes.length > 0 && event.envStep <= this.episodes.last('envStep')) return false;
        this.episodes.append(event);
        this.lastReturn = event.return;
        return true;
      case 'throughput':
        this.updatesPerSecond = event.updatesPerSecond;
        this.envStepsPerSecond = event.envStepsPerSecond;
        this.step = Math.max(this.step, event.step);
        this.envStep = Math.max(this.envStep, event.envStep);
        return false;
      case 'log':
        this.logs = [...this.logs.slice(-49), { level: event.level, message: event.message }];
        return false;
      case 'checkpoint':
        return false;
    }
  }

  beginHistoryLoad(): void {
    this.historyStatus = 'loading';
    this.pendingLive = [];
  }

  /** Replace the tables with a stored history, then replay live events that arrived meanwhile. */
  finishHistoryLoad(history: RunHistory): void {
    const updates = new ColumnTable();
    updates.appendColumns(history.updates);
    const evaluations = new ColumnTable();
    evaluations.appendColumns(history.evaluations);
    const episodes = new ColumnTable();
    episodes.appendColumns(history.episodes);
    this.updates = updates;
    this.evaluations = evaluations;
    this.episodes = episodes;
    this.metricDescriptors = history.metrics ?? [];
    this.phases = history.phases
      .filter(
        (p): p is { phase: Phase; step: number; envStep: number } =>
          p.phase === 'offline' || p.phase === 'online',
      )
      .map((p) => ({ ...p }));
    const online = this.phases.find((p) => p.phase === 'online');
    this.onlineStartStep = online ? online.step : null;
    this.onlineStartEnvStep = online ? online.envStep : null;
    if (updates.length > 0) {
      this.step = Math.max(this.step, updates.last('step'));
      this.envStep = Math.max(this.envStep, updates.last('envStep'));
      this.phase = updates.last('phase') === 1 ? 'online' : 'offline';
    }
    const pending = this.pendingLive ?? [];
    this.pendingLive = null;
    this.historyStatus = 'loaded';
    this.ingest(pending);
    this.version++;
  }

  failHistoryLoad(message: string): void {
    const pending = this.pendingLive ?? [];
    this.pendingLive = null;
    this.historyStatus = 'failed';
    this.historyError = message;
    this.ingest(pending);
  }
}

const CURRENT_RUN_KEY = 'o2o.currentRun';

function readStoredRun(): string | null {
  try {
    return sessionStorage.getItem(CURRENT_RUN_KEY);
  } catch {
    return null;
  }
}

class RunStore {
  readonly runs = new SvelteMap<string, RunData>();
  private selected = $state<string | null>(readStoredRun());

  /** The run the live and export views show; kept in the tab's session storage across a reload. */
  get currentRunId(): string | null {
    return this.selected;
  }

  set currentRunId(runId: string | null) {
    this.selected = runId;
    try {
      if (runId === null) sessionStorage.removeItem(CURRENT_RUN_KEY);
      else sessionStorage.setItem(CURRENT_RUN_KEY, runId);
    } catch {
      // no storage (tests, locked-down browsers): not remembered
    }
  }

  get current(): RunData | null {
    return this.currentRunId ? (this.runs.get(this.currentRunId) ?? null) : null;
  }

  get(runId: string): RunData {
    let run = this.runs.get(runId);
    if (!run) {
      run = new RunData(runId);
      this.runs.set(runId, run);
    }
    return run;
  }

  ingest(batch: EventBatch): void {
    if (!batch || typeof batch.runId !== 'string' || !Array.isArray(batch.events)) return;
    this.get(batch.runId).ingest(batch.events);
  }

  applySummaries(summaries: readonly RunSummary[]): void {
    for (const summary of summaries) this.get(summary.runId).applySummary(summary);
  }

  /** Forget a deleted run. */
  remove(runId: string): void {
    this.runs.delete(runId);
    if (this.currentRunId === runId) this.currentRunId = null;
  }

  /** Load (or reload) a run's stored history into its tables. */
  async loadHistory(runId: string, fetchHistory: (runId: string) => Promise<RunHistory>): Promise<RunData> {
    const run = this.get(runId);
    if (run.historyStatus === 'loading') return run;
    run.beginHistoryLoad();
    try {
      run.finishHistoryLoad(await fetchHistory(runId));
    } catch (error) {
      run.failHistoryLoad(errorMessage(error));
    }
    return run;
  }
}

export const runStore = new RunStore();
