/**
 * The run directory: everything a run produces, laid out so that a stopped or crashed run can be
 * resumed and any run can be listed, compared and reloaded without the process that made it.
 *
 *   config.json        the validated, fully resolved run configuration
 *   meta.json          run id, name, creation time, package/backend/platform versions
 *   status.json        state and counters, rewritten atomically as the run progresses
 *   updates.csv        one row per learner update (UpdateRecord)
 *   episodes.csv       one row per online training episode
 *   evaluations.csv    one row per evaluation
 *   events.jsonl       phase changes, checkpoints, run state changes and log messages
 *   checkpoint.json    pointer to the newest complete checkpoint under checkpoints/
 *   checkpoints/       the newest `checkpoint.keep` checkpoints (core/train/checkpoint.ts)
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import type { MetricDescriptor } from '../common/metrics.js';
import { readRegularTextFileSync } from '../util/regular-file.js';
import { removePartialCheckpoints } from './checkpoint.js';
import type { RunEvent, RunState } from '../common/events.js';

export const RUN_FILES = {
  config: 'config.json',
  meta: 'meta.json',
  status: 'status.json',
  updates: 'updates.csv',
  episodes: 'episodes.csv',
  evaluations: 'evaluations.csv',
  events: 'events.jsonl',
} as const;

export interface RunMeta {
  runId: string;
  /** The run's display name (the user may rename it; the run id and directory never change). */
  name: string;
  /** The learner's metric descriptors (core/common/metrics.ts); absent in runs made before they existed. */
  metrics?: MetricDescriptor[];
  /** Free-form labels the user gave the run. */
  tags?: string[];
  /** The user's notes on the run. */
  notes?: string;
  createdAt: string;
  /** Set on a fork (`o2o fork`): the run it was copied from and the checkpoint it continues. */
  forkedFrom?: { runId: string; step: number; envStep: number };
  packageVersion: string;
  backend: string;
  platform: string;
  nodeVersion: string;
}

export interface RunStatus {
  state: RunState;
  step: number;
  envStep: number;
  phase: 'offline' | 'online' | null;
  lastReturn: number | null;
  updatedAt: string;
  message?: string;
  /** Process that runs the loop while the state is starting, running, paused or stopping. */
  pid?: number;
}

const ACTIVE_STATES: readonly RunState[] = ['starting', 'running', 'paused', 'stopping'];

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The state a run is really in: a status that says the loop is active while its process no longer
 * exists (a crash, kill -9, power loss) means the run was interrupted, and it reads as 'stopped'
 * (resumable from its newest checkpoint).
 */
export function effectiveRunState(status: RunStatus): RunState {
  if (ACTIVE_STATES.includes(status.state) && status.pid !== undefined && !processAlive(status.pid)) {
    return 'stopped';
  }
  return status.state;
}

/** True when another live process is training in this run directory. */
export function runActiveElsewhere(status: RunStatus): boolean {
  return (
    ACTIVE_STATES.includes(status.state) &&
    status.pid !== undefined &&
    status.pid !== process.pid &&
    processAlive(status.pid)
  );
}

export class RunDirectoryError extends Error {
  readonly exitCode = 4;
  constructor(message: string) {
    super(message);
    this.name = 'RunDirectoryError';
  }
}

/** A new run id: UTC timestamp plus a short name, safe as a directory name. */
export function newRunId(name: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'run';
  return `${stamp}-${slug}`;
}

