import { beforeAll, describe, expect, it } from 'vitest';
import { cartPoleStep, CartPoleEnv } from '../../../core/envs/cartpole.js';
import { mountainCarStep, MountainCarContinuousEnv } from '../../../core/envs/mountain-car.js';
import { pendulumStep, PendulumEnv } from '../../../core/envs/pendulum.js';
import { loadMujoco } from '../../../core/envs/mujoco/runtime.js';
import { envSpec, listEnvs, makeEnv } from '../../../core/envs/registry.js';
import { normalizeAngle } from '../../../core/envs/spaces.js';

// Known answers computed with an independent float64 transcription of Gymnasium's equations
// (classic_control pendulum.py, continuous_mountain_car.py, cartpole.py).
describe('Pendulum-v1 dynamics', () => {
  it('matches the published step for an in-range torque', () => {
    const { next, reward } = pendulumStep({ theta: 1, thetaDot: 0.5 }, 1.5);
    expect(next.theta).toBeCloseTo(1.0678051619302962, 12);
    expect(next.thetaDot).toBeCloseTo(1.3561032386059226, 12);
    expect(reward).toBeCloseTo(-1.02725, 12);
  });

  it('clips the torque to ±2 and the speed to ±8', () => {
    const { next, reward } = pendulumStep({ theta: -3, thetaDot: 7.9 }, -5);
    expect(next.theta).toBeCloseTo(-2.625292000302245, 12);
    expect(next.thetaDot).toBeCloseTo(7.4941599939551, 12);
    expect(reward).toBeCloseTo(-15.245, 12);
    expect(pendulumStep({ theta: 0.1, thetaDot: 7.99 }, 2).next.thetaDot).toBe(8);
  });

  it('steps through the Env interface with a float32 observation [cos θ, sin θ, θ̇]', () => {
    const env = new PendulumEnv();
    env.reset(0);
    env.state = { theta: 1, thetaDot: 0.5 };
    const step = env.step(Float32Array.of(1.5));
    expect(step.observation).toBeInstanceOf(Float32Array);
    expect(step.observation[0]).toBeCloseTo(Math.cos(1.0678051619302962), 6);
    expect(step.observation[1]).toBeCloseTo(Math.sin(1.0678051619302962), 6);
    expect(step.observation[2]).toBeCloseTo(1.3561032386059226, 6);
    expect(step.terminated).toBe(false);
  });

  it('truncates at 200 steps and refuses to step after the end', () => {
    const env = makeEnv('pendulum-v1');
    env.reset(1);
    let last;
    for (let i = 0; i < 200; i++) last = env.step(Float32Array.of(0));
    expect(last!.truncated).toBe(true);
    expect(last!.terminated).toBe(false);
    expect(() => env.step(Float32Array.of(0))).toThrow(/after the episode ended/);
  });

  it('normalises angles into [−π, π)', () => {
    expect(normalizeAngle(3 * Math.PI)).toBeCloseTo(-Math.PI, 12);
    expect(normalizeAngle(-0.5)).toBeCloseTo(-0.5, 12);
    expect(normalizeAngle(2 * Math.PI + 0.25)).toBeCloseTo(0.25, 12);
  });
});

describe('MountainCarContinuous-v0 dynamics', () => {
  it('matches the published step', () => {
    const { next, reward, terminated } = mountainCarStep({ position: -0.5, velocity: 0.01 }, 0.7);
    expect(next.position).toBeCloseTo(-0.48912684300416925, 14);
    expect(next.velocity).toBeCloseTo(0.010873156995830743, 14);
    expect(reward).toBeCloseTo(-0.049, 14);
    expect(terminated).toBe(false);
  });

  it('ends with reward 100 − 0.1·a² at the goal', () => {
    const { next, reward, terminated } = mountainCarStep({ position: 0.44, velocity: 0.02 }, 1);
    expect(next.position).toBeCloseTo(0.46087956137086905, 14);
    expect(terminated).toBe(true);
    expect(reward).toBeCloseTo(99.9, 12);
  });

  it('stops the car at the left wall', () => {
    const { next } = mountainCarStep({ position: -1.19, velocity: -0.05 }, -1);
    expect(next).toEqual({ position: -1.2, velocity: 0 });
  });

  it('reports success at the goal and truncates at 999 steps otherwise', () => {
    const env = new MountainCarContinuousEnv();
    env.reset(3);
    let step;
    let count = 0;
    do {
      step = env.step(Float32Array.of(0));
      count++;
    } while (!step.truncated && !step.terminated);
    expect(count).toBe(999);
    expect(step.info.success).toBe(false);
  });
});

