/**
 * Writes a run's event stream into its run directory: update, episode and evaluation records to
 * their CSV logs, phase/checkpoint/run/log events to events.jsonl. Rows are buffered and flushed
 * every second and, durably, before each checkpoint, so the logs on disk always reach at least as
 * far as the newest checkpoint (resume then truncates what lies beyond it).
 */
import { join } from 'node:path';
import type { RunEvent } from '../common/events.js';
import { CsvLog, type CsvRecord } from './metrics-log.js';
import { appendRunEvents, RUN_FILES } from './run-directory.js';

/** The record of an event without its `type` tag, as a CSV row. */
function recordOf(event: RunEvent): CsvRecord {
  const { type: _type, ...record } = event as RunEvent & Record<string, unknown>;
  return record as CsvRecord;
}

/**
 * An update record as a CSV row: the learner's metrics spread into columns named by their keys
 * (the run checked at start that no key repeats a field of the record).
 */
function updateRowOf(event: RunEvent & { type: 'update' }): CsvRecord {
  const { type: _type, metrics, ...record } = event;
  return { ...record, ...metrics };
}

export class RunRecorder {
  private readonly updates: CsvLog;
  private readonly episodes: CsvLog;
  private readonly evaluations: CsvLog;
  private pendingEvents: RunEvent[] = [];

  constructor(readonly directory: string) {
    this.updates = new CsvLog(join(directory, RUN_FILES.updates));
    this.episodes = new CsvLog(join(directory, RUN_FILES.episodes));
    this.evaluations = new CsvLog(join(directory, RUN_FILES.evaluations));
  }

  record(event: RunEvent): void {
    switch (event.type) {
      case 'update':
        this.updates.append(updateRowOf(event));
        break;
      case 'episode':
        this.episodes.append(recordOf(event));
        break;
      case 'evaluation':
        this.evaluations.append(recordOf(event));
        break;
      case 'throughput':
        break; // derived, shown live only
      default:
        this.pendingEvents.push(event);
    }
  }

  /** Write what is buffered; `durable` fsyncs the CSV logs (before a checkpoint). */
  flush(durable = false): void {
    this.updates.flush(durable);
    this.episodes.flush(durable);
    this.evaluations.flush(durable);
    appendRunEvents(this.directory, this.pendingEvents);
    this.pendingEvents = [];
  }

  close(): void {
    this.flush(true);
    this.updates.close();
    this.episodes.close();
    this.evaluations.close();
  }
}
