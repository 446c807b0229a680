/**
 * The machinery every MuJoCo task shares, with Gymnasium v4's MujocoEnv semantics:
 * - `step(a)`: ctrl ← a (clipped into Box(−1, 1)), `mj_step` frame-skip times, then
 *   `mj_rnePostConstraint` (so cacc, cfrc_int, cfrc_ext are current); dt = timestep × frame skip.
 * - `reset(seed)`: `mj_resetData`, the task's noise on qpos and qvel (drawn from the seeded
 *   generator), `mj_forward`. Same seed and actions, same trajectory.
 * - A simulation that diverges (a joint position or velocity NaN, infinite or beyond 1e10) is an
 *   error naming the step and the entry, rather than a NaN observation; the models turn MuJoCo's
 *   automatic reset off, so the state is never silently teleported back to qpos0.
 * Each environment owns one MjData and shares the compiled MjModel of its MJCF text; `close()`
 * frees them, and a finaliser frees them if an environment is dropped unclosed.
 */
import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';
import type { z } from 'zod';
import { EnvBase, parseEnvOptions } from '../base.js';
import { boxSpace, clipBoxAction } from '../spaces.js';
import type { BoxSpace, StepResult } from '../types.js';
import type { RenderSnapshot } from '../../common/render-snapshot.js';
import { acquireModel, allocateData, freeData, mujocoModule, releaseModel } from './runtime.js';

/** A task's step outcome before the time limit is applied. */
export interface TaskTransition {
  reward: number;
  terminated: boolean;
  info: Record<string, unknown>;
}

/** Thrown when the physics diverges: MuJoCo had to reset the state, or it holds NaN/∞. */
export class SimulationDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationDivergedError';
  }
}

interface Handles {
  xml: string;
  data: MjData;
  freed: boolean;
}

/** Frees the wasm objects of environments that were dropped without close(). */
const finaliser = new FinalizationRegistry<Handles>((handles) => {
  if (handles.freed) return;
  handles.freed = true;
  freeData(handles.data);
  releaseModel(handles.xml);
});

/** Index of the first non-finite entry of `values`, or −1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** Capsule geom type (mjGEOM_CAPSULE), sphere (mjGEOM_SPHERE). */
const GEOM_SPHERE = 2;
const GEOM_CAPSULE = 3;

export abstract class MujocoEnv extends EnvBase {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  /** Seconds per environment step: timestep × frame skip. */
  readonly dt: number;
  protected readonly mujoco: MainModule;
  protected readonly model: MjModel;
  protected readonly data: MjData;
  /** Initial joint positions and velocities (qpos0 and zeros), as Gymnasium's init_qpos/init_qvel. */
  protected readonly initialQpos: Float64Array;
  protected readonly initialQvel: Float64Array;
  private readonly handles: Handles;

  /** Options validated against `optionsSchema` before any wasm memory is allocated. */
  protected readonly options: Record<string, unknown>;

  constructor(
    readonly id: string,
    readonly modelName: string,
    private readonly xml: string,
    readonly frameSkip: number,
    observationWidth: number,
    optionsSchema: z.ZodType<Record<string, unknown>>,
    options: Record<string, unknown> | undefined,
  ) {
    super();
    this.options = parseEnvOptions(id, optionsSchema, options);
    this.mujoco = mujocoModule(id);
    this.model = acquireModel(this.mujoco, modelName, xml);
    try {
      this.data = allocateData(this.mujoco, this.model);
    } catch (error) {
      releaseModel(xml);
      throw error;
    }
    this.handles = { xml, data: this.data, freed: false };
    finaliser.register(this, this.handles, this.handles);
    this.dt = this.model.opt.timestep * frameSkip;
    this.initialQpos = Float64Array.from(this.model.qpos0 as Float64Array);
    this.initialQvel = new Float64Array(this.model.nv);
    const nu = this.model.nu;
    this.actionSpace = boxSpace(new Array<number>(nu).fill(-1), new Array<number>(nu).fill(1));
    this.observationSpace = boxSpace(
      new Array<number>(observationWidth).fill(-Infinity),
      new Array<number>(observationWidth).fill(Infinity),
    );
  }

  /** True once `close()` has freed the simulation. */
  get closed(): boolean {
    return this.handles.freed;
  }

  /** Free the MjData and this environment's use of the shared MjModel. Idempotent. */
  close(): void {
    if (this.handles.freed) return;
    this.handles.freed = true;
    finaliser.unregister(this.handles);
    freeData(this.data);
    releaseModel(this.xml);
  }

  private checkOpen(): void {
    if (this.handles.freed) throw new Error(`${this.id}: the environment was closed`);
  }

  override reset(seed?: number): Float32Array {
    this.checkOpen();
    return super.reset(seed);
  }

  protected resetState(): Float32Array {
    const { mujoco, model, data } = this;
    mujoco.mj_resetData(model, data);
    const qpos = Float64Array.from(this.initialQpos);
    const qvel = Float64Array.from(this.initialQvel);
    this.perturbInitialState(qpos, qvel);
    this.writeState(qpos, qvel);
    this.afterReset();
    return this.observe();
  }

