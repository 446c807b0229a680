/**
 * Point mazes (pointmaze-umaze-v1, -medium-v1, -large-v1): a 2-D point mass pushed by a bounded
 * force through a walled maze, after D4RL's maze2d. The layouts are D4RL's; the physics is our own
 * (a damped point mass integrated in sub-steps with axis-aligned wall contacts) since D4RL's runs
 * in MuJoCo. Observation (x, y, vx, vy); action a 2-D force in [−1, 1]²; sparse reward 1 on
 * reaching the goal (within 0.5 of it, D4RL's threshold), or a dense exp(−distance) variant.
 */
import { z } from 'zod';
import { EnvBase, parseEnvOptions } from './base.js';
import { MAZE_LAYOUTS, MazeGrid, type Cell, type MazeLayout } from './maze-layouts.js';
import { boxSpace, clipBoxAction } from './spaces.js';
import type { StepResult } from './types.js';
import type { RenderSnapshot } from '../common/render-snapshot.js';

/** Physical constants of the point mass (cells are 1 × 1). */
export const POINT_MASS = {
  /** Seconds per environment step. */
  dt: 0.1,
  /** Integration sub-steps per environment step (keeps each move well under the point radius). */
  substeps: 5,
  /** Acceleration per unit of action (mass 1). */
  forceScale: 3,
  /** Linear velocity damping per second: terminal speed is forceScale / damping = 1.2 cells/s. */
  damping: 2.5,
  /** Velocity components are clipped to ±maxSpeed. */
  maxSpeed: 2,
  /** Collision half-size of the point. */
  radius: 0.1,
  /** The goal counts as reached within this distance (D4RL maze2d). */
  goalRadius: 0.5,
} as const;

export interface PointState {
  x: number;
  y: number;
  vx: number;
  vy: number;
}

/**
 * Advance the point one environment step under force `ax, ay` ∈ [−1, 1]:
 * v ← clip(v + h·(k·a − c·v), ±v_max), then x and y move separately; a move that would overlap a
 * wall cell stops at the wall face and zeroes that velocity component (an inelastic contact).
 */
export function pointMassStep(grid: MazeGrid, state: PointState, ax: number, ay: number): PointState {
  const { dt, substeps, forceScale, damping, maxSpeed, radius } = POINT_MASS;
  const h = dt / substeps;
  let { x, y, vx, vy } = state;
  for (let i = 0; i < substeps; i++) {
    vx = Math.max(-maxSpeed, Math.min(maxSpeed, vx + h * (forceScale * ax - damping * vx)));
    vy = Math.max(-maxSpeed, Math.min(maxSpeed, vy + h * (forceScale * ay - damping * vy)));
    const nextX = x + h * vx;
    if (overlapsWall(grid, nextX, y, radius)) {
      x = vx > 0 ? Math.floor(nextX + radius) - radius - 1e-9 : Math.ceil(nextX - radius) + radius + 1e-9;
      vx = 0;
    } else x = nextX;
    const nextY = y + h * vy;
    if (overlapsWall(grid, x, nextY, radius)) {
      y = vy > 0 ? Math.floor(nextY + radius) - radius - 1e-9 : Math.ceil(nextY - radius) + radius + 1e-9;
      vy = 0;
    } else y = nextY;
  }
  return { x, y, vx, vy };
}

/** True when the square of half-size r centred at (x, y) overlaps a wall cell. */
export function overlapsWall(grid: MazeGrid, x: number, y: number, r: number): boolean {
  const colLow = Math.floor(x - r);
  const colHigh = Math.floor(x + r);
  const yLow = Math.floor(y - r);
  const yHigh = Math.floor(y + r);
  for (let col = colLow; col <= colHigh; col++) {
    for (let yCell = yLow; yCell <= yHigh; yCell++) {
      if (grid.isWall(grid.rowCount - 1 - yCell, col)) return true;
    }
  }
  return false;
}

/** Sparse reward (D4RL maze2d): 1 within `goalRadius` of the goal, else 0. */
export function sparseGoalReward(distance: number): number {
  return distance <= POINT_MASS.goalRadius ? 1 : 0;
}

/** Dense reward (D4RL maze2d-dense): exp(−distance to the goal). */
export function denseGoalReward(distance: number): number {
  return Math.exp(-distance);
}

const goalSchema = z.union([z.literal('eval'), z.literal('random'), z.tuple([z.number(), z.number()])]);
const optionsSchema = z.strictObject({
  /** 'sparse' (default): 1 at the goal; 'dense': exp(−distance). */
  reward: z.enum(['sparse', 'dense']).default('sparse'),
  /** 'eval' (default): the layout's fixed goal; 'random': a random open cell per episode; or [x, y]. */
  goal: goalSchema.default('eval'),
  /** 'eval' (default): the open cell farthest from the goal; 'random': any open cell. */
  start: z.enum(['eval', 'random']).default('eval'),
  /** End the episode (terminated) on reaching the goal, as AntMaze does (default true); false keeps D4RL maze2d's non-terminating episodes. */
  terminateAtGoal: z.boolean().default(true),
});
export type PointMazeOptions = z.infer<typeof optionsSchema>;

export interface PointMazeSpec {
  id: string;
  layout: MazeLayout;
  maxEpisodeSteps: number;
  /** Success rate of the random policy and of the scripted waypoint controller (sparse reward). */
  referenceScores: { min: number; max: number };
}

