/**
 * ReLU multilayer perceptrons with explicit forward traces and hand-written backward passes, on
 * host Float32Arrays through the kernel seam (kernels.ts), so every provider runs the same code.
 *
 * The learners train several small MLPs per update, and one of them (the critic) needs the gradient
 * of a penalty on its own input gradient, a second-order quantity. Writing the backward passes out
 * keeps every product a plain GEMM, makes the second-order term exact and cheap for piecewise-linear
 * nets, and lets the row-wise mathematics stay on the host. Each pass is checked against finite
 * differences in the tests.
 *
 * Layout: layer l (1 … L) maps h_{l−1} to z_l = h_{l−1}·W_l + b_l; hidden layers apply ReLU,
 * h_l = max(z_l, 0); the last layer is linear. Parameters are one flat vector [W_1, b_1, …, W_L, b_L]
 * (row-major W_l [in × out]); a network's views into it (and into its gradient, same layout) come
 * from `mlpViews`, so one vector can hold several heads (e.g. twin critics).
 */
import type { Rng } from '../util/random.js';
import { orthogonalMatrix } from './init.js';
import type { Kernels } from './kernels.js';
import type { Scratch } from './scratch.js';

export interface MlpSpec {
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
}

/** Number of dense layers L. */
export function mlpLayerCount(spec: MlpSpec): number {
  return spec.hiddenSizes.length + 1;
}

/** Layer widths [input, hidden…, output]. */
export function mlpWidths(spec: MlpSpec): number[] {
  return [spec.inputSize, ...spec.hiddenSizes, spec.outputSize];
}

/** Shapes [W_1, b_1, …, W_L, b_L]. */
export function mlpShapes(spec: MlpSpec): number[][] {
  const widths = mlpWidths(spec);
  const shapes: number[][] = [];
  for (let l = 1; l < widths.length; l++) shapes.push([widths[l - 1], widths[l]], [widths[l]]);
  return shapes;
}

/** Number of parameters of the MLP. */
export function mlpParameterCount(spec: MlpSpec): number {
  return mlpShapes(spec).reduce((total, shape) => total + shape.reduce((p, size) => p * size, 1), 0);
}

/**
 * Initial values as the official code: orthogonal kernels with gain √2 on every layer (flax
 * `default_init()`), zero biases. `outputGain` overrides the last layer's gain.
 */
export function initMlpArrays(spec: MlpSpec, rng: Rng, outputGain = Math.SQRT2): Float32Array[] {
  const shapes = mlpShapes(spec);
  const arrays: Float32Array[] = [];
  for (let i = 0; i < shapes.length; i += 2) {
    const [rows, cols] = shapes[i];
    const gain = i === shapes.length - 2 ? outputGain : Math.SQRT2;
    arrays.push(orthogonalMatrix(rows, cols, gain, rng), new Float32Array(cols));
  }
  return arrays;
}

/** An MLP's weights and biases as views into a flat vector (parameters or gradients). */
export interface MlpViews {
  weights: Float32Array[];
  biases: Float32Array[];
}

/** Views of the MLP whose flat block starts at `offset` of `flat`. */
export function mlpViews(spec: MlpSpec, flat: Float32Array, offset = 0): MlpViews {
  const widths = mlpWidths(spec);
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  let at = offset;
  for (let l = 1; l < widths.length; l++) {
    const size = widths[l - 1] * widths[l];
    weights.push(flat.subarray(at, at + size));
    at += size;
    biases.push(flat.subarray(at, at + widths[l]));
    at += widths[l];
  }
  if (at > flat.length)
    throw new RangeError(`the MLP needs ${at - offset} values from ${offset}, the vector has ${flat.length}`);
  return { weights, biases };
}

/** What a forward pass keeps for the backward pass. */
export interface MlpTrace {
  rows: number;
  /** h_0 = x, h_1, …, h_{L−1}: the input of each layer (h_l > 0 exactly where the ReLU passes). */
  layerInputs: Float32Array[];
  /** z_L, [rows × outputSize]. */
  output: Float32Array;
}

/**
 * One MLP's passes. Buffers come from a Scratch under `key`-derived names, so a forward trace stays
 * valid until the same key is used again: give every trace that must live at the same time its own key.
 */
export class Mlp {
  readonly widths: readonly number[];
  readonly layers: number;

