/**
 * The engine behind the UI: one object answering every protocol command, built on the engine's
 * public functions (runs, presets, datasets, environments, export). It keeps the handles of the
 * runs it started, relays their events in batches (a few per second, update records thinned), and
 * stops them cleanly on `close()`. It runs inside the engine worker (engine-worker.ts) in both the
 * desktop app and the browser mode, so training never blocks a window or the HTTP server.
 *
 * The engine functions come in through `EngineApi` (engine-api.ts builds the real one), which
 * keeps this file free of training details and lets tests drive it with small fakes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import type { DatasetCard } from '../common/dataset-card.js';
import type { Env } from '../envs/types.js';
import type { RenderSnapshot } from '../common/render-snapshot.js';
import { EventBatcher, type BatcherOptions, type RunEvent, type RunState } from '../common/events.js';
import { isRunDirectory, readRunStatus, runActiveElsewhere, updateRunMeta } from '../train/run-directory.js';
import { resolveUserPath } from '../util/paths.js';
import { PathAccess, type Access } from './path-access.js';
import type { RunHandle, StartRunOptions } from '../train/types.js';
import {
  ProtocolError,
  type CommandResults,
  type EngineService,
  type EventBatch,
  type ExportResult,
  type RolloutResult,
  type PolicyChoice,
  type RunHistory,
  type RunSummary,
  type ValidationIssue,
} from '../common/protocol.js';

type MaybePromise<T> = T | Promise<T>;
export type ExportFormat = 'onnx' | 'tfjs' | 'json';

/** A trained policy loaded from a run directory, acting deterministically on raw observations. */
export interface RunPolicy {
  envId: string;
  envOptions: Record<string, unknown>;
  /** Deterministic action for one raw observation (a vector for Box actions, an integer for Discrete). */
  act(observation: Float32Array): MaybePromise<Float32Array | number>;
  dispose?(): void;
}

/** What a dataset file holds, for the datasets list. */
export interface DatasetSummary {
  envId: string;
  rows: number;
  episodes: number;
  card: DatasetCard | null;
}

/** The engine functions the service is built on. */
export interface EngineApi {
  startRun(options: StartRunOptions): Promise<RunHandle>;
  resumeRun(directory: string, options?: { envSteps?: number }): Promise<RunHandle>;
  listPresets(): MaybePromise<CommandResults['presets.list']>;
  validateRunConfig(
    config: unknown,
  ): MaybePromise<{ ok: boolean; issues: ValidationIssue[]; config?: unknown }>;
  readRunHistory(directory: string): MaybePromise<RunHistory>;
  /** Runs under `runsDirectory`, newest first, with the state stored in each run directory. */
  listRuns(runsDirectory: string): MaybePromise<RunSummary[]>;
  exportPolicy(options: {
    runDirectory: string;
    format: ExportFormat;
    path: string;
    policy?: PolicyChoice;
  }): Promise<ExportResult>;
  inspectDataset(path: string): MaybePromise<unknown>;
  summarizeDataset(path: string): MaybePromise<DatasetSummary>;
  listEnvs(): MaybePromise<CommandResults['envs.list']>;
  makeEnv(id: string, options?: Record<string, unknown>): Env;
  loadRunPolicy(runDirectory: string): Promise<RunPolicy>;
  /** A policy exported by `o2o export` (any format); `envId` when the file does not name one. */
  loadPolicyFile(path: string, envId?: string): Promise<RunPolicy>;
  /** The run config's JSON Schema (for the New-run form). */
  configSchema(): Record<string, unknown>;
  /**
   * What schema validation cannot see but starting the run would refuse: an unknown environment
   * or one the learner cannot act in, and a dataset file that does not exist (relative paths
   * resolve against `baseDirectory`). Issues name the key path.
   */
  checkRunConfig(config: unknown, baseDirectory: string): MaybePromise<ValidationIssue[]>;
  /** Name of the tensor backend in use (initialising it when needed). */
  /** The compute backend's label and why no faster one runs (core/tensor/backend.ts describeBackend). */
  describeBackend(): Promise<{ label: string; note: string }>;
}

