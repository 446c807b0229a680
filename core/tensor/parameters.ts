/**
 * Parameters of a network: a flat float32 master copy on the host, mirrored to backend tensors
 * (one per layer, plus transposed kernels on demand) whenever it changes; and Adam on the host.
 *
 * Why the host: the optimiser, Polyak averaging and checkpoints are element-wise passes over a few
 * hundred thousand numbers. On the wasm backend each element-wise kernel over such a vector (and
 * the split back into layers) costs about as much as a 256×256 product; a JavaScript loop does the
 * whole Adam step in about a millisecond and the upload is a memcpy. Measured in docs/benchmarks.md.
 *
 * Lifetime discipline: the device tensors belong to the ParameterSet; they are created with
 * tf.keep, replaced (and disposed) when the host values change, and freed by `dispose()`.
 */
import * as tf from '@tensorflow/tfjs-core';

function product(shape: readonly number[]): number {
  return shape.reduce((total, size) => total * size, 1);
}

export class ParameterSet {
  readonly shapes: readonly (readonly number[])[];
  readonly sizes: readonly number[];
  readonly offsets: readonly number[];
  readonly totalSize: number;
  /** The master values; mutate only through `assign`, `update` or `polyakToward`. */
  private readonly values: Float32Array;
  private tensors: (tf.Tensor | undefined)[];
  private transposes: (tf.Tensor2D | undefined)[];
  private version = 0;

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
    this.tensors = this.shapes.map(() => undefined);
    this.transposes = this.shapes.map(() => undefined);
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

  /** Tensor `index` in its own shape, uploaded on first use after a change (owned by this set). */
  tensor(index: number): tf.Tensor {
    let cached = this.tensors[index];
    if (cached === undefined) {
      cached = tf.keep(tf.tensor(this.view(index), [...this.shapes[index]], 'float32'));
      this.tensors[index] = cached;
    }
    return cached;
  }

  /** The transpose of 2-D tensor `index`, transposed on the host and uploaded once per change. */
  transposed(index: number): tf.Tensor2D {
    let cached = this.transposes[index];
    if (cached === undefined) {
      const [rows, cols] = this.shapes[index];
      const source = this.view(index);
      const out = new Float32Array(rows * cols);
      // 16×16 tiles keep both the reads and the strided writes in cache.
      const tile = 16;
      for (let r0 = 0; r0 < rows; r0 += tile) {
        const rEnd = Math.min(r0 + tile, rows);
        for (let c0 = 0; c0 < cols; c0 += tile) {
          const cEnd = Math.min(c0 + tile, cols);
          for (let r = r0; r < rEnd; r++) {
            for (let c = c0; c < cEnd; c++) out[c * rows + r] = source[r * cols + c];
          }
        }
      }
      cached = tf.keep(tf.tensor2d(out, [cols, rows], 'float32'));
      this.transposes[index] = cached;
    }
    return cached;
  }

  /** A read-only view of tensor `index`'s host values (valid until the next change). */
  view(index: number): Float32Array {
    return this.values.subarray(this.offsets[index], this.offsets[index] + this.sizes[index]);
  }

  /** Incremented whenever the values change. */
  get revision(): number {
    return this.version;
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
    this.changed();
  }

  /** Change the values in place through `mutate(values)`. */
  update(mutate: (values: Float32Array) => void): void {
    mutate(this.values);
    this.changed();
  }

  /** Polyak averaging toward `source`: θ′ ← θ′ + τ(θ − θ′). */
  polyakToward(source: ParameterSet, tau: number): void {
    if (source.totalSize !== this.totalSize)
      throw new RangeError('Polyak averaging needs sets of equal size');
    const target = this.values;
    const online = source.values;
    for (let i = 0; i < target.length; i++) target[i] += tau * (online[i] - target[i]);
    this.changed();
  }

  /**
   * Download per-tensor gradients (same order and shapes as the parameters) into one flat host
   * vector; `out` is reused when given.
   */
  gatherGradients(
    gradients: readonly tf.Tensor[],
    out: Float32Array = new Float32Array(this.totalSize),
  ): Float32Array {
    if (gradients.length !== this.sizes.length) {
      throw new RangeError(`expected ${this.sizes.length} gradients, got ${gradients.length}`);
    }
    gradients.forEach((gradient, index) => {
      if (gradient.size !== this.sizes[index]) {
        throw new RangeError(
          `gradient ${index} has ${gradient.size} values, parameter shape [${this.shapes[index].join(', ')}]`,
        );
      }
      out.set(gradient.dataSync() as Float32Array, this.offsets[index]);
    });
    return out;
  }

  dispose(): void {
    this.disposeTensors();
  }

  private changed(): void {
    this.disposeTensors();
    this.version++;
  }

  private disposeTensors(): void {
    for (const tensor of this.tensors) tensor?.dispose();
    for (const tensor of this.transposes) tensor?.dispose();
    this.tensors = this.shapes.map(() => undefined);
    this.transposes = this.shapes.map(() => undefined);
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

  /** One step on host values `parameters` with `gradient` (both of length `size`). */
  applyTo(parameters: Float32Array | Float64Array, gradient: ArrayLike<number>): void {
    if (parameters.length !== this.size || gradient.length !== this.size) {
      throw new RangeError(
        `Adam expects ${this.size} values, got ${parameters.length} and ${gradient.length}`,
      );
    }
    this.step++;
    const { beta1, beta2, epsilon, learningRate } = this;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    const m = this.m;
    const v = this.v;
    for (let i = 0; i < this.size; i++) {
      const g = gradient[i];
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      parameters[i] -= (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
    }
  }

  /** One step on a ParameterSet. */
  apply(parameters: ParameterSet, gradient: ArrayLike<number>): void {
    parameters.update((values) => this.applyTo(values, gradient));
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
