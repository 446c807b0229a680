import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orthogonalMatrix } from '../../../core/tensor/init.js';
import { javascriptKernels as kernels } from '../../../core/tensor/kernels.js';
import { Adam, ParameterSet, RmsProp } from '../../../core/tensor/parameters.js';
import { Rng } from '../../../core/util/random.js';

describe('orthogonalMatrix', () => {
  it('has orthonormal columns (tall) or rows (wide) scaled by the gain', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        (rows, cols, seed) => {
          const gain = Math.SQRT2;
          const w = orthogonalMatrix(rows, cols, gain, new Rng(seed));
          const small = Math.min(rows, cols);
          for (let a = 0; a < small; a++) {
            for (let b = 0; b < small; b++) {
              let dot = 0;
              for (let k = 0; k < Math.max(rows, cols); k++) {
                dot += rows >= cols ? w[k * cols + a] * w[k * cols + b] : w[a * cols + k] * w[b * cols + k];
              }
              expect(dot).toBeCloseTo(a === b ? gain * gain : 0, 4);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is fixed by the seed', () => {
    expect(orthogonalMatrix(5, 3, 1, new Rng(9))).toEqual(orthogonalMatrix(5, 3, 1, new Rng(9)));
    expect(orthogonalMatrix(5, 3, 1, new Rng(9))).not.toEqual(orthogonalMatrix(5, 3, 1, new Rng(10)));
  });
});

describe('Adam', () => {
  it('moves each parameter by the learning rate against the gradient sign on the first step', () => {
    const adam = new Adam(3, { learningRate: 0.1 });
    const params = new Float32Array([1, 2, 3]);
    adam.apply(kernels, params, Float32Array.from([0.5, -2, 0]));
    expect(params[0]).toBeCloseTo(0.9, 6);
    expect(params[1]).toBeCloseTo(2.1, 6);
    expect(params[2]).toBe(3);
  });

  it('matches a hand-computed second step', () => {
    const adam = new Adam(1, { learningRate: 0.01 });
    const p = new Float32Array([0]);
    adam.apply(kernels, p, Float32Array.from([1]));
    adam.apply(kernels, p, Float32Array.from([3]));
    // m = 0.9·0.1 + 0.1·3 = 0.39, v = 0.999·0.001 + 0.001·9 = 0.009999
    const mHat = 0.39 / (1 - 0.81);
    const vHat = 0.009999 / (1 - 0.998001);
    expect(p[0]).toBeCloseTo(-0.01 - (0.01 * mHat) / (Math.sqrt(vHat) + 1e-8), 6);
  });

  it('continues identically after a state round trip', () => {
    const rng = new Rng(3);
    const a = new Adam(8, { learningRate: 1e-3 });
    const pa = rng.fillNormal(new Float32Array(8));
    const gradients = Array.from({ length: 6 }, () => rng.fillNormal(new Float32Array(8)));
    for (const g of gradients.slice(0, 3)) a.apply(kernels, pa, g);
    const b = new Adam(8, { learningRate: 1e-3 });
    b.setState(structuredClone(a.getState()));
    const pb = pa.slice();
    for (const g of gradients.slice(3)) {
      a.apply(kernels, pa, g);
      b.apply(kernels, pb, g);
    }
    expect(pb).toEqual(pa);
    expect(() =>
      b.setState({ step: 1, firstMoment: new Float32Array(2), secondMoment: new Float32Array(8) }),
    ).toThrow(/expected 8/);
  });
});

describe('ParameterSet', () => {
  it('gives live views of each tensor in one flat vector', () => {
    const set = ParameterSet.fromArrays(
      [[2, 3], [3]],
      [new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([7, 8, 9])],
    );
    expect(Array.from(set.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(set.view(1))).toEqual([7, 8, 9]);
    set.values[6] = 0;
    expect(set.view(1)[0]).toBe(0);
    const copy = set.read();
    set.assign(new Float32Array(9).fill(1));
    expect(copy[0]).toBe(1);
    expect(copy[1]).toBe(2);
    expect(() => set.assign(new Float32Array(8))).toThrow(/8 values, expected 9/);
    expect(() => ParameterSet.fromArrays([[2]], [new Float32Array(3)])).toThrow(/parameter 0 has 3 values/);
  });

  it('Polyak-averages toward a source: θ′ ← θ′ + τ(θ − θ′)', () => {
    const target = new ParameterSet([[2]], new Float32Array([0, 10]));
    const source = new ParameterSet([[2]], new Float32Array([1, 0]));
    target.polyakToward(kernels, source, 0.25);
    expect(Array.from(target.read())).toEqual([0.25, 7.5]);
    expect(() => target.polyakToward(kernels, new ParameterSet([[3]], new Float32Array(3)), 0.5)).toThrow(
      /equal size/,
    );
  });
});

describe('RmsProp', () => {
  it('takes ≈ η·g on the first step from a mean square of 1 (TensorFlow 1) and ≈ η·sign(g)·√10 from 0', () => {
    // s = 0.99·1 + 0.01·0.25 = 0.9925; Δθ = −0.1·0.5/√(0.9925 + 1e-5).
    const tf = new RmsProp(1, { learningRate: 0.1 });
    const p = new Float32Array([1]);
    tf.apply(kernels, p, Float32Array.from([0.5]));
    expect(p[0]).toBeCloseTo(1 - 0.05 / Math.sqrt(0.9925 + 1e-5), 6);
    // s = 0.01·4 = 0.04; Δθ = −0.1·(−2)/√(0.04 + 0.01) (ChainerRL's ε = 1e-2).
    const chainer = new RmsProp(1, { learningRate: 0.1, initialMeanSquare: 0, epsilon: 1e-2 });
    const q = new Float32Array([0]);
    chainer.apply(kernels, q, Float32Array.from([-2]));
    expect(q[0]).toBeCloseTo(0.2 / Math.sqrt(0.05), 6);
  });

  it('matches a hand-computed second step with a changed learning rate', () => {
    const rms = new RmsProp(1, { learningRate: 0.01, decay: 0.9, epsilon: 0 });
    const p = new Float32Array([0]);
    rms.apply(kernels, p, Float32Array.from([1])); // s = 0.9 + 0.1 = 1, Δ = −0.01
    rms.learningRate = 0.02;
    rms.apply(kernels, p, Float32Array.from([3])); // s = 0.9 + 0.9 = 1.8, Δ = −0.02·3/√1.8
    expect(p[0]).toBeCloseTo(-0.01 - 0.06 / Math.sqrt(1.8), 6);
    expect(rms.steps).toBe(2);
  });

  it('continues identically after a state round trip and rejects a state of another size', () => {
    const rng = new Rng(4);
    const a = new RmsProp(8, { learningRate: 1e-3 });
    const pa = rng.fillNormal(new Float32Array(8));
    const gradients = Array.from({ length: 6 }, () => rng.fillNormal(new Float32Array(8)));
    for (const g of gradients.slice(0, 3)) a.apply(kernels, pa, g);
    const b = new RmsProp(8, { learningRate: 1e-3 });
    b.setState(structuredClone(a.getState()));
    const pb = pa.slice();
    for (const g of gradients.slice(3)) {
      a.apply(kernels, pa, g);
      b.apply(kernels, pb, g);
    }
    expect(pb).toEqual(pa);
    expect(() => b.setState({ step: 1, meanSquare: new Float32Array(3) })).toThrow(/expected 8/);
  });
});
