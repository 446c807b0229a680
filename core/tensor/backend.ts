/**
 * Choice of the compute backend: which kernel provider runs the learners' products (core/tensor/kernels.ts).
 *
 * Candidates, fastest first: `native` (the N-API addon over statically linked BLAS, built by
 * `npm install` / `npm run build` where a C compiler and a static OpenBLAS exist), then the
 * TensorFlow.js backends: the native TensorFlow bindings with CUDA (`@tensorflow/tfjs-node-gpu`), the
 * native CPU bindings (`@tensorflow/tfjs-node`; both need a libtensorflow download at install time),
 * WebAssembly with XNNPACK (`@tensorflow/tfjs-backend-wasm`, the usual fallback) and the plain
 * JavaScript backend (`@tensorflow/tfjs-backend-cpu`). The first that loads wins. A preference comes
 * from the argument, else the `O2O_BACKEND` environment variable, else `auto`; the BLAS thread count
 * from the argument, else `O2O_THREADS`, else 1.
 *
 * A candidate that fails to load never throws: the reason is recorded (and printed once to stderr
 * when the user asked for that backend or when it is installed but broken), and the next candidate
 * is tried. `o2o doctor` shows the whole picture.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import type { Kernels } from './kernels.js';
import { loadNativeKernels, type NativeKernels } from './native-kernels.js';
import { tfjsKernels } from './tfjs-kernels.js';

/** The backends this project knows, in the order `auto` tries them. */
export const BACKEND_CANDIDATES = ['native', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_CANDIDATES)[number];
export type BackendPreference = BackendName | 'auto';

/** Environment variable that overrides the configured backend preference. */
export const BACKEND_ENV_VARIABLE = 'O2O_BACKEND';
/** Environment variable that overrides the configured BLAS thread count. */
export const THREADS_ENV_VARIABLE = 'O2O_THREADS';

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** The name TensorFlow.js gives it (`tensorflow`, `wasm`, `cpu`); null for `native`, which needs no TF.js backend. */
  tfBackend: string | null;
  /** BLAS threads of the native kernels (1 for the TF.js backends, which run single-threaded here). */
  threads: number;
  /** What was asked for and where the request came from. */
  requested: BackendPreference;
  requestSource: 'argument' | 'environment' | 'default';
  /** Why each other candidate is not in use. */
  reasons: Partial<Record<BackendName, string>>;
  /** Versions: Node, tfjs-core and every backend package that could be resolved. */
  versions: Record<string, string>;
  /** Backend features that matter for speed (native: BLAS library and CPU core; wasm: SIMD, threads). */
  features: Record<string, boolean | number | string>;
}

type TfBackendName = Exclude<BackendName, 'native'>;

const PACKAGE_OF: Record<TfBackendName, string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const TF_NAME_OF: Record<TfBackendName, string> = {
  'node-gpu': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let current: BackendInfo | undefined;
let currentKernelsOf: Kernels | undefined;
let pending: Promise<{ info: BackendInfo; kernels: Kernels }> | undefined;
const reportedFailures = new Set<string>();

/** Parse a preference string (from the environment or a config); throws a message naming the source. */
export function parseBackendPreference(value: string, source: string): BackendPreference {
  const normalised = value.trim().toLowerCase();
  if (normalised === 'auto' || (BACKEND_CANDIDATES as readonly string[]).includes(normalised)) {
    return normalised as BackendPreference;
  }
  throw new Error(
    `${source}: unknown backend "${value}"; expected one of auto, ${BACKEND_CANDIDATES.join(', ')}`,
  );
}

/** The backend initialised by `initBackend`, or undefined before the first call finishes. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/** The kernels of the backend initialised by `initBackend`; throws before the first call finishes. */
export function currentKernels(): Kernels {
  if (!currentKernelsOf) throw new Error('no compute backend yet: call initBackend() first');
  return currentKernelsOf;
}

/**
 * A one-line label of the backend (what the app's header shows) and a note saying why no faster
 * candidate is in use (empty when the fastest one runs).
 */
export function describeBackend(info: BackendInfo): { label: string; note: string } {
  const label =
    info.name === 'native'
      ? `native (${String(info.features.blas)}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`
      : info.name;
  const faster = BACKEND_CANDIDATES.slice(0, BACKEND_CANDIDATES.indexOf(info.name)).filter(
    (name) => name !== 'node-gpu' && name !== 'node',
  );
  const note = faster.map((name) => `${name}: ${info.reasons[name] ?? 'not tried'}`).join('; ');
  return { label, note };
}

/** Parse a thread count (from the environment or a config); throws a message naming the source. */
export function parseThreads(value: string, source: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new Error(`${source}: thread count must be an integer in [1, 256], got "${value}"`);
  }
  return threads;
}

/**
 * Select and initialise the backend. `preference` (from a config) is overridden by `O2O_BACKEND`
 * when that is set, `threads` by `O2O_THREADS`. Calling again with the same effective preference
 * returns the cached result (with the thread count updated). Never throws for a backend that fails
 * to load; throws only for an unknown preference name or a bad thread count.
 */
