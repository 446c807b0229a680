/**
 * Ant mazes (antmaze-umaze-v1, antmaze-medium-v1), after D4RL's AntMaze v2 evaluation tasks: the
 * D4RL ant (RK4 at 0.02 s, frame skip 5, so dt = 0.1 s; torque 30 per unit action) walks through a
 * maze of 4 × 4 cells from the start cell (at the origin) to a goal.
 *
 * - Observation (29): qpos[:15] and qvel[:14] — the torso position (x, y, z), orientation
 *   quaternion, 8 joint angles, then the 14 velocities; no goal (it is fixed per layout).
 * - Reward: sparse, 1 when the torso's (x, y) is within 0.5 of the goal, else 0; reaching it ends
 *   the episode (terminated), as D4RL's evaluation environments do. The normalised score is the
 *   success rate × 100.
 * - Reset: qpos + U(±0.1), qvel + 0.1·N(0, 1) around the start; the goal is drawn anew each reset
 *   (D4RL v2): the goal cell's centre plus U(0, 1) + U(0, 0.5) on each axis.
 * - No termination for falling over: D4RL's goal-reaching wrapper drops the ant's health check.
 * - Time limit: 700 steps (umaze), 1000 (medium).
 */
import { z } from 'zod';
import type { MazeLayout } from '../maze-layouts.js';
import type { RenderSnapshot } from '../../common/render-snapshot.js';
import { addResetNoise, jointObservation } from './locomotion.js';
import { ANT_MAZE_SCALE, antMazeCellCenter, antMazeXml } from './models.js';
import { MujocoEnv, type TaskTransition } from './mujoco-env.js';

/** D4RL's goal threshold: success within this distance of the goal. */
export const ANT_MAZE_GOAL_RADIUS = 0.5;

/** Sparse goal reward (D4RL AntMaze): 1 within 0.5 of the goal, else 0. */
export function antMazeReward(x: number, y: number, goal: readonly [number, number]): number {
  return Math.hypot(x - goal[0], y - goal[1]) <= ANT_MAZE_GOAL_RADIUS ? 1 : 0;
}

export interface AntMazeSpec {
  id: string;
  /** Rows top first, '#' wall, 'R' start, 'G' goal, 'O' open. Row index grows with world y. */
  layout: MazeLayout;
  maxEpisodeSteps: number;
}

/** D4RL's U_MAZE_TEST and BIG_MAZE_TEST maps. */
export const ANT_MAZE_SPECS: AntMazeSpec[] = [
  {
    id: 'antmaze-umaze-v1',
    layout: { name: 'umaze', rows: ['#####', '#ROO#', '###O#', '#GOO#', '#####'] },
    maxEpisodeSteps: 700,
  },
  {
    id: 'antmaze-medium-v1',
    layout: {
      name: 'medium',
      rows: ['########', '#RO##OO#', '#OO#OOO#', '##OOO###', '#OO#OOO#', '#O#OO#O#', '#OOO#OG#', '########'],
    },
    maxEpisodeSteps: 1000,
  },
];

/** The cell of `layout` holding `mark` ('R' or 'G'). */
function findCell(layout: MazeLayout, mark: string): { row: number; col: number } {
  for (let row = 0; row < layout.rows.length; row++) {
    const col = layout.rows[row].indexOf(mark);
    if (col >= 0) return { row, col };
  }
  throw new Error(`maze ${layout.name} has no '${mark}' cell`);
}

const antMazeOptions = z.strictObject({
  /**
   * 'eval': the task's start cell (D4RL's evaluation); 'random': a random open cell outside the
   * goal's (D4RL's diverse data), the torso at its centre with the same reset noise.
   */
  start: z.enum(['eval', 'random']).default('eval'),
});

export class AntMazeEnv extends MujocoEnv {
  readonly maxEpisodeSteps: number;
  override readonly referenceScores = { min: 0, max: 1 };
  override readonly goalConditioned = true;
  readonly layout: MazeLayout;
  readonly startCell: { row: number; col: number };
  readonly goalCell: { row: number; col: number };
  /** Every cell that is not a wall, row by row. */
  readonly openCells: { row: number; col: number }[];
  /** The goal of the current episode (world x, y). */
  goal: [number, number];
  private readonly wallRects: [number, number, number, number][];
  private readonly worldBounds: [number, number, number, number];

