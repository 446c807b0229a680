/**
 * The registry of environments by versioned id.
 *
 * Most environments are plain TypeScript and build synchronously with `makeEnv`. The MuJoCo tasks
 * need the physics runtime, which loads asynchronously once per process: `await prepareEnv(id)`
 * (or `makeEnvAsync`) first; after that `makeEnv` builds them synchronously too. Training,
 * evaluation, dataset generation and the engine server prepare their environment this way.
 */
import { CartPoleEnv } from './cartpole.js';
import { MountainCarContinuousEnv } from './mountain-car.js';
import { ANT_MAZE_SPECS, AntMazeEnv } from './mujoco/ant-maze.js';
import {
  AntEnv,
  HALFCHEETAH_TASK,
  HOPPER_TASK,
  PlanarRunnerEnv,
  WALKER2D_TASK,
} from './mujoco/locomotion.js';
import { loadMujoco, mujocoStatus, tryLoadMujoco } from './mujoco/runtime.js';
import { PendulumEnv } from './pendulum.js';
import { POINT_MAZE_SPECS, PointMazeEnv } from './point-maze.js';
import type { Env, EnvSpec } from './types.js';
import type { EnvListing } from '../common/env-listing.js';

const SPECS: EnvSpec[] = [
  {
    id: 'pendulum-v1',
    description: 'Swing a pendulum up and hold it upright with a torque in [−2, 2] (Gymnasium Pendulum-v1).',
    make: (options) => new PendulumEnv(options),
  },
  {
    id: 'mountaincar-continuous-v0',
    description:
      'Rock an under-powered car up a hill, force in [−1, 1] (Gymnasium MountainCarContinuous-v0).',
    make: (options) => new MountainCarContinuousEnv(options),
  },
  {
    id: 'cartpole-v1',
    description:
      'Balance a pole on a cart by pushing left or right, 2 discrete actions (Gymnasium CartPole-v1).',
    make: (options) => new CartPoleEnv(options),
  },
  ...POINT_MAZE_SPECS.map((spec): EnvSpec => ({
    id: spec.id,
    description: `Steer a point mass through the D4RL ${spec.layout.name} maze to the goal; 2-D force, sparse or dense reward, ${spec.maxEpisodeSteps}-step limit.`,
    make: (options) => new PointMazeEnv(spec, options),
  })),
  {
    id: 'hopper-v1',
    description:
      'MuJoCo: make a one-legged planar hopper hop forward without falling (our model, Gymnasium Hopper-v4 semantics).',
    make: (options) => new PlanarRunnerEnv(HOPPER_TASK, options),
    runtime: 'mujoco',
    shapes: { observationWidth: 11, actionWidth: 3, goal: false },
  },
  {
    id: 'walker2d-v1',
    description:
      'MuJoCo: make a two-legged planar walker walk forward without falling (our model, Gymnasium Walker2d-v4 semantics).',
    make: (options) => new PlanarRunnerEnv(WALKER2D_TASK, options),
    runtime: 'mujoco',
    shapes: { observationWidth: 17, actionWidth: 6, goal: false },
  },
  {
    id: 'halfcheetah-v1',
    description:
      'MuJoCo: make a planar two-legged runner run forward as fast as it can (our model, Gymnasium HalfCheetah-v4 semantics).',
    make: (options) => new PlanarRunnerEnv(HALFCHEETAH_TASK, options),
    runtime: 'mujoco',
    shapes: { observationWidth: 17, actionWidth: 6, goal: false },
  },
  {
    id: 'ant-v1',
    description:
      'MuJoCo: make a four-legged ant walk forward without flipping or jumping (our model, Gymnasium Ant-v4 semantics).',
    make: (options) => new AntEnv(options),
    runtime: 'mujoco',
    shapes: { observationWidth: 27, actionWidth: 8, goal: false },
  },
  ...ANT_MAZE_SPECS.map((spec): EnvSpec => ({
    id: spec.id,
    description: `MuJoCo: walk the ant through the D4RL ${spec.layout.name} maze to the goal; sparse reward, ends at the goal, ${spec.maxEpisodeSteps}-step limit (D4RL AntMaze semantics).`,
    make: (options) => new AntMazeEnv(spec, options),
    runtime: 'mujoco',
    shapes: { observationWidth: 29, actionWidth: 8, goal: true },
  })),
];

/** The spec registered under `id`, or an Error listing the known ids. */
export function envSpec(id: string): EnvSpec {
  const spec = SPECS.find((candidate) => candidate.id === id);
  if (!spec) {
    throw new RangeError(
      `unknown environment "${id}"; known environments: ${SPECS.map((s) => s.id).join(', ')}`,
    );
  }
  return spec;
}

/**
 * Load what environment `id` needs (the MuJoCo runtime for the MuJoCo tasks; nothing for the
 * others). Rejects with an Error naming the environment and the reason when it cannot run here.
 */
export async function prepareEnv(id: string): Promise<void> {
  const spec = envSpec(id);
  if (spec.runtime !== 'mujoco') return;
  try {
    await loadMujoco();
  } catch (error) {
    throw new Error(`${id} is unavailable: ${(error as Error).message}`, { cause: error });
  }
}

/** Build the environment `id` with its options (a bad option gives an Error naming it). */
export function makeEnv(id: string, options?: Record<string, unknown>): Env {
  return envSpec(id).make(options);
}

/** `prepareEnv` then `makeEnv`: builds any environment, MuJoCo tasks included. */
export async function makeEnvAsync(id: string, options?: Record<string, unknown>): Promise<Env> {
  await prepareEnv(id);
  return makeEnv(id, options);
}

/** Why environments needing `runtime` cannot run, or undefined when they can (or it is not yet known). */
function unavailableReason(spec: EnvSpec): string | undefined {
  if (spec.runtime !== 'mujoco') return undefined;
  const status = mujocoStatus();
  return status.state === 'failed' ? status.reason : undefined;
}

/**
 * Every registered environment with its shapes (for `o2o` listings and the UI). Availability is
 * what is known so far; `listEnvsChecked` loads the runtimes first so that it is definite.
 */
export function listEnvs(): EnvListing[] {
  return SPECS.map((spec) => {
    const reason = unavailableReason(spec);
    const availability =
      reason === undefined ? { available: true } : { available: false, unavailableReason: reason };
    if (spec.shapes) {
      return { id: spec.id, description: spec.description, ...spec.shapes, discrete: false, ...availability };
    }
    const env = spec.make();
    return {
      id: spec.id,
      description: spec.description,
      observationWidth: env.observationSpace.size,
      actionWidth: env.actionSpace.kind === 'box' ? env.actionSpace.size : 1,
      discrete: env.actionSpace.kind === 'discrete',
      goal: env.goalConditioned,
      ...availability,
    };
  });
}

/** Try to load every runtime (never rejects), then list: unavailable environments say why. */
export async function listEnvsChecked(): Promise<EnvListing[]> {
  if (SPECS.some((spec) => spec.runtime === 'mujoco')) await tryLoadMujoco();
  return listEnvs();
}
