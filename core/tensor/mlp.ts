/**
 * ReLU multilayer perceptrons with explicit forward traces and hand-written backward passes.
 *
 * The learners train several small MLPs per update, and one of them (the critic) needs the
 * gradient of a penalty on its own input gradient, a second-order quantity. Writing the backward
 * passes out keeps every product a plain 2-D matMul (the fast path on wasm, see dense.ts), lets
 * independent products share one matMul by stacking rows, and makes the second-order term exact
 * and cheap for piecewise-linear nets. Each pass is checked against finite differences in the tests.
 *
 * Layout: layer l (1 … L) maps h_{l−1} to z_l = h_{l−1}·W_l + b_l; hidden layers apply ReLU,
 * h_l = max(z_l, 0); the last layer is linear. A ParameterSet holds [W_1, b_1, …, W_L, b_L]
 * starting at tensor index `first` (so one set can hold several heads, e.g. twin critics).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/random.js';
import { orthogonalMatrix } from './init.js';
import type { ParameterSet } from './parameters.js';

export interface MlpSpec {
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
}

/** Number of dense layers L. */
export function mlpLayerCount(spec: MlpSpec): number {
  return spec.hiddenSizes.length + 1;
}

/** Shapes [W_1, b_1, …, W_L, b_L]. */
export function mlpShapes(spec: MlpSpec): number[][] {
  const widths = [spec.inputSize, ...spec.hiddenSizes, spec.outputSize];
  const shapes: number[][] = [];
  for (let l = 1; l < widths.length; l++) shapes.push([widths[l - 1], widths[l]], [widths[l]]);
  return shapes;
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

/** What a forward pass keeps for the backward pass. */
export interface MlpTrace {
  /** h_0 = x, h_1, …, h_{L−1}: the input of each layer. */
  layerInputs: tf.Tensor2D[];
  /** m_1 … m_{L−1}: 1 where the hidden pre-activation is positive, else 0. */
  masks: tf.Tensor2D[];
  /** z_L, [rows × outputSize]. */
  output: tf.Tensor2D;
}

function weight(params: ParameterSet, first: number, layer: number): tf.Tensor2D {
  return params.tensor(first + 2 * (layer - 1)) as tf.Tensor2D;
}
function bias(params: ParameterSet, first: number, layer: number): tf.Tensor1D {
  return params.tensor(first + 2 * (layer - 1) + 1) as tf.Tensor1D;
}
function weightTransposed(params: ParameterSet, first: number, layer: number): tf.Tensor2D {
  return params.transposed(first + 2 * (layer - 1));
}

/**
 * Layer `layer` applied to its input h: act(h·W + b), with the bias and the activation fused into
 * the product (one XNNPACK call on wasm).
 */
function layerOutput(
  params: ParameterSet,
  first: number,
  layer: number,
  h: tf.Tensor2D,
  activation: 'relu' | 'linear',
): tf.Tensor2D {
  return tf.fused.matMul({
    a: h,
    b: weight(params, first, layer),
    bias: bias(params, first, layer),
    activation,
  }) as tf.Tensor2D;
}

/** Forward pass of an L-layer MLP; call inside tf.tidy (the trace tensors belong to the caller's scope). */
export function mlpForward(params: ParameterSet, first: number, layers: number, x: tf.Tensor2D): MlpTrace {
  const layerInputs: tf.Tensor2D[] = [x];
  const masks: tf.Tensor2D[] = [];
  let h = x;
  for (let l = 1; l < layers; l++) {
    // h > 0 exactly where z > 0, so the ReLU's derivative is the step of h.
    h = layerOutput(params, first, l, h, 'relu');
    masks.push(tf.step(h) as tf.Tensor2D);
    layerInputs.push(h);
  }
  const output = layerOutput(params, first, layers, h, 'linear');
  return { layerInputs, masks, output };
}

/** Forward pass without a trace (inference). */
export function mlpApply(params: ParameterSet, first: number, layers: number, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let h = x;
    for (let l = 1; l < layers; l++) {
      h = layerOutput(params, first, l, h, 'relu');
    }
    return layerOutput(params, first, layers, h, 'linear');
  });
}

