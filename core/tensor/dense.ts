/**
 * Dense-layer primitives that stay on the fast path of the wasm backend.
 *
 * On tfjs-backend-wasm, `matMul(a, b, transposeA, transposeB)` with either flag set takes a generic
 * loop instead of XNNPACK's GEMM and runs 12–22× slower than a plain product, and batched matMul
 * ([k, m, n] operands) is slower still. The helpers here only ever call plain 2-D matMul and pay for
 * an explicit `transpose` instead, which costs a fraction of a product.
 */
import * as tf from '@tensorflow/tfjs-core';
// tf.grad needs the gradients of the ops around a dense layer (tfjs-core registers none by default).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';

/** aᵀ·b using an explicit transpose. */
export function matMulTransposeA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(tf.transpose(a), b));
}

/** a·bᵀ using an explicit transpose. */
export function matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(a, tf.transpose(b)));
}

/** Column sums of a [rows × cols] matrix as a [cols] vector, as 1ᵀ·x (a reduction over axis 0 is slow on wasm). */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}

/**
 * y = x·W + b for x [batch × in], W [in × out], b [out], differentiable by tf.grad with
 * dx = dy·Wᵀ, dW = xᵀ·dy, db = 1ᵀ·dy, each through a plain matMul.
 */
export function dense(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, kernel, offset, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([input, kernel]);
    return {
      value: tf.add(tf.matMul(input, kernel), offset),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const upstream = dy as tf.Tensor2D;
        const [savedInput, savedKernel] = saved as tf.Tensor2D[];
        return [
          matMulTransposeB(upstream, savedKernel),
          matMulTransposeA(savedInput, upstream),
          columnSums(upstream),
        ];
      },
    };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}
