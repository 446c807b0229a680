import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/tensor/backend.js';
import { dense } from '../../../core/tensor/dense.js';
import {
  initMlpArrays,
  mlpApply,
  mlpApplyHost,
  mlpBackward,
  mlpBackwardWithInputPenalty,
  mlpForward,
  mlpShapes,
  weightGradient,
  type MlpSpec,
} from '../../../core/tensor/mlp.js';
import { ParameterSet } from '../../../core/tensor/parameters.js';
import { Rng } from '../../../core/util/random.js';

beforeAll(async () => {
  await initBackend();
});

/** Float64 reference forward of a ReLU MLP with its input gradient, from flat parameters. */
function reference(spec: MlpSpec, flat: Float64Array, x: Float64Array, rows: number) {
  const widths = [spec.inputSize, ...spec.hiddenSizes, spec.outputSize];
  const outputs: number[][] = [];
  const inputGradients: number[][] = [];
  for (let r = 0; r < rows; r++) {
    let h = Array.from(x.subarray(r * widths[0], (r + 1) * widths[0]));
    // Jacobian dh/dx, [width × inputSize].
    let jacobian: number[][] = h.map((_, i) => h.map((__, j) => (i === j ? 1 : 0)));
    let offset = 0;
    for (let l = 1; l < widths.length; l++) {
      const [nIn, nOut] = [widths[l - 1], widths[l]];
      const w = flat.subarray(offset, offset + nIn * nOut);
      const b = flat.subarray(offset + nIn * nOut, offset + nIn * nOut + nOut);
      offset += nIn * nOut + nOut;
      const z = Array.from(
        { length: nOut },
        (_, j) => b[j] + h.reduce((s, v, k) => s + v * w[k * nOut + j], 0),
      );
      const zJacobian = Array.from({ length: nOut }, (_, j) =>
        jacobian[0].map((__, c) => jacobian.reduce((s, row, k) => s + w[k * nOut + j] * row[c], 0)),
      );
      const hidden = l < widths.length - 1;
      h = hidden ? z.map((v) => Math.max(v, 0)) : z;
      jacobian = hidden ? zJacobian.map((row, j) => (z[j] > 0 ? row : row.map(() => 0))) : zJacobian;
    }
    outputs.push(h);
    inputGradients.push(jacobian[0]);
  }
  return { outputs, inputGradients };
}

function setup(spec: MlpSpec, rows: number, seed: number) {
  const rng = new Rng(seed);
  const arrays = initMlpArrays(spec, rng);
  // Non-zero biases so that they are tested too.
  for (let i = 1; i < arrays.length; i += 2)
    for (let j = 0; j < arrays[i].length; j++) arrays[i][j] = 0.1 * rng.normal();
  const params = ParameterSet.fromArrays(mlpShapes(spec), arrays);
  const x = new Float32Array(rows * spec.inputSize);
  rng.fillNormal(x);
  return { params, x, rng };
}

function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-3, Math.abs(a) + Math.abs(b));
}

/**
 * Largest relative error between `analytic` and the central difference (f(p + h·eᵢ) − f(p − h·eᵢ)) / 2h
 * over every coordinate i of `point`.
 */
function worstCentralDifferenceError(
  f: (point: Float64Array) => number,
  point: Float64Array,
  analytic: ArrayLike<number>,
  h: number,
): number {
  let worst = 0;
  for (let i = 0; i < point.length; i++) {
    const plus = point.slice();
    const minus = point.slice();
    plus[i] += h;
    minus[i] -= h;
    const numeric = (f(plus) - f(minus)) / (2 * h);
    worst = Math.max(worst, relativeError(numeric, analytic[i]));
  }
  return worst;
}

