/**
 * The MuJoCo locomotion tasks against Gymnasium v4's semantics: reward terms recomputed from the
 * joint state, termination bounds at their edges, reset-noise distributions, the time limit,
 * determinism, and the random policy's return against the reference the task carries.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  antHealthy,
  controlCost,
  hopperHealthy,
  jointObservation,
  walkerHealthy,
} from '../../../core/envs/mujoco/locomotion.js';
import type { MujocoEnv } from '../../../core/envs/mujoco/mujoco-env.js';
import { loadMujoco } from '../../../core/envs/mujoco/runtime.js';
import { makeEnv } from '../../../core/envs/registry.js';
import type { BoxSpace, Env } from '../../../core/envs/types.js';
import { Rng } from '../../../core/util/random.js';

const PLANAR = ['hopper-v1', 'walker2d-v1', 'halfcheetah-v1'] as const;

/** The Gymnasium v4 constants each task must have. */
const SEMANTICS = {
  'hopper-v1': { dt: 0.008, obs: 11, act: 3, healthy: 1, control: 1e-3, skip: 1, clip: 10 },
  'walker2d-v1': { dt: 0.008, obs: 17, act: 6, healthy: 1, control: 1e-3, skip: 1, clip: 10 },
  'halfcheetah-v1': { dt: 0.05, obs: 17, act: 6, healthy: 0, control: 0.1, skip: 1, clip: undefined },
  'ant-v1': { dt: 0.05, obs: 27, act: 8, healthy: 1, control: 0.5, skip: 2, clip: undefined },
} as const;

function build(id: string): MujocoEnv {
  return makeEnv(id) as MujocoEnv;
}

function withEnv<T>(id: string, body: (env: MujocoEnv) => T): T {
  const env = build(id);
  try {
    return body(env);
  } finally {
    env.close();
  }
}

function constantAction(env: Env, value: number): Float32Array {
  return new Float32Array((env.actionSpace as BoxSpace).size).fill(value);
}

beforeAll(async () => {
  await loadMujoco();
});

describe('MuJoCo locomotion: spaces and constants', () => {
  it('has Gymnasium v4 widths, dt = timestep × frame skip, Box(−1, 1) actions and a 1000-step limit', () => {
    for (const [id, expected] of Object.entries(SEMANTICS)) {
      withEnv(id, (env) => {
        expect(env.observationSpace.size, id).toBe(expected.obs);
        expect(env.actionSpace.size, id).toBe(expected.act);
        expect(Array.from(env.actionSpace.low)).toEqual(new Array(expected.act).fill(-1));
        expect(Array.from(env.actionSpace.high)).toEqual(new Array(expected.act).fill(1));
        expect(env.dt, id).toBeCloseTo(expected.dt, 12);
        expect(env.maxEpisodeSteps).toBe(1000);
        expect(env.reset(0)).toBeInstanceOf(Float32Array);
      });
    }
  });

  it('observes qpos minus the x (or x, y) coordinates, then qvel, clipped to ±10 for hopper and walker', () => {
    for (const [id, expected] of Object.entries(SEMANTICS)) {
      withEnv(id, (env) => {
        env.reset(3);
        const { qpos, qvel } = env.getState();
        qvel[qvel.length - 1] = 25; // outside the clip range
        qvel[0] = -30;
        const observation = env.setState(qpos, qvel);
        const expectedObservation = jointObservation(qpos, qvel, expected.skip, expected.clip);
        expect(Array.from(observation), id).toEqual(Array.from(expectedObservation));
        const last = observation[observation.length - 1];
        expect(last, id).toBe(expected.clip === undefined ? 25 : 10);
        expect(observation[qpos.length - expected.skip], id).toBe(expected.clip === undefined ? -30 : -10);
      });
    }
  });
});

