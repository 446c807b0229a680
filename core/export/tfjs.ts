/**
 * TF.js layers-format export: `model.json` (Keras topology + weights manifest) and one weights
 * shard, loadable with `tf.loadLayersModel`. The model is a tfjs-layers Sequential built from the
 * policy description and saved through an IOHandler that writes both files atomically:
 *
 *   Dense "observation_normalisation" (kernel diag(1/std), bias −mean/std, linear)
 *   → the policy's Dense layers (ReLU … tanh)
 *   → Dense "action_scaling" (kernel diag((high − low)/2), bias (high + low)/2, linear)
 *
 * The tanh output already lies in [−1, 1], so the scaled action lies in the Box bounds without a
 * separate clip layer (tfjs-layers has none).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import type { PolicyHead } from '../agents/types.js';
import {
  actionScaleOffset,
  checkPolicy,
  PolicyFormatError,
  type ExportedPolicy,
  type PolicyMetadata,
} from './policy.js';

export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

function diagonal(values: Float32Array): Float32Array {
  const n = values.length;
  const matrix = new Float32Array(n * n);
  for (let i = 0; i < n; i++) matrix[i * n + i] = values[i];
  return matrix;
}

/** Build the Sequential model of the policy (caller disposes it). */
export function policyToLayersModel(policy: ExportedPolicy): tfl.Sequential {
  checkPolicy(policy);
  const { observationWidth, actionWidth } = policy;
  const model = tfl.sequential({ name: 'o2o_policy' });
  const inverseStd = policy.observationStd.map((std) => 1 / std);
  const normalisationBias = policy.observationMean.map((mean, i) => -mean * inverseStd[i]);
  const { scale, offset } = actionScaleOffset(policy);
  const dense = (
    name: string,
    inputSize: number,
    outputSize: number,
    activation: 'relu' | 'tanh' | 'linear',
    weight: Float32Array,
    bias: Float32Array,
    first = false,
  ) => {
    const layer = tfl.layers.dense({
      name,
      units: outputSize,
      activation,
      ...(first ? { inputShape: [inputSize] } : {}),
    });
    model.add(layer);
    tf.tidy(() => layer.setWeights([tf.tensor2d(weight, [inputSize, outputSize]), tf.tensor1d(bias)]));
  };
  dense(
    'observation_normalisation',
    observationWidth,
    observationWidth,
    'linear',
    diagonal(inverseStd),
    normalisationBias,
    true,
  );
  policy.layers.forEach((layer, i) =>
    dense(`policy_${i}`, layer.inputSize, layer.outputSize, layer.activation, layer.weight, layer.bias),
  );
  // A categorical policy ends in its logits: the action is their argmax (tfjs-layers has no argmax
  // layer; the head in the metadata says so, and loadTfjsPolicy applies it).
  if (policy.head.kind !== 'categorical') {
    dense('action_scaling', actionWidth, actionWidth, 'linear', diagonal(scale), offset);
  }
  model.setUserDefinedMetadata({
    o2o: { ...(policy.metadata as unknown as Record<string, unknown>), head: policy.head },
  });
  return model;
}

function joinWeightData(data: tf.io.WeightData): Uint8Array {
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Write the policy as a TF.js layers model into `directory` (model.json + weights.bin). */
export async function writeTfjsPolicy(policy: ExportedPolicy, directory: string): Promise<{ bytes: number }> {
  await tf.ready();
  mkdirSync(directory, { recursive: true });
  const model = policyToLayersModel(policy);
  let bytes = 0;
  try {
    await model.save({
      save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
        const weights = artifacts.weightData ? joinWeightData(artifacts.weightData) : new Uint8Array(0);
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: null,
          weightsManifest: [{ paths: [`./${TFJS_WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
          userDefinedMetadata: artifacts.userDefinedMetadata,
        };
        // weights first: model.json appearing last means a reader never sees a manifest without its shard
        writeFileAtomicSync(join(directory, TFJS_WEIGHTS_FILE), weights);
        const text = JSON.stringify(modelJson);
        writeFileAtomicSync(join(directory, TFJS_MODEL_FILE), text);
        bytes = weights.byteLength + Buffer.byteLength(text);
        return {
          modelArtifactsInfo: {
            dateSaved: new Date(),
            modelTopologyType: 'JSON',
            weightDataBytes: weights.byteLength,
          },
        };
      },
    });
  } finally {
    model.dispose();
  }
  return { bytes };
}

/** An IOHandler that loads a model written by writeTfjsPolicy (or any single-directory layers model) from disk. */
export function fileLoadHandler(directory: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelPath = join(directory, TFJS_MODEL_FILE);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(readFileSync(modelPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new PolicyFormatError(`${modelPath}: cannot read a TF.js model (${(error as Error).message})`);
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const shards = manifest.flatMap((group) =>
          group.paths.map((path) => readFileSync(join(directory, path))),
        );
        const buffer = Buffer.concat(shards);
        return [specs, buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)];
      });
    },
  };
}

/** A loaded TF.js policy: actions for raw observations, and the metadata stored with it. */
export interface TfjsPolicy {
  metadata: PolicyMetadata | undefined;
  observationWidth: number;
  actionWidth: number;
  act(observations: Float32Array, count: number): Float32Array;
  dispose(): void;
}

export async function loadTfjsPolicy(directory: string): Promise<TfjsPolicy> {
  // The layers model runs on TF.js's current backend (whatever the engine's compute kernels are).
  // When that is the plain cpu backend, keep it from printing its "install tfjs-node" advert on
  // first use, as core/tensor/backend.ts does for the engine.
  await tf.ready();
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
  const model = await tfl.loadLayersModel(fileLoadHandler(directory));
  const inputShape = model.inputs[0].shape;
  const outputShape = model.outputs[0].shape;
  const observationWidth = Number(inputShape[inputShape.length - 1]);
  const actionWidth = Number(outputShape[outputShape.length - 1]);
  const userMetadata = model.getUserDefinedMetadata() as
    { o2o?: PolicyMetadata & { head?: PolicyHead } } | undefined;
  const categorical = userMetadata?.o2o?.head?.kind === 'categorical';
  return {
    metadata: userMetadata?.o2o,
    observationWidth,
    actionWidth: categorical ? 1 : actionWidth,
    act(observations, count) {
      return tf.tidy(() => {
        const output = model.predict(tf.tensor2d(observations, [count, observationWidth])) as tf.Tensor;
        // a categorical export ends in logits: the action is the index of the largest
        return (categorical ? tf.cast(tf.argMax(output, -1), 'float32') : output).dataSync() as Float32Array;
      });
    },
    dispose: () => model.dispose(),
  };
}
