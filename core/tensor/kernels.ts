/**
 * The kernel seam: every learner computes its networks through this small interface, on host
 * Float32Arrays (row-major matrices), whichever provider runs the products.
 *
 * Providers (core/tensor/backend.ts picks one):
 * - `native`: an N-API addon over single-precision BLAS (OpenBLAS, statically linked; Accelerate on
 *   macOS), core/tensor/native/. Products, the fused dense layer, the optimiser and Polyak run in C.
 * - the TensorFlow.js backends (`wasm` normally; `node`, `node-gpu`, `cpu` where they load): products
 *   through tf.matMul, the element-wise work in the JavaScript loops below.
 *
 * The element-wise kernels are the same arithmetic in both providers (double precision, rounded once
 * when stored), so Adam and Polyak steps agree bit for bit; products agree to float32 rounding.
 */

/** Hyper-parameters and step count of one Adam step. */
export interface AdamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step number t (bias corrections 1 − βᵗ). */
  step: number;
}

/** Hyper-parameters of one RMSProp step. */
export interface RmsPropStep {
  learningRate: number;
  /** Decay ρ of the running mean square (TensorFlow's `decay`, PyTorch's `alpha`). */
  decay: number;
  /** ε under the square root. */
  epsilon: number;
}

export interface Kernels {
  /** Which provider runs the products: `native` or the TensorFlow.js backend's name (`wasm`, …). */
  readonly provider: string;
  /**
   * C[m×n] ← op(A)·op(B) + (accumulate ? C : 0); op(A) is m×k (A stored k×m when transposeA),
   * op(B) is k×n (B stored n×k when transposeB).
   */
  gemm(
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void;
  /** Y[m×n] ← act(X[m×k]·W[k×n] + bias[n]), act = ReLU when `relu`, else identity. */
  dense(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array,
    y: Float32Array,
    m: number,
    k: number,
    n: number,
    relu: boolean,
  ): void;
  /** out[j] ← (accumulate ? out[j] : 0) + Σ_r X[r, j] over the m×n matrix X. */
  columnSums(x: Float32Array, m: number, n: number, out: Float32Array, accumulate: boolean): void;
  /** The ReLU backward step in place: gradient[i] ← activations[i] > 0 ? gradient[i] : 0. */
  reluMask(gradient: Float32Array, activations: Float32Array, count: number): void;
  /**
   * Adam (Kingma & Ba 2015, as optax.adam) in place over whole vectors:
   *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − η·(m/(1 − β₁ᵗ))/(√(v/(1 − β₂ᵗ)) + ε).
   */
  adam(
    parameters: Float32Array,
    gradient: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    step: AdamStep,
  ): void;
  /**
   * RMSProp (Tieleman & Hinton 2012) in place over whole vectors, with ε under the square root as
   * TensorFlow's RMSPropOptimizer (OpenAI baselines' ACER) and ChainerRL's RMSpropAsync:
   *   s ← ρs + (1 − ρ)g²,  θ ← θ − η·g/√(s + ε).
   */
  rmsprop(
    parameters: Float32Array,
    gradient: Float32Array,
    meanSquare: Float32Array,
    step: RmsPropStep,
  ): void;
  /** Polyak averaging in place: θ′ ← θ′ + τ(θ − θ′). */
  polyak(target: Float32Array, source: Float32Array, tau: number): void;
  /** True when no element of x is NaN or ±Infinity. */
  allFinite(x: Float32Array): boolean;
}

function checkLength(array: Float32Array, needed: number, name: string): void {
  if (array.length < needed) throw new RangeError(`${name} has ${array.length} values, ${needed} needed`);
}

/** out[c×r] ← Xᵀ for the r×c matrix X (16×16 tiles keep reads and strided writes in cache). */
export function transposeInto(x: Float32Array, rows: number, cols: number, out: Float32Array): Float32Array {
  const tile = 16;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const rEnd = Math.min(r0 + tile, rows);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const cEnd = Math.min(c0 + tile, cols);
      for (let r = r0; r < rEnd; r++) {
        for (let c = c0; c < cEnd; c++) out[c * rows + r] = x[r * cols + c];
      }
    }
  }
  return out;
}

