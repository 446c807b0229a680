/**
 * Dataset generation: roll a behaviour policy in an environment for N episodes and write the
 * transitions as a D4RL-layout Arrow file with its card. Deterministic for a seed: episode k is
 * reset with a seed drawn from the generator seeded by `seed`, and the policy's noise comes from
 * a separate stream of the same generator.
 */
import { makeEnv, prepareEnv } from '../envs/registry.js';
import type { PointMazeEnv } from '../envs/point-maze.js';
import type { AntMazeEnv } from '../envs/mujoco/ant-maze.js';
import { AntMazePlanner, antGoalAction } from '../envs/mujoco/ant-gait.js';
import {
  addGaussianNoise,
  cartPoleBalanceController,
  mountainCarEnergyController,
  pendulumEnergyController,
  waypointAction,
} from '../envs/scripted.js';
import type { Env } from '../envs/types.js';
import { BEHAVIOUR_COLUMN_NAMES, type BehaviourColumnName } from './behaviour-columns.js';
import {
  boxStepStatistics,
  discreteStepStatistics,
  type BehaviourLaw,
  type StepStatistics,
} from './behaviour-law.js';
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
  /**
   * Record the behaviour's statistics (log μ(a_t|x_t), and μ(·|x_t) or its Gaussian's mean and
   * log σ) wherever its law determines them (core/data/behaviour-law.ts); default true.
   */
  behaviourColumns?: boolean;
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
  antmaze: 0.1,
  'pendulum-v1': 0.6,
  'mountaincar-continuous-v0': 0.3,
  'cartpole-v1': 0,
};

function scriptedNoiseFor(envId: string): number {
  if (envId.startsWith('pointmaze-')) return SCRIPTED_NOISE.pointmaze;
  if (envId.startsWith('antmaze-')) return SCRIPTED_NOISE.antmaze;
  return SCRIPTED_NOISE[envId] ?? 0.1;
}

/**
 * An episode-level behaviour: `begin` at each reset, `act` each step. `act` returns the centre
 * action c; the behaviour's `law` says how the action taken follows from it (core/data/behaviour-law.ts):
 * c itself, c plus clipped Gaussian noise (added by the rollout), or a uniform sample.
 */
interface Behaviour {
  name: string;
  /** Environment options the behaviour needs (e.g. random maze starts). */
  envOptions: Record<string, unknown>;
  law: BehaviourLaw;
  begin(env: Env, rng: Rng): void;
  act(env: Env, observation: Float32Array, rng: Rng): Float32Array | number | Promise<Float32Array | number>;
}

function randomBehaviour(): Behaviour {
  return {
    name: 'random',
    envOptions: {},
    law: { kind: 'uniform' },
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
    law: { kind: 'gaussian', std: noise },
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
      return Float32Array.of(ax, ay);
    },
  };
}

/**
 * Ant-maze "diverse" behaviour (D4RL's antmaze-*-diverse data): start in a random cell, walk with the
 * scripted gait under the maze's waypoint planner (core/envs/mujoco/ant-gait.ts) to a random goal,
 * a new one each time the torso is within 0.5 of it. Rewards and terminals refer to the task's
 * evaluation goal, as for the point mazes.
 */
function antMazeDiverseBehaviour(noise: number): Behaviour {
  let planner: AntMazePlanner | null = null;
  let target: [number, number] = [0, 0];
  let t = 0;
  const pickTarget = (maze: AntMazeEnv, rng: Rng) => {
    const { row, col } = maze.openCells[rng.int(maze.openCells.length)];
    const [x, y] = maze.cellCenter(row, col);
    target = [x + rng.uniformIn(-1, 1), y + rng.uniformIn(-1, 1)];
    planner = new AntMazePlanner(maze, target);
  };
  return {
    name: `scripted-gait-waypoint-diverse(noise=${noise})`,
    envOptions: { start: 'random' },
    law: { kind: 'gaussian', std: noise },
    begin(env, rng) {
      t = 0;
      pickTarget(env as AntMazeEnv, rng);
    },
    act(env, observation, rng) {
      if (Math.hypot(observation[0] - target[0], observation[1] - target[1]) < 0.5) {
        pickTarget(env as AntMazeEnv, rng);
      }
      return antGoalAction(observation, t++, planner!.waypoint(observation[0], observation[1]));
    },
  };
}