describe('MuJoCo locomotion: reward terms recomputed from the joint state', () => {
  it('planar tasks: r = (x′ − x)/dt + healthy − w·Σa², x = qpos[0], for varied actions', () => {
    for (const id of PLANAR) {
      const { healthy, control, dt } = SEMANTICS[id];
      withEnv(id, (env) => {
        env.reset(11);
        const rng = new Rng(4);
        for (let t = 0; t < 40; t++) {
          const action = Float32Array.from({ length: env.actionSpace.size }, () => rng.uniformIn(-1, 1));
          const before = env.getState().qpos[0];
          const result = env.step(action);
          const after = env.getState().qpos[0];
          const squares = Array.from(action).reduce((sum, a) => sum + a * a, 0);
          const expected = (after - before) / dt + healthy - control * squares;
          expect(result.reward, `${id} step ${t}`).toBeCloseTo(expected, 9);
          if (result.terminated) break;
        }
      });
    }
  });

  it('actions outside [−1, 1] are clipped before both the physics and the control cost', () => {
    withEnv('halfcheetah-v1', (env) => {
      env.reset(5);
      const before = env.getState().qpos[0];
      const result = env.step(constantAction(env, 3));
      const after = env.getState().qpos[0];
      expect(result.reward).toBeCloseTo((after - before) / 0.05 - 0.1 * 6, 9);
    });
  });

  it('a constant action over whole episodes: the forward terms telescope to displacement/dt', () => {
    // Σ_t (x_{t+1} − x_t)/dt = (x_T − x_0)/dt, so return = (x_T − x_0)/dt + T·(healthy − w·Σa²).
    for (const id of PLANAR) {
      const { healthy, control, dt } = SEMANTICS[id];
      for (const value of [0, 0.5]) {
        for (const seed of [1, 2]) {
          withEnv(id, (env) => {
            env.reset(seed);
            const x0 = env.getState().qpos[0];
            const action = constantAction(env, value);
            let total = 0;
            let steps = 0;
            for (;;) {
              const result = env.step(action);
              total += result.reward;
              steps++;
              if (result.terminated || result.truncated) break;
            }
            const xT = env.getState().qpos[0];
            const perStep = healthy - control * value * value * action.length;
            expect(total, `${id} a=${value} seed ${seed}`).toBeCloseTo((xT - x0) / dt + steps * perStep, 6);
          });
        }
      }
    }
  });

  it('ant: r = Δ(torso body x)/dt + 1 − 0.5·Σa², the torso x close to qpos[0]', () => {
    withEnv('ant-v1', (env) => {
      env.reset(8);
      const rng = new Rng(9);
      let previousX = env.getState().qpos[0];
      for (let t = 0; t < 30; t++) {
        const action = Float32Array.from({ length: 8 }, () => rng.uniformIn(-1, 1));
        const result = env.step(action);
        const squares = Array.from(action).reduce((sum, a) => sum + a * a, 0);
        expect(result.reward).toBeCloseTo((result.info.rewardForward as number) + 1 - 0.5 * squares, 9);
        expect(controlCost(action, 0.5)).toBeCloseTo(0.5 * squares, 12);
        // Gymnasium reads the torso's body position (xpos), which lags qpos by at most one
        // physics sub-step: the forward reward is the qpos velocity up to that lag.
        const qposVelocity = (env.getState().qpos[0] - previousX) / 0.05;
        expect(Math.abs((result.info.rewardForward as number) - qposVelocity)).toBeLessThan(
          0.5 + 0.5 * Math.abs(qposVelocity),
        );
        previousX = env.getState().qpos[0];
        if (result.terminated) break;
      }
    });
  });
});

