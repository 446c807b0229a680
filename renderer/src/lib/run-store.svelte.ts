/**
 * Live state of every run the UI knows about, fed by the engine's event batches (api.onEvents)
 * and by stored histories (runs.history). Metric records go into columnar tables (typed arrays
 * that grow by doubling) that charts read directly; a `version` counter per run is the only
 * reactive signal for them, so a batch of 200 updates costs one redraw, not 200 proxied writes.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { EventBatch, RunHistory, RunSummary } from '../../../core/server/protocol.js';
import type { Phase, RunEvent, RunState } from '../../../core/train/events.js';
import { ColumnTable } from './columns.js';
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
  /** Updates the run's config plans (offline steps + online updates), when known. */
  plannedUpdates = $state<number | null>(null);
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

  applySummary(summary: RunSummary): void {
    this.name = summary.name || summary.runId;
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

class RunStore {
  readonly runs = new SvelteMap<string, RunData>();
  currentRunId = $state<string | null>(null);

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