describe('CartPole-v1 dynamics', () => {
  it('matches the published Euler step', () => {
    const { next, terminated } = cartPoleStep({ x: 0.01, xDot: -0.02, theta: 0.03, thetaDot: 0.04 }, 1);
    expect(next.x).toBeCloseTo(0.0096, 14);
    expect(next.xDot).toBeCloseTo(0.17467919574755525, 14);
    expect(next.theta).toBeCloseTo(0.0308, 14);
    expect(next.thetaDot).toBeCloseTo(-0.2430687179600081, 14);
    expect(terminated).toBe(false);
  });

  it('terminates past the track edge', () => {
    const { next, terminated } = cartPoleStep({ x: 2.39, xDot: 1, theta: 0.1, thetaDot: 0.5 }, 0);
    expect(next.xDot).toBeCloseTo(0.8036210075354289, 14);
    expect(next.thetaDot).toBeCloseTo(0.822447897707193, 14);
    expect(terminated).toBe(true);
  });

  it('takes integer actions, rejects others, and pays 1 per step', () => {
    const env = new CartPoleEnv();
    env.reset(0);
    expect(env.step(1).reward).toBe(1);
    expect(env.step(Float32Array.of(0)).reward).toBe(1);
    expect(() => env.step(2)).toThrow(/integer in \[0, 2\)/);
    expect(() => env.step(0.5)).toThrow(/integer/);
  });
});

describe('environment registry', () => {
  beforeAll(async () => {
    await loadMujoco();
  });

  it('lists every environment with its shapes', () => {
    const byId = Object.fromEntries(listEnvs().map((env) => [env.id, env]));
    expect(Object.keys(byId)).toEqual([
      'pendulum-v1',
      'mountaincar-continuous-v0',
      'cartpole-v1',
      'pointmaze-umaze-v1',
      'pointmaze-medium-v1',
      'pointmaze-large-v1',
      'hopper-v1',
      'walker2d-v1',
      'halfcheetah-v1',
      'ant-v1',
      'antmaze-umaze-v1',
      'antmaze-medium-v1',
    ]);
    expect(byId['pendulum-v1']).toMatchObject({
      observationWidth: 3,
      actionWidth: 1,
      discrete: false,
      goal: false,
    });
    expect(byId['cartpole-v1']).toMatchObject({ observationWidth: 4, actionWidth: 1, discrete: true });
    expect(byId['pointmaze-large-v1']).toMatchObject({ observationWidth: 4, actionWidth: 2, goal: true });
  });

  it('names the known ids for an unknown one and the option for a bad option', () => {
    expect(() => makeEnv('hopper-v5')).toThrow(
      /unknown environment "hopper-v5".*pendulum-v1.*pointmaze-large-v1/,
    );
    expect(() => makeEnv('pendulum-v1', { gravity: 3 })).toThrow(
      /pendulum-v1: unknown option\(s\) "gravity"/,
    );
    expect(() => makeEnv('pointmaze-umaze-v1', { reward: 'shaped' })).toThrow(/option "reward"/);
    expect(envSpec('cartpole-v1').description).toMatch(/CartPole/);
  });

  it('uses D4RL-like episode limits', () => {
    const limits = Object.fromEntries(
      listEnvs().map((listing) => {
        const env = makeEnv(listing.id);
        env.close?.();
        return [listing.id, env.maxEpisodeSteps];
      }),
    );
    expect(limits).toEqual({
      'pendulum-v1': 200,
      'mountaincar-continuous-v0': 999,
      'cartpole-v1': 500,
      'pointmaze-umaze-v1': 300,
      'pointmaze-medium-v1': 600,
      'pointmaze-large-v1': 800,
      'hopper-v1': 1000,
      'walker2d-v1': 1000,
      'halfcheetah-v1': 1000,
      'ant-v1': 1000,
      'antmaze-umaze-v1': 700,
      'antmaze-medium-v1': 1000,
    });
  });

  it('is deterministic for a seed and clips continuous actions into the bounds', () => {
    for (const { id } of listEnvs()) {
      const a = makeEnv(id);
      const b = makeEnv(id);
      expect(Array.from(a.reset(42))).toEqual(Array.from(b.reset(42)));
      const action = a.actionSpace.kind === 'box' ? new Float32Array(a.actionSpace.size).fill(50) : 1;
      const clipped = a.actionSpace.kind === 'box' ? Float32Array.from(a.actionSpace.high) : 1;
      expect(Array.from(a.step(action).observation)).toEqual(Array.from(b.step(clipped).observation));
      expect(a.render().bounds).toHaveLength(4);
      a.close?.();
      b.close?.();
    }
  });

  it('rejects a step before reset and a NaN action', () => {
    const env = makeEnv('pendulum-v1');
    expect(() => env.step(Float32Array.of(0))).toThrow(/before reset/);
    env.reset(0);
    expect(() => env.step(Float32Array.of(Number.NaN))).toThrow(/NaN/);
    expect(() => env.step(Float32Array.of(0, 0))).toThrow(/width 1/);
  });
});
