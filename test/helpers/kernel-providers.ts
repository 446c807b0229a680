/**
 * Every kernel provider this machine can run, for tests that must hold on each: the plain
 * JavaScript reference, the TensorFlow.js wasm backend, and the native BLAS addon when it is built.
 * In CI (CI set) a missing native addon fails the suite instead of skipping it: .ci/run builds it.
 */
import { initBackend, currentKernels } from '../../core/tensor/backend.js';
import { javascriptKernels, type Kernels } from '../../core/tensor/kernels.js';
import { loadNativeKernels } from '../../core/tensor/native-kernels.js';

export interface Provider {
  name: string;
  kernels: Kernels;
}

export async function kernelProviders(): Promise<Provider[]> {
  const providers: Provider[] = [{ name: 'javascript', kernels: javascriptKernels }];
  const previous = process.env.O2O_BACKEND;
  delete process.env.O2O_BACKEND;
  try {
    await initBackend('wasm');
    providers.push({ name: 'wasm', kernels: currentKernels() });
  } finally {
    if (previous !== undefined) process.env.O2O_BACKEND = previous;
  }
  const native = loadNativeKernels(1);
  if (native.ok) providers.push({ name: 'native', kernels: native.kernels });
  else if (process.env.CI) throw new Error(`CI needs the native kernels: ${native.reason}`);
  return providers;
}

/** The native kernels, or undefined (with the reason) when they are not built here. */
export function nativeKernelsOrReason(): { kernels?: Kernels; reason?: string } {
  const native = loadNativeKernels(1);
  if (native.ok) return { kernels: native.kernels };
  if (process.env.CI) throw new Error(`CI needs the native kernels: ${native.reason}`);
  return { reason: native.reason };
}
