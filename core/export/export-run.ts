/** Export the policy of a run directory in one of the formats (`o2o export`, the app's Export button). */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { copyPolicyLayers } from '../agents/types.js';
import type { ExportResult, PolicyChoice } from '../common/protocol.js';
import { actionWidthOf } from '../common/spaces.js';
import { RunDirectoryError } from '../train/run-directory.js';
import { restoreRun } from '../train/run-policy.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { packageInfo } from '../util/package-info.js';
import { policyToOnnx } from './onnx.js';
import { configHash, policyToJson, type ExportedPolicy } from './policy.js';
import { writeTfjsPolicy } from './tfjs.js';

export type ExportFormat = 'onnx' | 'tfjs' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'tfjs', 'json'];
export { POLICY_CHOICES, type ExportResult, type PolicyChoice } from '../common/protocol.js';

/** The policy description of a run at its newest checkpoint, or of its best evaluation. */
export async function runPolicyDescription(
  runDirectory: string,
  choice: PolicyChoice = 'latest',
): Promise<ExportedPolicy> {
  const run = await restoreRun(runDirectory);
  const space = run.actionSpace;
  try {
    const best = choice === 'best' ? run.best : null;
    if (choice === 'best' && !best) {
      throw new RunDirectoryError(
        `${run.directory}: no best policy to export: the newest checkpoint (update ${run.counters.step}) holds no evaluation with a finite score${run.counters.evaluations > 0 ? ' (or was written by a version that did not keep the best policy)' : ''}`,
      );
    }
    const source = best ?? {
      step: run.counters.step,
      envStep: run.counters.envStep,
      layers: run.learner.policyLayers(),
      observationMean: run.normaliser.mean,
      observationStd: run.normaliser.std,
    };
    return {
      metadata: {
        envId: run.config.env.id,
        configHash: configHash(run.config),
        trainingSteps: source.step,
        envSteps: source.envStep,
        runId: run.meta.runId,
        packageVersion: packageInfo().version,
        createdAt: new Date().toISOString(),
        ...(best ? { evaluation: { phase: best.phase, metric: best.metric, score: best.score } } : {}),
      },
      observationWidth: run.env.observationSpace.size,
      actionWidth: actionWidthOf(space),
      observationMean: Float32Array.from(source.observationMean),
      observationStd: Float32Array.from(source.observationStd),
      // a categorical policy's action is an index in [0, n − 1]
      actionLow: space.kind === 'box' ? Float32Array.from(space.low) : Float32Array.of(0),
      actionHigh: space.kind === 'box' ? Float32Array.from(space.high) : Float32Array.of(space.n - 1),
      head: run.learner.policyHead(),
      layers: copyPolicyLayers(source.layers),
    };
  } finally {
    run.learner.dispose();
  }
}

/** Write `policy` to `path` as `format` (TF.js: `path` is a directory); returns the bytes written. */
export async function writePolicy(
  policy: ExportedPolicy,
  format: ExportFormat,
  path: string,
): Promise<number> {
  if (format === 'tfjs') return (await writeTfjsPolicy(policy, path)).bytes;
  mkdirSync(dirname(path), { recursive: true });
  const bytes = format === 'onnx' ? policyToOnnx(policy) : Buffer.from(policyToJson(policy), 'utf8');
  writeFileAtomicSync(path, bytes);
  return bytes.byteLength;
}

/** Export the policy of `runDirectory` to `path`. */
export async function exportPolicy(options: {
  runDirectory: string;
  format: ExportFormat;
  path: string;
  /** Default 'latest'. */
  policy?: PolicyChoice;
}): Promise<ExportResult> {
  const path = resolve(options.path);
  const policy = await runPolicyDescription(options.runDirectory, options.policy);
  const bytes = await writePolicy(policy, options.format, path);
  const { trainingSteps: step, envSteps: envStep, evaluation } = policy.metadata;
  return { path, bytes, step, envStep, ...(evaluation ? { evaluation } : {}) };
}