export interface EngineServiceOptions {
  /** Where runs are created and listed. */
  runsDirectory: string;
  /** The shipped datasets (the datasets list shows its .arrow and .parquet files). */
  datasetsDirectory: string;
  /** Relative dataset and export paths resolve against this directory. */
  baseDirectory: string;
  /**
   * Folders the user added whose datasets the UI may open (`o2o serve --data DIR`). Besides these,
   * the UI may read only the shipped datasets, the runs folder and what the user picked in a dialog,
   * and write only into the runs folder and where the user chose in a save dialog.
   */
  dataDirectories?: string[];
  /** Folders the user added that the UI may export policies into (`o2o serve --exports DIR`). */
  exportDirectories?: string[];
  mode: 'electron' | 'browser';
  version: string;
  /** Event batching toward the UI; default a batch at most every 250 ms with ≤ 200 update records. */
  batcher?: BatcherOptions;
}

/** The service plus what its host needs to shut it down. */
export type EngineServiceHandle = EngineService & {
  /** Stop every active run (each writes a final checkpoint) and release resources. */
  close(): Promise<void>;
  /** Let the UI use `path` (and what lies below it): the user picked it in a native dialog. Host only. */
  grantAccess(access: Access, path: string): void;
};

const DATASET_EXTENSIONS = new Set(['.arrow', '.parquet']);
const ACTIVE_STATES: ReadonlySet<RunState> = new Set(['starting', 'running', 'paused', 'stopping']);
const EXPORT_EXTENSION: Record<ExportFormat, string> = { onnx: 'onnx', tfjs: 'tfjs', json: 'json' };

/** Seed of the first rollout episode when none is given (episode i uses seed + i). */
export const DEFAULT_ROLLOUT_SEED = 12_345;

interface ActiveRun {
  handle: RunHandle;
  batcher: EventBatcher;
  unsubscribe: () => void;
}

