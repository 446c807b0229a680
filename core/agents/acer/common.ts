/**
 * Pieces both ACER learners share: the contract types (what `act` returns, the policy head for
 * export), the optimiser step (global-norm clipping, RMSProp with the learning-rate schedule, as
 * baselines' acer), packing a sequence batch's valid steps into matrix rows, and checked reads of
 * a saved state.
 */
import type { ExtraColumn } from '../../replay/types.js';
import type { ActResult, PolicyHead } from '../types.js';
import type { SequenceBatch } from '../../replay/sequences.js';
import type { Kernels } from '../../tensor/kernels.js';
import { RmsProp, type ParameterSet, type RmsPropState } from '../../tensor/parameters.js';
import type { Scratch } from '../../tensor/scratch.js';
import type { AcerConfig } from './config.js';

/** What `act` returns (the shared contract, with the behaviour statistics always present). */
export type AcerActResult = ActResult & { extras: Record<string, Float32Array> };

/** How ACER's deterministic policy output becomes an action: argmax of logits, or the Gaussian's mean. */
export type AcerPolicyHead = Extract<PolicyHead, { kind: 'categorical' } | { kind: 'gaussian' }>;

/** The replay columns a discrete ACER stores per step. */
export function discreteStoredColumns(actionCount: number): ExtraColumn[] {
  return [{ name: 'behaviourProbs', width: actionCount }];
}

/** The replay columns a continuous ACER stores per step. */
export function continuousStoredColumns(actionWidth: number): ExtraColumn[] {
  return [
    { name: 'behaviourMean', width: actionWidth },
    { name: 'behaviourLogStd', width: actionWidth },
  ];
}

/**
 * The valid steps of a sequence batch as consecutive matrix rows: slot b's steps 0 … L_b − 1 at
 * rows start[b] … start[b] + L_b − 1, then one bootstrap row per non-empty slot (in slot order)
 * after the n step rows.
 */
export interface PackedSteps {
  /** Valid steps n. */
  steps: number;
  /** Non-empty slots m (= bootstrap rows). */
  windows: number;
  /** [B] first packed row of each slot (−1 for an empty slot). */
  start: Int32Array;
  /** [B] the slot's bootstrap row (n + its rank among the non-empty slots), −1 for an empty slot. */
  bootstrapRow: Int32Array;
  /** [n] batch entry b·k + t of each packed step row. */
  entry: Int32Array;
  /** [(n + m) × observationWidth] the step observations, then the bootstrap observations. */
  observations: Float32Array;
}

/** Pack `batch`'s valid steps (see PackedSteps); buffers come from `scratch`. */
export function packSequenceBatch(
  batch: SequenceBatch,
  scratch: Scratch,
  intScratch: IntScratch,
): PackedSteps {
  const { size, length: k, observationWidth: dO } = batch;
  let steps = 0;
  let windows = 0;
  for (let b = 0; b < size; b++) {
    const length = batch.lengths[b];
    if (length < 0 || length > k)
      throw new RangeError(`sequence batch slot ${b} has length ${length}, outside [0, ${k}]`);
    steps += length;
    if (length > 0) windows++;
  }
  if (steps === 0) throw new RangeError('the sequence batch holds no valid step');
  const start = intScratch.get('start', size);
  const bootstrapRow = intScratch.get('bootstrap', size);
  const entry = intScratch.get('entry', steps);
  const observations = scratch.get('packed/observations', (steps + windows) * dO);
  let row = 0;
  let window = 0;
  for (let b = 0; b < size; b++) {
    const length = batch.lengths[b];
    if (length === 0) {
      start[b] = -1;
      bootstrapRow[b] = -1;
      continue;
    }
    start[b] = row;
    observations.set(batch.observations.subarray(b * k * dO, (b * k + length) * dO), row * dO);
    for (let t = 0; t < length; t++) entry[row + t] = b * k + t;
    row += length;
    bootstrapRow[b] = steps + window;
    observations.set(batch.bootstrapObservations.subarray(b * dO, (b + 1) * dO), (steps + window) * dO);
    window++;
  }
  return { steps, windows, start, bootstrapRow, entry, observations };
}

/** Named, reused Int32Array buffers (the Int32 counterpart of Scratch). */
export class IntScratch {
  private readonly buffers = new Map<string, Int32Array>();
  get(name: string, length: number): Int32Array {
    let buffer = this.buffers.get(name);
    if (!buffer || buffer.length < length) {
      buffer = new Int32Array(length);
      this.buffers.set(name, buffer);
    }
    return buffer.subarray(0, length);
  }
}

