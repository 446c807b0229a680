/**
 * A small stand-in for the real engine, for tests of the service, worker, host and server: runs
 * that emit one update event per timer tick until paused or stopped, a one-dimensional "walk"
 * environment, and an export that writes a real file. Loaded by the worker as `apiModule`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Env } from '../../../core/envs/types.js';
import type { RenderSnapshot } from '../../../core/common/render-snapshot.js';
import type { EngineApi } from '../../../core/server/engine-service.js';
import { EventBus, type RunEvent, type RunState } from '../../../core/common/events.js';
import {
  createRunDirectory,
  listRunDirectories,
  newRunId,
  readRunConfig,
  readRunMeta,
  readRunStatus,
} from '../../../core/train/run-directory.js';
import type { RunHandle, StartRunOptions } from '../../../core/train/types.js';
import { updateRecord } from '../../helpers/run-events.js';

/** A 1-D walk: position x in [-5, 5], action ±1 moves it; reward −|x − 3|; success at x = 3. */
export class WalkEnv implements Env {
  readonly id = 'walk-v0';
  readonly observationSpace = {
    kind: 'box' as const,
    size: 1,
    low: new Float32Array([-5]),
    high: new Float32Array([5]),
  };
  readonly actionSpace = { kind: 'discrete' as const, n: 2 };
  readonly maxEpisodeSteps = 10;
  readonly goalConditioned = true;
  private x = 0;
  reset(seed?: number): Float32Array {
    this.x = seed === undefined ? 0 : (seed % 3) - 1;
    return new Float32Array([this.x]);
  }
  step(action: Float32Array | number) {
    this.x = Math.max(-5, Math.min(5, this.x + (action === 1 ? 1 : -1)));
    const success = this.x === 3;
    return {
      observation: new Float32Array([this.x]),
      reward: -Math.abs(this.x - 3),
      terminated: success,
      truncated: false,
      info: { success },
    };
  }
  render(): RenderSnapshot {
    return {
      bounds: [-5, -1, 5, 1],
      walls: [],
      agent: { x: this.x, y: 0, radius: 0.2 },
      goal: { x: 3, y: 0, radius: 0.2 },
    };
  }
}

interface FakeConfig {
  env?: { id?: string };
  updates?: number;
  fail?: string;
}

class FakeRun implements RunHandle {
  readonly bus = new EventBus();
  state: RunState = 'starting';
  readonly done: Promise<RunState>;
  private finish!: (state: RunState) => void;
  private step = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly runId: string,
    readonly directory: string,
    private readonly updates: number,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  begin(): void {
    this.setState('running');
    this.timer = setInterval(() => this.tick(), 5);
  }

  private setState(state: RunState): void {
    this.state = state;
    this.bus.emit({ type: 'run', runId: this.runId, directory: this.directory, state });
  }

  private tick(): void {
    if (this.state !== 'running') return;
    this.step++;
    this.bus.emit(updateEvent(this.step));
    if (this.step >= this.updates) {
      clearInterval(this.timer);
      this.setState('finished');
      this.finish('finished');
    }
  }

  pause(): void {
    if (this.state === 'running') this.setState('paused');
  }
  resume(): void {
    if (this.state === 'paused') this.setState('running');
  }
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.state === 'finished' || this.state === 'stopped') return;
    this.setState('stopped');
    this.finish('stopped');
  }
}

/** The update record the fake engine emits at `step`. */
function updateEvent(step: number): RunEvent {
  return updateRecord(step, { metrics: { valueLoss: Number.NaN, actorLoss: 0, alpha: 1, policyEntropy: 0 } });
}

/** Every resumeRun call of the fake engines, with its options (a test reads and clears it). */
export const resumedRuns: { directory: string; envSteps?: number }[] = [];