  constructor(readonly spec: MlpSpec) {
    this.widths = mlpWidths(spec);
    this.layers = this.widths.length - 1;
  }

  get inputSize(): number {
    return this.spec.inputSize;
  }

  get outputSize(): number {
    return this.spec.outputSize;
  }

  /** Forward pass of `rows` rows of x [rows × inputSize], keeping the trace. */
  forward(
    kernels: Kernels,
    p: MlpViews,
    x: Float32Array,
    rows: number,
    scratch: Scratch,
    key: string,
  ): MlpTrace {
    const { widths, layers } = this;
    if (x.length < rows * widths[0]) {
      throw new RangeError(
        `${key}: ${rows} rows of width ${widths[0]} need ${rows * widths[0]} values, got ${x.length}`,
      );
    }
    const layerInputs: Float32Array[] = [x.subarray(0, rows * widths[0])];
    let h = layerInputs[0];
    for (let l = 1; l <= layers; l++) {
      const out = scratch.get(`${key}/h${l}`, rows * widths[l]);
      kernels.dense(h, p.weights[l - 1], p.biases[l - 1], out, rows, widths[l - 1], widths[l], l < layers);
      if (l < layers) layerInputs.push(out);
      h = out;
    }
    return { rows, layerInputs, output: h };
  }

  /** Forward pass into `out` [rows × outputSize] without keeping a trace (inference). */
  apply(
    kernels: Kernels,
    p: MlpViews,
    x: Float32Array,
    rows: number,
    scratch: Scratch,
    out?: Float32Array,
  ): Float32Array {
    const trace = this.forward(kernels, p, x, rows, scratch, 'apply');
    if (!out) return trace.output.slice();
    out.set(trace.output);
    return out;
  }

  /**
   * Backward pass for a loss whose gradient with respect to the output is `outputGradient`
   * [rows × outputSize]:
   *   dz_L = outputGradient; dW_l = h_{l−1}ᵀ·dz_l; db_l = 1ᵀ·dz_l; dh_{l−1} = dz_l·W_lᵀ;
   *   dz_{l−1} = dh_{l−1} ⊙ 1[h_{l−1} > 0].
   * Parameter gradients go to `gradients` (added to them when `accumulate`), the input gradient
   * [rows × inputSize] to `inputGradient`; either may be null.
   */
  backward(
    kernels: Kernels,
    p: MlpViews,
    trace: MlpTrace,
    outputGradient: Float32Array,
    gradients: MlpViews | null,
    inputGradient: Float32Array | null,
    scratch: Scratch,
    key: string,
    accumulate = false,
  ): void {
    const { widths, layers } = this;
    const rows = trace.rows;
    let dz = outputGradient;
    for (let l = layers; l >= 1; l--) {
      if (gradients) {
        kernels.gemm(
          true,
          false,
          widths[l - 1],
          widths[l],
          rows,
          trace.layerInputs[l - 1],
          dz,
          gradients.weights[l - 1],
          accumulate,
        );
        kernels.columnSums(dz, rows, widths[l], gradients.biases[l - 1], accumulate);
      }
      if (l > 1) {
        const dh = scratch.get(`${key}/dh${l - 1}`, rows * widths[l - 1]);
        kernels.gemm(false, true, rows, widths[l - 1], widths[l], dz, p.weights[l - 1], dh, false);
        kernels.reluMask(dh, trace.layerInputs[l - 1], rows * widths[l - 1]);
        dz = dh;
      } else if (inputGradient) {
        kernels.gemm(false, true, rows, widths[0], widths[1], dz, p.weights[0], inputGradient, false);
      }
    }
  }

