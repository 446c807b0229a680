/**
 * CartPole-v1: balance a pole on a cart by pushing it left or right (discrete actions).
 * Dynamics (Barto, Sutton & Anderson 1983, explicit Euler), termination and constants follow
 * Gymnasium's classic_control/cartpole.py (v1).
 */
import { z } from 'zod';
import { EnvBase, parseEnvOptions } from './base.js';
import { boxSpace, discreteSpace, readDiscreteAction } from './spaces.js';
import type { StepResult } from './types.js';
import type { RenderSnapshot } from '../common/render-snapshot.js';

export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1,
  massPole: 0.1,
  /** Half the pole's length. */
  halfLength: 0.5,
  forceMagnitude: 10,
  /** Seconds between state updates. */
  tau: 0.02,
  /** 12 degrees. */
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
} as const;

export interface CartPoleState {
  x: number;
  xDot: number;
  theta: number;
  thetaDot: number;
}

/**
 * One explicit-Euler step of the cart-pole (Gymnasium CartPole-v1, after Florian 2007):
 * temp = (F + m_p l θ̇² sin θ)/M, θ̈ = (g sin θ − cos θ·temp)/(l(4/3 − m_p cos²θ/M)),
 * ẍ = temp − m_p l θ̈ cos θ/M; then x += τẋ, ẋ += τẍ, θ += τθ̇, θ̇ += τθ̈.
 * Terminated when |x| > 2.4 or |θ| > 12°. Reward 1 per step.
 */
export function cartPoleStep(
  state: CartPoleState,
  action: number,
): { next: CartPoleState; terminated: boolean } {
  const { gravity, massCart, massPole, halfLength, forceMagnitude, tau, thetaThreshold, xThreshold } =
    CARTPOLE;
  const totalMass = massCart + massPole;
  const poleMassLength = massPole * halfLength;
  const force = action === 1 ? forceMagnitude : -forceMagnitude;
  const cos = Math.cos(state.theta);
  const sin = Math.sin(state.theta);
  const temp = (force + poleMassLength * state.thetaDot * state.thetaDot * sin) / totalMass;
  const thetaAcc = (gravity * sin - cos * temp) / (halfLength * (4 / 3 - (massPole * cos * cos) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  const next = {
    x: state.x + tau * state.xDot,
    xDot: state.xDot + tau * xAcc,
    theta: state.theta + tau * state.thetaDot,
    thetaDot: state.thetaDot + tau * thetaAcc,
  };
  const terminated =
    next.x < -xThreshold ||
    next.x > xThreshold ||
    next.theta < -thetaThreshold ||
    next.theta > thetaThreshold;
  return { next, terminated };
}

const optionsSchema = z.strictObject({});

/** Mean return of the uniform random policy over 100 episodes (core/data/reference.ts); the best is the 500-step cap. */
export const CARTPOLE_REFERENCE = { min: 21.87 };

export class CartPoleEnv extends EnvBase {
  readonly id = 'cartpole-v1';
  readonly observationSpace = boxSpace(
    [-CARTPOLE.xThreshold * 2, -Infinity, -CARTPOLE.thetaThreshold * 2, -Infinity],
    [CARTPOLE.xThreshold * 2, Infinity, CARTPOLE.thetaThreshold * 2, Infinity],
  );
  readonly actionSpace = discreteSpace(2);
  readonly maxEpisodeSteps = 500;
  override readonly referenceScores = { min: CARTPOLE_REFERENCE.min, max: 500 };
  state: CartPoleState = { x: 0, xDot: 0, theta: 0, thetaDot: 0 };

  constructor(options?: Record<string, unknown>) {
    super();
    parseEnvOptions('cartpole-v1', optionsSchema, options);
  }

  protected resetState(): Float32Array {
    const draw = () => this.rng.uniformIn(-0.05, 0.05);
    this.state = { x: draw(), xDot: draw(), theta: draw(), thetaDot: draw() };
    return this.observe();
  }

  protected advance(action: Float32Array | number): StepResult {
    const push = readDiscreteAction(this.id, this.actionSpace, action);
    const { next, terminated } = cartPoleStep(this.state, push);
    this.state = next;
    return { observation: this.observe(), reward: 1, terminated, truncated: false, info: {} };
  }

  private observe(): Float32Array {
    const { x, xDot, theta, thetaDot } = this.state;
    return Float32Array.of(x, xDot, theta, thetaDot);
  }

  render(): RenderSnapshot {
    const { x, theta } = this.state;
    const poleLength = 2 * CARTPOLE.halfLength;
    return {
      bounds: [-CARTPOLE.xThreshold, -0.5, CARTPOLE.xThreshold, 1.5],
      walls: [[x - 0.25, -0.15, 0.5, 0.3]],
      agent: { x, y: 0, angle: theta, radius: 0.05 },
      lines: [
        [x, 0, x + poleLength * Math.sin(theta), poleLength * Math.cos(theta)],
        [-CARTPOLE.xThreshold, -0.15, CARTPOLE.xThreshold, -0.15],
      ],
    };
  }
}