/**
 * xᵀ·dy through plain products, transposing whichever side is cheaper: xᵀ directly, or
 * (dyᵀ·x)ᵀ when dy is much narrower than x (e.g. a 1- or 12-wide output layer).
 */
export function weightGradient(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  const [rows, inputs] = x.shape;
  const outputs = dy.shape[1];
  if (outputs === 1) {
    return tf.reshape(tf.matMul(tf.reshape(dy, [1, rows]), x), [inputs, 1]);
  }
  if (rows * outputs + inputs * outputs < rows * inputs) {
    return tf.transpose(tf.matMul(tf.transpose(dy), x));
  }
  return tf.matMul(tf.transpose(x), dy);
}

/**
 * Column sums of the first `rowCount` rows of dy (all rows by default) as a [cols] vector, summed
 * on the host: a reduction over axis 0 is slow on wasm, and a 1ᵀ·dy product pays for packing dy.
 */
export function columnSum(dy: tf.Tensor2D, rowCount = dy.shape[0]): tf.Tensor1D {
  const cols = dy.shape[1];
  const values = dy.dataSync() as Float32Array;
  const sums = new Float64Array(cols);
  for (let r = 0; r < rowCount; r++) {
    const offset = r * cols;
    for (let c = 0; c < cols; c++) sums[c] += values[offset + c];
  }
  return tf.tensor1d(Float32Array.from(sums));
}

export interface MlpGradients {
  /** dLoss/d[W_1, b_1, …, W_L, b_L], or an empty list when weights were not requested. */
  gradients: tf.Tensor[];
  /** dLoss/dx when requested. */
  inputGradient?: tf.Tensor2D;
}

/**
 * Backward pass for a loss whose gradient with respect to the output is `outputGradient`:
 * dz_L = outputGradient; dW_l = h_{l−1}ᵀ·dz_l; db_l = 1ᵀ·dz_l; dh_{l−1} = dz_l·W_lᵀ; dz_{l−1} = dh_{l−1} ⊙ m_{l−1}.
 * Call inside tf.tidy.
 */
export function mlpBackward(
  params: ParameterSet,
  first: number,
  trace: MlpTrace,
  outputGradient: tf.Tensor2D,
  options: { weights: boolean; input: boolean },
): MlpGradients {
  const layers = trace.layerInputs.length;
  const gradients: tf.Tensor[] = new Array<tf.Tensor>(2 * layers);
  let dz = outputGradient;
  let inputGradient: tf.Tensor2D | undefined;
  for (let l = layers; l >= 1; l--) {
    if (options.weights) {
      gradients[2 * (l - 1)] = weightGradient(trace.layerInputs[l - 1], dz);
      gradients[2 * (l - 1) + 1] = columnSum(dz);
    }
    if (l > 1 || options.input) {
      // A 1-wide layer needs no product: dz·wᵀ is a broadcast multiply. (A reshaped view of a
      // kernel must not be a matMul operand either: the wasm backend caches packed right-hand
      // operands by buffer, so the same buffer under another shape would reuse the wrong packing.)
      const dh =
        dz.shape[1] === 1
          ? tf.mul(dz, tf.reshape(weight(params, first, l), [1, -1]))
          : tf.matMul(dz, weightTransposed(params, first, l));
      if (l > 1) dz = tf.mul(dh, trace.masks[l - 2]) as tf.Tensor2D;
      else inputGradient = dh as tf.Tensor2D;
    }
  }
  return { gradients: options.weights ? gradients : [], inputGradient };
}

/**
 * Rows `indices` of a matrix, gathered on the host: the wasm backend's gather kernel costs about as
 * much as a 256×256 product for a 256×256 result, a host copy a fraction of a millisecond.
 */
