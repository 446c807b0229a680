/**
 * The TensorFlow.js kernel provider: matrix products through tf.matMul on the active TF.js backend
 * (wasm with XNNPACK normally), the element-wise kernels in JavaScript (javascriptKernels).
 *
 * On tfjs-backend-wasm a matMul with a transpose flag leaves XNNPACK's GEMM for a generic loop and
 * runs 12–22× slower than a plain product, so transposed operands are transposed on the host first
 * (a fraction of the product's cost). Each product uploads its operands and downloads its result:
 * a memcpy each way into the wasm heap.
 */
import * as tf from '@tensorflow/tfjs-core';
import { javascriptKernels, transposeInto, type Kernels } from './kernels.js';

/** Reused host buffers for transposed operands. */
class TransposeBuffers {
  private buffers: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  get(slot: 0 | 1, length: number): Float32Array {
    if (this.buffers[slot].length < length) this.buffers[slot] = new Float32Array(length);
    return this.buffers[slot].subarray(0, length);
  }
}

/** Kernels over the TF.js backend that is active when they run (`provider` names it). */
export function tfjsKernels(backendName: string): Kernels {
  const buffers = new TransposeBuffers();
  const operand = (
    slot: 0 | 1,
    values: Float32Array,
    rows: number,
    cols: number,
    transpose: boolean,
  ): tf.Tensor2D =>
    transpose
      ? tf.tensor2d(transposeInto(values, cols, rows, buffers.get(slot, rows * cols)), [rows, cols])
      : tf.tensor2d(values.subarray(0, rows * cols), [rows, cols]);

  return {
    ...javascriptKernels,
    provider: backendName,

    gemm(transposeA, transposeB, m, n, k, a, b, c, accumulate) {
      if (c.length < m * n) throw new RangeError(`c has ${c.length} values, ${m * n} needed`);
      if (m === 0 || n === 0) return;
      if (k === 0) {
        if (!accumulate) c.fill(0, 0, m * n);
        return;
      }
      const product = tf.tidy(() =>
        tf.matMul(operand(0, a, m, k, transposeA), operand(1, b, k, n, transposeB)),
      );
      const values = product.dataSync() as Float32Array;
      product.dispose();
      if (accumulate) for (let i = 0; i < m * n; i++) c[i] += values[i];
      else c.set(values);
    },

    dense(x, w, bias, y, m, k, n, relu) {
      if (y.length < m * n) throw new RangeError(`y has ${y.length} values, ${m * n} needed`);
      if (m === 0 || n === 0) return;
      const result = tf.tidy(() =>
        tf.fused.matMul({
          a: tf.tensor2d(x.subarray(0, m * k), [m, k]),
          b: tf.tensor2d(w.subarray(0, k * n), [k, n]),
          bias: tf.tensor1d(bias.subarray(0, n)),
          activation: relu ? 'relu' : 'linear',
        }),
      );
      y.set(result.dataSync() as Float32Array);
      result.dispose();
    },
  };
}
