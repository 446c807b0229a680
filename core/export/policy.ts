/**
 * The exported policy: the deterministic actor as plain dense layers, with the observation
 * normalisation in front and the head behind, so that an exported file maps a raw environment
 * observation to an environment action on its own:
 *
 *   x = (o − mean) / std;  h = layers(x);
 *   Box heads (tanh-gaussian, gaussian): h ∈ [−1, 1]^d, a = clip(h, −1, 1)·scale + offset,
 *     scale = (high − low)/2, offset = (high + low)/2;
 *   categorical head: h are the logits of the n actions, a = argmax h (an index; actionWidth 1,
 *     actionLow/High = 0 and n − 1).
 *
 * Every format (JSON, ONNX, TF.js) is written from this one description, and the JSON format is
 * this description verbatim.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { copyPolicyLayers, type PolicyHead, type PolicyLayer } from '../agents/types.js';
import { SELECTION_METRICS, type ScoredEvaluation } from '../common/best-evaluation.js';
import { scaleAction } from '../common/spaces.js';

export interface PolicyMetadata {
  envId: string;
  /** SHA-256 (hex, first 16 chars) of the run's resolved config, canonical JSON. */
  configHash: string;
  /** Gradient updates the policy was trained with. */
  trainingSteps: number;
  /** Environment steps the policy was trained with. */
  envSteps: number;
  runId: string;
  packageVersion: string;
  createdAt: string;
  /**
   * Set when the policy is the run's best evaluation (`o2o export --policy best`): what it scored
   * there, by the rule of core/common/best-evaluation.ts. Absent for the newest checkpoint's policy.
   */
  evaluation?: ScoredEvaluation;
}

export interface ExportedPolicy {
  metadata: PolicyMetadata;
  observationWidth: number;
  actionWidth: number;
  observationMean: Float32Array;
  observationStd: Float32Array;
  actionLow: Float32Array;
  actionHigh: Float32Array;
  layers: PolicyLayer[];
  /** How the last layer's output becomes an action (JSON files of format version 1: tanh-gaussian). */
  head: PolicyHead;
}

/** Width of the last layer for a head: the logits of a categorical head, else the action width. */
export function headOutputWidth(policy: Pick<ExportedPolicy, 'head' | 'actionWidth'>): number {
  return policy.head.kind === 'categorical' ? policy.head.actionCount : policy.actionWidth;
}

export class PolicyFormatError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'PolicyFormatError';
  }
}

/** Canonical JSON (object keys sorted at every level) so that equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

/** Check that the layers chain, that widths match the spaces and that bounds are finite. */
export function checkPolicy(policy: ExportedPolicy): void {
  const { observationWidth, actionWidth, layers } = policy;
  if (layers.length === 0) throw new PolicyFormatError('policy has no layers');
  const vectors: [string, Float32Array, number][] = [
    ['observationMean', policy.observationMean, observationWidth],
    ['observationStd', policy.observationStd, observationWidth],
    ['actionLow', policy.actionLow, actionWidth],
    ['actionHigh', policy.actionHigh, actionWidth],
  ];
  for (const [name, vector, width] of vectors) {
    if (vector.length !== width)
      throw new PolicyFormatError(`${name} has ${vector.length} entries, expected ${width}`);
    if (vector.some((value) => !Number.isFinite(value)))
      throw new PolicyFormatError(`${name} must be finite (Box bounds of the action space must be finite)`);
  }
  if (policy.observationStd.some((value) => !(value > 0)))
    throw new PolicyFormatError('observationStd must be positive');
  let width = observationWidth;
  layers.forEach((layer, i) => {
    if (layer.inputSize !== width)
      throw new PolicyFormatError(`layer ${i} takes ${layer.inputSize} inputs, expected ${width}`);
    if (layer.weight.length !== layer.inputSize * layer.outputSize)
      throw new PolicyFormatError(
        `layer ${i} weight has ${layer.weight.length} entries, expected ${layer.inputSize}×${layer.outputSize}`,
      );
    if (layer.bias.length !== layer.outputSize)
      throw new PolicyFormatError(
        `layer ${i} bias has ${layer.bias.length} entries, expected ${layer.outputSize}`,
      );
    width = layer.outputSize;
  });
  if (policy.head.kind === 'categorical') {
    if (actionWidth !== 1)
      throw new PolicyFormatError(
        `a categorical policy acts with one index: actionWidth must be 1, got ${actionWidth}`,
      );
    if (width !== policy.head.actionCount)
      throw new PolicyFormatError(
        `the last layer gives ${width} logits, expected one per action (${policy.head.actionCount})`,
      );
  } else if (width !== actionWidth)
    throw new PolicyFormatError(`the last layer gives ${width} outputs, expected actionWidth ${actionWidth}`);
}

/** The per-dimension scale (high − low)/2 and offset (high + low)/2 that map [−1, 1] to the Box bounds. */
export function actionScaleOffset(policy: ExportedPolicy): { scale: Float32Array; offset: Float32Array } {
  const scale = new Float32Array(policy.actionWidth);
  const offset = new Float32Array(policy.actionWidth);
  for (let j = 0; j < policy.actionWidth; j++) {
    scale[j] = (policy.actionHigh[j] - policy.actionLow[j]) / 2;
    offset[j] = (policy.actionHigh[j] + policy.actionLow[j]) / 2;
  }
  return { scale, offset };
}

/**
 * The policy's actions for `count` raw observations (row-major), computed in float32 steps like
 * the engine. Used by `o2o eval --policy FILE.json` and as the reference the exports are checked against.
 */
