/**
 * MountainCarContinuous-v0: drive an under-powered car up the right hill by rocking it.
 * Dynamics, reward and constants follow Gymnasium's continuous_mountain_car.py (v0).
 */
import { z } from 'zod';
import { EnvBase, parseEnvOptions } from './base.js';
import { boxSpace, clip, clipBoxAction } from './spaces.js';
import type { StepResult } from './types.js';
import type { RenderSnapshot } from '../common/render-snapshot.js';

export const MOUNTAIN_CAR = {
  minPosition: -1.2,
  maxPosition: 0.6,
  maxSpeed: 0.07,
  goalPosition: 0.45,
  goalVelocity: 0,
  power: 0.0015,
} as const;

export interface MountainCarState {
  position: number;
  velocity: number;
}

/**
 * One step (Gymnasium MountainCarContinuous-v0), force f = clip(a, ±1):
 * v' = clip(v + f·0.0015 − 0.0025·cos(3x), ±0.07); x' = clip(x + v', [−1.2, 0.6]);
 * v' = 0 when x' hits the left wall moving left. Done when x' ≥ 0.45 and v' ≥ 0;
 * reward = 100·done − 0.1·f².
 */
export function mountainCarStep(
  state: MountainCarState,
  action: number,
): { next: MountainCarState; reward: number; terminated: boolean } {
  const { minPosition, maxPosition, maxSpeed, goalPosition, goalVelocity, power } = MOUNTAIN_CAR;
  const force = clip(action, -1, 1);
  let velocity = clip(
    state.velocity + force * power - 0.0025 * Math.cos(3 * state.position),
    -maxSpeed,
    maxSpeed,
  );
  const position = clip(state.position + velocity, minPosition, maxPosition);
  if (position === minPosition && velocity < 0) velocity = 0;
  const terminated = position >= goalPosition && velocity >= goalVelocity;
  const reward = (terminated ? 100 : 0) - 0.1 * force * force;
  return { next: { position, velocity }, reward, terminated };
}

/** Height of the track at x (for drawing): sin(3x)·0.45 + 0.55, as Gymnasium renders it. */
export function mountainHeight(position: number): number {
  return Math.sin(3 * position) * 0.45 + 0.55;
}

/** The track drawn as 60 line segments; the same in every frame, so built once and shared (read-only). */
const TRACK_LINES: [number, number, number, number][] = (() => {
  const lines: [number, number, number, number][] = [];
  const segments = 60;
  const span = MOUNTAIN_CAR.maxPosition - MOUNTAIN_CAR.minPosition;
  for (let i = 0; i < segments; i++) {
    const x1 = MOUNTAIN_CAR.minPosition + (span * i) / segments;
    const x2 = MOUNTAIN_CAR.minPosition + (span * (i + 1)) / segments;
    lines.push([x1, mountainHeight(x1), x2, mountainHeight(x2)]);
  }
  return lines;
})();

const optionsSchema = z.strictObject({});

/**
 * Reference returns (core/data/reference.ts): uniform random policy vs the noise-free energy-pumping
 * controller, 100 episodes each, as `npm run datasets` measures them.
 */
export const MOUNTAIN_CAR_REFERENCE = { min: -32.38, max: 92.03 };

export class MountainCarContinuousEnv extends EnvBase {
  readonly id = 'mountaincar-continuous-v0';
  readonly observationSpace = boxSpace(
    [MOUNTAIN_CAR.minPosition, -MOUNTAIN_CAR.maxSpeed],
    [MOUNTAIN_CAR.maxPosition, MOUNTAIN_CAR.maxSpeed],
  );
  readonly actionSpace = boxSpace([-1], [1]);
  readonly maxEpisodeSteps = 999;
  override readonly referenceScores = { ...MOUNTAIN_CAR_REFERENCE };
  state: MountainCarState = { position: -0.5, velocity: 0 };

  constructor(options?: Record<string, unknown>) {
    super();
    parseEnvOptions('mountaincar-continuous-v0', optionsSchema, options);
  }

  protected resetState(): Float32Array {
    this.state = { position: this.rng.uniformIn(-0.6, -0.4), velocity: 0 };
    return Float32Array.of(this.state.position, this.state.velocity);
  }

  protected advance(action: Float32Array | number): StepResult {
    const [force] = clipBoxAction(this.id, this.actionSpace, action);
    const { next, reward, terminated } = mountainCarStep(this.state, force);
    this.state = next;
    return {
      observation: Float32Array.of(next.position, next.velocity),
      reward,
      terminated,
      truncated: false,
      info: { success: terminated },
    };
  }

  render(): RenderSnapshot {
    const { position } = this.state;
    return {
      bounds: [MOUNTAIN_CAR.minPosition, 0, MOUNTAIN_CAR.maxPosition, 1.1],
      walls: [],
      agent: {
        x: position,
        y: mountainHeight(position),
        angle: Math.atan(Math.cos(3 * position) * 1.35),
        radius: 0.04,
      },
      goal: { x: MOUNTAIN_CAR.goalPosition, y: mountainHeight(MOUNTAIN_CAR.goalPosition), radius: 0.03 },
      lines: TRACK_LINES,
    };
  }
}