export function createEngineService(api: EngineApi, options: EngineServiceOptions): EngineServiceHandle {
  const listeners = new Set<(batch: EventBatch) => void>();
  const runs = new Map<string, ActiveRun>();
  /** Dataset summaries by path, reused while the file's size and modification time are unchanged. */
  const datasetSummaries = new Map<string, { stamp: string; summary: DatasetSummary }>();

  const deliver = (batch: EventBatch): void => {
    for (const listener of listeners) {
      try {
        listener(batch);
      } catch {
        // A failing transport (e.g. a closed socket) must not break the others or the run.
      }
    }
  };

  const resolvePath = (path: string): string => resolveUserPath(path, options.baseDirectory);
  const access = new PathAccess({
    readRoots: [options.datasetsDirectory, ...(options.dataDirectories ?? [])],
    writeRoots: [options.runsDirectory, ...(options.exportDirectories ?? [])],
    readHint:
      options.mode === 'browser'
        ? `the shipped datasets, the runs folder, and folders added with \`o2o serve --data DIR\` or \`--exports DIR\``
        : 'the shipped datasets, the runs folder, and files you open through File › Open Dataset…',
    writeHint:
      options.mode === 'browser'
        ? 'the runs folder and folders added with `o2o serve --exports DIR`; leave the path empty to export into the run’s own folder'
        : 'the runs folder, and where you choose with Browse…',
  });

  /** A run config with its dataset path resolved and checked (other shapes go on to validation). */
  const confineRunConfig = async (config: unknown): Promise<unknown> => {
    const dataset = (config as { dataset?: { path?: unknown } } | null)?.dataset;
    if (typeof dataset?.path !== 'string' || dataset.path === '') return config;
    const path = await access.checkRead(resolvePath(dataset.path));
    return { ...(config as object), dataset: { ...dataset, path } };
  };

  /** The directory of run `runId`: always a direct child of the runs folder (never a path elsewhere). */
  const runDirectoryOf = (runId: string): string => {
    const runs = resolve(options.runsDirectory);
    const directory = resolve(runs, runId);
    if (dirname(directory) !== runs || relative(runs, directory) !== runId) {
      throw new ProtocolError(`"${runId}" is not a run id`, 'forbidden');
    }
    if (!isRunDirectory(directory)) {
      throw new ProtocolError(`no run "${runId}" in ${options.runsDirectory}`, 'failed');
    }
    return directory;
  };

  const summaryOf = async (runId: string): Promise<RunSummary> => {
    const stored = await api.listRuns(options.runsDirectory);
    const summary = stored.find((entry) => entry.runId === runId);
    if (!summary) throw new ProtocolError(`no run "${runId}" in ${options.runsDirectory}`, 'failed');
    const run = runs.get(runId);
    return run ? { ...summary, state: run.handle.state } : summary;
  };

  /** Refuse to write into a folder that does not exist unless the user agreed to create it. */
  const ensureFolder = (folder: string, create: boolean): void => {
    if (existsSync(folder)) {
      if (!statSync(folder).isDirectory())
        throw new ProtocolError(`${folder} is a file, not a folder`, 'failed');
      return;
    }
    if (!create) {
      throw new ProtocolError(
        `the folder ${folder} does not exist; create it first or choose another destination`,
        'missing-folder',
      );
    }
    mkdirSync(folder, { recursive: true });
  };

  const rollouts = async (
    policy: RunPolicy,
    episodes: number,
    seed: number | undefined,
  ): Promise<RolloutResult> => {
    try {
      const firstSeed = seed ?? DEFAULT_ROLLOUT_SEED;
      const results: RolloutResult['episodes'] = [];
      for (let episode = 0; episode < episodes; episode++) {
        results.push(
          await rolloutEpisode(api.makeEnv(policy.envId, policy.envOptions), policy, firstSeed + episode),
        );
      }
      return { envId: policy.envId, episodes: results };
    } finally {
      policy.dispose?.();
    }
  };

  const track = (handle: RunHandle): void => {
    const previous = runs.get(handle.runId);
    if (previous) previous.unsubscribe();
    const batcher = new EventBatcher(
      (events: RunEvent[]) => deliver({ runId: handle.runId, events }),
      options.batcher ?? { intervalMs: 250, maxUpdatesPerBatch: 200 },
    );
    const unsubscribe = handle.bus.subscribe((event) => batcher.push(event));
    runs.set(handle.runId, { handle, batcher, unsubscribe });
    // Deliver the tail of the run as soon as it ends rather than at the next tick.
    void handle.done.then(
      () => batcher.flush(),
      () => batcher.flush(),
    );
  };

  const activeRun = (runId: string): ActiveRun | undefined => {
    const run = runs.get(runId);
    return run && ACTIVE_STATES.has(run.handle.state) ? run : undefined;
  };

  const service: EngineServiceHandle = {
    async 'app.info'() {
      const backend = await api.describeBackend();
      return {
        version: options.version,
        backend: backend.label,
        backendNote: backend.note,
        mode: options.mode,
        runsDirectory: options.runsDirectory,
        baseDirectory: options.baseDirectory,
      };
    },

    async 'envs.list'() {
      return api.listEnvs();
    },

    async 'presets.list'() {
      return api.listPresets();
    },

    async 'datasets.list'() {
      let names: string[];
      try {
        names = await readdir(options.datasetsDirectory);
      } catch {
        return [];
      }
      const files = names
        .filter((name) => DATASET_EXTENSIONS.has(extname(name).toLowerCase()))
        .map((name) => join(options.datasetsDirectory, name))
        .sort();
      const entries: CommandResults['datasets.list'] = [];
      for (const path of files) {
        const stats = await stat(path).catch(() => undefined);
        if (!stats?.isFile()) continue;
        const stamp = `${stats.size}:${stats.mtimeMs}`;
        const cached = datasetSummaries.get(path);
        let summary = cached?.stamp === stamp ? cached.summary : undefined;
        if (!summary) {
          summary = await api.summarizeDataset(path);
          datasetSummaries.set(path, { stamp, summary });
        }
        entries.push({
          path,
          name: basename(path, extname(path)),
          envId: summary.envId,
          rows: summary.rows,
          episodes: summary.episodes,
          card: summary.card,
        });
      }
      return entries;
    },

    async 'datasets.inspect'({ path }) {
      return api.inspectDataset(await access.checkRead(resolvePath(path)));
    },

    async 'config.validate'({ config }) {
      const result = await api.validateRunConfig(config);
      if (!result.ok) return result;
      // The schema holds; also check what starting the run would refuse, so the form never says
      // "valid" beside a start error. A dataset outside the allowed folders is refused first, with
      // the same message whether it exists or not.
      let confined: unknown;
      try {
        confined = await confineRunConfig(result.config);
      } catch (error) {
        if (error instanceof ProtocolError && error.code === 'forbidden') {
          return { ok: false, issues: [{ path: 'dataset.path', message: error.message }] };
        }
        throw error;
      }
      const issues = await api.checkRunConfig(confined, options.baseDirectory);
      return issues.length === 0 ? result : { ok: false, issues };
    },

    async 'config.schema'() {
      return api.configSchema();
    },

    async 'runs.list'() {
      const stored = await api.listRuns(options.runsDirectory);
      // The live state of a run this service drives is fresher than its status file.
      return stored.map((summary) => {
        const run = runs.get(summary.runId);
        return run ? { ...summary, state: run.handle.state } : summary;
      });
    },

    async 'runs.start'({ config, name }) {
      const handle = await api.startRun({
        config: await confineRunConfig(config),
        name,
        runsDirectory: options.runsDirectory,
        baseDirectory: options.baseDirectory,
      });
      track(handle);
      return { runId: handle.runId, directory: handle.directory };
    },

    async 'runs.pause'({ runId }) {
      const run = activeRun(runId);
      if (!run) throw new ProtocolError(`run "${runId}" is not running`, 'failed');
      run.handle.pause();
      // Deliver the updates made before the pause now, so the UI has them before the reply.
      run.batcher.flush();
      return { state: run.handle.state };
    },

    async 'runs.resume'({ runId, envSteps }) {
      const run = activeRun(runId);
      if (run && envSteps !== undefined) {
        throw new ProtocolError(
          `run "${runId}" is ${run.handle.state}: stop it before raising its budget`,
          'failed',
        );
      }
      if (run) {
        run.handle.resume();
        return { state: run.handle.state };
      }
      // Not live in this process: continue it from its newest checkpoint.
      const handle = await api.resumeRun(runDirectoryOf(runId), { envSteps });
      track(handle);
      return { state: handle.state };
    },

    async 'runs.stop'({ runId }) {
      const run = activeRun(runId);
      if (!run) throw new ProtocolError(`run "${runId}" is not running`, 'failed');
      await run.handle.stop();
      run.batcher.flush();
      return { state: run.handle.state };
    },

    async 'runs.history'({ runId }) {
      return api.readRunHistory(runDirectoryOf(runId));
    },

    async 'runs.update'({ runId, name, tags, notes }) {
      const directory = runDirectoryOf(runId);
      updateRunMeta(directory, {
        ...(name !== undefined ? { name } : {}),
        ...(tags !== undefined ? { tags: [...new Set(tags)] } : {}),
        ...(notes !== undefined ? { notes } : {}),
      });
      return summaryOf(runId);
    },

    async 'runs.delete'({ runId }) {
      const directory = runDirectoryOf(runId);
      const live = runs.get(runId);
      if (live && ACTIVE_STATES.has(live.handle.state)) {
        throw new ProtocolError(
          `run "${runId}" is ${live.handle.state}; stop it before deleting it`,
          'failed',
        );
      }
      const status = readRunStatus(directory);
      if (runActiveElsewhere(status)) {
        throw new ProtocolError(
          `run "${runId}" is ${status.state} in process ${status.pid}; stop it before deleting it`,
          'failed',
        );
      }
      if (live) {
        live.unsubscribe();
        runs.delete(runId);
      }
      rmSync(directory, { recursive: true, force: true });
      return { runId, directory };
    },

    async 'runs.export'({ runId, format, path, createFolder, policy }) {
      const runDirectory = runDirectoryOf(runId);
      if (!path) {
        const target = join(runDirectory, 'export', `policy.${EXPORT_EXTENSION[format]}`);
        return api.exportPolicy({ runDirectory, format, path: target, policy });
      }
      // Confined before anything else, so that not even "missing folder" reveals what lies outside.
      const target = await access.checkWrite(resolvePath(path));
      // TF.js writes a folder of its own (model.json + weights) at `target`; the others a file.
      ensureFolder(dirname(target), createFolder === true);
      return api.exportPolicy({ runDirectory, format, path: target, policy });
    },

    async 'runs.download'({ runId, format, policy }) {
      const runDirectory = runDirectoryOf(runId);
      const target = join(runDirectory, 'export', `policy.${EXPORT_EXTENSION[format]}`);
      const { path } = await api.exportPolicy({ runDirectory, format, path: target, policy });
      const prefix = policy === 'best' ? `${runId}-best-policy` : `${runId}-policy`;
      if (statSync(path).isDirectory()) {
        return {
          files: readdirSync(path)
            .filter((name) => statSync(join(path, name)).isFile())
            .sort()
            .map((name) => ({
              name: `${prefix}-${name}`,
              base64: readFileSync(join(path, name)).toString('base64'),
            })),
        };
      }
      return {
        files: [
          { name: `${prefix}.${EXPORT_EXTENSION[format]}`, base64: readFileSync(path).toString('base64') },
        ],
      };
    },

    async 'runs.rollout'({ runId, episodes, seed }) {
      return rollouts(await api.loadRunPolicy(runDirectoryOf(runId)), episodes, seed);
    },

    async 'policies.rollout'({ path, envId, episodes, seed }) {
      const file = await access.checkRead(resolvePath(path));
      if (!existsSync(file)) throw new ProtocolError(`${file}: no such file or folder`, 'failed');
      return rollouts(await api.loadPolicyFile(file, envId), episodes, seed);
    },

    async 'dialog.openDataset'() {
      throw new ProtocolError(
        'native dialogs exist only in the desktop app; enter a path instead',
        'unsupported',
      );
    },

    async 'dialog.saveExport'() {
      throw new ProtocolError(
        'native dialogs exist only in the desktop app; enter a path instead',
        'unsupported',
      );
    },

    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    grantAccess(kind, path) {
      access.grant(kind, path);
    },

    async close() {
      const active = [...runs.values()].filter((run) => ACTIVE_STATES.has(run.handle.state));
      await Promise.allSettled(active.map((run) => run.handle.stop()));
      for (const run of runs.values()) {
        run.batcher.flush();
        run.unsubscribe();
      }
      runs.clear();
      listeners.clear();
    },
  };
  return service;
}

/** One deterministic episode of `policy` in `env` from `seed`, with a render snapshot per frame (reset state included). */
export async function rolloutEpisode(
  env: Env,
  policy: RunPolicy,
  seed: number,
): Promise<{ frames: RenderSnapshot[]; return: number; success: boolean }> {
  try {
    let observation = env.reset(seed);
    const frames: RenderSnapshot[] = [env.render()];
    let episodeReturn = 0;
    let success = false;
    for (let step = 0; step < env.maxEpisodeSteps; step++) {
      const result = env.step(await policy.act(observation));
      episodeReturn += result.reward;
      frames.push(env.render());
      if (result.info.success === true) success = true;
      if (result.terminated || result.truncated) break;
      observation = result.observation;
    }
    return { frames, return: episodeReturn, success };
  } finally {
    env.close?.();
  }
}
