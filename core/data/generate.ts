/**
 * Dataset generation: roll a behaviour policy in an environment for N episodes and write the
 * transitions as a D4RL-layout Arrow file with its card. Deterministic for a seed: episode k is
 * reset with a seed drawn from the generator seeded by `seed`, and the policy's noise comes from
 * a separate stream of the same generator.
 */
import { makeEnv, prepareEnv } from '../envs/registry.js';
import type { PointMazeEnv } from '../envs/point-maze.js';
import {
  addGaussianNoise,
  cartPoleBalanceController,
  mountainCarEnergyController,
  pendulumEnergyController,
  waypointAction,
} from '../envs/scripted.js';
import type { Env } from '../envs/types.js';
import type { TransitionColumns } from '../replay/transitions.js';
import { Rng } from '../util/random.js';
import { CARD_FORMAT_VERSION } from './card.js';
import { inspectDataset } from './inspect.js';
import type { DatasetSummary } from './types.js';
import type { DatasetCard } from '../common/dataset-card.js';
import { writeDataset } from './write.js';

export type GenerationPolicy = 'random' | 'scripted' | 'checkpoint';

export interface GenerateOptions {
  envId: string;
  policy: GenerationPolicy;
  episodes: number;
  seed: number;
  /** Output file (Arrow IPC file format). */
  out: string;
  /** The acting function for policy 'checkpoint' (e.g. from core/export's loadPolicyFile). */
  policyFn?: (observation: Float32Array) => Float32Array | Promise<Float32Array>;
  /** Name of the checkpoint policy for the card, e.g. "checkpoint:<run id>". */
  policyName?: string;
  /**
   * Standard deviation of Gaussian noise added to scripted (and checkpoint) actions, in action
   * units; defaults per environment (see SCRIPTED_NOISE).
   */
  noise?: number;
  /**
   * Probability ε of replacing the behaviour's action by a uniform random one at each step (for
   * "medium"-quality data from a scripted expert); default 0.
   */
  randomActionRate?: number;
  /** Called after every episode with (episodes done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Card fields; createdAt defaults to the current time (pass a fixed value for byte-stable files). */
  author?: string;
  createdAt?: string;
  description?: string;
}

/**
 * Default action noise of the scripted behaviour per environment family (σ, action units):
 * enough to spread the data around the controller's path without making it fail.
 */
export const SCRIPTED_NOISE: Record<string, number> = {
  pointmaze: 0.3,
  'pendulum-v1': 0.6,
  'mountaincar-continuous-v0': 0.3,
  'cartpole-v1': 0,
};

function scriptedNoiseFor(envId: string): number {
  return envId.startsWith('pointmaze-') ? SCRIPTED_NOISE.pointmaze : (SCRIPTED_NOISE[envId] ?? 0.1);
}

/** An episode-level behaviour: `begin` at each reset, `act` each step. */
interface Behaviour {
  name: string;
  /** Environment options the behaviour needs (e.g. random maze starts). */
  envOptions: Record<string, unknown>;
  begin(env: Env, rng: Rng): void;
  act(env: Env, observation: Float32Array, rng: Rng): Float32Array | number | Promise<Float32Array | number>;
}

function randomBehaviour(): Behaviour {
  return {
    name: 'random',
    envOptions: {},
    begin() {},
    act(env, _observation, rng) {
      const space = env.actionSpace;
      if (space.kind === 'discrete') return rng.int(space.n);
      const action = new Float32Array(space.size);
      for (let i = 0; i < space.size; i++) action[i] = rng.uniformIn(space.low[i], space.high[i]);
      return action;
    },
  };
}

/**
 * Point-maze "diverse" behaviour (as D4RL's maze2d and antmaze-diverse data): start anywhere, steer
 * with the noisy waypoint controller to a random goal cell, and pick a new random goal each time
 * one is reached. Rewards and terminals still refer to the task's evaluation goal, which the data
 * only passes through now and then: a learner has to stitch segments to reach it.
 */