  /**
   * Set the joint state directly (then `mj_forward`); for tests and tools that replay states.
   * Lengths must be nq and nv, every entry finite.
   */
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): Float32Array {
    this.checkOpen();
    const { nq, nv } = this.model;
    if (qpos.length !== nq)
      throw new RangeError(`${this.id}: setState: qpos must have ${nq} entries, got ${qpos.length}`);
    if (qvel.length !== nv)
      throw new RangeError(`${this.id}: setState: qvel must have ${nv} entries, got ${qvel.length}`);
    for (const [name, values] of [
      ['qpos', qpos],
      ['qvel', qvel],
    ] as const) {
      const bad = firstNonFinite(values);
      if (bad >= 0)
        throw new RangeError(
          `${this.id}: setState: ${name}[${bad}] is ${values[bad]}; the state must be finite`,
        );
    }
    this.writeState(qpos, qvel);
    return this.observe();
  }

  /** Copies of the current joint positions and velocities. */
  getState(): { qpos: Float64Array; qvel: Float64Array } {
    this.checkOpen();
    return {
      qpos: Float64Array.from(this.data.qpos as Float64Array),
      qvel: Float64Array.from(this.data.qvel as Float64Array),
    };
  }

  private writeState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    (this.data.qpos as Float64Array).set(qpos);
    (this.data.qvel as Float64Array).set(qvel);
    this.mujoco.mj_forward(this.model, this.data);
  }

  protected advance(action: Float32Array | number): StepResult {
    this.checkOpen();
    const clipped = clipBoxAction(this.id, this.actionSpace, action);
    const before = this.beforeStep();
    const { mujoco, model, data } = this;
    (data.ctrl as Float64Array).set(clipped);
    for (let i = 0; i < this.frameSkip; i++) mujoco.mj_step(model, data);
    mujoco.mj_rnePostConstraint(model, data);
    this.checkDiverged();
    const transition = this.transition(clipped, before);
    return {
      observation: this.observe(),
      reward: transition.reward,
      terminated: transition.terminated,
      truncated: false,
      info: transition.info,
    };
  }

  /** MuJoCo's own test of a bad value (mju_isBad): NaN, ±∞ or a magnitude beyond mjMAXVAL = 1e10. */
  private checkDiverged(): void {
    for (const name of ['qpos', 'qvel'] as const) {
      const values = this.data[name] as Float64Array;
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (!(Math.abs(value) <= 1e10)) {
          throw new SimulationDivergedError(
            `${this.id}: the simulation diverged at step ${this.elapsed + 1}: ${name}[${i}] is ${value}`,
          );
        }
      }
    }
  }

  /** Task hook: draw reset noise into `qpos`, `qvel` (initially qpos0 and zeros). */
  protected abstract perturbInitialState(qpos: Float64Array, qvel: Float64Array): void;
  /** Task hook after the reset state is set (e.g. pick a goal). */
  protected afterReset(): void {}
  /** Task hook: whatever the reward needs from the state before the step (e.g. x position). */
  protected abstract beforeStep(): number;
  /** Task hook: reward, termination and info of the step just simulated. */
  protected abstract transition(action: Float64Array, before: number): TaskTransition;
  /** Task hook: the observation of the current state. */
  protected abstract observe(): Float32Array;

  /**
   * The model's capsules and spheres (ground and boxes left out) projected onto a plane:
   * 'side' keeps (x, z), 'top' keeps (x, y). Each is [x1, y1, x2, y2, radius].
   */
  protected bodySegments(plane: 'side' | 'top'): [number, number, number, number, number][] {
    const { model, data } = this;
    const types = model.geom_type as Int32Array;
    const sizes = model.geom_size as Float64Array;
    const positions = data.geom_xpos as Float64Array;
    const rotations = data.geom_xmat as Float64Array;
    const second = plane === 'side' ? 2 : 1;
    const segments: [number, number, number, number, number][] = [];
    for (let g = 0; g < model.ngeom; g++) {
      const type = types[g];
      if (type !== GEOM_CAPSULE && type !== GEOM_SPHERE) continue;
      const radius = sizes[3 * g];
      const half = type === GEOM_CAPSULE ? sizes[3 * g + 1] : 0;
      // The capsule's axis is the geom frame's z axis: the third column of the row-major xmat.
      const axis = [rotations[9 * g + 2], rotations[9 * g + 5], rotations[9 * g + 8]];
      const centre = [positions[3 * g], positions[3 * g + 1], positions[3 * g + 2]];
      segments.push([
        centre[0] - half * axis[0],
        centre[second] - half * axis[second],
        centre[0] + half * axis[0],
        centre[second] + half * axis[second],
        radius,
      ]);
    }
    return segments;
  }

  abstract override render(): RenderSnapshot;
}
