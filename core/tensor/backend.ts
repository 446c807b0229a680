/**
 * Choice of the TensorFlow.js backend.
 *
 * Candidates, fastest first: the native TensorFlow bindings with CUDA (`@tensorflow/tfjs-node-gpu`),
 * the native CPU bindings (`@tensorflow/tfjs-node`), WebAssembly with XNNPACK (`@tensorflow/tfjs-backend-wasm`,
 * the usual choice because the native packages need a libtensorflow download at install time), and the
 * plain JavaScript backend (`@tensorflow/tfjs-backend-cpu`). The first that loads wins. A preference
 * comes from the argument, else the `O2O_BACKEND` environment variable, else `auto`.
 *
 * A candidate that fails to load never throws: the reason is recorded (and printed once to stderr
 * when the user asked for that backend or when it is installed but broken), and the next candidate
 * is tried. `o2o doctor` shows the whole picture.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';

/** The backends this project knows, in the order `auto` tries them. */
export const BACKEND_CANDIDATES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_CANDIDATES)[number];
export type BackendPreference = BackendName | 'auto';

/** Environment variable that overrides the configured backend preference. */
export const BACKEND_ENV_VARIABLE = 'O2O_BACKEND';

export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** The name TensorFlow.js gives it (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** What was asked for and where the request came from. */
  requested: BackendPreference;
  requestSource: 'argument' | 'environment' | 'default';
  /** Why each other candidate is not in use. */
  reasons: Partial<Record<BackendName, string>>;
  /** Versions: Node, tfjs-core and every backend package that could be resolved. */
  versions: Record<string, string>;
  /** Backend features that matter for speed (wasm: SIMD and thread count). */
  features: Record<string, boolean | number>;
}

const PACKAGE_OF: Record<BackendName, string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const TF_NAME_OF: Record<BackendName, string> = {
  'node-gpu': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let current: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
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

/**
 * Select and initialise the backend. `preference` (from a config) is overridden by `O2O_BACKEND`
 * when that is set. Calling again with the same effective preference returns the cached result.
 * Never throws for a backend that fails to load; throws only for an unknown preference name.
 */
export async function initBackend(preference?: BackendPreference): Promise<BackendInfo> {
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
  if (pending) {
    const previous = await pending;
    if (previous.requested === requested && tf.getBackend() === previous.tfBackend) return previous;
  }
  pending = selectBackend(requested, requestSource);
  current = await pending;
  return current;
}

async function selectBackend(
  requested: BackendPreference,
  requestSource: BackendInfo['requestSource'],
): Promise<BackendInfo> {
  const order: BackendName[] =
    requested === 'auto'
      ? [...BACKEND_CANDIDATES]
      : [requested, ...BACKEND_CANDIDATES.filter((name) => name !== requested && name !== 'node-gpu')];
  const reasons: Partial<Record<BackendName, string>> = {};
  let chosen: BackendName | undefined;
  for (const name of order) {
    const failure = await tryBackend(name);
    if (failure === undefined) {
      chosen = name;
      break;
    }
    reasons[name] = failure.reason;
    const explicitlyRequested = name === requested;
    if ((explicitlyRequested || failure.installed) && !reportedFailures.has(name)) {
      reportedFailures.add(name);
      process.stderr.write(
        `o2o: backend ${name} is not available (${failure.reason}); trying the next one\n`,
      );
    }
  }
  if (chosen === undefined) {
    // The cpu backend is a plain dependency; reaching this means the installation is broken.
    throw new Error(
      `no TensorFlow.js backend could be initialised: ${Object.entries(reasons)
        .map(([name, reason]) => `${name}: ${reason}`)
        .join('; ')}`,
    );
  }
  for (const name of BACKEND_CANDIDATES) {
    if (name === chosen || reasons[name] !== undefined) continue;
    reasons[name] =
      BACKEND_CANDIDATES.indexOf(name) > BACKEND_CANDIDATES.indexOf(chosen)
        ? `not needed: ${chosen} comes first`
        : `not tried: ${requested} was requested (${requestSource})`;
  }
  return {
    name: chosen,
    tfBackend: tf.getBackend(),
    requested,
    requestSource,
    reasons,
    versions: collectVersions(),
    features: backendFeatures(chosen),
  };
}

interface LoadFailure {
  reason: string;
  /** The package resolves, so the failure is a broken installation rather than an absent optional one. */
  installed: boolean;
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

async function tryBackend(name: BackendName): Promise<LoadFailure | undefined> {
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
    return undefined;
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

function collectVersions(): Record<string, string> {
  const versions: Record<string, string> = { node: process.versions.node, 'tfjs-core': tf.version_core };
  for (const name of BACKEND_CANDIDATES) {
    const version = packageVersion(PACKAGE_OF[name]);
    if (version !== undefined) versions[PACKAGE_OF[name].replace('@tensorflow/', '')] = version;
  }
  return versions;
}

function backendFeatures(name: BackendName): Record<string, boolean | number> {
  if (name !== 'wasm') return {};
  const features: Record<string, boolean | number> = {
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithreading: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
  return features;
}