/**
 * The element-wise kernels in JavaScript (double-precision arithmetic, one rounding per stored
 * value, exactly as the native addon does them), and a plain triple-loop product. Providers reuse
 * the element-wise ones; the plain product is the reference the tests hold the others to.
 */
export const javascriptKernels: Kernels = {
  provider: 'javascript',

  gemm(transposeA, transposeB, m, n, k, a, b, c, accumulate) {
    checkLength(a, m * k, 'a');
    checkLength(b, k * n, 'b');
    checkLength(c, m * n, 'c');
    // Row by row in float64: row_i(C) = Σ_p A[i, p]·row_p(B), which reads B contiguously when it is
    // not transposed and skips the zeros of a ReLU input.
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const left = transposeA ? a[p * m + i] : a[i * k + p];
        if (left === 0) continue;
        if (transposeB) for (let j = 0; j < n; j++) row[j] += left * b[j * k + p];
        else {
          const offset = p * n;
          for (let j = 0; j < n; j++) row[j] += left * b[offset + j];
        }
      }
      const offset = i * n;
      for (let j = 0; j < n; j++) c[offset + j] = accumulate ? c[offset + j] + row[j] : row[j];
    }
  },

  dense(x, w, bias, y, m, k, n, relu) {
    checkLength(bias, n, 'bias');
    for (let r = 0; r < m; r++) y.set(bias.subarray(0, n), r * n);
    this.gemm(false, false, m, n, k, x, w, y, true);
    if (relu) for (let i = 0; i < m * n; i++) if (!(y[i] > 0)) y[i] = 0;
  },

  columnSums(x, m, n, out, accumulate) {
    checkLength(x, m * n, 'x');
    checkLength(out, n, 'out');
    for (let j = 0; j < n; j++) {
      let total = accumulate ? out[j] : 0;
      for (let r = 0; r < m; r++) total += x[r * n + j];
      out[j] = total;
    }
  },

  reluMask(gradient, activations, count) {
    checkLength(gradient, count, 'gradient');
    checkLength(activations, count, 'activations');
    for (let i = 0; i < count; i++) if (!(activations[i] > 0)) gradient[i] = 0;
  },

  adam(parameters, gradient, firstMoment, secondMoment, { learningRate, beta1, beta2, epsilon, step }) {
    const count = parameters.length;
    checkLength(gradient, count, 'gradient');
    checkLength(firstMoment, count, 'firstMoment');
    checkLength(secondMoment, count, 'secondMoment');
    const correction1 = 1 - beta1 ** step;
    const correction2 = 1 - beta2 ** step;
    for (let i = 0; i < count; i++) {
      const g = gradient[i];
      const m = beta1 * firstMoment[i] + (1 - beta1) * g;
      const v = beta2 * secondMoment[i] + (1 - beta2) * g * g;
      firstMoment[i] = m;
      secondMoment[i] = v;
      parameters[i] -= (learningRate * (m / correction1)) / (Math.sqrt(v / correction2) + epsilon);
    }
  },

  rmsprop(parameters, gradient, meanSquare, { learningRate, decay, epsilon }) {
    const count = parameters.length;
    checkLength(gradient, count, 'gradient');
    checkLength(meanSquare, count, 'meanSquare');
    for (let i = 0; i < count; i++) {
      const g = gradient[i];
      const s = decay * meanSquare[i] + (1 - decay) * g * g;
      meanSquare[i] = s;
      parameters[i] -= (learningRate * g) / Math.sqrt(s + epsilon);
    }
  },

  polyak(target, source, tau) {
    checkLength(source, target.length, 'source');
    for (let i = 0; i < target.length; i++) target[i] += tau * (source[i] - target[i]);
  },

  allFinite(x) {
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
    return true;
  },
};