export function gatherRows(matrix: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
  const [rowCount, cols] = matrix.shape;
  const source = matrix.dataSync() as Float32Array;
  const out = new Float32Array(indices.length * cols);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    if (row < 0 || row >= rowCount) throw new RangeError(`row ${row} outside [0, ${rowCount})`);
    out.set(source.subarray(row * cols, (row + 1) * cols), i * cols);
  }
  return tf.tensor2d(out, [indices.length, cols]);
}

/** What an input penalty returns: its gradient on the rows where it is non-zero. */
export interface InputPenaltyGradient {
  /** Indices of the rows whose penalty gradient is non-zero, ascending. */
  rows: Int32Array;
  /** ∂P/∂(∇ₓq) on those rows, [rows.length × inputs]; may be undefined when no row is active. */
  gradient: tf.Tensor2D | undefined;
}

/**
 * Backward pass of a scalar-output MLP q(x) for the loss  Σᵢ dqᵢ·q(xᵢ) + P(∇ₓq(x)),  where P is a
 * penalty on the per-row input gradient (e.g. the critic's gradient penalty on ∂Q/∂a).
 *
 * With masks held fixed (ReLU is piecewise linear), the input gradient is
 *   g_{L−1} = m_{L−1} ⊙ w_Lᵀ,  g_{l−1} = (g_l·W_lᵀ) ⊙ m_{l−1},  ∇ₓq = g_1·W_1ᵀ,
 * and with G = ∂P/∂(∇ₓq) the penalty's parameter gradient runs the other way:
 *   a_0 = G,  a_l = (a_{l−1}·W_l) ⊙ m_l,  dW_l += a_{l−1}ᵀ·g_l  (g_L = 1);  biases get none.
 * The loss path and the penalty path use the same matrices, so they are stacked row-wise
 * ([dz_l; g_l] and [h_{l−1}; a_{l−1}]) and each layer costs one product per direction.
 * `penalty` maps ∇ₓq [rows × inputs] to G on the rows where G ≠ 0 (a hinge penalty such as
 * max(‖g‖ − 1, 0)² is zero on most rows of a trained critic, and those rows then cost nothing on
 * the second-order path). Call inside tf.tidy.
 */
