/**
 * Locomotion tasks on the project's MJCF models, with Gymnasium v4's task semantics
 * (hopper_v4.py, walker2d_v4.py, half_cheetah_v4.py, ant_v4.py with default arguments):
 *
 * |                 | hopper-v1             | walker2d-v1            | halfcheetah-v1      | ant-v1                 |
 * |-----------------|-----------------------|------------------------|---------------------|------------------------|
 * | timestep × skip | 0.002 × 4 (RK4)       | 0.002 × 4 (RK4)        | 0.01 × 5 (Euler)    | 0.01 × 5 (RK4)         |
 * | observation     | qpos[1:], clip(qvel, ±10) (11) | qpos[1:], clip(qvel, ±10) (17) | qpos[1:], qvel (17) | qpos[2:], qvel (27) |
 * | reward          | Δx/dt + 1 − 1e-3·Σa²  | Δx/dt + 1 − 1e-3·Σa²   | Δx/dt − 0.1·Σa²     | Δx_torso/dt + 1 − 0.5·Σa² |
 * | terminates      | not healthy (strict)  | not healthy (strict)   | never               | not healthy (inclusive)|
 * | reset noise     | U(±5e-3) on both      | U(±5e-3) on both       | qpos U(±0.1), qvel 0.1·N | as halfcheetah    |
 *
 * Episodes are cut at 1000 steps (truncated). The healthy reward is paid on every step, the
 * terminating one included (Gymnasium's terminate_when_unhealthy=True).
 */
import { z } from 'zod';
import type { Rng } from '../../util/random.js';
import type { RenderSnapshot } from '../../common/render-snapshot.js';
import { ANT_XML, HALFCHEETAH_XML, HOPPER_XML, WALKER2D_XML } from './models.js';
import { MujocoEnv, type TaskTransition } from './mujoco-env.js';

/** Forward reward: the x displacement over the step divided by dt (a velocity). */
export function forwardReward(xBefore: number, xAfter: number, dt: number): number {
  return (xAfter - xBefore) / dt;
}

/** Control cost w·Σaᵢ² of the (clipped) action. */
export function controlCost(action: ArrayLike<number>, weight: number): number {
  let sum = 0;
  for (let i = 0; i < action.length; i++) sum += action[i] * action[i];
  return weight * sum;
}

/**
 * Hopper-v4 health: every entry of state[2:] = (qpos[2:], qvel) strictly inside (−100, 100),
 * height z = qpos[1] > 0.7, torso angle qpos[2] strictly inside (−0.2, 0.2).
 */
export function hopperHealthy(qpos: ArrayLike<number>, qvel: ArrayLike<number>): boolean {
  for (let i = 2; i < qpos.length; i++) if (!(qpos[i] > -100 && qpos[i] < 100)) return false;
  for (let i = 0; i < qvel.length; i++) if (!(qvel[i] > -100 && qvel[i] < 100)) return false;
  const z = qpos[1];
  const angle = qpos[2];
  return z > 0.7 && z < Infinity && angle > -0.2 && angle < 0.2;
}

/** Walker2d-v4 health: height qpos[1] strictly inside (0.8, 2.0), angle qpos[2] strictly inside (−1, 1). */
export function walkerHealthy(qpos: ArrayLike<number>): boolean {
  const z = qpos[1];
  const angle = qpos[2];
  return z > 0.8 && z < 2 && angle > -1 && angle < 1;
}

/** Ant-v4 health: the whole state (qpos, qvel) finite and torso height qpos[2] in [0.2, 1.0] (inclusive). */
export function antHealthy(qpos: ArrayLike<number>, qvel: ArrayLike<number>): boolean {
  for (let i = 0; i < qpos.length; i++) if (!Number.isFinite(qpos[i])) return false;
  for (let i = 0; i < qvel.length; i++) if (!Number.isFinite(qvel[i])) return false;
  return qpos[2] >= 0.2 && qpos[2] <= 1.0;
}

