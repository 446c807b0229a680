import fc from 'fast-check';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { javascriptKernels, transposeInto } from '../../../core/tensor/kernels.js';
import { defaultAddonPath, loadNativeKernels } from '../../../core/tensor/native-kernels.js';
import { Rng } from '../../../core/util/random.js';
import { kernelProviders, nativeKernelsOrReason } from '../../helpers/kernel-providers.js';

const providers = await kernelProviders();
const others = providers.filter((provider) => provider.name !== 'javascript');
const temporary: string[] = [];
afterAll(() => {
  for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
});

function random(rng: Rng, length: number): Float32Array {
  return rng.fillNormal(new Float32Array(length));
}

describe('the JavaScript reference kernels', () => {
  it('gemm gives hand-computed products for every transpose combination', () => {
    // A = [[1, 2, 3], [4, 5, 6]] (2×3), B = [[1, 0], [0, 1], [1, 1]] (3×2): A·B = [[4, 5], [10, 11]].
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([1, 0, 0, 1, 1, 1]);
    const c = new Float32Array(4);
    javascriptKernels.gemm(false, false, 2, 2, 3, a, b, c, false);
    expect(Array.from(c)).toEqual([4, 5, 10, 11]);
    // Aᵀ stored (3×2) with transposeA, Bᵀ stored (2×3) with transposeB: the same product.
    const at = transposeInto(a, 2, 3, new Float32Array(6));
    const bt = transposeInto(b, 3, 2, new Float32Array(6));
    javascriptKernels.gemm(true, true, 2, 2, 3, at, bt, c, false);
    expect(Array.from(c)).toEqual([4, 5, 10, 11]);
    javascriptKernels.gemm(true, false, 2, 2, 3, at, b, c, true);
    expect(Array.from(c)).toEqual([8, 10, 20, 22]);
  });

  it('dense adds the bias and applies ReLU; the element-wise kernels give known answers', () => {
    const y = new Float32Array(4);
    javascriptKernels.dense(
      Float32Array.from([1, 2, 3, 4, 5, 6]),
      Float32Array.from([1, 0, 0, 1, 1, 1]),
      Float32Array.from([-20, 1]),
      y,
      2,
      3,
      2,
      true,
    );
    expect(Array.from(y)).toEqual([0, 6, 0, 12]);
    const sums = Float32Array.from([1, 1]);
    javascriptKernels.columnSums(Float32Array.from([1, 2, 3, 4, 5, 6]), 3, 2, sums, true);
    expect(Array.from(sums)).toEqual([10, 13]);
    const gradient = Float32Array.from([1, 2, 3]);
    javascriptKernels.reluMask(gradient, Float32Array.from([0.5, 0, -1]), 3);
    expect(Array.from(gradient)).toEqual([1, 0, 0]);
    const target = Float32Array.from([0, 10]);
    javascriptKernels.polyak(target, Float32Array.from([1, 0]), 0.25);
    expect(Array.from(target)).toEqual([0.25, 7.5]);
  });

  it('checks lengths before touching memory', () => {
    expect(() =>
      javascriptKernels.gemm(
        false,
        false,
        2,
        2,
        3,
        new Float32Array(5),
        new Float32Array(6),
        new Float32Array(4),
        false,
      ),
    ).toThrow(/a has 5 values, 6 needed/);
  });
});