/** Create a fresh run directory; refuses to reuse one that already holds a run. */
export function createRunDirectory(directory: string, config: unknown, meta: RunMeta): void {
  if (existsSync(join(directory, RUN_FILES.config))) {
    throw new RunDirectoryError(
      `${directory} already holds a run (config.json exists); use \`o2o resume ${directory}\``,
    );
  }
  mkdirSync(directory, { recursive: true });
  writeFileAtomicSync(join(directory, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomicSync(join(directory, RUN_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
  writeRunStatus(directory, {
    state: 'starting',
    step: 0,
    envStep: 0,
    phase: null,
    lastReturn: null,
    updatedAt: new Date().toISOString(),
  });
}

function readJson<T>(path: string, what: string): T {
  if (!existsSync(path)) throw new RunDirectoryError(`${path}: missing (${what}); is this a run directory?`);
  let text: string;
  try {
    text = readRegularTextFileSync(path);
  } catch (error) {
    throw new RunDirectoryError(`${path}: cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new RunDirectoryError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export function readRunConfig(directory: string): unknown {
  return readJson(join(directory, RUN_FILES.config), 'the run configuration');
}

/** Rewrite a run's config.json atomically (`o2o resume --env-steps` raising the online budget). */
export function writeRunConfig(directory: string, config: unknown): void {
  writeFileAtomicSync(join(directory, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
}

export function readRunMeta(directory: string): RunMeta {
  return readJson<RunMeta>(join(directory, RUN_FILES.meta), 'the run metadata');
}

/** Rewrite a run's meta.json atomically. */
export function writeRunMeta(directory: string, meta: RunMeta): void {
  writeFileAtomicSync(join(directory, RUN_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Change the user's fields of meta.json (name, tags, notes), rewriting it atomically. */
export function updateRunMeta(
  directory: string,
  changes: Partial<Pick<RunMeta, 'name' | 'tags' | 'notes'>>,
): RunMeta {
  const meta = { ...readRunMeta(directory), ...changes };
  writeRunMeta(directory, meta);
  return meta;
}

export function readRunStatus(directory: string): RunStatus {
  return readJson<RunStatus>(join(directory, RUN_FILES.status), 'the run status');
}

/** status.json is padded with spaces to this size, room for a failure message written in place. */
const STATUS_RESERVED_BYTES = 1024;

/**
 * Write status.json atomically. When that fails (a full disk has no room for the new file), the
 * status is written over the existing file's blocks instead (the file keeps STATUS_RESERVED_BYTES
 * of room, padded with spaces; the message is shortened if it must be), so that a failed run never
 * keeps saying it is running.
 */
export function writeRunStatus(directory: string, status: RunStatus): void {
  const path = join(directory, RUN_FILES.status);
  try {
    writeFileAtomicSync(path, `${JSON.stringify(status)}\n`.padEnd(STATUS_RESERVED_BYTES, ' '));
  } catch (error) {
    if (!overwriteInPlace(path, status)) throw error;
  }
}

/** Rewrite `path` within its current size (no new blocks needed); false when the status cannot fit. */
function overwriteInPlace(path: string, status: RunStatus): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    let text = JSON.stringify(status);
    for (let keep = status.message?.length ?? 0; Buffer.byteLength(text) + 1 > size && keep > 0;) {
      keep = Math.max(0, keep - Math.max(16, Buffer.byteLength(text) + 1 - size));
      text = JSON.stringify({ ...status, message: `${status.message!.slice(0, keep)}…` });
    }
    if (Buffer.byteLength(text) + 1 > size) text = JSON.stringify({ ...status, message: undefined });
    if (Buffer.byteLength(text) + 1 > size) return false;
    const bytes = Buffer.from(`${text}\n`.padEnd(size, ' '), 'utf8');
    writeSync(fd, bytes, 0, size, 0);
    ftruncateSync(fd, size);
    fsyncSync(fd);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Remove what a killed process left in a run directory: temporary files of atomic writes
 * (`.status.json.<pid>.<time>.tmp`, `.checkpoint.json.….tmp`) and half-written checkpoints.
 * Only for a run no live process is writing (resume checks that first). Returns what it removed.
 */
export async function removeLeftovers(directory: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(directory)) {
    if (/^\..+\.tmp$/.test(name)) {
      await rm(join(directory, name), { force: true, recursive: true });
      removed.push(name);
    }
  }
  for (const name of await removePartialCheckpoints(directory)) removed.push(`checkpoints/${name}`);
  return removed;
}

/** Append events that are not per-update records (those go to the CSV logs) to events.jsonl. */
export function appendRunEvents(directory: string, events: RunEvent[]): void {
  if (events.length === 0) return;
  appendFileSync(
    join(directory, RUN_FILES.events),
    events.map((event) => `${JSON.stringify(event)}\n`).join(''),
  );
}

/** Read events.jsonl, dropping a torn last line. */
export function readRunEvents(directory: string): RunEvent[] {
  const path = join(directory, RUN_FILES.events);
  if (!existsSync(path)) return [];
  const events: RunEvent[] = [];
  for (const line of readRegularTextFileSync(path).split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as RunEvent);
    } catch {
      // a torn line from a crash: skip it
    }
  }
  return events;
}

/** True when `directory` holds a run (it has a config and metadata). */
export function isRunDirectory(directory: string): boolean {
  return existsSync(join(directory, RUN_FILES.config)) && existsSync(join(directory, RUN_FILES.meta));
}

/** Run directories directly under `runsDirectory`, newest first. */
export function listRunDirectories(runsDirectory: string): string[] {
  if (!existsSync(runsDirectory)) return [];
  return readdirSync(runsDirectory)
    .map((entry) => resolve(runsDirectory, entry))
    .filter((path) => statSync(path).isDirectory() && isRunDirectory(path))
    .sort((a, b) => basename(b).localeCompare(basename(a)));
}