describe('ReLU MLP with explicit backward passes', () => {
  it('forward matches a float64 reference and the host forward', () => {
    const spec = { inputSize: 5, hiddenSizes: [7, 6], outputSize: 3 };
    const { params, x } = setup(spec, 4, 1);
    const flat = Float64Array.from(params.read());
    const ref = reference(spec, flat, Float64Array.from(x), 4);
    const out = tf.tidy(() => mlpApply(params, 0, 3, tf.tensor2d(x, [4, 5])).dataSync());
    const host = mlpApplyHost(
      mlpShapes(spec).map((_, i) => params.view(i)),
      spec,
      x,
      4,
    );
    for (let r = 0; r < 4; r++) {
      for (let j = 0; j < 3; j++) {
        expect(out[r * 3 + j]).toBeCloseTo(ref.outputs[r][j], 4);
        expect(host[r * 3 + j]).toBeCloseTo(ref.outputs[r][j], 4);
      }
    }
    params.dispose();
  });

  it('weight, bias and input gradients agree with central finite differences', () => {
    const spec = { inputSize: 4, hiddenSizes: [6, 5], outputSize: 3 };
    const rows = 5;
    const { params, x, rng } = setup(spec, rows, 2);
    const upstream = new Float32Array(rows * 3);
    rng.fillNormal(upstream);
    // Loss = Σ upstream ⊙ output.
    const loss = (flat: Float64Array, input: Float64Array) =>
      reference(spec, flat, input, rows)
        .outputs.flat()
        .reduce((s, v, i) => s + v * upstream[i], 0);
    const { gradients, inputGradient } = tf.tidy(() => {
      const trace = mlpForward(params, 0, 3, tf.tensor2d(x, [rows, 4]));
      const result = mlpBackward(params, 0, trace, tf.tensor2d(upstream, [rows, 3]), {
        weights: true,
        input: true,
      });
      return {
        gradients: params.gatherGradients(result.gradients),
        inputGradient: result.inputGradient!.dataSync().slice(),
      };
    });
    const flat = Float64Array.from(params.read());
    const input = Float64Array.from(x);
    const h = 1e-5;
    const worst = Math.max(
      worstCentralDifferenceError((p) => loss(p, input), flat, gradients, h),
      worstCentralDifferenceError((p) => loss(flat, p), input, inputGradient, h),
    );
    expect(worst).toBeLessThan(1e-3);
    params.dispose();
  });

  it.each([
    ['some rows', 1.6, 'some'],
    ['no row', 0.2, 'none'],
    ['every row', 4, 'all'],
  ] as const)(
    'the input-gradient penalty backward agrees with finite differences of Σ dq·q + P(∂q/∂x) (penalty active on %s)',
    (_label, weightScale, expected) => {
      const spec = { inputSize: 5, hiddenSizes: [8, 7], outputSize: 1 };
      const rows = 6;
      const actionStart = 3;
      const { params, x, rng } = setup(spec, rows, 3);
      // Scaling the weights moves ‖∂q/∂a‖ across 1, which switches the hinge penalty on and off.
      params.update((values) => values.forEach((v, i) => (values[i] = weightScale * v)));
      const dq = new Float32Array(rows);
      rng.fillNormal(dq);
      const lambda = 0.7;
      const penalty = (g: number[]) => {
        const norm = Math.hypot(...g.slice(actionStart));
        return norm > 1 ? lambda * (norm - 1) ** 2 : 0;
      };
      const loss = (flat: Float64Array) => {
        const ref = reference(spec, flat, Float64Array.from(x), rows);
        return ref.outputs.reduce((s, o, r) => s + dq[r] * o[0] + penalty(ref.inputGradients[r]), 0);
      };
      let active = 0;
      const gradients = tf.tidy(() => {
        const trace = mlpForward(params, 0, 3, tf.tensor2d(x, [rows, 5]));
        const result = mlpBackwardWithInputPenalty(
          params,
          0,
          trace,
          tf.tensor2d(dq, [rows, 1]),
          (inputGradient) => {
            const g = inputGradient.dataSync();
            const activeRows: number[] = [];
            const out: number[] = [];
            for (let r = 0; r < rows; r++) {
              const row = Array.from(g.subarray(r * 5 + actionStart, (r + 1) * 5));
              const norm = Math.hypot(...row);
              if (norm <= 1) continue;
              activeRows.push(r);
              out.push(0, 0, 0, ...row.map((v) => (2 * lambda * (norm - 1) * v) / norm));
            }
            active = activeRows.length;
            return {
              rows: Int32Array.from(activeRows),
              gradient: active > 0 ? tf.tensor2d(out, [active, 5]) : undefined,
            };
          },
        );
        return params.gatherGradients(result.gradients);
      });
      if (expected === 'some') {
        expect(active).toBeGreaterThan(0);
        expect(active).toBeLessThan(rows);
      } else {
        expect(active).toBe(expected === 'none' ? 0 : rows);
      }
      const flat = Float64Array.from(params.read());
      const h = 1e-5 * Math.max(1, weightScale);
      const worst = worstCentralDifferenceError(loss, flat, gradients, h);
      expect(worst).toBeLessThan(2e-3);
      params.dispose();
    },
  );

  it('weightGradient equals xᵀ·dy on every path (wide, narrow and 1-wide outputs)', () => {
    const rng = new Rng(4);
    for (const [rows, inputs, outputs] of [
      [8, 3, 6],
      [8, 6, 2],
      [8, 5, 1],
    ]) {
      const x = rng.fillNormal(new Float32Array(rows * inputs));
      const dy = rng.fillNormal(new Float32Array(rows * outputs));
      const got = tf.tidy(() =>
        weightGradient(tf.tensor2d(x, [rows, inputs]), tf.tensor2d(dy, [rows, outputs])).dataSync(),
      );
      for (let i = 0; i < inputs; i++) {
        for (let j = 0; j < outputs; j++) {
          let expected = 0;
          for (let r = 0; r < rows; r++) expected += x[r * inputs + i] * dy[r * outputs + j];
          expect(got[i * outputs + j]).toBeCloseTo(expected, 4);
        }
      }
    }
  });
});