describe.each(others)('the $name kernels agree with the reference', ({ kernels }) => {
  it('gemm for random shapes, transposes and accumulation (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, k, transposeA, transposeB, accumulate, seed) => {
          const rng = new Rng(seed);
          const a = random(rng, m * k);
          const b = random(rng, k * n);
          const start = random(rng, m * n);
          const expected = start.slice();
          const got = start.slice();
          javascriptKernels.gemm(transposeA, transposeB, m, n, k, a, b, expected, accumulate);
          kernels.gemm(transposeA, transposeB, m, n, k, a, b, got, accumulate);
          for (let i = 0; i < m * n; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-4 * (1 + k));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('dense, columnSums and reluMask', () => {
    const rng = new Rng(7);
    const [m, k, n] = [9, 13, 11];
    const x = random(rng, m * k);
    const w = random(rng, k * n);
    const bias = random(rng, n);
    for (const relu of [false, true]) {
      const expected = new Float32Array(m * n);
      const got = new Float32Array(m * n);
      javascriptKernels.dense(x, w, bias, expected, m, k, n, relu);
      kernels.dense(x, w, bias, got, m, k, n, relu);
      for (let i = 0; i < m * n; i++) expect(got[i]).toBeCloseTo(expected[i], 4);
    }
    const sumsExpected = random(rng, k);
    const sumsGot = sumsExpected.slice();
    javascriptKernels.columnSums(x, m, k, sumsExpected, true);
    kernels.columnSums(x, m, k, sumsGot, true);
    expect(Array.from(sumsGot)).toEqual(Array.from(sumsExpected));
    const gradient = random(rng, m * k);
    const masked = gradient.slice();
    javascriptKernels.reluMask(gradient, x, m * k);
    kernels.reluMask(masked, x, m * k);
    expect(Array.from(masked)).toEqual(Array.from(gradient));
  });

  it('Adam, RMSProp and Polyak steps are bit for bit the reference arithmetic', () => {
    const rng = new Rng(11);
    const size = 1000;
    const parameters = random(rng, size);
    const first = random(rng, size).map(Math.abs);
    const second = random(rng, size).map(Math.abs);
    const copies = [parameters.slice(), first.slice(), second.slice()];
    for (let step = 1; step <= 3; step++) {
      const gradient = random(rng, size);
      const hyper = { learningRate: 3e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step };
      javascriptKernels.adam(parameters, gradient, first, second, hyper);
      kernels.adam(copies[0], gradient, copies[1], copies[2], hyper);
    }
    expect(Array.from(copies[0])).toEqual(Array.from(parameters));
    expect(Array.from(copies[1])).toEqual(Array.from(first));
    expect(Array.from(copies[2])).toEqual(Array.from(second));
    const meanSquare = random(rng, size).map(Math.abs);
    const rmsCopies = [parameters.slice(), meanSquare.slice()];
    for (let step = 1; step <= 3; step++) {
      const gradient = random(rng, size);
      const hyper = { learningRate: 7e-4, decay: 0.99, epsilon: 1e-5 };
      javascriptKernels.rmsprop(parameters, gradient, meanSquare, hyper);
      kernels.rmsprop(rmsCopies[0], gradient, rmsCopies[1], hyper);
    }
    expect(Array.from(rmsCopies[0])).toEqual(Array.from(parameters));
    expect(Array.from(rmsCopies[1])).toEqual(Array.from(meanSquare));
    const source = random(rng, size);
    const target = random(rng, size);
    const targetCopy = target.slice();
    javascriptKernels.polyak(target, source, 0.005);
    kernels.polyak(targetCopy, source, 0.005);
    expect(Array.from(targetCopy)).toEqual(Array.from(target));
  });

  it('allFinite finds a NaN or an infinity anywhere', () => {
    const values = new Float32Array(1001).fill(1.5);
    expect(kernels.allFinite(values)).toBe(true);
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      for (const at of [0, 500, 1000]) {
        const copy = values.slice();
        copy[at] = bad;
        expect(kernels.allFinite(copy)).toBe(false);
      }
    }
    expect(kernels.allFinite(Float32Array.from([3e38, 3e38, -3e38]))).toBe(true);
  });
});

describe('loading the native kernels', () => {
  const native = nativeKernelsOrReason();

  it('a missing addon gives a reason, never an exception', () => {
    const load = loadNativeKernels(1, join(tmpdir(), 'no-such-dir', 'o2o_kernels.node'));
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.reason).toMatch(/not built/);
  });

  it('a corrupt or foreign addon file gives a reason naming the file, never an exception', () => {
    const directory = mkdtempSync(join(tmpdir(), 'o2o-kernels-'));
    temporary.push(directory);
    const corrupt = join(directory, 'corrupt.node');
    writeFileSync(corrupt, Buffer.from('this is not a shared object'));
    const load = loadNativeKernels(1, corrupt);
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.reason).toContain(corrupt);
    // An ELF header for another machine (aarch64) and a truncated file: dlopen refuses both.
    const foreign = join(directory, 'foreign.node');
    const header = Buffer.alloc(64);
    header.write('\x7fELF', 0, 'latin1');
    header[4] = 2; // 64-bit
    header[5] = 1; // little endian
    header[6] = 1;
    header.writeUInt16LE(3, 16); // ET_DYN
    header.writeUInt16LE(process.arch === 'arm64' ? 62 : 183, 18); // x86-64 on arm, aarch64 elsewhere
    writeFileSync(foreign, header);
    const foreignLoad = loadNativeKernels(1, foreign);
    expect(foreignLoad.ok).toBe(false);
    if (!foreignLoad.ok) expect(foreignLoad.reason).toMatch(/failed to load/);
  });

  it.runIf(native.kernels !== undefined)(
    'a built addon loads, reports its BLAS and sets its thread count',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'o2o-kernels-'));
      temporary.push(directory);
      // A copy under another name loads as its own module.
      const copy = join(directory, 'copy.node');
      copyFileSync(defaultAddonPath(), copy);
      const load = loadNativeKernels(2, copy);
      expect(load.ok).toBe(true);
      if (!load.ok) return;
      expect(load.kernels.provider).toBe('native');
      expect(load.kernels.blas.name).toMatch(/OpenBLAS|Accelerate/);
      expect(load.kernels.setThreads(1)).toBe(1);
    },
  );

  it.runIf(native.kernels !== undefined)(
    'rejects wrong argument types and short arrays with a clear error',
    () => {
      const kernels = native.kernels!;
      expect(() =>
        kernels.gemm(
          false,
          false,
          2,
          2,
          3,
          new Float32Array(5),
          new Float32Array(6),
          new Float32Array(4),
          false,
        ),
      ).toThrow(/a has 5 values, 6 needed/);
      expect(() =>
        kernels.gemm(
          false,
          false,
          2,
          2,
          3,
          new Float64Array(6) as unknown as Float32Array,
          new Float32Array(6),
          new Float32Array(4),
          false,
        ),
      ).toThrow(/a must be a Float32Array/);
    },
  );
});