  /**
   * Backward pass of a scalar-output MLP q(x) for the loss  Σᵢ dqᵢ·q(xᵢ) + P(∇ₓq(x)),  where P is a
   * penalty on the per-row input gradient (e.g. the critic's gradient penalty on ∂Q/∂a).
   *
   * With the ReLU masks held fixed (ReLU is piecewise linear), the input gradient is
   *   g_{L−1} = m_{L−1} ⊙ w_Lᵀ,  g_{l−1} = (g_l·W_lᵀ) ⊙ m_{l−1},  ∇ₓq = g_1·W_1ᵀ,
   * and with G = ∂P/∂(∇ₓq) the penalty's parameter gradient runs the other way:
   *   a_0 = G,  a_l = (a_{l−1}·W_l) ⊙ m_l,  dW_l += a_{l−1}ᵀ·g_l  (g_L = 1);  biases get none.
   * `penalty` maps ∇ₓq [rows × inputs] to G on the rows where G ≠ 0 (`rows` ascending, `gradient`
   * [rows.length × inputs]): a hinge penalty such as max(‖g‖ − 1, 0)² is zero on most rows of a
   * trained critic, and those rows then cost nothing on the second-order path.
   * Returns ∇ₓq [rows × inputSize] (a scratch buffer).
   */
  backwardWithInputPenalty(
    kernels: Kernels,
    p: MlpViews,
    trace: MlpTrace,
    outputGradient: Float32Array,
    gradients: MlpViews,
    penalty: (inputGradient: Float32Array) => { rows: Int32Array; gradient: Float32Array },
    scratch: Scratch,
    key: string,
  ): Float32Array {
    const { widths, layers } = this;
    const rows = trace.rows;
    if (widths[layers] !== 1) throw new RangeError('the input penalty needs a scalar-output MLP');
    if (layers < 2) throw new RangeError('the input penalty needs at least one hidden layer');

    // The loss path.
    this.backward(kernels, p, trace, outputGradient, gradients, null, scratch, `${key}/loss`);

    // g_l for l = L−1 … 1 on every row, then ∇ₓq = g_1·W_1ᵀ.
    const g: Float32Array[] = new Array<Float32Array>(layers + 1);
    const last = widths[layers - 1];
    const gLast = scratch.get(`${key}/g${layers - 1}`, rows * last);
    const wLast = p.weights[layers - 1];
    for (let r = 0; r < rows; r++) gLast.set(wLast.subarray(0, last), r * last);
    kernels.reluMask(gLast, trace.layerInputs[layers - 1], rows * last);
    g[layers - 1] = gLast;
    for (let l = layers - 1; l >= 2; l--) {
      const next = scratch.get(`${key}/g${l - 1}`, rows * widths[l - 1]);
      kernels.gemm(false, true, rows, widths[l - 1], widths[l], g[l], p.weights[l - 1], next, false);
      kernels.reluMask(next, trace.layerInputs[l - 1], rows * widths[l - 1]);
      g[l - 1] = next;
    }
    const inputGradient = scratch.get(`${key}/dx`, rows * widths[0]);
    kernels.gemm(false, true, rows, widths[0], widths[1], g[1], p.weights[0], inputGradient, false);

    const { rows: activeRows, gradient: penaltyGradient } = penalty(inputGradient);
    const active = activeRows.length;
    if (active === 0) return inputGradient;
    if (penaltyGradient.length < active * widths[0]) {
      throw new RangeError(`the penalty gradient must have one row per active row (${active})`);
    }
    // The second-order path on the active rows: gather their g_l and masks (h_l), then
    // a_l = (a_{l−1}·W_l) ⊙ m_l and dW_l += a_{l−1}ᵀ·g_l.
    const gather = (source: Float32Array, width: number, name: string): Float32Array => {
      if (active === rows) return source;
      // Sized for every row, so that the buffer does not grow as the active count varies.
      const out = scratch.get(`${key}/active-${name}`, rows * width).subarray(0, active * width);
      for (let i = 0; i < active; i++) {
        const row = activeRows[i];
        out.set(source.subarray(row * width, (row + 1) * width), i * width);
      }
      return out;
    };
    let a = penaltyGradient.subarray(0, active * widths[0]);
    for (let l = 1; l < layers; l++) {
      const gl = gather(g[l], widths[l], `g${l}`);
      kernels.gemm(true, false, widths[l - 1], widths[l], active, a, gl, gradients.weights[l - 1], true);
      const next = scratch.get(`${key}/a${l}`, rows * widths[l]).subarray(0, active * widths[l]);
      kernels.gemm(false, false, active, widths[l], widths[l - 1], a, p.weights[l - 1], next, false);
      kernels.reluMask(next, gather(trace.layerInputs[l], widths[l], `h${l}`), active * widths[l]);
      a = next;
    }
    // Last layer: g_L = 1, so dW_L += a_{L−1}ᵀ·1 = column sums of a_{L−1}.
    kernels.columnSums(a, active, widths[layers - 1], gradients.weights[layers - 1], true);
    return inputGradient;
  }
}
