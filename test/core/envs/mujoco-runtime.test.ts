/**
 * The MuJoCo runtime and the ant mazes: loading before use, unavailability, bad input (an MJCF
 * that fails to compile, a NaN state, a diverging simulation, a wrong action width), freeing of
 * every MjModel/MjData, and the ant maze's goal, reward, observation and rendering.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANT_MAZE_GOAL_RADIUS, antMazeReward, type AntMazeEnv } from '../../../core/envs/mujoco/ant-maze.js';
import type { MujocoEnv } from '../../../core/envs/mujoco/mujoco-env.js';
import {
  acquireModel,
  liveHandles,
  loadMujoco,
  MjcfError,
  releaseModel,
} from '../../../core/envs/mujoco/runtime.js';
import { listEnvs, makeEnv, makeEnvAsync } from '../../../core/envs/registry.js';
import { evaluatePolicy } from '../../../core/train/evaluate.js';

beforeAll(async () => {
  await loadMujoco();
});

describe('MuJoCo runtime: loading and availability', () => {
  afterEach(() => {
    delete process.env.O2O_DISABLE_MUJOCO;
    vi.resetModules();
  });

  it('a MuJoCo task built before the runtime is loaded says how to load it', async () => {
    vi.resetModules();
    const fresh = await import('../../../core/envs/registry.js');
    expect(() => fresh.makeEnv('hopper-v1')).toThrow(
      /hopper-v1 needs the MuJoCo physics runtime.*await prepareEnv\("hopper-v1"\)/,
    );
    expect(fresh.makeEnv('pendulum-v1').id).toBe('pendulum-v1'); // the others need nothing
    const env = await fresh.makeEnvAsync('hopper-v1');
    expect(env.observationSpace.size).toBe(11);
    env.close?.();
  });

  it('when MuJoCo cannot load, its tasks are listed as unavailable with the reason and nothing else breaks', async () => {
    vi.resetModules();
    process.env.O2O_DISABLE_MUJOCO = '1';
    const fresh = await import('../../../core/envs/registry.js');
    await expect(fresh.prepareEnv('ant-v1')).rejects.toThrow(
      /ant-v1 is unavailable: MuJoCo failed to load: disabled by the environment variable O2O_DISABLE_MUJOCO=1/,
    );
    expect(() => fresh.makeEnv('ant-v1')).toThrow(/ant-v1 is unavailable: MuJoCo failed to load/);
    const listed = await fresh.listEnvsChecked();
    const unavailable = listed.filter((env) => env.available === false).map((env) => env.id);
    expect(unavailable).toEqual([
      'hopper-v1',
      'walker2d-v1',
      'halfcheetah-v1',
      'ant-v1',
      'antmaze-umaze-v1',
      'antmaze-medium-v1',
    ]);
    for (const env of listed.filter((entry) => entry.available === false)) {
      expect(env.unavailableReason).toMatch(/O2O_DISABLE_MUJOCO/);
      expect(env.observationWidth).toBeGreaterThan(0); // shapes are still known
    }
    expect(listed.find((env) => env.id === 'pendulum-v1')?.available).toBe(true);
    await expect(fresh.makeEnvAsync('cartpole-v1')).resolves.toHaveProperty('id', 'cartpole-v1');
  });

  it('listings agree with the environments they describe', () => {
    for (const listing of listEnvs()) {
      const env = makeEnv(listing.id);
      expect(listing.available, listing.id).toBe(true);
      expect(listing.observationWidth, listing.id).toBe(env.observationSpace.size);
      expect(listing.actionWidth, listing.id).toBe(env.actionSpace.kind === 'box' ? env.actionSpace.size : 1);
      expect(listing.goal, listing.id).toBe(env.goalConditioned);
      env.close?.();
    }
  });
});

describe('MuJoCo runtime: bad input', () => {
  it('an MJCF that fails to compile names the model and what MuJoCo found', async () => {
    const mujoco = await loadMujoco();
    const broken = '<mujoco><worldbody><body><geom type="capsule" sise="0.1"/></body></worldbody></mujoco>';
    expect(() => acquireModel(mujoco, 'broken-model', broken)).toThrow(MjcfError);
    expect(() => acquireModel(mujoco, 'broken-model', broken)).toThrow(
      /MJCF model "broken-model" failed to compile: .*unrecognized attribute: 'sise'/,
    );
    const unclosed = '<mujoco><worldbody>';
    expect(() => acquireModel(mujoco, 'unclosed', unclosed)).toThrow(
      /MJCF model "unclosed" failed to compile/,
    );
    expect(liveHandles().models).toBe(0);
  });

  it('global coordinates are refused with a message saying to use local ones', async () => {
    const mujoco = await loadMujoco();
    const global = '<mujoco><compiler coordinate="global"/><worldbody/></mujoco>';
    expect(() => acquireModel(mujoco, 'old-style', global)).toThrow(
      /"old-style".*coordinate="global" is not supported; write the model in local coordinates/,
    );
  });

  it('a NaN or mis-sized state is refused, naming the entry', () => {
    const env = makeEnv('hopper-v1') as MujocoEnv;
    env.reset(0);
    const { qpos, qvel } = env.getState();
    qpos[2] = Number.NaN;
    expect(() => env.setState(qpos, qvel)).toThrow(
      /hopper-v1: setState: qpos\[2\] is NaN; the state must be finite/,
    );
    qpos[2] = 0;
    qvel[4] = Number.POSITIVE_INFINITY;
    expect(() => env.setState(qpos, qvel)).toThrow(/qvel\[4\] is Infinity/);
    expect(() => env.setState(qpos.subarray(1), new Float64Array(6))).toThrow(
      /qpos must have 6 entries, got 5/,
    );
    env.close();
  });

  it('a simulation that blows up is an error naming the step, never a NaN observation', () => {
    const env = makeEnv('halfcheetah-v1') as MujocoEnv;
    env.reset(0);
    const { qpos, qvel } = env.getState();
    qvel.fill(1e200);
    env.setState(qpos, qvel);
    expect(() => env.step(new Float32Array(6))).toThrow(/halfcheetah-v1: the simulation diverged at step 1/);
    env.close();
  });

  it('an action of the wrong width, a NaN action, a step before reset and a step after close are errors', () => {
    const env = makeEnv('ant-v1') as MujocoEnv;
    expect(() => env.step(new Float32Array(8))).toThrow(/ant-v1: step\(\) called before reset\(\)/);
    env.reset(0);
    expect(() => env.step(new Float32Array(6))).toThrow(
      /ant-v1: action must be a Float32Array of width 8, got width 6/,
    );
    expect(() => env.step(3)).toThrow(/width 8, got a number/);
    const nan = new Float32Array(8);
    nan[5] = Number.NaN;
    expect(() => env.step(nan)).toThrow(/ant-v1: action component 5 is NaN/);
    env.close();
    expect(() => env.reset(0)).toThrow(/ant-v1: the environment was closed/);
  });

  it('unknown options are refused before any simulation memory is taken', () => {
    const before = liveHandles();
    expect(() => makeEnv('walker2d-v1', { frameSkip: 2 })).toThrow(
      /walker2d-v1: unknown option\(s\) "frameSkip"/,
    );
    expect(liveHandles()).toEqual(before);
  });
});

describe('MuJoCo runtime: memory', () => {
  it('environments of one task share one compiled model; closing frees every MjModel and MjData', () => {
    expect(liveHandles()).toEqual({ models: 0, data: 0 });
    const envs = [makeEnv('hopper-v1'), makeEnv('hopper-v1'), makeEnv('ant-v1')];
    expect(liveHandles()).toEqual({ models: 2, data: 3 });
    for (const env of envs) env.close?.();
    envs[0].close?.(); // idempotent
    expect(liveHandles()).toEqual({ models: 0, data: 0 });
  });

  it('many episodes in freshly built environments leak nothing', () => {
    // WebAssembly memory counts as `external`; it never shrinks, so a leak shows up as growth
    // (each MjData holds about 2.4 MB: 300 leaked ones would add some 700 MB).
    const baseline = process.memoryUsage().external;
    for (let i = 0; i < 300; i++) {
      const env = makeEnv(i % 2 === 0 ? 'antmaze-medium-v1' : 'walker2d-v1');
      env.reset(i);
      for (let t = 0; t < 5; t++)
        env.step(new Float32Array(env.actionSpace.kind === 'box' ? env.actionSpace.size : 1));
      env.close?.();
    }
    expect(liveHandles()).toEqual({ models: 0, data: 0 });
    expect(process.memoryUsage().external - baseline).toBeLessThan(24 * 1024 * 1024);
  });

  it('evaluation closes the environments it builds', async () => {
    const result = await evaluatePolicy(
      () => makeEnv('hopper-v1'),
      { act: async (_observations, count) => new Float32Array(count * 3) },
      { episodes: 3, seedOf: (i) => i, gamma: 0.99 },
    );
    expect(result.lengths.every((length) => length > 0)).toBe(true);
    expect(liveHandles()).toEqual({ models: 0, data: 0 });
  });

  it('releasing a model nobody holds is harmless', () => {
    releaseModel('<mujoco/>');
    expect(liveHandles()).toEqual({ models: 0, data: 0 });
  });
});

describe('ant mazes (D4RL AntMaze semantics)', () => {
  it('sparse reward: 1 within 0.5 of the goal (inclusive), else 0', () => {
    expect(antMazeReward(0.5, 0, [0, 0])).toBe(1);
    expect(antMazeReward(0.3, 0.4, [0, 0])).toBe(1);
    expect(antMazeReward(0.5 + 1e-9, 0, [0, 0])).toBe(0);
    expect(ANT_MAZE_GOAL_RADIUS).toBe(0.5);
  });

  it('observes qpos[:15] and qvel[:14]; starts at the origin; a new goal in the goal cell each reset', async () => {
    const env = (await makeEnvAsync('antmaze-umaze-v1')) as AntMazeEnv;
    expect(env.observationSpace.size).toBe(29);
    expect(env.dt).toBeCloseTo(0.1, 12);
    expect(env.maxEpisodeSteps).toBe(700);
    const goals = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const observation = env.reset(seed);
      const { qpos, qvel } = env.getState();
      expect(Array.from(observation)).toEqual(Array.from(Float32Array.from([...qpos, ...qvel])));
      expect(Math.abs(qpos[0])).toBeLessThanOrEqual(0.1);
      expect(Math.abs(qpos[1])).toBeLessThanOrEqual(0.1);
      // U-maze goal cell (row 3, col 1) is 8 up from the start; offsets U(0, 1) + U(0, 0.5)
      expect(env.goal[0]).toBeGreaterThanOrEqual(0);
      expect(env.goal[0]).toBeLessThanOrEqual(1.5);
      expect(env.goal[1]).toBeGreaterThanOrEqual(8);
      expect(env.goal[1]).toBeLessThanOrEqual(9.5);
      goals.add(env.goal.join(','));
    }
    expect(goals.size).toBe(50);
    env.close();
  });

  it('reaching the goal pays 1 and ends the episode; elsewhere nothing, and falling over does not end it', () => {
    const env = makeEnv('antmaze-umaze-v1') as AntMazeEnv;
    env.reset(3);
    const { qpos, qvel } = env.getState();
    qpos[0] = env.goal[0] + 0.2;
    qpos[1] = env.goal[1];
    env.setState(qpos, qvel);
    const atGoal = env.step(new Float32Array(8));
    expect(atGoal.reward).toBe(1);
    expect(atGoal.terminated).toBe(true);
    expect(atGoal.info.success).toBe(true);

    env.reset(4);
    const upsideDown = env.getState();
    upsideDown.qpos[2] = 0.3;
    upsideDown.qpos.set([0, 1, 0, 0], 3); // rotated 180° about x: the ant on its back
    env.setState(upsideDown.qpos, upsideDown.qvel);
    for (let t = 0; t < 20; t++) {
      const result = env.step(new Float32Array(8).fill(1));
      expect(result.reward).toBe(0);
      expect(result.terminated).toBe(false);
    }
    env.close();
  });

  it('renders a top view of the whole maze with its walls, the goal and the ant', () => {
    const env = makeEnv('antmaze-medium-v1') as AntMazeEnv;
    env.reset(0);
    const frame = env.render();
    const wallCells = env.layout.rows
      .join('')
      .split('')
      .filter((cell) => cell === '#').length;
    expect(frame.view).toBe('top');
    expect(frame.walls).toHaveLength(wallCells);
    expect(frame.bounds).toEqual([-6, -6, 26, 26]);
    expect(frame.goal?.radius).toBe(0.5);
    expect(frame.capsules!.length).toBe(13); // torso sphere + 3 segments × 4 legs
    expect(Math.hypot(frame.agent.x, frame.agent.y)).toBeLessThan(0.2);
    env.close();
  });
});
