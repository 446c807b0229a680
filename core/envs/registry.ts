/** The registry of environments by versioned id. */
import { CartPoleEnv } from './cartpole.js';
import { MountainCarContinuousEnv } from './mountain-car.js';
import { PendulumEnv } from './pendulum.js';
import { POINT_MAZE_SPECS, PointMazeEnv } from './point-maze.js';
import type { Env, EnvListing, EnvSpec } from './types.js';

export type { EnvListing };

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

/** Build the environment `id` with its options (a bad option gives an Error naming it). */
export function makeEnv(id: string, options?: Record<string, unknown>): Env {
  return envSpec(id).make(options);
}

/** Every registered environment with its shapes (for `o2o` listings and the UI). */
export function listEnvs(): EnvListing[] {
  return SPECS.map((spec) => {
    const env = spec.make();
    const discrete = env.actionSpace.kind === 'discrete';
    return {
      id: spec.id,
      description: spec.description,
      observationWidth: env.observationSpace.size,
      actionWidth: env.actionSpace.kind === 'box' ? env.actionSpace.size : 1,
      discrete,
      goal: env.goalConditioned,
    };
  });
}