export function createFakeEngineApiSync(): EngineApi {
  return {
    async startRun(options: StartRunOptions) {
      const config = (options.config ?? {}) as FakeConfig;
      if (config.fail) {
        const error = new Error(`config: ${config.fail}`) as Error & { issues: unknown };
        error.issues = [{ path: 'fail', message: config.fail }];
        throw error;
      }
      const runId = newRunId(options.name ?? 'fake');
      const directory = join(options.runsDirectory ?? '.', runId);
      createRunDirectory(directory, config, {
        runId,
        name: options.name ?? 'fake',
        createdAt: new Date().toISOString(),
        packageVersion: '0',
        backend: 'cpu',
        platform: 'test',
        nodeVersion: process.version,
      });
      const run = new FakeRun(runId, directory, config.updates ?? 1_000_000);
      run.begin();
      return run;
    },
    async resumeRun(directory: string, options: { envSteps?: number } = {}) {
      resumedRuns.push({ directory, ...options });
      const run = new FakeRun(directory.split(/[\\/]/).pop() ?? 'run', directory, 5);
      run.begin();
      return run;
    },
    listPresets: () => [{ name: 'tiny', description: 'a tiny run', config: { updates: 3 } }],
    validateRunConfig: (config: unknown) =>
      typeof config === 'object' && config !== null
        ? { ok: true, issues: [], config }
        : { ok: false, issues: [{ path: '(root)', message: 'expected an object' }] },
    readRunHistory: (directory: string) => ({
      runId: directory,
      metrics: [],
      updates: { step: [1, 2] },
      episodes: {},
      evaluations: {},
      phases: [],
    }),
    listRuns: (runsDirectory: string) =>
      listRunDirectories(runsDirectory).map((directory) => {
        const meta = readRunMeta(directory);
        return {
          runId: meta.runId,
          directory,
          name: meta.name,
          tags: meta.tags ?? [],
          notes: meta.notes ?? '',
          config: readRunConfig(directory),
          envId: 'walk-v0',
          datasetPath: null,
          state: readRunStatus(directory).state,
          createdAt: meta.createdAt,
          step: 0,
          envStep: 0,
          lastReturn: null,
        };
      }),
    async exportPolicy({ format, path }) {
      mkdirSync(dirname(path), { recursive: true });
      const body = JSON.stringify({ format, layers: [] });
      writeFileSync(path, body);
      return { path, bytes: Buffer.byteLength(body), step: 0, envStep: 0 };
    },
    inspectDataset: (path: string) => {
      // Lets host tests see how a dying engine worker is reported.
      if (path.endsWith('crash-the-worker')) process.exit(3);
      // Lets host tests see a worker stuck in a command (as a blocking read once was).
      if (path.endsWith('block-the-worker')) for (;;);
      return { path, rows: 10 };
    },
    summarizeDataset: (path: string) => ({ envId: 'walk-v0', rows: path.length, episodes: 1, card: null }),
    listEnvs: () => [
      {
        id: 'walk-v0',
        description: 'a one-dimensional walk',
        observationWidth: 1,
        actionWidth: 2,
        discrete: true,
        goal: true,
      },
    ],
    makeEnv: () => new WalkEnv(),
    async loadRunPolicy() {
      // Always step right: from any start the walk reaches x = 3 within the time limit.
      return { envId: 'walk-v0', envOptions: {}, act: () => 1 };
    },
    async loadPolicyFile(path: string, envId?: string) {
      // A "policy file" of the fake engine: its text is the action it always takes.
      const action = Number(readFileSync(path, 'utf8').trim());
      if (!Number.isFinite(action)) throw new Error(`${path}: not a policy`);
      return { envId: envId ?? 'walk-v0', envOptions: {}, act: async () => action };
    },
    configSchema: () => ({
      type: 'object',
      properties: { updates: { type: 'integer', description: 'updates' } },
    }),
    checkRunConfig: (config: unknown) =>
      (config as FakeConfig).env?.id === 'missing-v0'
        ? [{ path: 'env.id', message: 'unknown environment' }]
        : [],
    describeBackend: async () => ({ label: 'cpu', note: '' }),
  };
}

/** The entry the engine worker looks for. */
export async function createEngineApi(): Promise<EngineApi> {
  return createFakeEngineApiSync();
}
