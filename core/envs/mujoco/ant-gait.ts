/**
 * A scripted goal-reaching controller for the ant mazes' ant (D4RL's AntMaze ant: torque 30 per
 * unit action, dt 0.1): a central pattern generator under a waypoint planner, the behaviour of the
 * AntMaze datasets (D4RL drove a trained goal-reaching policy with the same kind of planner).
 *
 * The gait: each leg's hip follows A·sin(ωt + φ) + a and its ankle B·sin(ωt + φ + ψ) + b (the
 * ankle's sign per leg, since the back legs' ankle axes point the other way), with one phase φ per
 * leg. Its ten numbers were found here by random search: walking along +x first, then closed-loop
 * towards goals 3 m away in every direction on open ground. The ant's legs are four-fold symmetric,
 * so turning the leg roles by a quarter turn walks the same gait along +y, −x or −y in the body
 * frame; the controller takes, every step, the quarter whose direction is closest to the target's
 * direction seen from the torso (its yaw from the orientation quaternion). No turning is needed.
 */
import type { AntMazeEnv } from './ant-maze.js';

/** Hip amplitude, ankle amplitude, ω (rad per step), four leg phases, ankle phase lag, hip and ankle offsets. */
const GAIT = {
  hipAmplitude: 1.716,
  ankleAmplitude: -0.018,
  omega: 0.831,
  phases: [4.156, 0.928, 2.672, 6.059],
  anklePhase: 6.433,
  hipOffset: -0.272,
  ankleOffset: -0.826,
};

/** Action order of the ant's legs: front right, front left, back left, back right (hip, ankle each). */
const ANKLE_SIGN = [1, 1, -1, -1];

/** Torso yaw (rad) from the observation's quaternion (w, x, y, z at indices 3…6). */
export function antYaw(observation: Float32Array): number {
  const [w, x, y, z] = [observation[3], observation[4], observation[5], observation[6]];
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

/**
 * The gait's action at step `t` walking along body direction `quarter`·90° (0: +x, 1: +y, 2: −x,
 * 3: −y): the leg at angle α plays the part the leg at α − quarter·90° plays walking along +x.
 */
export function antGaitAction(t: number, quarter: number): Float32Array {
  const action = new Float32Array(8);
  for (let leg = 0; leg < 4; leg++) {
    const role = (((leg - quarter) % 4) + 4) % 4;
    const phase = GAIT.omega * t + GAIT.phases[role];
    const hip = GAIT.hipAmplitude * Math.sin(phase) + GAIT.hipOffset;
    const ankle = GAIT.ankleAmplitude * Math.sin(phase + GAIT.anklePhase) + GAIT.ankleOffset;
    action[2 * leg] = Math.max(-1, Math.min(1, hip));
    action[2 * leg + 1] = Math.max(-1, Math.min(1, ANKLE_SIGN[leg] * ankle));
  }
  return action;
}

/** The gait's action at step `t` towards world point `target`. */
export function antGoalAction(
  observation: Float32Array,
  t: number,
  target: readonly [number, number],
): Float32Array {
  const bearing = Math.atan2(target[1] - observation[1], target[0] - observation[0]) - antYaw(observation);
  const quarter = ((Math.round(bearing / (Math.PI / 2)) % 4) + 4) % 4;
  return antGaitAction(t, quarter);
}

/**
 * Waypoints through an ant maze: breadth-first distances (in cells) to a target cell, and from any
 * cell the centre of the neighbour one step closer; in the target's cell, the target itself.
 */
export class AntMazePlanner {
  private readonly distances: Map<string, number>;

  constructor(
    private readonly maze: AntMazeEnv,
    private readonly target: readonly [number, number],
  ) {
    const goal = maze.cellAt(target[0], target[1]);
    this.distances = new Map([[`${goal.row},${goal.col}`, 0]]);
    const queue = [goal];
    while (queue.length > 0) {
      const cell = queue.shift()!;
      const d = this.distances.get(`${cell.row},${cell.col}`)!;
      for (const next of this.neighbours(cell)) {
        const key = `${next.row},${next.col}`;
        if (this.distances.has(key)) continue;
        this.distances.set(key, d + 1);
        queue.push(next);
      }
    }
  }

  /** The point to walk towards from world point (x, y). */
  waypoint(x: number, y: number): readonly [number, number] {
    const cell = this.maze.cellAt(x, y);
    const d = this.distances.get(`${cell.row},${cell.col}`);
    if (d === undefined || d === 0) return this.target;
    for (const next of this.neighbours(cell)) {
      if (this.distances.get(`${next.row},${next.col}`) === d - 1)
        return this.maze.cellCenter(next.row, next.col);
    }
    return this.target;
  }

  private neighbours(cell: { row: number; col: number }): { row: number; col: number }[] {
    const rows = this.maze.layout.rows;
    return [
      { row: cell.row + 1, col: cell.col },
      { row: cell.row - 1, col: cell.col },
      { row: cell.row, col: cell.col + 1 },
      { row: cell.row, col: cell.col - 1 },
    ].filter(({ row, col }) => (rows[row]?.[col] ?? '#') !== '#');
  }
}