describe('MuJoCo locomotion: termination bounds', () => {
  const hopperAt = (z: number, angle: number, other = 0) => [0, z, angle, other, 0, 0];
  const zeros = (n: number) => new Array<number>(n).fill(0);

  it('hopper: z > 0.7, |angle| < 0.2 and state[2:] inside (−100, 100), all strict', () => {
    expect(hopperHealthy(hopperAt(1.25, 0), zeros(6))).toBe(true);
    expect(hopperHealthy(hopperAt(0.7, 0), zeros(6))).toBe(false);
    expect(hopperHealthy(hopperAt(0.7 + 1e-12, 0), zeros(6))).toBe(true);
    expect(hopperHealthy(hopperAt(1e6, 0), zeros(6))).toBe(true); // no upper height bound
    expect(hopperHealthy(hopperAt(1.25, 0.2), zeros(6))).toBe(false);
    expect(hopperHealthy(hopperAt(1.25, -0.2), zeros(6))).toBe(false);
    expect(hopperHealthy(hopperAt(1.25, 0.2 - 1e-12), zeros(6))).toBe(true);
    expect(hopperHealthy(hopperAt(1.25, 0, 100), zeros(6))).toBe(false);
    expect(hopperHealthy(hopperAt(1.25, 0, -99.999), zeros(6))).toBe(true);
    expect(hopperHealthy(hopperAt(1.25, 0), [0, 0, 0, 0, 0, -100])).toBe(false);
    // rootx and rootz velocities are part of state[2:] (qvel follows qpos in the state vector)
    expect(hopperHealthy(hopperAt(1.25, 0), [100, 0, 0, 0, 0, 0])).toBe(false);
    // the x position itself is not checked
    expect(hopperHealthy([500, 1.25, 0, 0, 0, 0], zeros(6))).toBe(true);
    expect(hopperHealthy(hopperAt(Number.NaN, 0), zeros(6))).toBe(false);
  });

  it('walker: z strictly inside (0.8, 2.0), angle strictly inside (−1, 1)', () => {
    const at = (z: number, angle: number) => [0, z, angle, 0, 0, 0, 0, 0, 0];
    expect(walkerHealthy(at(1.25, 0))).toBe(true);
    expect(walkerHealthy(at(0.8, 0))).toBe(false);
    expect(walkerHealthy(at(2.0, 0))).toBe(false);
    expect(walkerHealthy(at(0.8 + 1e-12, 0))).toBe(true);
    expect(walkerHealthy(at(2.0 - 1e-12, 0))).toBe(true);
    expect(walkerHealthy(at(1.25, 1))).toBe(false);
    expect(walkerHealthy(at(1.25, -1))).toBe(false);
    expect(walkerHealthy(at(1.25, -1 + 1e-12))).toBe(true);
  });

  it('ant: finite state and torso z inside [0.2, 1.0], both ends inclusive', () => {
    const at = (z: number) => [0, 0, z, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const still = zeros(14);
    expect(antHealthy(at(0.2), still)).toBe(true);
    expect(antHealthy(at(1.0), still)).toBe(true);
    expect(antHealthy(at(0.2 - 1e-12), still)).toBe(false);
    expect(antHealthy(at(1.0 + 1e-12), still)).toBe(false);
    expect(antHealthy(at(0.5), [...zeros(13), Number.POSITIVE_INFINITY])).toBe(false);
    expect(antHealthy([Number.NaN, ...at(0.5).slice(1)], still)).toBe(false);
  });

  it('episodes end exactly when the state after a step is unhealthy (and the reward still pays the bonus)', () => {
    const checks = { 'hopper-v1': hopperHealthy, 'walker2d-v1': walkerHealthy, 'ant-v1': antHealthy };
    for (const [id, healthy] of Object.entries(checks)) {
      withEnv(id, (env) => {
        const rng = new Rng(21);
        let terminations = 0;
        for (let episode = 0; episode < 4; episode++) {
          env.reset(100 + episode);
          for (;;) {
            const action = Float32Array.from({ length: env.actionSpace.size }, () => rng.uniformIn(-1, 1));
            const result = env.step(action);
            const { qpos, qvel } = env.getState();
            expect(result.terminated, id).toBe(!healthy(qpos, qvel));
            if (result.terminated) {
              terminations++;
              const squares = Array.from(action).reduce((sum, a) => sum + a * a, 0);
              const weight = SEMANTICS[id as keyof typeof SEMANTICS].control;
              expect(result.reward - (result.info.rewardForward as number) + weight * squares).toBeCloseTo(
                1,
                9,
              );
            }
            if (result.terminated || result.truncated) break;
          }
        }
        expect(terminations, id).toBeGreaterThan(0);
      });
    }
  });

  it('halfcheetah never terminates and truncates at 1000 steps; stepping after the end is an error', () => {
    withEnv('halfcheetah-v1', (env) => {
      env.reset(0);
      const action = constantAction(env, -1);
      for (let t = 1; t <= 1000; t++) {
        const result = env.step(action);
        expect(result.terminated).toBe(false);
        expect(result.truncated).toBe(t === 1000);
      }
      expect(() => env.step(action)).toThrow(/after the episode ended/);
    });
  });
});

describe('MuJoCo locomotion: reset noise', () => {
  function resetSamples(id: string, count: number): { qpos: number[][]; qvel: number[][]; qpos0: number[] } {
    return withEnv(id, (env) => {
      const qpos: number[][] = [];
      const qvel: number[][] = [];
      for (let seed = 0; seed < count; seed++) {
        env.reset(seed);
        const state = env.getState();
        qpos.push(Array.from(state.qpos));
        qvel.push(Array.from(state.qvel));
      }
      const qpos0 = Array.from((makeEnv(id) as MujocoEnv).getState().qpos);
      return { qpos, qvel, qpos0 };
    });
  }

  const column = (rows: number[][], j: number) => rows.map((row) => row[j]);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const variance = (values: number[]) => {
    const m = mean(values);
    return values.reduce((a, b) => a + (b - m) * (b - m), 0) / (values.length - 1);
  };

  it('hopper and walker: qpos and qvel each get U(−0.005, 0.005) around qpos0 and 0', () => {
    const n = 1500;
    const scale = 5e-3;
    for (const id of ['hopper-v1', 'walker2d-v1']) {
      const { qpos, qvel } = resetSamples(id, n);
      const qpos0 = id === 'hopper-v1' ? [0, 1.25, 0, 0, 0, 0] : [0, 1.25, 0, 0, 0, 0, 0, 0, 0];
      for (const [rows, centre] of [
        [qpos, qpos0],
        [qvel, new Array<number>(qvel[0].length).fill(0)],
      ] as const) {
        for (let j = 0; j < rows[0].length; j++) {
          const offsets = column(rows, j).map((v) => v - centre[j]);
          expect(Math.max(...offsets.map(Math.abs)), `${id} ${j}`).toBeLessThanOrEqual(scale);
          // mean 0 ± 4 standard errors; variance (2s)²/12 within 10 %; both tails reached
          expect(Math.abs(mean(offsets))).toBeLessThan((4 * scale) / Math.sqrt(3 * n));
          expect(variance(offsets) / ((2 * scale) ** 2 / 12)).toBeGreaterThan(0.9);
          expect(variance(offsets) / ((2 * scale) ** 2 / 12)).toBeLessThan(1.1);
          expect(Math.min(...offsets)).toBeLessThan(-0.98 * scale);
          expect(Math.max(...offsets)).toBeGreaterThan(0.98 * scale);
        }
      }
    }
  });

  it('halfcheetah and ant: qpos gets U(−0.1, 0.1), qvel gets 0.1·N(0, 1)', () => {
    const n = 1500;
    for (const id of ['halfcheetah-v1', 'ant-v1']) {
      const { qpos, qvel } = resetSamples(id, n);
      const qpos0 = id === 'ant-v1' ? [0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : new Array(9).fill(0);
      for (let j = 0; j < qpos0.length; j++) {
        const offsets = column(qpos, j).map((v) => v - qpos0[j]);
        expect(Math.max(...offsets.map(Math.abs)), `${id} qpos ${j}`).toBeLessThanOrEqual(0.1);
        expect(variance(offsets) / (0.2 ** 2 / 12)).toBeGreaterThan(0.9);
        expect(variance(offsets) / (0.2 ** 2 / 12)).toBeLessThan(1.1);
      }
      const all = qvel.flat();
      expect(Math.abs(mean(all))).toBeLessThan((4 * 0.1) / Math.sqrt(all.length));
      expect(Math.sqrt(variance(all))).toBeGreaterThan(0.097);
      expect(Math.sqrt(variance(all))).toBeLessThan(0.103);
      // Gaussian tails: about 4.6 % of |v| beyond 2σ
      const beyond = all.filter((v) => Math.abs(v) > 0.2).length / all.length;
      expect(beyond).toBeGreaterThan(0.035);
      expect(beyond).toBeLessThan(0.057);
    }
  });

  it('the same seed gives the same start; different seeds different ones', () => {
    for (const id of Object.keys(SEMANTICS)) {
      const a = build(id);
      const b = build(id);
      expect(Array.from(a.reset(77))).toEqual(Array.from(b.reset(77)));
      expect(Array.from(a.reset(78))).not.toEqual(Array.from(b.reset(77)));
      a.close();
      b.close();
    }
  });
});

describe('MuJoCo locomotion: the random policy against the reference minimum', () => {
  it('the mean random return is within 4 standard errors of referenceScores.min', () => {
    const episodes = { 'hopper-v1': 60, 'walker2d-v1': 60, 'halfcheetah-v1': 8, 'ant-v1': 40 };
    for (const [id, count] of Object.entries(episodes)) {
      withEnv(id, (env) => {
        const rng = new Rng(1234);
        const returns: number[] = [];
        for (let episode = 0; episode < count; episode++) {
          env.reset(5000 + episode);
          let total = 0;
          for (;;) {
            const action = Float32Array.from({ length: env.actionSpace.size }, () => rng.uniformIn(-1, 1));
            const result = env.step(action);
            total += result.reward;
            if (result.terminated || result.truncated) break;
          }
          returns.push(total);
        }
        const m = returns.reduce((a, b) => a + b, 0) / count;
        const sd = Math.sqrt(returns.reduce((a, b) => a + (b - m) ** 2, 0) / (count - 1));
        expect(Math.abs(m - env.referenceScores!.min), `${id}: mean ${m}`).toBeLessThan(
          4 * (sd / Math.sqrt(count)) + 1,
        );
      });
    }
  });
});