/** Observation: qpos[skip:] then qvel, each velocity clipped to ±clipVelocity when given. */
export function jointObservation(
  qpos: ArrayLike<number>,
  qvel: ArrayLike<number>,
  skipPositions: number,
  clipVelocity?: number,
): Float32Array {
  const out = new Float32Array(qpos.length - skipPositions + qvel.length);
  let k = 0;
  for (let i = skipPositions; i < qpos.length; i++) out[k++] = qpos[i];
  for (let i = 0; i < qvel.length; i++) {
    const v = qvel[i];
    out[k++] = clipVelocity === undefined ? v : Math.min(clipVelocity, Math.max(-clipVelocity, v));
  }
  return out;
}

const noOptions = z.strictObject({});

/** Reset noise: uniform half-width on qpos; on qvel uniform (same kind) or σ·N(0, 1). */
export interface ResetNoise {
  position: number;
  velocity: { uniform: number } | { normal: number };
}

/** What distinguishes the planar runners (hopper, walker, halfcheetah). */
export interface PlanarTask {
  id: string;
  modelName: string;
  xml: string;
  frameSkip: number;
  observationWidth: number;
  /** Velocity clip of the observation (Hopper, Walker2d: 10). */
  clipVelocity?: number;
  healthyReward: number;
  controlWeight: number;
  noise: ResetNoise;
  /** Health test, or null for tasks that never terminate. */
  healthy: ((qpos: Float64Array, qvel: Float64Array) => boolean) | null;
  /** Side-view window: height range shown. */
  view: { yMin: number; yMax: number };
  referenceScores: { min: number; max: number };
}

/** Reset noise of the Gymnasium v4 tasks: qpos += U(±p); qvel += U(±u) or σ·N(0, 1). */
export function addResetNoise(rng: Rng, noise: ResetNoise, qpos: Float64Array, qvel: Float64Array): void {
  for (let i = 0; i < qpos.length; i++) qpos[i] += rng.uniformIn(-noise.position, noise.position);
  const velocity = noise.velocity;
  for (let i = 0; i < qvel.length; i++) {
    qvel[i] +=
      'uniform' in velocity
        ? rng.uniformIn(-velocity.uniform, velocity.uniform)
        : velocity.normal * rng.normal();
  }
}

/** Hopper, Walker2d and HalfCheetah: planar bodies whose x position is qpos[0]. */
export class PlanarRunnerEnv extends MujocoEnv {
  readonly maxEpisodeSteps = 1000;
  override readonly referenceScores: { min: number; max: number };

  constructor(
    private readonly task: PlanarTask,
    options?: Record<string, unknown>,
  ) {
    super(task.id, task.modelName, task.xml, task.frameSkip, task.observationWidth, noOptions, options);
    this.referenceScores = task.referenceScores;
  }

  protected perturbInitialState(qpos: Float64Array, qvel: Float64Array): void {
    addResetNoise(this.rng, this.task.noise, qpos, qvel);
  }

  protected beforeStep(): number {
    return (this.data.qpos as Float64Array)[0];
  }

  protected transition(action: Float64Array, xBefore: number): TaskTransition {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const forward = forwardReward(xBefore, qpos[0], this.dt);
    const control = controlCost(action, this.task.controlWeight);
    const healthy = this.task.healthy ? this.task.healthy(qpos, qvel) : true;
    return {
      reward: forward + this.task.healthyReward - control,
      terminated: !healthy,
      info: { xPosition: qpos[0], xVelocity: forward, rewardForward: forward, rewardControl: -control },
    };
  }

  protected observe(): Float32Array {
    return jointObservation(
      this.data.qpos as Float64Array,
      this.data.qvel as Float64Array,
      1,
      this.task.clipVelocity,
    );
  }

  /** Side view (x right, z up), a 5 m window that follows the torso. */
  render(): RenderSnapshot {
    const qpos = this.data.qpos as Float64Array;
    const x = qpos[0];
    const z = (this.data.xpos as Float64Array)[3 * 1 + 2];
    return {
      view: 'side',
      bounds: [x - 2.5, this.task.view.yMin, x + 2.5, this.task.view.yMax],
      walls: [],
      agent: { x, y: z, radius: 0.05 },
      capsules: this.bodySegments('side'),
    };
  }
}

/**
 * Reference scores (D4RL-style, for the normalised score): min is the mean return of the uniform
 * random policy measured here (`npm run datasets`, see reference-scores.json); max is D4RL's
 * expert reference for the Gymnasium task until an expert trained here replaces it.
 */