function mazeWaypointBehaviour(noise: number): Behaviour {
  let target: [number, number] = [0, 0];
  const pickTarget = (maze: PointMazeEnv, rng: Rng) => {
    const cell = maze.grid.openCells[rng.int(maze.grid.openCells.length)];
    const [x, y] = maze.grid.cellCenter(cell);
    target = [x + rng.uniformIn(-0.25, 0.25), y + rng.uniformIn(-0.25, 0.25)];
  };
  return {
    name: `scripted-waypoint-diverse(noise=${noise})`,
    envOptions: { start: 'random' },
    begin(env, rng) {
      pickTarget(env as PointMazeEnv, rng);
    },
    act(env, observation, rng) {
      const maze = env as PointMazeEnv;
      if (Math.hypot(observation[0] - target[0], observation[1] - target[1]) < 0.3) pickTarget(maze, rng);
      const [ax, ay] = waypointAction(
        maze.grid,
        [observation[0], observation[1]],
        [observation[2], observation[3]],
        target,
      );
      const space = maze.actionSpace;
      return addGaussianNoise(Float32Array.of(ax, ay), noise, rng, space.low, space.high);
    },
  };
}

function scriptedBehaviour(envId: string, noise: number): Behaviour {
  if (envId.startsWith('pointmaze-')) return mazeWaypointBehaviour(noise);
  if (envId === 'cartpole-v1') {
    const controller = cartPoleBalanceController();
    // Discrete actions take no Gaussian noise; use randomActionRate for exploration.
    return {
      name: 'scripted-balance',
      envOptions: {},
      begin() {},
      act: (_env, observation) => controller(observation),
    };
  }
  const controller =
    envId === 'pendulum-v1'
      ? pendulumEnergyController()
      : envId === 'mountaincar-continuous-v0'
        ? mountainCarEnergyController()
        : null;
  if (!controller) throw new RangeError(`no scripted behaviour for environment "${envId}"`);
  return {
    name: `scripted-energy-pumping(noise=${noise})`,
    envOptions: {},
    begin() {},
    act(env, observation, rng) {
      const space = env.actionSpace;
      if (space.kind !== 'box') throw new Error('unreachable: energy controllers act in Box spaces');
      return addGaussianNoise(controller(observation) as Float32Array, noise, rng, space.low, space.high);
    },
  };
}

function checkpointBehaviour(options: Omit<GenerateOptions, 'out'>): Behaviour {
  const policyFn = options.policyFn;
  if (!policyFn) {
    throw new RangeError(
      'policy "checkpoint" needs a trained policy (--checkpoint PATH on the command line, policyFn in the API)',
    );
  }
  const noise = options.noise ?? 0;
  return {
    name: `${options.policyName ?? 'checkpoint'}${noise > 0 ? `(noise=${noise})` : ''}`,
    envOptions: {},
    begin() {},
    async act(env, observation, rng) {
      const action = await policyFn(observation);
      const space = env.actionSpace;
      if (space.kind === 'discrete') return Math.round(action[0]);
      return noise > 0 ? addGaussianNoise(action, noise, rng, space.low, space.high) : action;
    },
  };
}

/** Growable column buffers for rollouts of unknown total length. */
class ColumnBuilder {
  length = 0;
  private capacity = 1024;
  observations: Float32Array;
  actions: Float32Array;
  rewards = new Float32Array(1024);
  nextObservations: Float32Array;
  terminals = new Uint8Array(1024);
  timeouts = new Uint8Array(1024);

  constructor(
    readonly observationWidth: number,
    readonly actionWidth: number,
  ) {
    this.observations = new Float32Array(1024 * observationWidth);
    this.nextObservations = new Float32Array(1024 * observationWidth);
    this.actions = new Float32Array(1024 * actionWidth);
  }

  private grow(): void {
    const grown = <T extends Float32Array | Uint8Array>(array: T, width: number): T => {
      const next = new (array.constructor as new (n: number) => T)(this.capacity * 2 * width);
      next.set(array);
      return next;
    };
    this.observations = grown(this.observations, this.observationWidth);
    this.nextObservations = grown(this.nextObservations, this.observationWidth);
    this.actions = grown(this.actions, this.actionWidth);
    this.rewards = grown(this.rewards, 1);
    this.terminals = grown(this.terminals, 1);
    this.timeouts = grown(this.timeouts, 1);
    this.capacity *= 2;
  }

  push(
    observation: Float32Array,
    action: Float32Array,
    reward: number,
    next: Float32Array,
    terminal: boolean,
    timeout: boolean,
  ): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.observations.set(observation, i * this.observationWidth);
    this.actions.set(action, i * this.actionWidth);
    this.rewards[i] = reward;
    this.nextObservations.set(next, i * this.observationWidth);
    this.terminals[i] = terminal ? 1 : 0;
    this.timeouts[i] = timeout ? 1 : 0;
  }

  build(): TransitionColumns {
    const n = this.length;
    return {
      length: n,
      observationWidth: this.observationWidth,
      actionWidth: this.actionWidth,
      observations: this.observations.slice(0, n * this.observationWidth),
      actions: this.actions.slice(0, n * this.actionWidth),
      rewards: this.rewards.slice(0, n),
      nextObservations: this.nextObservations.slice(0, n * this.observationWidth),
      terminals: this.terminals.slice(0, n),
      timeouts: this.timeouts.slice(0, n),
    };
  }
}

