import { describe, expect, it } from 'vitest';
import { Mlp, initMlpArrays, mlpShapes, mlpViews, type MlpSpec } from '../../../core/tensor/mlp.js';
import { ParameterSet } from '../../../core/tensor/parameters.js';
import { Scratch } from '../../../core/tensor/scratch.js';
import { Rng } from '../../../core/util/random.js';
import { kernelProviders } from '../../helpers/kernel-providers.js';

const providers = await kernelProviders();

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

describe.each(providers)('ReLU MLP with explicit backward passes on the $name kernels', ({ kernels }) => {
  it('forward matches a float64 reference', () => {
    const spec = { inputSize: 5, hiddenSizes: [7, 6], outputSize: 3 };
    const { params, x } = setup(spec, 4, 1);
    const ref = reference(spec, Float64Array.from(params.values), Float64Array.from(x), 4);
    const mlp = new Mlp(spec);
    const out = mlp.forward(kernels, mlpViews(spec, params.values), x, 4, new Scratch(), 'f').output;
    for (let r = 0; r < 4; r++) {
      for (let j = 0; j < 3; j++) expect(out[r * 3 + j]).toBeCloseTo(ref.outputs[r][j], 4);
    }
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
    const mlp = new Mlp(spec);
    const scratch = new Scratch();
    const views = mlpViews(spec, params.values);
    const gradient = new Float32Array(params.totalSize);
    const inputGradient = new Float32Array(rows * 4);
    const trace = mlp.forward(kernels, views, x, rows, scratch, 'g');
    mlp.backward(kernels, views, trace, upstream, mlpViews(spec, gradient), inputGradient, scratch, 'g');
    const flat = Float64Array.from(params.values);
    const input = Float64Array.from(x);
    const h = 1e-5;
    const worst = Math.max(
      worstCentralDifferenceError((p) => loss(p, input), flat, gradient, h),
      worstCentralDifferenceError((p) => loss(flat, p), input, inputGradient, h),
    );
    expect(worst).toBeLessThan(1e-3);
  });

  it('accumulates into existing gradients when asked', () => {
    const spec = { inputSize: 3, hiddenSizes: [4], outputSize: 2 };
    const { params, x } = setup(spec, 3, 5);
    const mlp = new Mlp(spec);
    const scratch = new Scratch();
    const views = mlpViews(spec, params.values);
    const upstream = Float32Array.from([1, -1, 0.5, 2, -0.3, 0.7]);
    const once = new Float32Array(params.totalSize);
    const trace = mlp.forward(kernels, views, x, 3, scratch, 'a');
    mlp.backward(kernels, views, trace, upstream, mlpViews(spec, once), null, scratch, 'a');
    const twice = once.slice();
    mlp.backward(kernels, views, trace, upstream, mlpViews(spec, twice), null, scratch, 'a', true);
    for (let i = 0; i < once.length; i++) expect(twice[i]).toBeCloseTo(2 * once[i], 5);
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
      params.values.forEach((v, i) => (params.values[i] = weightScale * v));
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
      const mlp = new Mlp(spec);
      const scratch = new Scratch();
      const views = mlpViews(spec, params.values);
      const gradient = new Float32Array(params.totalSize);
      const trace = mlp.forward(kernels, views, x, rows, scratch, 'p');
      const inputGradient = mlp.backwardWithInputPenalty(
        kernels,
        views,
        trace,
        dq,
        mlpViews(spec, gradient),
        (g) => {
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
          return { rows: Int32Array.from(activeRows), gradient: Float32Array.from(out) };
        },
        scratch,
        'p',
      );
      if (expected === 'some') {
        expect(active).toBeGreaterThan(0);
        expect(active).toBeLessThan(rows);
      } else {
        expect(active).toBe(expected === 'none' ? 0 : rows);
      }
      const flat = Float64Array.from(params.values);
      const ref = reference(spec, flat, Float64Array.from(x), rows);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < 5; j++) expect(inputGradient[r * 5 + j]).toBeCloseTo(ref.inputGradients[r][j], 4);
      }
      const h = 1e-5 * Math.max(1, weightScale);
      const worst = worstCentralDifferenceError(loss, flat, gradient, h);
      expect(worst).toBeLessThan(2e-3);
    },
  );
});