export const LOCOMOTION_REFERENCE = {
  'hopper-v1': { min: 19.52, max: 3234.3 },
  'walker2d-v1': { min: 2.18, max: 4592.3 },
  'halfcheetah-v1': { min: -276.6, max: 12135.0 },
  'ant-v1': { min: -58.57, max: 3879.7 },
} as const;

export const HOPPER_TASK: PlanarTask = {
  id: 'hopper-v1',
  modelName: 'o2o-hopper',
  xml: HOPPER_XML,
  frameSkip: 4,
  observationWidth: 11,
  clipVelocity: 10,
  healthyReward: 1,
  controlWeight: 1e-3,
  noise: { position: 5e-3, velocity: { uniform: 5e-3 } },
  healthy: hopperHealthy,
  view: { yMin: -0.3, yMax: 2.2 },
  referenceScores: LOCOMOTION_REFERENCE['hopper-v1'],
};

export const WALKER2D_TASK: PlanarTask = {
  id: 'walker2d-v1',
  modelName: 'o2o-walker2d',
  xml: WALKER2D_XML,
  frameSkip: 4,
  observationWidth: 17,
  clipVelocity: 10,
  healthyReward: 1,
  controlWeight: 1e-3,
  noise: { position: 5e-3, velocity: { uniform: 5e-3 } },
  healthy: (qpos) => walkerHealthy(qpos),
  view: { yMin: -0.3, yMax: 2.2 },
  referenceScores: LOCOMOTION_REFERENCE['walker2d-v1'],
};

export const HALFCHEETAH_TASK: PlanarTask = {
  id: 'halfcheetah-v1',
  modelName: 'o2o-halfcheetah',
  xml: HALFCHEETAH_XML,
  frameSkip: 5,
  observationWidth: 17,
  healthyReward: 0,
  controlWeight: 0.1,
  noise: { position: 0.1, velocity: { normal: 0.1 } },
  healthy: null,
  view: { yMin: -0.3, yMax: 1.6 },
  referenceScores: LOCOMOTION_REFERENCE['halfcheetah-v1'],
};

/** Ant-v4: the torso's x velocity (from its body position xpos, as Gymnasium reads it), alive bonus, control cost. */
export class AntEnv extends MujocoEnv {
  readonly maxEpisodeSteps = 1000;
  override readonly referenceScores = LOCOMOTION_REFERENCE['ant-v1'];

  constructor(options?: Record<string, unknown>) {
    super('ant-v1', 'o2o-ant', ANT_XML, 5, 27, noOptions, options);
  }

  protected perturbInitialState(qpos: Float64Array, qvel: Float64Array): void {
    addResetNoise(this.rng, { position: 0.1, velocity: { normal: 0.1 } }, qpos, qvel);
  }

  /** x of the torso body frame (data.xpos, body 1), as left by the last mj_step or mj_forward. */
  private torsoX(): number {
    return (this.data.xpos as Float64Array)[3];
  }

  protected beforeStep(): number {
    return this.torsoX();
  }

  protected transition(action: Float64Array, xBefore: number): TaskTransition {
    const qpos = this.data.qpos as Float64Array;
    const qvel = this.data.qvel as Float64Array;
    const forward = forwardReward(xBefore, this.torsoX(), this.dt);
    const control = controlCost(action, 0.5);
    return {
      reward: forward + 1 - control,
      terminated: !antHealthy(qpos, qvel),
      info: { xPosition: this.torsoX(), xVelocity: forward, rewardForward: forward, rewardControl: -control },
    };
  }

  protected observe(): Float32Array {
    return jointObservation(this.data.qpos as Float64Array, this.data.qvel as Float64Array, 2);
  }

  /** Top view following the torso. */
  render(): RenderSnapshot {
    const qpos = this.data.qpos as Float64Array;
    const [x, y] = [qpos[0], qpos[1]];
    return {
      view: 'top',
      bounds: [x - 2.5, y - 2.5, x + 2.5, y + 2.5],
      walls: [],
      agent: { x, y, radius: 0.25 },
      capsules: this.bodySegments('top'),
    };
  }
}
