/**
 * Reference returns for the normalised score 100·(R − R_min)/(R_max − R_min): R_min is the mean
 * return of the uniform random policy and R_max that of the noise-free scripted expert, both on the
 * environment's default task from its evaluation start. D4RL's published ranges belong to its MuJoCo
 * tasks and do not transfer to these simulators, so we measure ours; `npm run datasets` prints the
 * measurement next to the constants the environments carry.
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

/** Mean returns of the random policy and the scripted expert over `episodes` episodes each. */
export function measureReferenceScores(
  envId: string,
  episodes = 100,
  seed = 0,
): { min: number; max: number } {
  const env = makeEnv(envId);
  const rng = new Rng(seed + 1);
  const space = env.actionSpace;
  const random = (): Float32Array | number => {
    if (space.kind === 'discrete') return rng.int(space.n);
    return Float32Array.from({ length: space.size }, (_, i) => rng.uniformIn(space.low[i], space.high[i]));
  };
  return {
    min: meanReturn(env, random, episodes, seed),
    max: meanReturn(env, expertPolicy(env), episodes, seed),
  };
}
