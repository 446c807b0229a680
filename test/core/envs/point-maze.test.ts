import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAZE_LAYOUTS, MazeGrid } from '../../../core/envs/maze-layouts.js';
import type { PointMazeEnv } from '../../../core/envs/point-maze.js';
import {
  denseGoalReward,
  overlapsWall,
  POINT_MASS,
  pointMassStep,
  sparseGoalReward,
} from '../../../core/envs/point-maze.js';
import { makeEnv } from '../../../core/envs/registry.js';
import { waypointAction } from '../../../core/envs/scripted.js';

const umaze = new MazeGrid(MAZE_LAYOUTS.umaze);

function maze(id = 'pointmaze-umaze-v1', options?: Record<string, unknown>): PointMazeEnv {
  return makeEnv(id, options) as PointMazeEnv;
}

describe('maze grid', () => {
  it('reads the D4RL layouts with the goal and the farthest start cell', () => {
    expect(umaze.goalCell).toEqual({ row: 1, col: 1 });
    expect(umaze.evalStartCell).toEqual({ row: 3, col: 1 });
    expect(umaze.openCells).toHaveLength(7);
    const medium = new MazeGrid(MAZE_LAYOUTS.medium);
    expect(medium.goalCell).toEqual({ row: 6, col: 6 });
    expect(medium.distancesTo(medium.goalCell)[medium.index(medium.evalStartCell)]).toBeGreaterThanOrEqual(
      10,
    );
  });

  it('maps cells to world coordinates with row 0 at the top', () => {
    expect(umaze.cellCenter({ row: 1, col: 1 })).toEqual([1.5, 3.5]);
    expect(umaze.cellAt(1.5, 3.5)).toEqual({ row: 1, col: 1 });
    expect(umaze.wallRectangles()).toContainEqual([0, 0, 1, 1]);
  });

  it('steps one cell closer along the shortest path', () => {
    expect(umaze.nextCellToward({ row: 3, col: 1 }, umaze.goalCell)).toEqual({ row: 3, col: 2 });
    expect(umaze.nextCellToward({ row: 2, col: 3 }, umaze.goalCell)).toEqual({ row: 1, col: 3 });
  });
});