export function mlpBackwardWithInputPenalty(
  params: ParameterSet,
  first: number,
  trace: MlpTrace,
  outputGradient: tf.Tensor2D,
  penalty: (inputGradient: tf.Tensor2D) => InputPenaltyGradient,
): Required<MlpGradients> {
  const layers = trace.layerInputs.length;
  const rows = outputGradient.shape[0];
  if (outputGradient.shape[1] !== 1) throw new RangeError('the input penalty needs a scalar-output MLP');
  if (layers < 2) throw new RangeError('the input penalty needs at least one hidden layer');

  const stackedMask = (l: number): tf.Tensor2D => tf.concat([trace.masks[l - 1], trace.masks[l - 1]], 0);
  // stacked[l] = [dz_l; g_l] for hidden layers l = 1 … L−1 (2·rows × width_l); index 0 unused.
  const stacked: tf.Tensor2D[] = new Array<tf.Tensor2D>(layers);
  const outputRows = tf.concat([outputGradient, tf.ones([rows, 1])], 0) as tf.Tensor2D;
  stacked[layers - 1] = tf.mul(
    tf.mul(outputRows, tf.reshape(weight(params, first, layers), [1, -1])),
    stackedMask(layers - 1),
  ) as tf.Tensor2D;
  for (let l = layers - 1; l >= 2; l--) {
    stacked[l - 1] = tf.mul(
      tf.matMul(stacked[l], weightTransposed(params, first, l)),
      stackedMask(l - 1),
    ) as tf.Tensor2D;
  }
  // ∇ₓq for the penalty rows only; slicing the narrow product is cheaper than slicing g_1.
  const inputWidth = trace.layerInputs[0].shape[1];
  const inputGradient = tf.slice(
    tf.matMul(stacked[1], weightTransposed(params, first, 1)),
    [rows, 0],
    [rows, inputWidth],
  ) as tf.Tensor2D;
  const penaltyResult = penalty(inputGradient);
  const active = penaltyResult.rows.length;
  if (active > 0 && penaltyResult.gradient?.shape[0] !== active) {
    throw new RangeError(`the penalty gradient must have one row per active row (${active})`);
  }

  // Only rows with a non-zero penalty gradient carry the second-order path (the others add zeros):
  // all rows → use the stacks as they are; some → gather them; none → the loss rows alone.
  const everyRow = active === rows;
  const keptRows = Int32Array.from({ length: rows + active }, (_, i) =>
    i < rows ? i : rows + penaltyResult.rows[i - rows],
  );
  const penaltyRowsOf = (matrix: tf.Tensor2D): tf.Tensor2D =>
    everyRow ? matrix : gatherRows(matrix, penaltyResult.rows);
  const keptRowsOf = (stack: tf.Tensor2D): tf.Tensor2D =>
    everyRow ? stack : active === 0 ? tf.slice(stack, [0, 0], [rows, -1]) : gatherRows(stack, keptRows);

  // a_0 = G, a_l = (a_{l−1}·W_l) ⊙ m_l, on the active rows.
  const adjoints: tf.Tensor2D[] = [];
  if (active > 0) {
    adjoints.push(penaltyResult.gradient!);
    for (let l = 1; l < layers; l++) {
      adjoints.push(
        tf.mul(
          tf.matMul(adjoints[l - 1], weight(params, first, l)),
          penaltyRowsOf(trace.masks[l - 1]),
        ) as tf.Tensor2D,
      );
    }
  }
  const withAdjoint = (h: tf.Tensor2D, l: number): tf.Tensor2D =>
    active > 0 ? (tf.concat([h, adjoints[l]], 0) as tf.Tensor2D) : h;

  const gradients: tf.Tensor[] = new Array<tf.Tensor>(2 * layers);
  for (let l = 1; l < layers; l++) {
    const upstream = keptRowsOf(stacked[l]);
    gradients[2 * (l - 1)] = weightGradient(withAdjoint(trace.layerInputs[l - 1], l - 1), upstream);
    gradients[2 * (l - 1) + 1] = columnSum(stacked[l], rows);
  }
  const lastUpstream =
    active > 0 ? (tf.concat([outputGradient, tf.ones([active, 1])], 0) as tf.Tensor2D) : outputGradient;
  gradients[2 * (layers - 1)] = weightGradient(
    withAdjoint(trace.layerInputs[layers - 1], layers - 1),
    lastUpstream,
  );
  gradients[2 * (layers - 1) + 1] = tf.reshape(tf.sum(outputGradient), [1]);
  return { gradients, inputGradient };
}

/**
 * Forward pass on the host for a few rows (no tensor overhead): used for single-observation
 * actions. `arrays` are [W_1, b_1, …] row-major; returns [count × outputSize].
 */
export function mlpApplyHost(
  arrays: readonly Float32Array[],
  spec: MlpSpec,
  x: Float32Array,
  count: number,
): Float32Array {
  const widths = [spec.inputSize, ...spec.hiddenSizes, spec.outputSize];
  let input = x;
  for (let l = 1; l < widths.length; l++) {
    const inWidth = widths[l - 1];
    const outWidth = widths[l];
    const w = arrays[2 * (l - 1)];
    const b = arrays[2 * (l - 1) + 1];
    const out = new Float32Array(count * outWidth);
    const hidden = l < widths.length - 1;
    for (let r = 0; r < count; r++) {
      const row = r * outWidth;
      for (let j = 0; j < outWidth; j++) out[row + j] = b[j];
      for (let k = 0; k < inWidth; k++) {
        const value = input[r * inWidth + k];
        if (value === 0) continue;
        const wRow = k * outWidth;
        for (let j = 0; j < outWidth; j++) out[row + j] += value * w[wRow + j];
      }
      if (hidden) for (let j = 0; j < outWidth; j++) if (out[row + j] < 0) out[row + j] = 0;
    }
    input = out;
  }
  return input;
}