export class PointMazeEnv extends EnvBase {
  readonly id: string;
  readonly observationSpace;
  readonly actionSpace = boxSpace([-1, -1], [1, 1]);
  readonly maxEpisodeSteps: number;
  override readonly referenceScores: { min: number; max: number } | undefined = undefined;
  override readonly goalConditioned = true;
  readonly grid: MazeGrid;
  readonly options: PointMazeOptions;
  state: PointState = { x: 0, y: 0, vx: 0, vy: 0 };
  /** The goal of the current episode in world coordinates. */
  goal: [number, number];

  constructor(spec: PointMazeSpec, options?: Record<string, unknown>) {
    super();
    this.id = spec.id;
    this.options = parseEnvOptions(spec.id, optionsSchema, options);
    this.grid = new MazeGrid(spec.layout);
    this.maxEpisodeSteps = spec.maxEpisodeSteps;
    const { maxSpeed } = POINT_MASS;
    this.observationSpace = boxSpace(
      [0, 0, -maxSpeed, -maxSpeed],
      [this.grid.colCount, this.grid.rowCount, maxSpeed, maxSpeed],
    );
    const custom = this.options.goal;
    if (Array.isArray(custom)) {
      const cell = this.grid.cellAt(custom[0], custom[1]);
      if (this.grid.isWall(cell.row, cell.col)) {
        throw new RangeError(
          `${spec.id}: option "goal" [${custom.join(', ')}] is inside a wall or outside the maze`,
        );
      }
    }
    // The measured reference scores describe the default task (sparse reward, evaluation goal and start).
    const defaultTask =
      this.options.reward === 'sparse' &&
      this.options.goal === 'eval' &&
      this.options.start === 'eval' &&
      this.options.terminateAtGoal;
    if (defaultTask) this.referenceScores = spec.referenceScores;
    this.goal = this.grid.cellCenter(this.grid.goalCell);
  }

  protected resetState(): Float32Array {
    const goalOption = this.options.goal;
    let startCell: Cell;
    if (goalOption === 'random') {
      startCell = this.options.start === 'eval' ? this.grid.evalStartCell : this.randomOpenCell();
      let cell: Cell;
      do cell = this.randomOpenCell();
      while (cell.row === startCell.row && cell.col === startCell.col);
      this.goal = this.grid.cellCenter(cell);
    } else {
      this.goal =
        goalOption === 'eval' ? this.grid.cellCenter(this.grid.goalCell) : [goalOption[0], goalOption[1]];
      // A random start never lies in the goal's cell (the episode would end before it began).
      const goalCell = this.grid.cellAt(this.goal[0], this.goal[1]);
      if (this.options.start === 'eval') startCell = this.grid.evalStartCell;
      else {
        do startCell = this.randomOpenCell();
        while (startCell.row === goalCell.row && startCell.col === goalCell.col);
      }
    }
    const [sx, sy] = this.grid.cellCenter(startCell);
    this.state = {
      x: sx + this.rng.uniformIn(-0.1, 0.1),
      y: sy + this.rng.uniformIn(-0.1, 0.1),
      vx: 0.1 * this.rng.normal(),
      vy: 0.1 * this.rng.normal(),
    };
    return this.observe();
  }

  private randomOpenCell(): Cell {
    return this.grid.openCells[this.rng.int(this.grid.openCells.length)];
  }

  /** Distance from the point to the current goal. */
  distanceToGoal(): number {
    return Math.hypot(this.state.x - this.goal[0], this.state.y - this.goal[1]);
  }

  protected advance(action: Float32Array | number): StepResult {
    const [ax, ay] = clipBoxAction(this.id, this.actionSpace, action);
    this.state = pointMassStep(this.grid, this.state, ax, ay);
    const distance = this.distanceToGoal();
    const success = distance <= POINT_MASS.goalRadius;
    const reward = this.options.reward === 'dense' ? denseGoalReward(distance) : sparseGoalReward(distance);
    return {
      observation: this.observe(),
      reward,
      terminated: success && this.options.terminateAtGoal,
      truncated: false,
      info: { success, distance, goal: [...this.goal] },
    };
  }

  private observe(): Float32Array {
    const { x, y, vx, vy } = this.state;
    return Float32Array.of(x, y, vx, vy);
  }

  render(): RenderSnapshot {
    return {
      bounds: [0, 0, this.grid.colCount, this.grid.rowCount],
      walls: this.grid.wallRectangles(),
      agent: { x: this.state.x, y: this.state.y, radius: POINT_MASS.radius },
      goal: { x: this.goal[0], y: this.goal[1], radius: POINT_MASS.goalRadius },
    };
  }
}

/**
 * The three tasks. Episode limits are D4RL's maze2d ones. Reference scores are success rates
 * (the return of an episode under the default sparse, terminate-at-goal task is 1 on success and
 * 0 otherwise) of the uniform random policy and of the noise-free scripted waypoint controller,
 * measured over 100 evaluation episodes by `npm run datasets` (see docs/datasets.md).
 */
export const POINT_MAZE_SPECS: PointMazeSpec[] = [
  {
    id: 'pointmaze-umaze-v1',
    layout: MAZE_LAYOUTS.umaze,
    maxEpisodeSteps: 300,
    referenceScores: { min: 0, max: 1 },
  },
  {
    id: 'pointmaze-medium-v1',
    layout: MAZE_LAYOUTS.medium,
    maxEpisodeSteps: 600,
    referenceScores: { min: 0, max: 1 },
  },
  {
    id: 'pointmaze-large-v1',
    layout: MAZE_LAYOUTS.large,
    maxEpisodeSteps: 800,
    referenceScores: { min: 0, max: 1 },
  },
];