describe('point-mass physics', () => {
  it('accelerates toward the terminal speed forceScale/damping', () => {
    let state = { x: 1.5, y: 1.5, vx: 0, vy: 0 };
    const wide = new MazeGrid({
      name: 'open',
      rows: ['#######', '#OOOOO#', '#OOOOO#', '#OGOOO#', '#######'],
    });
    state = pointMassStep(wide, state, 1, 0);
    // One sub-step h: v₁ = h·k·a; five sub-steps of v ← v + h(k − c·v).
    let v = 0;
    const h = POINT_MASS.dt / POINT_MASS.substeps;
    let x = 1.5;
    for (let i = 0; i < POINT_MASS.substeps; i++) {
      v += h * (POINT_MASS.forceScale - POINT_MASS.damping * v);
      x += h * v;
    }
    expect(state.vx).toBeCloseTo(v, 12);
    expect(state.x).toBeCloseTo(x, 12);
    expect(state.vy).toBe(0);
  });

  it('never lets the point into a wall (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
          {
            minLength: 1,
            maxLength: 120,
          },
        ),
        fc.integer({ min: 0, max: 6 }),
        (actions, cellIndex) => {
          const [x, y] = umaze.cellCenter(umaze.openCells[cellIndex]);
          let state = { x, y, vx: 0, vy: 0 };
          for (const [ax, ay] of actions) {
            state = pointMassStep(umaze, state, ax, ay);
            if (overlapsWall(umaze, state.x, state.y, POINT_MASS.radius - 1e-6)) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('stops at a wall face and zeroes the velocity into it', () => {
    // Cell (3,1) spans x ∈ [1, 2], y ∈ [1, 2]; the wall cell (3,0) is to its left.
    let state = { x: 1.3, y: 1.5, vx: -2, vy: 0 };
    for (let i = 0; i < 5; i++) state = pointMassStep(umaze, state, -1, 0);
    expect(state.x).toBeCloseTo(1 + POINT_MASS.radius, 6);
    expect(state.vx).toBe(0);
  });
});

describe('point-maze task', () => {
  it('pays 1 within 0.5 of the goal (sparse) or exp(−d) (dense)', () => {
    expect(sparseGoalReward(0.49)).toBe(1);
    expect(sparseGoalReward(0.51)).toBe(0);
    expect(denseGoalReward(0)).toBe(1);
    expect(denseGoalReward(2)).toBeCloseTo(Math.exp(-2), 15);
  });

  it('starts at the evaluation start and reaches the goal with the waypoint controller', () => {
    for (const id of ['pointmaze-umaze-v1', 'pointmaze-medium-v1', 'pointmaze-large-v1']) {
      const env = maze(id);
      let observation = env.reset(7);
      const start = env.grid.cellAt(observation[0], observation[1]);
      expect(start).toEqual(env.grid.evalStartCell);
      let step;
      let total = 0;
      do {
        const action = waypointAction(
          env.grid,
          [observation[0], observation[1]],
          [observation[2], observation[3]],
          env.goal,
        );
        step = env.step(Float32Array.from(action));
        total += step.reward;
        observation = step.observation;
      } while (!step.terminated && !step.truncated);
      expect(step.terminated).toBe(true);
      expect(step.info.success).toBe(true);
      expect(total).toBe(1);
      expect(env.elapsed).toBeLessThan(env.maxEpisodeSteps / 2);
    }
  });

  it('keeps going at the goal when terminateAtGoal is false (D4RL maze2d semantics)', () => {
    const env = maze('pointmaze-umaze-v1', { terminateAtGoal: false, reward: 'dense' });
    env.reset(0);
    env.state = { x: env.goal[0], y: env.goal[1], vx: 0, vy: 0 };
    const step = env.step(Float32Array.of(0, 0));
    expect(step.terminated).toBe(false);
    expect(step.info.success).toBe(true);
    expect(step.reward).toBeGreaterThan(0.9);
    expect(env.referenceScores).toBeUndefined();
  });

  it('accepts a custom goal, rejects one inside a wall, and draws walls, agent and goal', () => {
    const env = maze('pointmaze-umaze-v1', { goal: [3.5, 1.5] });
    env.reset(1);
    expect(env.goal).toEqual([3.5, 1.5]);
    const snapshot = env.render();
    expect(snapshot.bounds).toEqual([0, 0, 5, 5]);
    expect(snapshot.walls.length).toBe(25 - 7);
    expect(snapshot.goal).toEqual({ x: 3.5, y: 1.5, radius: 0.5 });
    expect(() => maze('pointmaze-umaze-v1', { goal: [0.5, 0.5] })).toThrow(/inside a wall/);
  });

  it('draws random goals and starts from the seed, never starting in the goal cell', () => {
    const a = maze('pointmaze-medium-v1', { goal: 'random', start: 'random' });
    const b = maze('pointmaze-medium-v1', { goal: 'random', start: 'random' });
    const goals = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      const oa = a.reset(seed);
      expect(Array.from(b.reset(seed))).toEqual(Array.from(oa));
      expect(b.goal).toEqual(a.goal);
      goals.add(a.goal.join(','));
      const startCell = a.grid.cellAt(oa[0], oa[1]);
      const goalCell = a.grid.cellAt(a.goal[0], a.goal[1]);
      expect(startCell).not.toEqual(goalCell);
    }
    expect(goals.size).toBeGreaterThan(5);
  });

  it('has the default-task reference scores (success rates of random vs scripted)', () => {
    expect(maze().referenceScores).toEqual({ min: 0, max: 1 });
  });
});
