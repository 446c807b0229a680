/** Contract between the training loop and its consumers (CLI, engine service, desktop app). */
import type { EventBus, RunState } from '../common/events.js';

export interface RunHandle {
  readonly runId: string;
  readonly directory: string;
  /** Every event of this run (updates, episodes, evaluations, phases, checkpoints, logs). */
  readonly bus: EventBus;
  readonly state: RunState;
  /** Pause between updates (a checkpoint is not required); `resume()` continues. */
  pause(): void;
  resume(): void;
  /** Write a final checkpoint and stop; resolves when the run has stopped. */
  stop(): Promise<void>;
  /** Resolves with the final state when the run ends (finished, stopped or failed). */
  readonly done: Promise<RunState>;
}

export interface StartRunOptions {
  /** Unvalidated config (validated inside; a bad config throws ConfigError naming the key path). */
  config: unknown;
  /** Directory for this run; default `<runsDirectory>/<runId>`. */
  directory?: string;
  runsDirectory?: string;
  name?: string;
  /** Directory against which a relative dataset path resolves. */
  baseDirectory?: string;
}
