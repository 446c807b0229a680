/** The environment interface every simulator implements (Gymnasium semantics). */

import type { BoxSpace, Space } from '../common/spaces.js';

export type { BoxSpace, DiscreteSpace, Space } from '../common/spaces.js';

export interface StepResult {
  observation: Float32Array;
  reward: number;
  /** The episode reached a terminal state (bootstrap mask 0). */
  terminated: boolean;
  /** The episode was cut by the time limit (bootstrap mask stays 1). */
  truncated: boolean;
  info: { success?: boolean; [key: string]: unknown };
}

/** What the UI draws for one frame of an environment, in world coordinates projected to 2-D. */
export interface RenderSnapshot {
  /**
   * 'top' (default): a map seen from above, y up. 'side': a side view (x right, height up) with
   * the ground at y = 0, drawn with distance marks; the bounds follow the body.
   */
  view?: 'top' | 'side';
  /** World bounds [xMin, yMin, xMax, yMax]. */
  bounds: [number, number, number, number];
  /** Axis-aligned wall rectangles [x, y, width, height]. */
  walls: [number, number, number, number][];
  /** Agent position and optional heading/angle in radians. */
  agent: { x: number; y: number; angle?: number; radius: number };
  goal?: { x: number; y: number; radius: number };
  /** Extra line segments (e.g. a pendulum rod or the mountain curve) [x1, y1, x2, y2]. */
  lines?: [number, number, number, number][];
  /** Body parts as capsules (segments with round ends) [x1, y1, x2, y2, radius]. */
  capsules?: [number, number, number, number, number][];
}

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  /** Time limit in steps; reaching it sets `truncated`. */
  readonly maxEpisodeSteps: number;
  /** D4RL-style reference returns for the normalised score, when the task has them. */
  readonly referenceScores?: { min: number; max: number };
  /** True for goal-reaching tasks that report `info.success`. */
  readonly goalConditioned: boolean;
  reset(seed?: number): Float32Array;
  /** `action` is a Float32Array for Box spaces, an integer for Discrete ones. Actions are clipped to the bounds. */
  step(action: Float32Array | number): StepResult;
  render(): RenderSnapshot;
  /** Free what the environment holds outside the JavaScript heap (the MuJoCo tasks); idempotent. */
  close?(): void;
}

export interface EnvSpec {
  id: string;
  description: string;
  make(options?: Record<string, unknown>): Env;
  /** Runtime the environment needs loaded first (asynchronously), if any. */
  runtime?: 'mujoco';
  /** Shapes known without building the environment (required when `runtime` is set). */
  shapes?: { observationWidth: number; actionWidth: number; goal: boolean };
}

/** One environment as listed to the user (`o2o datasets envs`, the UI): its id and shapes. */
export interface EnvListing {
  id: string;
  description: string;
  observationWidth: number;
  actionWidth: number;
  discrete: boolean;
  /** Goal-reaching task that reports success. */
  goal: boolean;
  /** False when the environment cannot run here (e.g. MuJoCo failed to load; see `unavailableReason`); absent means it can. */
  available?: boolean;
  unavailableReason?: string;
}
