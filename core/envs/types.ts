/** The environment interface every simulator implements (Gymnasium semantics). */

import type { RenderSnapshot } from '../common/render-snapshot.js';
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
