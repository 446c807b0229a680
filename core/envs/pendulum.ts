/**
 * Pendulum-v1: swing a frictionless pendulum up and keep it upright with a bounded torque.
 * Dynamics, reward and constants follow Gymnasium's classic_control/pendulum.py (v1).
 */
import { z } from 'zod';
import { EnvBase, parseEnvOptions } from './base.js';
import { boxSpace, clip, clipBoxAction, normalizeAngle } from './spaces.js';
import type { StepResult } from './types.js';
import type { RenderSnapshot } from '../common/render-snapshot.js';

/** Physical constants of Pendulum-v1. */
export const PENDULUM = {
  maxSpeed: 8,
  maxTorque: 2,
  /** Integration step in seconds. */
  dt: 0.05,
  /** Gravity; Gymnasium's default g = 10.0. */
  gravity: 10,
  mass: 1,
  length: 1,
} as const;

/** State of the pendulum: angle θ (0 = upright) and angular velocity θ̇. */
export interface PendulumState {
  theta: number;
  thetaDot: number;
}

/**
 * One semi-implicit Euler step (Gymnasium Pendulum-v1):
 * θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m l²)·u)·dt, ±8), θ' = θ + θ̇'·dt,
 * reward = −(normalize(θ)² + 0.1·θ̇² + 0.001·u²), u clipped to ±2.
 */
export function pendulumStep(state: PendulumState, torque: number): { next: PendulumState; reward: number } {
  const { gravity: g, mass: m, length: l, dt, maxSpeed, maxTorque } = PENDULUM;
  const u = clip(torque, -maxTorque, maxTorque);
  const angle = normalizeAngle(state.theta);
  const cost = angle * angle + 0.1 * state.thetaDot * state.thetaDot + 0.001 * u * u;
  const thetaDot = clip(
    state.thetaDot + (((3 * g) / (2 * l)) * Math.sin(state.theta) + (3 / (m * l * l)) * u) * dt,
    -maxSpeed,
    maxSpeed,
  );
  return { next: { theta: state.theta + thetaDot * dt, thetaDot }, reward: -cost };
}

const optionsSchema = z.strictObject({});

/**
 * Reference returns (core/data/reference.ts): mean return of the uniform random policy and of the
 * noise-free energy-pumping controller over 100 episodes each, as `npm run datasets` measures them.
 */
export const PENDULUM_REFERENCE = { random: -1283.75, expert: -159.35 };

export class PendulumEnv extends EnvBase {
  readonly id = 'pendulum-v1';
  readonly observationSpace = boxSpace([-1, -1, -PENDULUM.maxSpeed], [1, 1, PENDULUM.maxSpeed]);
  readonly actionSpace = boxSpace([-PENDULUM.maxTorque], [PENDULUM.maxTorque]);
  readonly maxEpisodeSteps = 200;
  override readonly referenceScores = { min: PENDULUM_REFERENCE.random, max: PENDULUM_REFERENCE.expert };
  state: PendulumState = { theta: 0, thetaDot: 0 };

  constructor(options?: Record<string, unknown>) {
    super();
    parseEnvOptions('pendulum-v1', optionsSchema, options);
  }

  protected resetState(): Float32Array {
    this.state = { theta: this.rng.uniformIn(-Math.PI, Math.PI), thetaDot: this.rng.uniformIn(-1, 1) };
    return this.observe();
  }

  protected advance(action: Float32Array | number): StepResult {
    const [torque] = clipBoxAction(this.id, this.actionSpace, action);
    const { next, reward } = pendulumStep(this.state, torque);
    this.state = next;
    return { observation: this.observe(), reward, terminated: false, truncated: false, info: {} };
  }

  private observe(): Float32Array {
    return Float32Array.of(Math.cos(this.state.theta), Math.sin(this.state.theta), this.state.thetaDot);
  }

  render(): RenderSnapshot {
    const x = Math.sin(this.state.theta);
    const y = Math.cos(this.state.theta);
    return {
      bounds: [-1.2, -1.2, 1.2, 1.2],
      walls: [],
      agent: { x, y, angle: this.state.theta, radius: 0.08 },
      lines: [[0, 0, x, y]],
    };
  }
}