/** Named, reused Float64Array buffers for per-row mathematics in double precision. */
export class Float64Scratch {
  private readonly buffers = new Map<string, Float64Array>();
  get(name: string, length: number): Float64Array {
    let buffer = this.buffers.get(name);
    if (!buffer || buffer.length < length) {
      buffer = new Float64Array(length);
      this.buffers.set(name, buffer);
    }
    return buffer.subarray(0, length);
  }
  get bytes(): number {
    let total = 0;
    for (const buffer of this.buffers.values()) total += buffer.byteLength;
    return total;
  }
}

/** What one optimiser step did. */
export interface OptimiserStep {
  /** Global gradient norm before clipping. */
  gradientNorm: number;
  /** 1 when the norm was clipped to maxGradientNorm. */
  clipped: number;
  /** The learning rate used. */
  learningRate: number;
}

/**
 * The trained parameters of one ACER model (all its networks in one flat vector), their
 * gradient, and RMSProp with baselines' schedule: the global gradient norm is clipped to
 * `maxGradientNorm` (tf.clip_by_global_norm), and with the linear schedule the rate is
 * η·(1 − progress).
 */
export class AcerOptimiser {
  readonly gradient: Float32Array;
  readonly optimiser: RmsProp;
  /** Fraction of training done, in [0, 1], set by the training loop (drives the linear schedule). */
  progress = 0;

  constructor(
    readonly parameters: ParameterSet,
    private readonly config: AcerConfig,
  ) {
    this.gradient = new Float32Array(parameters.totalSize);
    this.optimiser = new RmsProp(parameters.totalSize, {
      learningRate: config.learningRate,
      decay: config.rmspropDecay,
      epsilon: config.rmspropEpsilon,
      initialMeanSquare: config.rmspropInitialMeanSquare,
    });
  }

  get learningRate(): number {
    const { learningRate, learningRateSchedule } = this.config;
    return learningRateSchedule === 'linear' ? learningRate * Math.max(0, 1 - this.progress) : learningRate;
  }

  /** Clip the gradient's global norm, then one RMSProp step. Throws before touching the weights when the gradient is not finite. */
  step(kernels: Kernels, loss: number, updateNumber: number): OptimiserStep {
    const gradient = this.gradient;
    if (!Number.isFinite(loss) || !kernels.allFinite(gradient)) {
      throw new Error(
        `ACER loss or gradient is not finite at update ${updateNumber}; check the batch for NaN/Inf ` +
          'observations, rewards or behaviour statistics, the reward scale, and the learning rate',
      );
    }
    let squares = 0;
    for (let i = 0; i < gradient.length; i++) squares += gradient[i] * gradient[i];
    const gradientNorm = Math.sqrt(squares);
    let clipped = 0;
    if (gradientNorm > this.config.maxGradientNorm) {
      const scale = this.config.maxGradientNorm / gradientNorm;
      for (let i = 0; i < gradient.length; i++) gradient[i] *= scale;
      clipped = 1;
    }
    const learningRate = this.learningRate;
    this.optimiser.learningRate = learningRate;
    this.optimiser.apply(kernels, this.parameters, gradient);
    return { gradientNorm, clipped, learningRate };
  }

  getState(): { parameters: Float32Array; optimiser: RmsPropState; progress: number } {
    return {
      parameters: this.parameters.read(),
      optimiser: this.optimiser.getState(),
      progress: this.progress,
    };
  }

  setState(state: unknown, read: StateReader): void {
    const record = read.object(state, 'model');
    this.parameters.assign(read.floats(record.parameters, 'model.parameters', this.parameters.totalSize));
    const optimiser = read.object(record.optimiser, 'model.optimiser');
    this.optimiser.setState({
      step: read.number(optimiser.step, 'model.optimiser.step'),
      meanSquare: read.floats(optimiser.meanSquare, 'model.optimiser.meanSquare', this.parameters.totalSize),
    });
    this.progress = read.number(record.progress, 'model.progress');
  }
}

/** Checked reads of a saved learner state; every failure names the field. */
export class StateReader {
  constructor(private readonly what: string) {}

  fail(message: string): never {
    throw new Error(`${this.what} state: ${message}`);
  }

  object(value: unknown, name: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object') return this.fail(`${name} missing`);
    return value as Record<string, unknown>;
  }

  number(value: unknown, name: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.fail(`${name} must be a finite number`);
    return value;
  }

  floats(value: unknown, name: string, length: number): Float32Array {
    if (!(value instanceof Float32Array)) return this.fail(`${name} must be a Float32Array`);
    if (value.length !== length) return this.fail(`${name} has ${value.length} values, expected ${length}`);
    return value;
  }

  same(value: unknown, expected: unknown, name: string): void {
    if (JSON.stringify(value) !== JSON.stringify(expected)) {
      this.fail(`${name} is ${JSON.stringify(value)}, the learner's is ${JSON.stringify(expected)}`);
    }
  }
}

/** Mean of `values[0 … count)`. */
export function mean(values: ArrayLike<number>, count = values.length): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i];
  return count > 0 ? total / count : Number.NaN;
}
