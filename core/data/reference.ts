/**
 * Reference returns for the normalised score 100·(R − R_min)/(R_max − R_min): R_min is the mean
 * return of the uniform random policy and R_max that of the noise-free scripted expert, both on the
 * environment's default task from its evaluation start. D4RL's published ranges belong to its MuJoCo
 * tasks and do not transfer to these simulators, so we measure ours; `npm run datasets` prints the
 * measurement next to the constants the environments carry. The MuJoCo tasks have no scripted
 * expert: only their random minimum is measured here (see core/envs/mujoco/locomotion.ts).
 */
import { PointMazeEnv } from '../envs/point-maze.js';
import { makeEnv } from '../envs/registry.js';
import {
  type BehaviourPolicy,
  cartPoleBalanceController,
  mountainCarEnergyController,
  pendulumEnergyController,
  waypointAction,
} from '../envs/scripted.js';
import type { Env } from '../envs/types.js';
import { Rng } from '../util/random.js';

/** The noise-free scripted expert for an environment (mazes: waypoints to the current goal). */
export function expertPolicy(env: Env): BehaviourPolicy {
  if (env instanceof PointMazeEnv) {
    return (observation) =>
      Float32Array.from(
        waypointAction(
          env.grid,
          [observation[0], observation[1]],
          [observation[2], observation[3]],
          env.goal,
        ),
      );
  }
  if (env.id === 'pendulum-v1') return pendulumEnergyController();
  if (env.id === 'mountaincar-continuous-v0') return mountainCarEnergyController();
  if (env.id === 'cartpole-v1') return cartPoleBalanceController();
  throw new RangeError(`no scripted expert for environment "${env.id}"`);
}

function meanReturn(
  env: Env,
  act: (observation: Float32Array) => Float32Array | number,
  episodes: number,
  seed: number,
): number {
  const seeds = new Rng(seed);
  let total = 0;
  for (let episode = 0; episode < episodes; episode++) {
    let observation = env.reset(seeds.nextUint32());
    for (;;) {
      const step = env.step(act(observation));
      total += step.reward;
      observation = step.observation;
      if (step.terminated || step.truncated) break;
    }
  }
  return total / episodes;
}

/** The uniform random policy of `env`'s action space, drawing from a generator seeded with `seed`. */
function randomPolicy(env: Env, seed: number): (observation: Float32Array) => Float32Array | number {
  const rng = new Rng(seed);
  const space = env.actionSpace;
  return () => {
    if (space.kind === 'discrete') return rng.int(space.n);
    return Float32Array.from({ length: space.size }, (_, i) => rng.uniformIn(space.low[i], space.high[i]));
  };
}

/**
 * Mean return of the uniform random policy over `episodes` episodes: the reference minimum. The
 * environment's runtime must be loaded (`prepareEnv`).
 */
export function measureRandomReturn(envId: string, episodes = 100, seed = 0): number {
  const env = makeEnv(envId);
  try {
    return meanReturn(env, randomPolicy(env, seed + 1), episodes, seed);
  } finally {
    env.close?.();
  }
}

/** Mean returns of the random policy and the scripted expert over `episodes` episodes each. */
export function measureReferenceScores(
  envId: string,
  episodes = 100,
  seed = 0,
): { min: number; max: number } {
  const env = makeEnv(envId);
  try {
    return {
      min: meanReturn(env, randomPolicy(env, seed + 1), episodes, seed),
      max: meanReturn(env, expertPolicy(env), episodes, seed),
    };
  } finally {
    env.close?.();
  }
}
