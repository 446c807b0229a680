import { beforeAll, describe, expect, it } from 'vitest';
import { AntMazePlanner, antGaitAction, antGoalAction } from '../../../core/envs/mujoco/ant-gait.js';
import type { AntMazeEnv } from '../../../core/envs/mujoco/ant-maze.js';
import { makeEnv, prepareEnv } from '../../../core/envs/registry.js';

beforeAll(async () => {
  await prepareEnv('antmaze-umaze-v1');
});

describe('scripted ant gait', () => {
  it('walks the same gait along each quarter turn: leg l at quarter k does what leg l − k does at quarter 0', () => {
    const ankleSign = [1, 1, -1, -1];
    for (let t = 0; t < 20; t++) {
      const base = antGaitAction(t, 0);
      for (let k = 0; k < 4; k++) {
        const turned = antGaitAction(t, k);
        for (let leg = 0; leg < 4; leg++) {
          const role = (leg - k + 4) % 4;
          expect(turned[2 * leg]).toBeCloseTo(base[2 * role], 12);
          expect(turned[2 * leg + 1] * ankleSign[leg]).toBeCloseTo(base[2 * role + 1] * ankleSign[role], 12);
        }
      }
      for (const value of base) expect(Math.abs(value)).toBeLessThanOrEqual(1);
    }
  });

  it('plans through the U-maze: from the start cell the waypoint is the next cell towards the goal', () => {
    const maze = makeEnv('antmaze-umaze-v1') as unknown as AntMazeEnv;
    const planner = new AntMazePlanner(maze, maze.goal);
    // Start (row 1, col 1) → (1, 2) → (1, 3) → (2, 3) → (3, 3) → (3, 2) → goal (3, 1).
    expect(planner.waypoint(0, 0)).toEqual(maze.cellCenter(1, 2));
    expect(planner.waypoint(...maze.cellCenter(1, 3))).toEqual(maze.cellCenter(2, 3));
    expect(planner.waypoint(...maze.cellCenter(3, 2))).toEqual(maze.cellCenter(3, 1));
    expect(planner.waypoint(...maze.cellCenter(3, 1))).toEqual(maze.goal);
    maze.close?.();
  });

  it('reaches the U-maze goal from the evaluation start within the time limit', () => {
    const maze = makeEnv('antmaze-umaze-v1') as unknown as AntMazeEnv;
    let successes = 0;
    for (let episode = 0; episode < 4; episode++) {
      let observation = maze.reset(700 + episode);
      const planner = new AntMazePlanner(maze, maze.goal);
      for (let t = 0; ; t++) {
        const target = planner.waypoint(observation[0], observation[1]);
        const step = maze.step(antGoalAction(observation, t, target));
        observation = step.observation;
        if (step.terminated) successes++;
        if (step.terminated || step.truncated) break;
      }
    }
    // Measured: 10 of 10 episodes (seeds 500–509), 443 steps on average of the 700 allowed.
    expect(successes).toBeGreaterThanOrEqual(3);
    maze.close?.();
  });

  it("start: 'random' puts the ant in open cells other than the goal's", () => {
    const maze = makeEnv('antmaze-medium-v1', { start: 'random' }) as unknown as AntMazeEnv;
    const cells = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const observation = maze.reset(seed);
      const cell = maze.cellAt(observation[0], observation[1]);
      expect(maze.layout.rows[cell.row][cell.col]).not.toBe('#');
      expect(cell).not.toEqual(maze.goalCell);
      cells.add(`${cell.row},${cell.col}`);
    }
    expect(cells.size).toBeGreaterThan(10);
    expect(() => makeEnv('antmaze-umaze-v1', { start: 'corner' })).toThrow(/start/);
    maze.close?.();
  });
});
