/**
 * Golden trajectories recorded with the pinned MuJoCo build (@mujoco/mujoco MUJOCO_VERSION): each
 * task from a fixed reset seed under a fixed action sequence. WebAssembly arithmetic is the same
 * on every machine, so the trajectories must match to the last bit; a change means the model,
 * the task code or the MuJoCo version changed. Re-record deliberately with
 *   O2O_RECORD_GOLDEN=1 npx vitest run test/core/envs/mujoco-golden.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMujoco, MUJOCO_VERSION } from '../../../core/envs/mujoco/runtime.js';
import { makeEnv } from '../../../core/envs/registry.js';
import type { BoxSpace } from '../../../core/envs/types.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/mujoco-golden.json');
const TASKS = [
  'hopper-v1',
  'walker2d-v1',
  'halfcheetah-v1',
  'ant-v1',
  'antmaze-umaze-v1',
  'antmaze-medium-v1',
];
const STEPS = 60;
const SEED = 12345;

interface Golden {
  mujocoVersion: string;
  tasks: Record<
    string,
    { reset: number[]; observations: number[][]; rewards: number[]; terminated: boolean[] }
  >;
}

/** A deterministic, varied action sequence in [−1, 1]: a_t[i] = sin(0.37·t + 1.3·i). */
function actionAt(t: number, width: number): Float32Array {
  return Float32Array.from({ length: width }, (_, i) => Math.sin(0.37 * t + 1.3 * i));
}

function record(id: string): Golden['tasks'][string] {
  const env = makeEnv(id);
  try {
    const width = (env.actionSpace as BoxSpace).size;
    const reset = Array.from(env.reset(SEED));
    const observations: number[][] = [];
    const rewards: number[] = [];
    const terminated: boolean[] = [];
    for (let t = 0; t < STEPS; t++) {
      const result = env.step(actionAt(t, width));
      observations.push(Array.from(result.observation));
      rewards.push(result.reward);
      terminated.push(result.terminated);
      if (result.terminated) break;
    }
    return { reset, observations, rewards, terminated };
  } finally {
    env.close?.();
  }
}

describe('MuJoCo golden trajectories', () => {
  beforeAll(async () => {
    await loadMujoco();
  });

  if (process.env.O2O_RECORD_GOLDEN === '1') {
    it('records the golden trajectories', () => {
      const golden: Golden = { mujocoVersion: MUJOCO_VERSION, tasks: {} };
      for (const id of TASKS) golden.tasks[id] = record(id);
      writeFileSync(FIXTURE, `${JSON.stringify(golden)}\n`);
    });
    return;
  }

  const golden = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Golden;

  it('were recorded with the pinned MuJoCo version', () => {
    expect(golden.mujocoVersion).toBe(MUJOCO_VERSION);
    expect(Object.keys(golden.tasks)).toEqual(TASKS);
  });

  for (const id of TASKS) {
    it(`${id} reproduces its recorded trajectory exactly`, () => {
      const expected = golden.tasks[id];
      const actual = record(id);
      expect(actual.reset).toEqual(expected.reset);
      expect(actual.rewards.length).toBe(expected.rewards.length);
      for (let t = 0; t < expected.rewards.length; t++) {
        expect(actual.observations[t], `${id} step ${t}`).toEqual(expected.observations[t]);
        expect(actual.rewards[t], `${id} step ${t}`).toBe(expected.rewards[t]);
        expect(actual.terminated[t]).toBe(expected.terminated[t]);
      }
    });
  }
});
