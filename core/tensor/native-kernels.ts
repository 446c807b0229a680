/**
 * The `native` kernel provider: the N-API addon built from core/tensor/native/kernels.c over
 * single-precision BLAS. Loading never throws: a missing, corrupt or foreign (other architecture,
 * other Node ABI) addon, or one that computes a wrong known answer, gives a reason, and the caller
 * falls back to the TensorFlow.js kernels.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageInfo } from '../util/package-info.js';
import type { Kernels } from './kernels.js';

/** The addon's functions (see kernels.c for the contracts). */
interface Addon {
  gemm: Kernels['gemm'];
  dense: Kernels['dense'];
  columnSums: Kernels['columnSums'];
  reluMask: Kernels['reluMask'];
  adam(
    parameters: Float32Array,
    gradient: Float32Array,
    firstMoment: Float32Array,
    secondMoment: Float32Array,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    correction1: number,
    correction2: number,
  ): void;
  rmsprop(
    parameters: Float32Array,
    gradient: Float32Array,
    meanSquare: Float32Array,
    learningRate: number,
    decay: number,
    epsilon: number,
  ): void;
  polyak: Kernels['polyak'];
  allFinite: Kernels['allFinite'];
  setThreads(threads: number): number;
  info(): { blas: string; config: string; core: string; threads: number; abi: number };
}

export interface NativeKernels extends Kernels {
  /** BLAS library, its build configuration and CPU core type. */
  readonly blas: { name: string; config: string; core: string };
  /** BLAS threads in use. */
  readonly threads: number;
  /** Change the BLAS thread count (OpenBLAS); returns the count in effect. */
  setThreads(threads: number): number;
  /** The addon file loaded. */
  readonly file: string;
}

export type NativeLoad = { ok: true; kernels: NativeKernels } | { ok: false; reason: string };

/**
 * Where `npm install` / `npm run build` put the addon. In the packaged desktop app it lies outside
 * the asar archive (electron-builder.yml unpacks it), where the operating system can map it.
 */
export function defaultAddonPath(): string {
  const file = join(packageInfo().root, 'core', 'tensor', 'native', 'build', 'Release', 'o2o_kernels.node');
  return file.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

const require = createRequire(import.meta.url);

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** A small product with a known answer, run through every addon function the learners use. */
function selfTest(addon: Addon): string | undefined {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // 2×3
  const b = Float32Array.from([1, 0, 0, 1, 1, 1]); // 3×2
  const c = new Float32Array(4);
  addon.gemm(false, false, 2, 2, 3, a, b, c, false);
  if (c.join(',') !== '4,5,10,11') return `a 2×3·3×2 product gave [${c.join(', ')}], expected [4, 5, 10, 11]`;
  const ct = new Float32Array(9);
  addon.gemm(true, false, 3, 3, 2, a, a, ct, false); // Aᵀ·A
  if (ct[0] !== 17 || ct[8] !== 45) return 'a transposed product gave a wrong answer';
  const y = new Float32Array(4);
  addon.dense(a, b, Float32Array.from([-20, 1]), y, 2, 3, 2, true);
  if (y.join(',') !== '0,6,0,12')
    return `the fused dense layer gave [${y.join(', ')}], expected [0, 6, 0, 12]`;
  return undefined;
}

/**
 * Load the addon from `file` (default: the build output), check it with known answers and set its
 * BLAS thread count. Never throws.
 */
export function loadNativeKernels(threads = 1, file = defaultAddonPath()): NativeLoad {
  if (!existsSync(file)) {
    return {
      ok: false,
      reason:
        'the native kernels are not built (npm install / npm run build builds them with node-gyp ' +
        'when g++, python3 and a static OpenBLAS are present; on Debian: apt-get install libopenblas-dev)',
    };
  }
  let addon: Addon;
  try {
    addon = require(file) as Addon;
  } catch (error) {
    return { ok: false, reason: `the native kernels at ${file} failed to load: ${firstLine(error)}` };
  }
  const missing = [
    'gemm',
    'dense',
    'columnSums',
    'reluMask',
    'adam',
    'rmsprop',
    'polyak',
    'allFinite',
    'setThreads',
    'info',
  ].filter((name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    return { ok: false, reason: `the native kernels at ${file} lack ${missing.join(', ')} (an old build?)` };
  }
  try {
    const failure = selfTest(addon);
    if (failure) return { ok: false, reason: `the native kernels failed their self-test: ${failure}` };
    let threadCount = addon.setThreads(threads);
    const info = addon.info();
    const kernels: NativeKernels = {
      provider: 'native',
      blas: { name: info.blas, config: info.config, core: info.core },
      file,
      get threads() {
        return threadCount;
      },
      setThreads(count: number) {
        threadCount = addon.setThreads(count);
        return threadCount;
      },
      gemm: addon.gemm,
      dense: addon.dense,
      columnSums: addon.columnSums,
      reluMask: addon.reluMask,
      adam(parameters, gradient, firstMoment, secondMoment, { learningRate, beta1, beta2, epsilon, step }) {
        addon.adam(
          parameters,
          gradient,
          firstMoment,
          secondMoment,
          learningRate,
          beta1,
          beta2,
          epsilon,
          1 - beta1 ** step,
          1 - beta2 ** step,
        );
      },
      rmsprop(parameters, gradient, meanSquare, { learningRate, decay, epsilon }) {
        addon.rmsprop(parameters, gradient, meanSquare, learningRate, decay, epsilon);
      },
      polyak: addon.polyak,
      allFinite: addon.allFinite,
    };
    return { ok: true, kernels };
  } catch (error) {
    return { ok: false, reason: `the native kernels failed their self-test: ${firstLine(error)}` };
  }
}
