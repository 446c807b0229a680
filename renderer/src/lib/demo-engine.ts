/**
 * DEMO ONLY: a small deterministic simulated engine, used when the page is opened with `?demo=1`
 * so the UI can be seen and developed without a server. It trains nothing: it produces event
 * streams shaped like the real engine's (offline → online phases, a β tracking controller on a
 * made-up ESS response, TD-error quantiles, priority histograms, evaluations) from a seeded
 * generator. The api module loads it on demand; it is never the default transport.
 */
import type { CommandResults, EventBatch, RunHistory, RunSummary } from '../../../core/server/protocol.js';
import type { Phase, RunEvent, RunState } from '../../../core/train/events.js';
import { PRIORITY_HISTOGRAM_EDGES } from '../../../core/train/events.js';
import { ApiError } from './rpc.js';

/** mulberry32: a tiny seeded generator (public-domain construction), enough for a demo. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const DEFAULT_CONFIG = {
  env: { id: 'pointmaze-umaze-v1', options: {} },
  dataset: { path: 'datasets/pointmaze-umaze-v1.arrow' },
  seed: 0,
  replay: {
    overwriteOffline: false,
    priority: 'roer',
    mode: 'weight',
    mixing: 'union',
    offlineFraction: 0.5,
    roerMaxClip: 50,
    roerMinClip: 1,
    roerLambda: 0.01,
    roerDivergence: 'kl',
  },
  beta: {
    kind: 'track',
    initialBeta: 1,
    targetEssFraction: 0.5,
    rate: 0.1,
    smoothing: 0.03,
    betaMin: 0.001,
    betaMax: 10,
  },
  offline: { steps: 3000, evalInterval: 500 },
  online: { envSteps: 6000, updatesPerStep: 1, warmupSteps: 0 },
  eval: { episodes: 10, interval: 500 },
  checkpoint: { interval: 2000 },
};

type DemoConfig = typeof DEFAULT_CONFIG;

const ENVS: CommandResults['envs.list'] = [
  {
    id: 'pointmaze-umaze-v1',
    description: 'Point mass in a U-shaped maze (goal task)',
    observationWidth: 4,
    actionWidth: 2,
    discrete: false,
    goal: true,
  },
  {
    id: 'pendulum-v1',
    description: 'Swing up and balance a pendulum',
    observationWidth: 3,
    actionWidth: 1,
    discrete: false,
    goal: false,
  },
  {
    id: 'mountaincar-continuous-v0',
    description: 'Drive an underpowered car up a hill',
    observationWidth: 2,
    actionWidth: 1,
    discrete: false,
    goal: true,
  },
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(defaults: unknown, override: unknown): unknown {
  if (!isRecord(defaults) || !isRecord(override)) return override === undefined ? defaults : override;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) out[key] = merge(defaults[key], value);
  return out;
}

/** A few of the real schema's rules, enough to show issues next to fields in the demo. */
function validateDemoConfig(config: unknown): {
  ok: boolean;
  issues: { path: string; message: string }[];
  config?: unknown;
} {
  const issues: { path: string; message: string }[] = [];
  const resolved = merge(DEFAULT_CONFIG, config) as DemoConfig;
  const number = (path: string, value: unknown, check: (v: number) => boolean, expected: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      issues.push({ path, message: `expected a number, ${expected}` });
    else if (!check(value)) issues.push({ path, message: `expected ${expected}, got ${value}` });
  };
  if (!ENVS.some((env) => env.id === resolved.env?.id))
    issues.push({ path: 'env.id', message: `unknown environment "${String(resolved.env?.id)}"` });
  if (typeof resolved.dataset?.path !== 'string' || resolved.dataset.path === '')
    issues.push({ path: 'dataset.path', message: 'expected a dataset path' });
  number('seed', resolved.seed, Number.isInteger, 'an integer');
  number('beta.initialBeta', resolved.beta.initialBeta, (v) => v > 0, 'a number > 0');
  number(
    'beta.targetEssFraction',
    resolved.beta.targetEssFraction,
    (v) => v > 0 && v < 1,
    'a number in (0, 1)',
  );
  number('beta.rate', resolved.beta.rate, (v) => v > 0, 'a number > 0');
  number('beta.smoothing', resolved.beta.smoothing, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  number('beta.betaMin', resolved.beta.betaMin, (v) => v > 0, 'a number > 0');
  number('beta.betaMax', resolved.beta.betaMax, (v) => v > 0, 'a number > 0');
  if (resolved.beta.betaMin >= resolved.beta.betaMax)
    issues.push({ path: 'beta.betaMin', message: 'betaMin must be below betaMax' });
  number('offline.steps', resolved.offline.steps, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  number('online.envSteps', resolved.online.envSteps, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  number('online.updatesPerStep', resolved.online.updatesPerStep, (v) => v > 0, 'a number > 0');
  number(
    'replay.offlineFraction',
    resolved.replay.offlineFraction,
    (v) => v >= 0 && v <= 1,
    'a number in [0, 1]',
  );
  if (!['uniform', 'per', 'roer'].includes(resolved.replay.priority))
    issues.push({ path: 'replay.priority', message: 'expected one of "uniform", "per", "roer"' });
  if (!['fixed', 'seed', 'track', 'solve'].includes(resolved.beta.kind))
    issues.push({ path: 'beta.kind', message: 'expected one of "fixed", "seed", "track", "solve"' });
  return issues.length === 0 ? { ok: true, issues, config: resolved } : { ok: false, issues };
}

/** Counts of lognormal priorities exp(δ/β) of a batch of 256 in the fixed histogram bins. */
function priorityCounts(random: () => number, tdStd: number, beta: number): number[] {
  const edges = PRIORITY_HISTOGRAM_EDGES;
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < 256; i++) {
    const value = Math.min(50, Math.max(0.01, Math.exp((gaussian(random) * tdStd) / beta)));
    let bin = 0;
    while (bin < edges.length && value >= edges[bin]) bin++;
    counts[bin]++;
  }
  return counts;
}

/** The simulated learner: one call = one update (plus env steps and evaluations when due). */
class SimulatedRun {
  readonly random: () => number;
  step = 0;
  envStep = 0;
  phase: Phase = 'offline';
  beta: number;
  smoothedEss: number;
  state: RunState = 'starting';
  lastReturn: number | null = null;
  readonly history: RunHistory;
  private episodeLength = 0;
  private episodeReturn = 0;
  readonly createdAt: string;

  constructor(
    readonly runId: string,
    readonly name: string,
    readonly config: DemoConfig,
    seed: number,
  ) {
    this.random = generator(seed * 7919 + 17);
    this.beta = config.beta.initialBeta;
    this.smoothedEss = config.beta.targetEssFraction;
    this.history = { runId, updates: {}, episodes: {}, evaluations: {}, phases: [] };
    this.createdAt = new Date(Date.UTC(2026, 0, 1) + seed * 3_600_000).toISOString();
  }

  get plannedUpdates(): number {
    return (
      this.config.offline.steps + Math.round(this.config.online.envSteps * this.config.online.updatesPerStep)
    );
  }

  get done(): boolean {
    return this.step >= this.plannedUpdates;
  }

  private record(table: Record<string, (number | string)[]>, event: object): void {
    for (const [key, value] of Object.entries(event)) {
      if (key === 'type') continue;
      if (Array.isArray(value)) value.forEach((v, i) => (table[`${key}_${i}`] ??= []).push(v as number));
      else
        (table[key] ??= []).push(typeof value === 'boolean' ? (value ? 1 : 0) : (value as number | string));
    }
  }

  /** Advance one update; returns the events it produced. */
  advance(keepUpdate: boolean): RunEvent[] {
    const events: RunEvent[] = [];
    const { config, random } = this;
    if (this.step === 0) {
      events.push({ type: 'phase', phase: 'offline', step: 0, envStep: 0 });
      this.history.phases.push({ phase: 'offline', step: 0, envStep: 0 });
    }
    if (this.phase === 'offline' && this.step >= config.offline.steps) {
      this.phase = 'online';
      events.push({ type: 'phase', phase: 'online', step: this.step, envStep: this.envStep });
      this.history.phases.push({ phase: 'online', step: this.step, envStep: this.envStep });
    }
    this.step++;
    const online = this.phase === 'online';
    if (online) this.envStep = Math.floor((this.step - config.offline.steps) / config.online.updatesPerStep);
    const onlineSteps = online ? this.step - config.offline.steps : 0;
    const datasetSize = 20_000;
    const bufferOnlineShare = online ? this.envStep / (datasetSize + this.envStep) : 0;
    // The distribution shift jumps when fine-tuning starts and decays as the buffer becomes on-policy.
    const shift = online
      ? 0.3 + 1.6 * Math.exp(-onlineSteps / 1500)
      : 0.25 + 0.4 * Math.exp(-this.step / 800);
    const tdStd = shift * (0.8 + 0.2 * random());
    // ESS fraction of unclipped weights rises with β: ≈ exp(−(σ/β)²) for Gaussian δ.
    const essFraction = Math.min(
      1,
      Math.max(1 / 256, Math.exp(-((tdStd / this.beta) ** 2)) * (0.95 + 0.1 * random())),
    );
    const target = config.beta.targetEssFraction;
    this.smoothedEss = (1 - config.beta.smoothing) * this.smoothedEss + config.beta.smoothing * essFraction;
    if (config.beta.kind !== 'fixed') {
      this.beta = Math.min(
        config.beta.betaMax,
        Math.max(
          config.beta.betaMin,
          this.beta * Math.exp(config.beta.rate * (1 - this.smoothedEss / target)),
        ),
      );
    }
    const tdMean = 0.05 * gaussian(random);
    const z = [-1.645, -0.674, 0, 0.674, 1.645];
    const [tdP05, tdP25, tdP50, tdP75, tdP95] = z.map(
      (q) => tdMean + q * tdStd * (1 + 0.05 * gaussian(random)),
    );
    const progress = this.step / this.plannedUpdates;
    const update: RunEvent = {
      type: 'update',
      step: this.step,
      envStep: this.envStep,
      phase: this.phase,
      beta: this.beta,
      betaTarget: target,
      ess: essFraction * 256,
      essFraction,
      weightEntropy: Math.min(1, 0.6 + 0.4 * essFraction),
      tdMean,
      tdStd,
      tdP05,
      tdP25,
      tdP50,
      tdP75,
      tdP95,
      priorityHistogram: priorityCounts(random, tdStd, this.beta),
      offlineShare: online ? Math.min(1, Math.max(0, 1 - bufferOnlineShare + 0.04 * gaussian(random))) : 1,
      bufferOnlineShare,
      criticLoss: 0.5 * shift + 0.05 * random(),
      valueLoss: 0.2 * shift + 0.02 * random(),
      actorLoss: -5 * progress - 0.5 * random(),
      alphaLoss: 0.1 * gaussian(random),
      alpha: 0.05 + 0.95 * Math.exp(-this.step / 1000),
      qMean: 10 * progress + 2 + 0.3 * gaussian(random),
      vMean: 10 * progress + 1.8 + 0.3 * gaussian(random),
      policyEntropy: -1 - progress,
      gradientPenalty: 0.01 * random(),
      lossWeightMean: 1,
      lossWeightMin: 1,
      lossWeightMax: 1 + 0.2 * progress,
      awrWeightMean: Number.NaN,
      awrWeightMax: Number.NaN,
      awrClippedFraction: Number.NaN,
      advantageMean: Number.NaN,
    };
    if (keepUpdate) events.push(update);
    this.record(this.history.updates, update);

    if (online) {
      this.episodeLength++;
      this.episodeReturn += Math.max(0, Math.min(1, 0.2 + 0.8 * progress + 0.2 * gaussian(random)));
      if (this.episodeLength >= 150 || random() < 0.004 + 0.01 * progress) {
        const episode: RunEvent = {
          type: 'episode',
          step: this.step,
          envStep: this.envStep,
          return: this.episodeReturn,
          length: this.episodeLength,
          success: random() < 0.2 + 0.75 * progress,
        };
        events.push(episode);
        this.record(this.history.episodes, episode);
        this.lastReturn = this.episodeReturn;
        this.episodeLength = 0;
        this.episodeReturn = 0;
      }
    }

    const evalInterval = online ? config.eval.interval : config.offline.evalInterval;
    if (evalInterval > 0 && (online ? onlineSteps : this.step) % evalInterval === 0) {
      const skill = online
        ? 0.35 + 0.6 * (1 - Math.exp(-onlineSteps / 2500))
        : 0.1 + 0.25 * (this.step / config.offline.steps);
      const meanReturn = 150 * skill + 8 * gaussian(random);
      const evaluation: RunEvent = {
        type: 'evaluation',
        step: this.step,
        envStep: this.envStep,
        phase: this.phase,
        episodes: config.eval.episodes,
        meanReturn,
        stdReturn: 10 + 20 * (1 - skill),
        normalizedScore: (100 * (meanReturn - 23.85)) / (161.86 - 23.85),
        successRate: Math.min(1, Math.max(0, skill + 0.1 * gaussian(random))),
        valueBias: 15 * shift * (0.7 + 0.3 * random()) - 2,
      };
      events.push(evaluation);
      this.record(this.history.evaluations, evaluation);
    }
    return events;
  }

  summary(): RunSummary {
    return {
      runId: this.runId,
      directory: `runs/${this.runId}`,
      name: this.name,
      envId: this.config.env.id,
      datasetPath: this.config.dataset.path,
      state: this.state,
      createdAt: this.createdAt,
      step: this.step,
      envStep: this.envStep,
      lastReturn: this.lastReturn,
    };
  }
}

/** Frames of a point-maze rollout: the agent follows waypoints round the U-maze's wall to the goal. */
function pointMazeRollout(random: () => number, skill: number) {
  const walls: [number, number, number, number][] = [
    [0, 0, 5, 0.2],
    [0, 4.8, 5, 0.2],
    [0, 0, 0.2, 5],
    [4.8, 0, 0.2, 5],
    [0.2, 2.3, 3.3, 0.4],
  ];
  const goal = { x: 1, y: 3.8, radius: 0.35 };
  const waypoints = [
    [1, 1.2],
    [4.1, 1.2],
    [4.1, 3.8],
    [goal.x, goal.y],
  ];
  let x = 1;
  let y = 1.2;
  let target = 0;
  let total = 0;
  const frames = [];
  for (let t = 0; t < 200; t++) {
    const [wx, wy] = waypoints[target];
    const dx = wx - x;
    const dy = wy - y;
    const distance = Math.hypot(dx, dy);
    if (distance < 0.25 && target < waypoints.length - 1) target++;
    const speed = 0.08;
    const angle = Math.atan2(dy, dx) + (1 - skill) * 0.9 * gaussian(random);
    x = Math.min(4.6, Math.max(0.4, x + speed * Math.cos(angle)));
    y = Math.min(4.6, Math.max(0.4, y + speed * Math.sin(angle)));
    if (y > 2.1 && y < 2.9 && x < 3.7) y = y < 2.5 ? 2.1 : 2.9;
    const atGoal = Math.hypot(goal.x - x, goal.y - y) < goal.radius;
    total += atGoal ? 1 : 0;
    frames.push({ bounds: [0, 0, 5, 5], walls, agent: { x, y, angle, radius: 0.18 }, goal });
    if (atGoal) return { frames, return: total, success: true };
  }
  return { frames, return: total, success: false };
}

export class DemoEngine {
  private readonly listeners = new Set<(batch: EventBatch) => void>();
  private readonly runs = new Map<string, SimulatedRun>();
  private readonly timers = new Map<string, ReturnType<typeof setInterval>>();
  private started = 0;

  constructor() {
    // Three finished seeds of one configuration, so the runs view has something to compare.
    for (const seed of [1, 2, 3]) {
      const config = merge(DEFAULT_CONFIG, {
        seed,
        offline: { steps: 2000 },
        online: { envSteps: 5000 },
      }) as DemoConfig;
      const run = new SimulatedRun(
        `20260101T0${seed}0000Z-roer-track-seed${seed}`,
        `roer-track seed ${seed}`,
        config,
        seed,
      );
      while (!run.done) run.advance(false);
      run.state = 'finished';
      this.runs.set(run.runId, run);
    }
  }

  onEvents(listener: (batch: EventBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(runId: string, events: RunEvent[]): void {
    for (const listener of this.listeners) listener({ runId, events });
  }

  private run(runId: unknown): SimulatedRun {
    const run = typeof runId === 'string' ? this.runs.get(runId) : undefined;
    if (!run) throw new ApiError(`no run "${String(runId)}"`, 'failed');
    return run;
  }

  private setState(run: SimulatedRun, state: RunState): void {
    run.state = state;
    this.emit(run.runId, [{ type: 'run', runId: run.runId, directory: `runs/${run.runId}`, state }]);
  }

  /** Drive a run on a timer: ~400 updates per second, one event batch per tick (updates thinned). */
  private schedule(run: SimulatedRun): void {
    const perTick = 40;
    const timer = setInterval(() => {
      if (run.state !== 'running') return;
      const events: RunEvent[] = [];
      for (let i = 0; i < perTick && !run.done; i++) events.push(...run.advance(i % 4 === 3));
      events.push({
        type: 'throughput',
        step: run.step,
        envStep: run.envStep,
        updatesPerSecond: perTick * 10 * (0.95 + 0.1 * run.random()),
        envStepsPerSecond: run.phase === 'online' ? perTick * 10 : 0,
      });
      this.emit(run.runId, events);
      if (run.done) {
        clearInterval(timer);
        this.timers.delete(run.runId);
        this.setState(run, 'finished');
      }
    }, 100);
    this.timers.set(run.runId, timer);
  }

  async call(method: string, params: unknown): Promise<unknown> {
    const p = (isRecord(params) ? params : {}) as Record<string, unknown>;
    switch (method) {
      case 'app.info':
        return { version: '0.1.0 (demo)', backend: 'simulated', mode: 'browser', runsDirectory: 'runs' };
      case 'envs.list':
        return ENVS;
      case 'presets.list':
        return [
          {
            name: 'roer-adaptive-beta',
            description: 'ROER priorities with the β tracking controller (demo)',
            config: {
              env: { id: 'pointmaze-umaze-v1' },
              dataset: { path: 'datasets/pointmaze-umaze-v1.arrow' },
            },
          },
          {
            name: 'roer-fixed-beta',
            description: 'ROER with a fixed temperature β = 1',
            config: {
              env: { id: 'pointmaze-umaze-v1' },
              dataset: { path: 'datasets/pointmaze-umaze-v1.arrow' },
              beta: { kind: 'fixed' },
            },
          },
          {
            name: 'uniform-replay',
            description: 'SAC with uniform replay over offline ∪ online',
            config: {
              env: { id: 'pointmaze-umaze-v1' },
              dataset: { path: 'datasets/pointmaze-umaze-v1.arrow' },
              replay: { priority: 'uniform' },
              beta: { kind: 'fixed' },
            },
          },
        ];
      case 'datasets.list':
        return [
          {
            path: 'datasets/pointmaze-umaze-v1.arrow',
            name: 'pointmaze-umaze-v1',
            envId: 'pointmaze-umaze-v1',
            rows: 20000,
            episodes: 134,
            card: null,
          },
          {
            path: 'datasets/pendulum-v1-random.arrow',
            name: 'pendulum-v1-random',
            envId: 'pendulum-v1',
            rows: 10000,
            episodes: 50,
            card: null,
          },
        ];
      case 'datasets.inspect':
        return this.inspect(String(p.path ?? ''));
      case 'config.validate':
        return validateDemoConfig(p.config);
      case 'runs.list':
        return [...this.runs.values()].map((run) => run.summary()).reverse();
      case 'runs.start': {
        const result = validateDemoConfig(p.config);
        if (!result.ok)
          throw new ApiError(
            `invalid run config: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
            'failed',
            result.issues,
          );
        this.started++;
        const name = typeof p.name === 'string' && p.name ? p.name : `demo run ${this.started}`;
        const slug = name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '');
        const runId = `20260101T12${String(this.started).padStart(2, '0')}00Z-${slug}`;
        const config = result.config as DemoConfig;
        const run = new SimulatedRun(runId, name, config, config.seed + 100 + this.started);
        this.runs.set(runId, run);
        setTimeout(() => {
          this.setState(run, 'running');
          this.schedule(run);
        }, 50);
        return { runId, directory: `runs/${runId}` };
      }
      case 'runs.pause': {
        const run = this.run(p.runId);
        if (run.state === 'running') this.setState(run, 'paused');
        return { state: run.state };
      }
      case 'runs.resume': {
        const run = this.run(p.runId);
        if (run.state === 'paused' || run.state === 'stopped') {
          this.setState(run, 'running');
          if (!this.timers.has(run.runId)) this.schedule(run);
        }
        return { state: run.state };
      }
      case 'runs.stop': {
        const run = this.run(p.runId);
        if (!['finished', 'stopped', 'failed'].includes(run.state)) {
          clearInterval(this.timers.get(run.runId));
          this.timers.delete(run.runId);
          this.setState(run, 'stopped');
        }
        return { state: run.state };
      }
      case 'runs.history':
        return structuredClone(this.run(p.runId).history);
      case 'runs.export': {
        const run = this.run(p.runId);
        const format = String(p.format);
        const extension = format === 'tfjs' ? 'tfjs/model.json' : `policy.${format}`;
        const path = typeof p.path === 'string' && p.path ? p.path : `runs/${run.runId}/export/${extension}`;
        return { path, bytes: format === 'onnx' ? 284_311 : format === 'tfjs' ? 281_902 : 731_544 };
      }
      case 'runs.rollout': {
        const run = this.run(p.runId);
        const random = generator(typeof p.seed === 'number' ? p.seed : 1);
        const skill = Math.min(1, run.step / run.plannedUpdates);
        const count = typeof p.episodes === 'number' ? p.episodes : 1;
        return {
          envId: run.config.env.id,
          episodes: Array.from({ length: count }, () => pointMazeRollout(random, skill)),
        };
      }
      default:
        throw new ApiError(`the demo engine does not offer ${method}`, 'unsupported');
    }
  }

  private inspect(path: string): unknown {
    if (!/\.(arrow|parquet)$/i.test(path))
      throw new ApiError(
        `${path || '(empty path)'}: not an Arrow IPC or Parquet file (expected .arrow or .parquet)`,
        'failed',
      );
    if (/broken/i.test(path))
      throw new ApiError(`${path}: column "terminals", row 17: expected 0 or 1, found 2`, 'failed');
    const random = generator(path.length * 31 + 7);
    const counts = Array.from({ length: 20 }, (_, i) =>
      Math.round(40 * Math.exp(-(((i - 12) / 4) ** 2)) + 3 * random()),
    );
    const edges = Array.from({ length: 21 }, (_, i) => -20 + i * 10);
    return {
      path,
      rows: 20000,
      episodes: 134,
      observationWidth: 4,
      actionWidth: 2,
      terminals: 87,
      timeouts: 47,
      card: {
        formatVersion: 1,
        envId: 'pointmaze-umaze-v1',
        behaviorPolicy: 'scripted-waypoint',
        seed: 0,
        episodes: 134,
        steps: 20000,
        referenceMinScore: 23.85,
        referenceMaxScore: 161.86,
        author: 'O2O Studio (demo)',
        createdAt: '2026-01-01T00:00:00Z',
      },
      columns: [
        { name: 'observations', width: 4, min: -0.2, max: 5.1, mean: 2.43, std: 1.31 },
        { name: 'actions', width: 2, min: -1, max: 1, mean: 0.02, std: 0.58 },
        { name: 'rewards', width: 1, min: 0, max: 1, mean: 0.21, std: 0.4 },
        { name: 'terminals', width: 1, min: 0, max: 1, mean: 0.0044, std: 0.066 },
        { name: 'timeouts', width: 1, min: 0, max: 1, mean: 0.0024, std: 0.048 },
      ],
      episodeReturns: { edges, counts },
      warnings: [],
    };
  }
}
