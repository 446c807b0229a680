/**
 * Parameters of a network as one flat float32 vector on the host (the kernels read and write it in
 * place; checkpoints copy it), and Adam over such vectors through the kernel seam.
 */
import type { Kernels } from './kernels.js';

function product(shape: readonly number[]): number {
  return shape.reduce((total, size) => total * size, 1);
}

export class ParameterSet {
  readonly shapes: readonly (readonly number[])[];
  readonly sizes: readonly number[];
  readonly offsets: readonly number[];
  readonly totalSize: number;
  /** The values, [tensor 0 | tensor 1 | …] row-major; kernels update them in place. */
  readonly values: Float32Array;

  constructor(shapes: readonly (readonly number[])[], initial: Float32Array) {
    this.shapes = shapes.map((shape) => [...shape]);
    this.sizes = shapes.map(product);
    const offsets: number[] = [];
    let offset = 0;
    for (const size of this.sizes) {
      offsets.push(offset);
      offset += size;
    }
    this.offsets = offsets;
    this.totalSize = offset;
    if (initial.length !== this.totalSize) {
      throw new RangeError(
        `parameter vector has ${initial.length} values, the shapes need ${this.totalSize}`,
      );
    }
    this.values = Float32Array.from(initial);
  }

  /** Build from one array per tensor (row-major). */
  static fromArrays(shapes: readonly (readonly number[])[], arrays: readonly Float32Array[]): ParameterSet {
    const total = shapes.reduce((sum, shape) => sum + product(shape), 0);
    const flat = new Float32Array(total);
    let offset = 0;
    shapes.forEach((shape, index) => {
      const size = product(shape);
      if (arrays[index].length !== size) {
        throw new RangeError(
          `parameter ${index} has ${arrays[index].length} values, shape [${shape.join(', ')}] needs ${size}`,
        );
      }
      flat.set(arrays[index], offset);
      offset += size;
    });
    return new ParameterSet(shapes, flat);
  }

  /** A live view of tensor `index`. */
  view(index: number): Float32Array {
    return this.values.subarray(this.offsets[index], this.offsets[index] + this.sizes[index]);
  }

  /** A copy of all values. */
  read(): Float32Array {
    return this.values.slice();
  }

  /** Overwrite all values. */
  assign(values: ArrayLike<number>): void {
    if (values.length !== this.totalSize) {
      throw new RangeError(`parameter vector has ${values.length} values, expected ${this.totalSize}`);
    }
    this.values.set(values);
  }

  /** Polyak averaging toward `source`: θ′ ← θ′ + τ(θ − θ′). */
  polyakToward(kernels: Kernels, source: ParameterSet, tau: number): void {
    if (source.totalSize !== this.totalSize)
      throw new RangeError('Polyak averaging needs sets of equal size');
    kernels.polyak(this.values, source.values, tau);
  }
}

/** Hyper-parameters of Adam (Kingma & Ba 2015); defaults as optax.adam. */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Serialisable optimiser state. */
export interface AdamState {
  step: number;
  firstMoment: Float32Array;
  secondMoment: Float32Array;
}

/**
 * Adam (Kingma & Ba 2015) as optax.adam:
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
 *   θ ← θ − η·m̂/(√v̂ + ε),  m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ).
 * Moments are float32 like the parameters and round-trip exactly through getState/setState.
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private step = 0;
  private readonly m: Float32Array;
  private readonly v: Float32Array;

  constructor(
    readonly size: number,
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.step;
  }

  /**
   * One step on `parameters` (a flat vector of length `size`) with `gradient`, through `kernels`,
   * at `learningRate` (a schedule's current rate; default the rate it was made with).
   */
  apply(
    kernels: Kernels,
    parameters: Float32Array | ParameterSet,
    gradient: Float32Array,
    learningRate = this.learningRate,
  ): void {
    const values = parameters instanceof ParameterSet ? parameters.values : parameters;
    if (values.length !== this.size || gradient.length !== this.size) {
      throw new RangeError(`Adam expects ${this.size} values, got ${values.length} and ${gradient.length}`);
    }
    this.step++;
    kernels.adam(values, gradient, this.m, this.v, {
      learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      step: this.step,
    });
  }

  getState(): AdamState {
    return { step: this.step, firstMoment: this.m.slice(), secondMoment: this.v.slice() };
  }

  setState(state: AdamState): void {
    if (state.firstMoment.length !== this.size || state.secondMoment.length !== this.size) {
      throw new RangeError(
        `Adam state has ${state.firstMoment.length}/${state.secondMoment.length} moments, expected ${this.size}`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new RangeError(`Adam step must be an integer ≥ 0, got ${state.step}`);
    }
    this.step = state.step;
    this.m.set(state.firstMoment);
    this.v.set(state.secondMoment);
  }
}

/** Hyper-parameters of RMSProp. */
export interface RmsPropOptions {
  learningRate: number;
  /** Decay ρ of the running mean square (default 0.99, OpenAI baselines' ACER `rprop_alpha`). */
  decay?: number;
  /** ε under the square root (default 1e-5, baselines' `rprop_epsilon`). */
  epsilon?: number;
  /**
   * Starting value of the running mean square: 1 as TensorFlow 1's RMSPropOptimizer (which
   * baselines' ACER runs on, so the first steps are ≈ η·g), 0 as PyTorch and ChainerRL.
   */
  initialMeanSquare?: number;
}

/** Serialisable RMSProp state. */
export interface RmsPropState {
  step: number;
  meanSquare: Float32Array;
}

/**
 * RMSProp (Tieleman & Hinton 2012, lecture 6e) with ε under the square root, as TensorFlow's
 * RMSPropOptimizer without momentum:
 *   s ← ρs + (1 − ρ)g²,  θ ← θ − η·g/√(s + ε).
 * The learning rate may change between steps (a schedule); the mean square is float32 and
 * round-trips exactly through getState/setState.
 */
export class RmsProp {
  readonly decay: number;
  readonly epsilon: number;
  learningRate: number;
  private step = 0;
  private readonly meanSquare: Float32Array;

  constructor(
    readonly size: number,
    options: RmsPropOptions,
  ) {
    this.learningRate = options.learningRate;
    this.decay = options.decay ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-5;
    this.meanSquare = new Float32Array(size).fill(options.initialMeanSquare ?? 1);
  }

  get steps(): number {
    return this.step;
  }

  /** One step on `parameters` (length `size`) with `gradient`, through `kernels`. */
  apply(kernels: Kernels, parameters: Float32Array | ParameterSet, gradient: Float32Array): void {
    const values = parameters instanceof ParameterSet ? parameters.values : parameters;
    if (values.length !== this.size || gradient.length !== this.size) {
      throw new RangeError(
        `RMSProp expects ${this.size} values, got ${values.length} and ${gradient.length}`,
      );
    }
    this.step++;
    kernels.rmsprop(values, gradient, this.meanSquare, {
      learningRate: this.learningRate,
      decay: this.decay,
      epsilon: this.epsilon,
    });
  }

  getState(): RmsPropState {
    return { step: this.step, meanSquare: this.meanSquare.slice() };
  }

  setState(state: RmsPropState): void {
    if (!(state.meanSquare instanceof Float32Array) || state.meanSquare.length !== this.size) {
      throw new RangeError(
        `RMSProp state has ${state.meanSquare?.length ?? 0} mean-square values, expected ${this.size}`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new RangeError(`RMSProp step must be an integer ≥ 0, got ${state.step}`);
    }
    this.step = state.step;
    this.meanSquare.set(state.meanSquare);
  }
}
