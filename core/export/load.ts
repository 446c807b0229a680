/**
 * Load an exported policy for evaluation, whatever its format: the JSON weights file, an ONNX
 * model (run with onnxruntime-node, loaded only here), or a TF.js layers directory (or its
 * model.json). Every loader gives the same shape: actions for raw observations plus metadata.
 */
import { existsSync, statSync } from 'node:fs';
import { fileKind, readRegularFileSync, readRegularTextFileSync } from '../util/regular-file.js';
import { basename, dirname, extname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import onnxProto from 'onnx-proto';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './onnx.js';
import { policyActions, policyFromJson, PolicyFormatError, type PolicyMetadata } from './policy.js';
import { loadTfjsPolicy, TFJS_MODEL_FILE } from './tfjs.js';

export type PolicyFormat = 'json' | 'onnx' | 'tfjs';

export interface LoadedPolicy {
  format: PolicyFormat;
  path: string;
  /** Run facts stored with the policy (env id, training steps, …); partial for foreign files. */
  metadata: Partial<PolicyMetadata>;
  observationWidth: number;
  actionWidth: number;
  /** Actions within the environment's bounds for `count` raw observations (row-major). */
  act(observations: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** The format of a policy file: a directory or a model.json with a Keras topology is TF.js. */
export function detectPolicyFormat(path: string): PolicyFormat {
  if (!existsSync(path)) throw new PolicyFormatError(`${path}: no such file or directory`);
  const stats = statSync(path);
  if (!stats.isDirectory() && !stats.isFile()) {
    throw new PolicyFormatError(`${path}: is ${fileKind(stats)}, not a policy file`);
  }
  if (stats.isDirectory()) {
    if (existsSync(`${path}/${TFJS_MODEL_FILE}`)) return 'tfjs';
    throw new PolicyFormatError(
      `${path}: a directory without ${TFJS_MODEL_FILE} (expected a TF.js policy export)`,
    );
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.onnx') return 'onnx';
  if (path.toLowerCase().endsWith('.json.gz')) return 'json';
  if (extension === '.json') {
    const head = readRegularTextFileSync(path).slice(0, 4096);
    return head.includes('"modelTopology"') ? 'tfjs' : 'json';
  }
  throw new PolicyFormatError(
    `${path}: unknown policy format (expected .json, .json.gz, .onnx or a TF.js directory)`,
  );
}

/** The text of a JSON policy file, gunzipped when it is a .json.gz (how the shipped behaviour policies are stored). */
export function readPolicyJson(path: string): string {
  const bytes = readRegularFileSync(path);
  if (!path.toLowerCase().endsWith('.gz')) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    throw new PolicyFormatError(`${path}: not a gzip file (${(error as Error).message})`);
  }
}

/** The best-evaluation record of an ONNX export (JSON in a metadata prop), when it has one that parses. */
function onnxEvaluation(text: string | undefined): Pick<PolicyMetadata, 'evaluation'> {
  if (!text) return {};
  try {
    return { evaluation: JSON.parse(text) as PolicyMetadata['evaluation'] };
  } catch {
    return {};
  }
}

async function loadOnnx(path: string): Promise<LoadedPolicy> {
  const bytes = readRegularFileSync(path);
  let props: Record<string, string>;
  try {
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    props = Object.fromEntries(model.metadataProps.map((entry) => [entry.key, entry.value]));
  } catch (error) {
    throw new PolicyFormatError(`${path}: not an ONNX model (${(error as Error).message})`);
  }
  const { InferenceSession, Tensor } = await import('onnxruntime-node');
  const session = await InferenceSession.create(bytes);
  const inputName = session.inputNames.includes(ONNX_INPUT_NAME) ? ONNX_INPUT_NAME : session.inputNames[0];
  const outputName = session.outputNames.includes(ONNX_OUTPUT_NAME)
    ? ONNX_OUTPUT_NAME
    : session.outputNames[0];
  const observationWidth = Number(props['o2o.observation_width']);
  const actionWidth = Number(props['o2o.action_width']);
  if (!(observationWidth > 0) || !(actionWidth > 0)) {
    throw new PolicyFormatError(`${path}: ONNX metadata o2o.observation_width / o2o.action_width missing`);
  }
  return {
    format: 'onnx',
    path,
    metadata: {
      envId: props['o2o.env_id'],
      configHash: props['o2o.config_hash'],
      trainingSteps: Number(props['o2o.training_steps']),
      envSteps: Number(props['o2o.env_steps']),
      runId: props['o2o.run_id'],
      createdAt: props['o2o.created_at'],
      ...onnxEvaluation(props['o2o.evaluation']),
    },
    observationWidth,
    actionWidth,
    async act(observations, count) {
      const result = await session.run({
        [inputName]: new Tensor('float32', observations, [count, observationWidth]),
      });
      return Float32Array.from(result[outputName].data as Float32Array);
    },
    dispose: () => session.release(),
  };
}

/** Load a policy exported by `o2o export` (any format). */
export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  const format = detectPolicyFormat(path);
  if (format === 'onnx') return loadOnnx(path);
  if (format === 'tfjs') {
    const directory = statSync(path).isDirectory() ? path : dirname(path);
    if (!statSync(path).isDirectory() && basename(path) !== TFJS_MODEL_FILE) {
      throw new PolicyFormatError(
        `${path}: a TF.js export is loaded from its directory or its ${TFJS_MODEL_FILE}`,
      );
    }
    const policy = await loadTfjsPolicy(directory);
    return {
      format,
      path,
      metadata: policy.metadata ?? {},
      observationWidth: policy.observationWidth,
      actionWidth: policy.actionWidth,
      act: async (observations, count) => policy.act(observations, count),
      dispose: async () => policy.dispose(),
    };
  }
  const policy = policyFromJson(readPolicyJson(path), path);
  return {
    format,
    path,
    metadata: policy.metadata,
    observationWidth: policy.observationWidth,
    actionWidth: policy.actionWidth,
    act: async (observations, count) => policyActions(policy, observations, count),
    dispose: async () => undefined,
  };
}