export function policyActions(
  policy: ExportedPolicy,
  observations: Float32Array,
  count: number,
): Float32Array {
  const { observationWidth, actionWidth } = policy;
  const categorical = policy.head.kind === 'categorical';
  const actions = new Float32Array(count * actionWidth);
  const input = new Float32Array(observationWidth);
  const unit = new Float32Array(actionWidth);
  for (let row = 0; row < count; row++) {
    for (let i = 0; i < observationWidth; i++)
      input[i] =
        (observations[row * observationWidth + i] - policy.observationMean[i]) / policy.observationStd[i];
    let activations: Float32Array = input;
    for (const layer of policy.layers) {
      const output = new Float32Array(layer.outputSize);
      for (let o = 0; o < layer.outputSize; o++) {
        let sum = layer.bias[o];
        for (let i = 0; i < layer.inputSize; i++)
          sum += activations[i] * layer.weight[i * layer.outputSize + o];
        output[o] =
          layer.activation === 'relu' ? Math.max(0, sum) : layer.activation === 'tanh' ? Math.tanh(sum) : sum;
      }
      activations = output;
    }
    if (categorical) {
      let best = 0;
      for (let a = 1; a < activations.length; a++) if (activations[a] > activations[best]) best = a;
      actions[row] = best;
      continue;
    }
    unit.set(activations);
    actions.set(
      scaleAction(unit, policy.actionLow, policy.actionHigh, new Float32Array(actionWidth)),
      row * actionWidth,
    );
  }
  return actions;
}

const numberArray = z.array(z.number());
const jsonPolicySchema = z
  .object({
    format: z.literal('o2o-policy'),
    formatVersion: z.union([z.literal(1), z.literal(2)]),
    metadata: z.object({
      envId: z.string(),
      configHash: z.string(),
      trainingSteps: z.number(),
      envSteps: z.number(),
      runId: z.string(),
      packageVersion: z.string(),
      createdAt: z.string(),
      evaluation: z
        .object({
          phase: z.enum(['offline', 'online']),
          metric: z.enum(SELECTION_METRICS),
          score: z.number(),
        })
        .strict()
        .optional(),
    }),
    observationWidth: z.number().int().positive(),
    actionWidth: z.number().int().positive(),
    observationMean: numberArray,
    observationStd: numberArray,
    actionLow: numberArray,
    actionHigh: numberArray,
    layers: z
      .array(
        z.object({
          inputSize: z.number().int().positive(),
          outputSize: z.number().int().positive(),
          activation: z.enum(['relu', 'tanh', 'linear']),
          weight: numberArray,
          bias: numberArray,
        }),
      )
      .min(1),
    /** Format version 2: how the output becomes an action (version 1 files are tanh-gaussian). */
    head: z
      .discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('tanh-gaussian'),
            actionWidth: z.number().int().positive(),
            deterministic: z.literal('tanh-mean'),
          })
          .strict(),
        z
          .object({
            kind: z.literal('gaussian'),
            actionWidth: z.number().int().positive(),
            deterministic: z.literal('mean'),
          })
          .strict(),
        z
          .object({
            kind: z.literal('categorical'),
            actionCount: z.number().int().min(2),
            deterministic: z.literal('argmax'),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();

/**
 * The shortest decimal that reads back as the same float32: `Number(text)` stored into a
 * Float32Array gives `value` again. Float32 weights printed as doubles take ≈ 19 digits; this
 * needs at most 9 (IEEE 754 single precision), which halves the JSON format's size.
 */
export function shortestFloat32(value: number): number {
  if (value === 0) return value;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

/** The plain-JSON weights format: the policy description with arrays as number lists. */
export function policyToJson(policy: ExportedPolicy): string {
  checkPolicy(policy);
  const list = (array: Float32Array) => Array.from(array, shortestFloat32);
  return `${JSON.stringify({
    format: 'o2o-policy',
    formatVersion: 2,
    metadata: policy.metadata,
    observationWidth: policy.observationWidth,
    actionWidth: policy.actionWidth,
    observationMean: list(policy.observationMean),
    observationStd: list(policy.observationStd),
    actionLow: list(policy.actionLow),
    actionHigh: list(policy.actionHigh),
    layers: policy.layers.map((layer) => ({
      inputSize: layer.inputSize,
      outputSize: layer.outputSize,
      activation: layer.activation,
      weight: list(layer.weight),
      bias: list(layer.bias),
    })),
    head: policy.head,
  })}\n`;
}

/** Parse the JSON weights format; errors name the file and the field. */
export function policyFromJson(text: string, file = 'policy'): ExportedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyFormatError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = jsonPolicySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PolicyFormatError(
      `${file}: not an o2o policy file: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const data = parsed.data;
  const policy: ExportedPolicy = {
    metadata: data.metadata,
    observationWidth: data.observationWidth,
    actionWidth: data.actionWidth,
    observationMean: Float32Array.from(data.observationMean),
    observationStd: Float32Array.from(data.observationStd),
    actionLow: Float32Array.from(data.actionLow),
    actionHigh: Float32Array.from(data.actionHigh),
    layers: copyPolicyLayers(data.layers),
    head: data.head ?? { kind: 'tanh-gaussian', actionWidth: data.actionWidth, deterministic: 'tanh-mean' },
  };
  try {
    checkPolicy(policy);
  } catch (error) {
    throw new PolicyFormatError(`${file}: ${(error as Error).message}`);
  }
  return policy;
}