  constructor(spec: AntMazeSpec, options?: Record<string, unknown>) {
    const start = findCell(spec.layout, 'R');
    super(
      spec.id,
      `o2o-antmaze-${spec.layout.name}`,
      antMazeXml(spec.layout, start),
      5,
      29,
      antMazeOptions,
      options,
    );
    this.layout = spec.layout;
    this.maxEpisodeSteps = spec.maxEpisodeSteps;
    this.startCell = start;
    this.goalCell = findCell(spec.layout, 'G');
    this.goal = this.cellCenter(this.goalCell.row, this.goalCell.col);
    this.openCells = spec.layout.rows.flatMap((row, r) =>
      [...row].flatMap((cell, c) => (cell === '#' ? [] : [{ row: r, col: c }])),
    );
    const half = ANT_MAZE_SCALE / 2;
    this.wallRects = [];
    spec.layout.rows.forEach((row, r) =>
      [...row].forEach((cell, c) => {
        if (cell !== '#') return;
        const [x, y] = this.cellCenter(r, c);
        this.wallRects.push([x - half, y - half, ANT_MAZE_SCALE, ANT_MAZE_SCALE]);
      }),
    );
    const [x0, y0] = this.cellCenter(0, 0);
    const [x1, y1] = this.cellCenter(spec.layout.rows.length - 1, spec.layout.rows[0].length - 1);
    this.worldBounds = [x0 - half, y0 - half, x1 + half, y1 + half];
  }

  /** World centre of a maze cell. */
  cellCenter(row: number, col: number): [number, number] {
    return antMazeCellCenter(row, col, this.startCell);
  }

  /** The maze cell containing world point (x, y). */
  cellAt(x: number, y: number): { row: number; col: number } {
    return {
      row: this.startCell.row + Math.round(y / ANT_MAZE_SCALE),
      col: this.startCell.col + Math.round(x / ANT_MAZE_SCALE),
    };
  }

  protected perturbInitialState(qpos: Float64Array, qvel: Float64Array): void {
    addResetNoise(this.rng, { position: 0.1, velocity: { normal: 0.1 } }, qpos, qvel);
    if (this.options.start === 'random') {
      const starts = this.openCells.filter(
        ({ row, col }) => row !== this.goalCell.row || col !== this.goalCell.col,
      );
      const { row, col } = starts[this.rng.int(starts.length)];
      const [x, y] = this.cellCenter(row, col);
      qpos[0] += x;
      qpos[1] += y;
    }
  }

  /** D4RL v2: a new goal each reset, offset into the goal cell by U(0, 1) + U(0, 0.5) per axis. */
  protected override afterReset(): void {
    const [x, y] = this.cellCenter(this.goalCell.row, this.goalCell.col);
    const offset = () => this.rng.uniformIn(0, 1) + this.rng.uniformIn(0, 0.5);
    const dx = offset();
    const dy = offset();
    this.goal = [x + dx, y + dy];
  }

  protected beforeStep(): number {
    return 0;
  }

  protected transition(): TaskTransition {
    const qpos = this.data.qpos as Float64Array;
    const distance = Math.hypot(qpos[0] - this.goal[0], qpos[1] - this.goal[1]);
    const reward = antMazeReward(qpos[0], qpos[1], this.goal);
    return {
      reward,
      terminated: reward > 0,
      info: { success: reward > 0, distance, goal: [...this.goal] },
    };
  }

  protected observe(): Float32Array {
    const qpos = (this.data.qpos as Float64Array).subarray(0, 15);
    const qvel = (this.data.qvel as Float64Array).subarray(0, 14);
    return jointObservation(qpos, qvel, 0);
  }

  /** Distance from the torso to the current goal. */
  distanceToGoal(): number {
    const qpos = this.data.qpos as Float64Array;
    return Math.hypot(qpos[0] - this.goal[0], qpos[1] - this.goal[1]);
  }

  /** Top view of the whole maze: walls, goal, the ant's body (the viewer draws its path). */
  render(): RenderSnapshot {
    const qpos = this.data.qpos as Float64Array;
    return {
      view: 'top',
      bounds: this.worldBounds,
      walls: this.wallRects,
      agent: { x: qpos[0], y: qpos[1], radius: 0.25 },
      goal: { x: this.goal[0], y: this.goal[1], radius: ANT_MAZE_GOAL_RADIUS },
      capsules: this.bodySegments('top'),
    };
  }
}
