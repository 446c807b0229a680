/**
 * `o2o doctor`: which compute backend runs the learners (the native BLAS kernels or a TensorFlow.js
 * backend), why the others are not used, and the versions of everything that matters for speed.
 * `--json` prints the same facts as one object.
 */
import type { Command } from 'commander';
import {
  BACKEND_CANDIDATES,
  initBackend,
  type BackendInfo,
  type BackendPreference,
} from '../../tensor/backend.js';
import { listEnvsChecked } from '../../envs/registry.js';
import { mujocoStatus, type MujocoStatus } from '../../envs/mujoco/runtime.js';
import { packageInfo } from '../../util/package-info.js';
import { UserFacingError } from '../errors.js';

interface DoctorOptions {
  json?: boolean;
  backend?: string;
}

/** The doctor's findings as a plain object (what `--json` prints). */
export interface DoctorReport {
  package: { name: string; version: string };
  platform: { os: string; arch: string; cpus: number };
  backend: BackendInfo;
  /** The MuJoCo physics runtime and the environments that cannot run here (with the reason). */
  physics: { mujoco: MujocoStatus; unavailableEnvs: { id: string; reason: string }[] };
}

export async function runDoctor(preference?: BackendPreference): Promise<DoctorReport> {
  const { availableParallelism, platform, arch } = await import('node:os');
  const info = packageInfo();
  let backend: BackendInfo;
  try {
    backend = await initBackend(preference);
  } catch (error) {
    throw new UserFacingError(error instanceof Error ? error.message : String(error));
  }
  const envs = await listEnvsChecked();
  const unavailableEnvs = envs
    .filter((env) => env.available === false)
    .map((env) => ({ id: env.id, reason: env.unavailableReason ?? 'unknown reason' }));
  return {
    package: { name: info.name, version: info.version },
    platform: { os: platform(), arch: arch(), cpus: availableParallelism() },
    backend,
    physics: { mujoco: mujocoStatus(), unavailableEnvs },
  };
}

/** Human-readable form of a report, one fact per line. */
export function formatDoctorReport(report: DoctorReport): string {
  const { backend } = report;
  const lines = [
    `${report.package.name} ${report.package.version} on ${report.platform.os}/${report.platform.arch}, ${report.platform.cpus} CPU(s)`,
    `backend in use: ${backend.name} (${
      backend.tfBackend === null
        ? `native kernels over ${String(backend.features.blas)}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`
        : `TensorFlow.js "${backend.tfBackend}"`
    }), requested ${backend.requested} (${backend.requestSource})`,
  ];
  const features = Object.entries(backend.features);
  if (features.length > 0) {
    lines.push(`  features: ${features.map(([key, value]) => `${key}=${String(value)}`).join(', ')}`);
  }
  lines.push('other backends:');
  for (const name of BACKEND_CANDIDATES) {
    if (name === backend.name) continue;
    lines.push(`  ${name}: ${backend.reasons[name] ?? 'not considered'}`);
  }
  const { mujoco, unavailableEnvs } = report.physics;
  lines.push(
    mujoco.state === 'loaded'
      ? `MuJoCo physics: ${mujoco.version} loaded; every environment can run`
      : `MuJoCo physics: ${mujoco.state === 'failed' ? mujoco.reason : mujoco.state}`,
  );
  if (unavailableEnvs.length > 0) {
    lines.push(`unavailable environments: ${unavailableEnvs.map((env) => env.id).join(', ')}`);
  }
  lines.push('versions:');
  for (const [name, version] of Object.entries(backend.versions)) lines.push(`  ${name} ${version}`);
  return lines.join('\n');
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'show the compute backend in use, why the others are not used, which environments cannot run here, and versions',
    )
    .option('--json', 'print the findings as one JSON object')
    .option(
      '--backend <name>',
      `backend to try first: auto, ${BACKEND_CANDIDATES.join(', ')} (O2O_BACKEND overrides)`,
    )
    .action(async (options: DoctorOptions) => {
      let preference: BackendPreference | undefined;
      if (options.backend !== undefined) {
        const value = options.backend.trim().toLowerCase();
        if (value !== 'auto' && !(BACKEND_CANDIDATES as readonly string[]).includes(value)) {
          throw new UserFacingError(
            `--backend: unknown backend "${options.backend}"; expected one of auto, ${BACKEND_CANDIDATES.join(', ')}`,
          );
        }
        preference = value as BackendPreference;
      }
      const report = await runDoctor(preference);
      process.stdout.write(
        `${options.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report)}\n`,
      );
    });
}