export interface Rollouts {
  columns: TransitionColumns;
  behaviorPolicy: string;
  returns: number[];
  successes: number;
}

/** Roll the behaviour for `episodes` episodes and collect the transitions (no file written). */
export async function collectRollouts(options: Omit<GenerateOptions, 'out'>): Promise<Rollouts> {
  const { envId, episodes, seed } = options;
  if (!Number.isInteger(episodes) || episodes < 1)
    throw new RangeError(`episodes must be a positive integer, got ${episodes}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const noise = options.noise ?? scriptedNoiseFor(envId);
  if (!(noise >= 0)) throw new RangeError(`noise must be ≥ 0, got ${noise}`);
  await prepareEnv(envId); // unknown id → an error listing the known ones, before anything else
  const behaviour =
    options.policy === 'random'
      ? randomBehaviour()
      : options.policy === 'scripted'
        ? scriptedBehaviour(envId, noise)
        : options.policy === 'checkpoint'
          ? checkpointBehaviour(options)
          : (() => {
              throw new RangeError(
                `unknown policy "${String(options.policy)}"; expected random, scripted or checkpoint`,
              );
            })();
  const epsilon = options.randomActionRate ?? 0;
  if (!(epsilon >= 0 && epsilon <= 1))
    throw new RangeError(`randomActionRate must be in [0, 1], got ${epsilon}`);
  const random = randomBehaviour();
  const behaviorPolicy = epsilon > 0 ? `${behaviour.name}+random(rate=${epsilon})` : behaviour.name;
  const env = makeEnv(envId, behaviour.envOptions);
  const actionWidth = env.actionSpace.kind === 'box' ? env.actionSpace.size : 1;
  const builder = new ColumnBuilder(env.observationSpace.size, actionWidth);
  const rng = new Rng(seed);
  const resetSeeds = rng.fork();
  const policyRng = rng.fork();
  const returns: number[] = [];
  let successes = 0;
  try {
    for (let episode = 0; episode < episodes; episode++) {
      let observation = env.reset(resetSeeds.nextUint32());
      behaviour.begin(env, policyRng);
      let total = 0;
      let succeeded = false;
      for (;;) {
        // The behaviour acts every step (keeping its internal state and noise stream in step); with probability ε its action is replaced.
        const chosen = await behaviour.act(env, observation, policyRng);
        const action =
          epsilon > 0 && policyRng.uniform() < epsilon
            ? await random.act(env, observation, policyRng)
            : chosen;
        const step = env.step(action);
        const stored = typeof action === 'number' ? Float32Array.of(action) : action;
        builder.push(observation, stored, step.reward, step.observation, step.terminated, step.truncated);
        total += step.reward;
        if (step.info.success) succeeded = true;
        observation = step.observation;
        if (step.terminated || step.truncated) break;
      }
      returns.push(total);
      if (succeeded) successes++;
      options.onProgress?.(episode + 1, episodes);
    }
  } finally {
    env.close?.();
  }
  return { columns: builder.build(), behaviorPolicy, returns, successes };
}

/** Generate a dataset file and return its summary (as `inspectDataset` gives it). */
export async function generateDataset(options: GenerateOptions): Promise<DatasetSummary> {
  const rollouts = await collectRollouts(options);
  const referenceEnv = makeEnv(options.envId);
  const reference = referenceEnv.referenceScores;
  referenceEnv.close?.();
  const card: DatasetCard = {
    formatVersion: CARD_FORMAT_VERSION,
    envId: options.envId,
    behaviorPolicy: rollouts.behaviorPolicy,
    seed: options.seed,
    episodes: options.episodes,
    steps: rollouts.columns.length,
    referenceMinScore: reference?.min ?? null,
    referenceMaxScore: reference?.max ?? null,
    author: options.author ?? 'o2o-studio',
    createdAt: options.createdAt ?? new Date().toISOString(),
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
  await writeDataset(options.out, rollouts.columns, card);
  return inspectDataset(options.out);
}
