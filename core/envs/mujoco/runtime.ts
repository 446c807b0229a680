/**
 * The MuJoCo physics runtime (`@mujoco/mujoco`, the official WebAssembly build), loaded once per
 * process. Loading is asynchronous (≈ 0.3–0.5 s), while the Env interface is synchronous: callers
 * `await loadMujoco()` (the registry's `prepareEnv`/`makeEnvAsync` do) and the environments then
 * take the loaded module from `mujocoModule()`. A failed load (an unsupported platform, a broken
 * install, or `O2O_DISABLE_MUJOCO=1`) is remembered with its reason so that listings can say which
 * environments are unavailable and why; it never throws at import time.
 *
 * Every MjModel and MjData lives on the WebAssembly heap and must be freed with `.delete()`. Models
 * are shared by all environments built from the same MJCF text and reference-counted
 * (`acquireModel`/`releaseModel`); `liveHandles()` counts what is allocated, for leak tests.
 */
import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';

/** The exact package version the environments, golden trajectories and datasets were recorded with. */
export const MUJOCO_VERSION = '3.14.0';

export type MujocoStatus =
  | { state: 'not-loaded' }
  | { state: 'loading' }
  | { state: 'loaded'; version: string }
  | { state: 'failed'; reason: string };

let status: MujocoStatus = { state: 'not-loaded' };
let loaded: MainModule | undefined;
let loading: Promise<MainModule> | undefined;

/** Thrown when a MuJoCo environment is used but the runtime could not be (or was not yet) loaded. */
export class MujocoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MujocoUnavailableError';
  }
}

/**
 * Load the runtime (once; later calls return the same module). Rejects with a
 * MujocoUnavailableError naming the reason when it cannot load; the reason is remembered.
 */
export function loadMujoco(): Promise<MainModule> {
  if (loaded) return Promise.resolve(loaded);
  if (status.state === 'failed') return Promise.reject(new MujocoUnavailableError(status.reason));
  loading ??= (async () => {
    status = { state: 'loading' };
    try {
      if (process.env.O2O_DISABLE_MUJOCO === '1') {
        throw new Error('disabled by the environment variable O2O_DISABLE_MUJOCO=1');
      }
      const factory = (await import('@mujoco/mujoco')).default;
      const module = await factory();
      const version = module.mj_versionString();
      if (version !== MUJOCO_VERSION) {
        // Golden trajectories and shipped datasets were recorded with MUJOCO_VERSION; say so, but run.
        process.emitWarning(
          `@mujoco/mujoco ${version} is installed; O2O Studio's MuJoCo tasks were recorded with ${MUJOCO_VERSION}`,
        );
      }
      loaded = module;
      status = { state: 'loaded', version };
      return module;
    } catch (error) {
      const reason = `MuJoCo failed to load: ${error instanceof Error ? error.message : String(error)}`;
      status = { state: 'failed', reason };
      loading = undefined;
      throw new MujocoUnavailableError(reason);
    }
  })();
  return loading;
}

/** Try to load the runtime; resolves to the status (never rejects). */
export async function tryLoadMujoco(): Promise<MujocoStatus> {
  try {
    await loadMujoco();
  } catch {
    // the reason is in the status
  }
  return mujocoStatus();
}

export function mujocoStatus(): MujocoStatus {
  return status;
}

/** The loaded module, or an error telling `envId`'s caller how to load it (or why it cannot). */
export function mujocoModule(envId: string): MainModule {
  if (loaded) return loaded;
  if (status.state === 'failed') {
    throw new MujocoUnavailableError(`${envId} is unavailable: ${status.reason}`);
  }
  throw new MujocoUnavailableError(
    `${envId} needs the MuJoCo physics runtime, which loads asynchronously: call await prepareEnv("${envId}") or use makeEnvAsync first`,
  );
}

/** Thrown when an MJCF model fails to compile; the message carries MuJoCo's own diagnosis. */
export class MjcfError extends Error {
  constructor(
    readonly modelName: string,
    detail: string,
  ) {
    super(`MJCF model "${modelName}" failed to compile: ${detail.trim().replace(/\s*\n\s*/g, ' — ')}`);
    this.name = 'MjcfError';
  }
}

/** Models local coordinates need (MuJoCo ≥ 2.3.3 rejects `coordinate="global"`). */
function checkCoordinates(modelName: string, xml: string): void {
  if (/coordinate\s*=\s*["']global["']/.test(xml)) {
    throw new MjcfError(
      modelName,
      'coordinate="global" is not supported; write the model in local coordinates (body positions relative to the parent)',
    );
  }
}

interface SharedModel {
  model: MjModel;
  users: number;
}

const models = new Map<string, SharedModel>();
let liveData = 0;

/** Compile (or reuse) the model for `xml`; each call must be paired with `releaseModel(xml)`. */
export function acquireModel(module: MainModule, modelName: string, xml: string): MjModel {
  const shared = models.get(xml);
  if (shared) {
    shared.users++;
    return shared.model;
  }
  checkCoordinates(modelName, xml);
  let model: MjModel;
  try {
    model = module.MjModel.from_xml_string(xml);
  } catch (error) {
    throw new MjcfError(modelName, error instanceof Error ? error.message : String(error));
  }
  models.set(xml, { model, users: 1 });
  return model;
}

/** Drop one use of the model for `xml`; the last user frees it. */
export function releaseModel(xml: string): void {
  const shared = models.get(xml);
  if (!shared) return;
  shared.users--;
  if (shared.users <= 0) {
    shared.model.delete();
    models.delete(xml);
  }
}

/** A fresh MjData for `model`; free it with `freeData`. */
export function allocateData(module: MainModule, model: MjModel): MjData {
  const data = new module.MjData(model);
  liveData++;
  return data;
}

export function freeData(data: MjData): void {
  data.delete();
  liveData--;
}

/** How many MjModel and MjData objects are allocated right now (for leak tests). */
export function liveHandles(): { models: number; data: number } {
  return { models: models.size, data: liveData };
}
