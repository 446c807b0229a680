import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../core/tensor/backend.js';
import { orthogonalMatrix } from '../../../core/tensor/init.js';
import { Adam, ParameterSet } from '../../../core/tensor/parameters.js';
import { Rng } from '../../../core/util/random.js';

beforeAll(async () => {
  await initBackend();
});

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
    adam.applyTo(params, [0.5, -2, 0]);
    expect(params[0]).toBeCloseTo(0.9, 6);
    expect(params[1]).toBeCloseTo(2.1, 6);
    expect(params[2]).toBe(3);
  });

  it('matches a hand-computed second step', () => {
    const adam = new Adam(1, { learningRate: 0.01 });
    const p = new Float64Array([0]);
    adam.applyTo(p, [1]);
    adam.applyTo(p, [3]);
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
    for (const g of gradients.slice(0, 3)) a.applyTo(pa, g);
    const b = new Adam(8, { learningRate: 1e-3 });
    b.setState(structuredClone(a.getState()));
    const pb = pa.slice();
    for (const g of gradients.slice(3)) {
      a.applyTo(pa, g);
      b.applyTo(pb, g);
    }
    expect(pb).toEqual(pa);
    expect(() =>
      b.setState({ step: 1, firstMoment: new Float32Array(2), secondMoment: new Float32Array(8) }),
    ).toThrow(/expected 8/);
  });
});

describe('ParameterSet', () => {
  it('mirrors host values to tensors and re-uploads after a change', () => {
    const set = ParameterSet.fromArrays(
      [[2, 3], [3]],
      [new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([7, 8, 9])],
    );
    expect(Array.from(set.tensor(0).dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(set.transposed(0).dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(set.transposed(0).shape).toEqual([3, 2]);
    const revision = set.revision;
    set.update((values) => values.fill(1));
    expect(set.revision).toBe(revision + 1);
    expect(Array.from(set.tensor(1).dataSync())).toEqual([1, 1, 1]);
    set.dispose();
  });

  it('Polyak-averages toward a source: θ′ ← θ′ + τ(θ − θ′)', () => {
    const target = new ParameterSet([[2]], new Float32Array([0, 10]));
    const source = new ParameterSet([[2]], new Float32Array([1, 0]));
    target.polyakToward(source, 0.25);
    expect(Array.from(target.read())).toEqual([0.25, 7.5]);
    target.dispose();
    source.dispose();
  });

  it('gathers per-tensor gradients into one flat vector and checks sizes', () => {
    const set = new ParameterSet([[2, 2], [2]], new Float32Array(6));
    const gradients = [tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([5, 6])];
    expect(Array.from(set.gatherGradients(gradients))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => set.gatherGradients([gradients[1], gradients[0]])).toThrow(/gradient 0 has 2 values/);
    tf.dispose(gradients);
    set.dispose();
  });

  it('frees its tensors on dispose', () => {
    const before = tf.memory().numTensors;
    const set = new ParameterSet([[4, 4], [4]], new Float32Array(20));
    set.tensor(0);
    set.tensor(1);
    set.transposed(0);
    expect(tf.memory().numTensors).toBe(before + 3);
    set.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