describe('dense layer with a custom gradient', () => {
  it('matches tf.grad of the plain formula and finite differences', () => {
    const rng = new Rng(5);
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(6 * 4)), [6, 4]);
    const w = tf.tensor2d(rng.fillNormal(new Float32Array(4 * 3)), [4, 3]);
    const b = tf.tensor1d(rng.fillNormal(new Float32Array(3)));
    const target = tf.tensor2d(rng.fillNormal(new Float32Array(6 * 3)), [6, 3]);
    const lossOf = (layer: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D) =>
      tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(tf.square(tf.sub(layer(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), target))),
      );
    const custom = lossOf(dense)([x, w, b]).map((g) => g.dataSync());
    const plain = lossOf((xi, wi, bi) => tf.add(tf.matMul(xi, wi), bi))([x, w, b]).map((g) => g.dataSync());
    custom.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(plain[i][j], 3)));
    // Finite differences on W in float64.
    const xs = x.arraySync();
    const bs = b.arraySync();
    const ts = target.arraySync();
    const loss = (weights: number[][]) =>
      xs.reduce(
        (s, row, r) =>
          s +
          bs.reduce(
            (t, bj, j) => t + (row.reduce((u, v, k) => u + v * weights[k][j], bj) - ts[r][j]) ** 2,
            0,
          ),
        0,
      );
    const ws = w.arraySync();
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 3; j++) {
        const plus = ws.map((row) => [...row]);
        const minus = ws.map((row) => [...row]);
        plus[k][j] += 1e-4;
        minus[k][j] -= 1e-4;
        expect(custom[1][k * 3 + j]).toBeCloseTo((loss(plus) - loss(minus)) / 2e-4, 2);
      }
    }
    tf.dispose([x, w, b, target]);
  });
});