function scriptedBehaviour(envId: string, noise: number): Behaviour {
  if (envId.startsWith('pointmaze-')) return mazeWaypointBehaviour(noise);
  if (envId.startsWith('antmaze-')) return antMazeDiverseBehaviour(noise);
  if (envId === 'cartpole-v1') {
    const controller = cartPoleBalanceController();
    // Discrete actions take no Gaussian noise; use randomActionRate for exploration.
    return {
      name: 'scripted-balance',
      envOptions: {},
      law: { kind: 'point' },
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
    law: { kind: 'gaussian', std: noise },
    begin() {},
    act: (_env, observation) => controller(observation),
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
    law: noise > 0 ? { kind: 'gaussian', std: noise } : { kind: 'point' },
    begin() {},
    async act(env, observation) {
      const action = await policyFn(observation);
      return env.actionSpace.kind === 'discrete' ? Math.round(action[0]) : action;
    },
  };
}

/** A growable [rows × width] float32 matrix for rollouts of unknown total length. */
class GrowableMatrix {
  length = 0;
  private values: Float32Array;

  constructor(readonly width: number) {
    this.values = new Float32Array(1024 * Math.max(1, width));
  }

  push(row: ArrayLike<number>): void {
    if ((this.length + 1) * this.width > this.values.length) {
      const grown = new Float32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    for (let j = 0; j < this.width; j++) this.values[this.length * this.width + j] = row[j];
    this.length++;
  }

  build(): Float32Array {
    return this.values.slice(0, this.length * this.width);
  }
}

/** Column buffers of the transitions and of the behaviour statistics the law determines. */
class ColumnBuilder {
  private readonly observations: GrowableMatrix;
  private readonly actions: GrowableMatrix;
  private readonly rewards = new GrowableMatrix(1);
  private readonly nextObservations: GrowableMatrix;
  private readonly ends = new GrowableMatrix(2);
  /** One buffer per behaviour column, created by the first step that has the statistic. */
  private readonly behaviour = new Map<BehaviourColumnName, GrowableMatrix>();

  constructor(
    readonly observationWidth: number,
    readonly actionWidth: number,
  ) {
    this.observations = new GrowableMatrix(observationWidth);
    this.nextObservations = new GrowableMatrix(observationWidth);
    this.actions = new GrowableMatrix(actionWidth);
  }

  get length(): number {
    return this.rewards.length;
  }

  push(
    observation: Float32Array,
    action: Float32Array,
    reward: number,
    next: Float32Array,
    terminal: boolean,
    timeout: boolean,
    statistics: StepStatistics,
  ): void {
    const row = this.length;
    this.observations.push(observation);
    this.actions.push(action);
    this.rewards.push([reward]);
    this.nextObservations.push(next);
    this.ends.push([terminal ? 1 : 0, timeout ? 1 : 0]);
    const values: Record<BehaviourColumnName, ArrayLike<number> | undefined> = {
      behaviourLogProb: statistics.logProb !== undefined ? [statistics.logProb] : undefined,
      behaviourProbs: statistics.probs,
      behaviourMean: statistics.mean,
      behaviourLogStd: statistics.logStd,
    };
    for (const name of BEHAVIOUR_COLUMN_NAMES) {
      const value = values[name];
      let column = this.behaviour.get(name);
      if (value === undefined) {
        if (column) throw new Error(`unreachable: step ${row} lacks ${name}, which earlier steps have`);
        continue;
      }
      if (!column) {
        if (row > 0) throw new Error(`unreachable: step ${row} has ${name}, which earlier steps lack`);
        column = new GrowableMatrix(value.length);
        this.behaviour.set(name, column);
      }
      column.push(value);
    }
  }

  build(): TransitionColumns {
    const ends = this.ends.build();
    const extras: Record<string, Float32Array> = {};
    for (const [name, column] of this.behaviour) extras[name] = column.build();
    return {
      length: this.length,
      observationWidth: this.observationWidth,
      actionWidth: this.actionWidth,
      observations: this.observations.build(),
      actions: this.actions.build(),
      rewards: this.rewards.build(),
      nextObservations: this.nextObservations.build(),
      terminals: Uint8Array.from({ length: this.length }, (_, i) => ends[2 * i]),
      timeouts: Uint8Array.from({ length: this.length }, (_, i) => ends[2 * i + 1]),
      ...(this.behaviour.size > 0 ? { extras } : {}),
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
  const space = env.actionSpace;
  // Gaussian noise applies to Box actions only; a discrete policy's noise setting is ignored.
  const law: BehaviourLaw =
    behaviour.law.kind === 'gaussian' && space.kind === 'discrete' ? { kind: 'point' } : behaviour.law;
  const recordBehaviour = options.behaviourColumns ?? true;
  const actionWidth = space.kind === 'box' ? space.size : 1;
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
        const centre = await behaviour.act(env, observation, policyRng);
        const proposed =
          law.kind === 'gaussian' && space.kind === 'box' && typeof centre !== 'number'
            ? addGaussianNoise(centre, law.std, policyRng, space.low, space.high)
            : centre;
        const action =
          epsilon > 0 && policyRng.uniform() < epsilon
            ? await random.act(env, observation, policyRng)
            : proposed;
        const step = env.step(action);
        const stored = typeof action === 'number' ? Float32Array.of(action) : action;
        const statistics = !recordBehaviour
          ? {}
          : space.kind === 'discrete'
            ? discreteStepStatistics(law, centre as number, space.n, epsilon, action as number)
            : boxStepStatistics(law, centre as Float32Array, space.low, space.high, epsilon, stored);
        builder.push(
          observation,
          stored,
          step.reward,
          step.observation,
          step.terminated,
          step.truncated,
          statistics,
        );
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
