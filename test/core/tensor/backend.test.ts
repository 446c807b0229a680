import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKEND_ENV_VARIABLE,
  currentKernels,
  initBackend,
  parseBackendPreference,
  THREADS_ENV_VARIABLE,
} from '../../../core/tensor/backend.js';
import { nativeKernelsOrReason } from '../../helpers/kernel-providers.js';
import { formatDoctorReport, runDoctor } from '../../../core/cli/commands/doctor.js';

const saved = process.env[BACKEND_ENV_VARIABLE];
afterEach(() => {
  if (saved === undefined) delete process.env[BACKEND_ENV_VARIABLE];
  else process.env[BACKEND_ENV_VARIABLE] = saved;
});

describe('initBackend', () => {
  it('picks a working backend and explains every other candidate', async () => {
    delete process.env[BACKEND_ENV_VARIABLE];
    const info = await initBackend();
    expect(['native', 'node-gpu', 'node', 'wasm', 'cpu']).toContain(info.name);
    if (info.name === 'native') expect(info.tfBackend).toBeNull();
    else expect(tf.getBackend()).toBe(info.tfBackend);
    expect(currentKernels().provider).toBe(info.name === 'native' ? 'native' : info.name);
    for (const name of ['native', 'node-gpu', 'node', 'wasm', 'cpu'] as const) {
      if (name !== info.name) expect(info.reasons[name]).toMatch(/\w/);
    }
    expect(info.versions['tfjs-core']).toBe(tf.version_core);
    expect(info.requestSource).toBe('default');
  });

  it('honours an explicit preference and lets O2O_BACKEND override it', async () => {
    delete process.env[BACKEND_ENV_VARIABLE];
    const cpu = await initBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(cpu.requestSource).toBe('argument');
    process.env[BACKEND_ENV_VARIABLE] = 'wasm';
    const wasm = await initBackend('cpu');
    expect(wasm.requestSource).toBe('environment');
    expect(wasm.requested).toBe('wasm');
    expect(wasm.name).toBe('wasm');
  });

  it('falls back without throwing when the requested backend is missing', async () => {
    delete process.env[BACKEND_ENV_VARIABLE];
    const info = await initBackend('node');
    // tfjs-node cannot be installed here; elsewhere it may be present and then it is used.
    if (info.name !== 'node') {
      expect(info.reasons.node).toMatch(/not installed|failed/);
      expect(['native', 'wasm', 'cpu']).toContain(info.name);
    }
  });

  it('prefers the native kernels when they are built, and sets their thread count', async () => {
    delete process.env[BACKEND_ENV_VARIABLE];
    const native = nativeKernelsOrReason();
    const info = await initBackend('auto', 1);
    if (native.kernels === undefined) {
      expect(info.name).not.toBe('native');
      expect(info.reasons.native).toMatch(/native kernels/);
      return;
    }
    expect(info.name).toBe('native');
    expect(info.threads).toBe(1);
    expect(String(info.features.blas)).toMatch(/OpenBLAS|Accelerate/);
    const two = await initBackend('auto', 2);
    expect(two.threads).toBe(2);
    process.env[THREADS_ENV_VARIABLE] = '1';
    try {
      expect((await initBackend('auto', 2)).threads).toBe(1);
      process.env[THREADS_ENV_VARIABLE] = 'many';
      await expect(initBackend()).rejects.toThrow(/O2O_THREADS: thread count must be an integer/);
    } finally {
      delete process.env[THREADS_ENV_VARIABLE];
    }
  });

  it('rejects unknown names with a message naming the source', async () => {
    expect(() => parseBackendPreference('gpu', 'agent.backend')).toThrow(
      /agent.backend: unknown backend "gpu"/,
    );
    process.env[BACKEND_ENV_VARIABLE] = 'tpu';
    await expect(initBackend()).rejects.toThrow(/O2O_BACKEND: unknown backend "tpu"/);
  });
});

describe('o2o doctor', () => {
  it('reports the backend, the reasons for the others and versions', async () => {
    delete process.env[BACKEND_ENV_VARIABLE];
    const report = await runDoctor();
    const text = formatDoctorReport(report);
    expect(text).toContain(`backend in use: ${report.backend.name}`);
    expect(text).toMatch(/node-gpu: /);
    expect(text).toContain(`tfjs-core ${tf.version_core}`);
    expect(JSON.parse(JSON.stringify(report)).backend.name).toBe(report.backend.name);
  });
});