export async function initBackend(preference?: BackendPreference, threads?: number): Promise<BackendInfo> {
  const fromEnvironment = process.env[BACKEND_ENV_VARIABLE];
  let requested: BackendPreference = 'auto';
  let requestSource: BackendInfo['requestSource'] = 'default';
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    requested = parseBackendPreference(fromEnvironment, `environment variable ${BACKEND_ENV_VARIABLE}`);
    requestSource = 'environment';
  } else if (preference !== undefined) {
    requested = parseBackendPreference(preference, 'backend setting');
    requestSource = 'argument';
  }
  const threadsFromEnvironment = process.env[THREADS_ENV_VARIABLE];
  const threadCount =
    threadsFromEnvironment !== undefined && threadsFromEnvironment.trim() !== ''
      ? parseThreads(threadsFromEnvironment, `environment variable ${THREADS_ENV_VARIABLE}`)
      : (threads ?? current?.threads ?? 1);
  if (pending) {
    const previous = await pending;
    const tfStillActive = previous.info.tfBackend === null || tf.getBackend() === previous.info.tfBackend;
    if (previous.info.requested === requested && tfStillActive) {
      if (previous.info.name === 'native' && previous.info.threads !== threadCount) {
        previous.info.threads = (previous.kernels as NativeKernels).setThreads(threadCount);
        previous.info.features.threads = previous.info.threads;
      }
      return previous.info;
    }
  }
  pending = selectBackend(requested, requestSource, threadCount);
  const selected = await pending;
  current = selected.info;
  currentKernelsOf = selected.kernels;
  return current;
}

async function selectBackend(
  requested: BackendPreference,
  requestSource: BackendInfo['requestSource'],
  threads: number,
): Promise<{ info: BackendInfo; kernels: Kernels }> {
  const order: BackendName[] =
    requested === 'auto'
      ? [...BACKEND_CANDIDATES]
      : [requested, ...BACKEND_CANDIDATES.filter((name) => name !== requested && name !== 'node-gpu')];
  const reasons: Partial<Record<BackendName, string>> = {};
  let chosen: { name: BackendName; kernels: Kernels } | undefined;
  for (const name of order) {
    const attempt = name === 'native' ? tryNative(threads) : await tryTfBackend(name);
    if ('kernels' in attempt) {
      chosen = { name, kernels: attempt.kernels };
      break;
    }
    reasons[name] = attempt.reason;
    const explicitlyRequested = name === requested;
    if ((explicitlyRequested || attempt.installed) && !reportedFailures.has(name)) {
      reportedFailures.add(name);
      process.stderr.write(
        `o2o: backend ${name} is not available (${attempt.reason}); trying the next one\n`,
      );
    }
  }
  if (chosen === undefined) {
    // The cpu backend is a plain dependency; reaching this means the installation is broken.
    throw new Error(
      `no compute backend could be initialised: ${Object.entries(reasons)
        .map(([name, reason]) => `${name}: ${reason}`)
        .join('; ')}`,
    );
  }
  const chosenName = chosen.name;
  for (const name of BACKEND_CANDIDATES) {
    if (name === chosenName || reasons[name] !== undefined) continue;
    reasons[name] =
      BACKEND_CANDIDATES.indexOf(name) > BACKEND_CANDIDATES.indexOf(chosenName)
        ? `not needed: ${chosenName} comes first`
        : `not tried: ${requested} was requested (${requestSource})`;
  }
  const native = chosenName === 'native' ? (chosen.kernels as NativeKernels) : undefined;
  return {
    kernels: chosen.kernels,
    info: {
      name: chosenName,
      tfBackend: native ? null : tf.getBackend(),
      threads: native ? native.threads : 1,
      requested,
      requestSource,
      reasons,
      versions: collectVersions(native),
      features: native
        ? { blas: native.blas.name, core: native.blas.core, threads: native.threads }
        : backendFeatures(chosenName),
    },
  };
}

/** A backend that failed to load. */
interface LoadFailure {
  reason: string;
  /** It is installed (built), so the failure is a broken installation rather than an absent optional one. */
  installed: boolean;
}

function tryNative(threads: number): { kernels: Kernels } | LoadFailure {
  const load = loadNativeKernels(threads);
  if (load.ok) return { kernels: load.kernels };
  return { reason: load.reason, installed: !load.reason.startsWith('the native kernels are not built') };
}

const require = createRequire(import.meta.url);

function resolves(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

async function tryTfBackend(name: TfBackendName): Promise<{ kernels: Kernels } | LoadFailure> {
  const packageName = PACKAGE_OF[name];
  if (!resolves(packageName)) {
    return {
      reason:
        name === 'node' || name === 'node-gpu'
          ? `${packageName} is not installed (optional: its install downloads libtensorflow)`
          : `${packageName} is not installed`,
      installed: false,
    };
  }
  try {
    await import(packageName);
    const tfName = TF_NAME_OF[name];
    if (tf.findBackendFactory(tfName) === null) {
      return { reason: `${packageName} loaded but registered no "${tfName}" backend`, installed: true };
    }
    const ok = await tf.setBackend(tfName);
    if (!ok) return { reason: `tf.setBackend("${tfName}") refused to initialise`, installed: true };
    await tf.ready();
    if (name === 'cpu') {
      // The cpu backend prints an advert for tfjs-node on first use; `o2o doctor` already explains the choice.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    }
    // A tiny computation proves the kernels work (e.g. the wasm binary was found and compiled).
    const probe = tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync());
    if (probe[0] !== 2) return { reason: 'a 2×2 matMul gave a wrong answer', installed: true };
    return { kernels: tfjsKernels(name) };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { reason: `failed to load: ${message}`, installed: true };
  }
}

function packageVersion(packageName: string): string | undefined {
  try {
    const manifest = require(`${packageName}/package.json`) as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
}

function collectVersions(native: NativeKernels | undefined): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node, 'tfjs-core': tf.version_core };
  if (native) versions.blas = native.blas.config;
  for (const name of BACKEND_CANDIDATES) {
    if (name === 'native') continue;
    const version = packageVersion(PACKAGE_OF[name]);
    if (version !== undefined) versions[PACKAGE_OF[name].replace('@tensorflow/', '')] = version;
  }
  return versions;
}

function backendFeatures(name: BackendName): Record<string, boolean | number | string> {
  if (name !== 'wasm') return {};
  return {
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithreading: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}
