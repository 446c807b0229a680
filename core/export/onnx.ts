/**
 * ONNX export of the deterministic policy, built node by node with the ONNX protobuf definitions
 * (onnx-proto). The graph is the whole raw-observation → action map of ExportedPolicy:
 *
 *   observation ─Sub(mean)─Div(std)─[MatMul(W)─Add(b)─Relu|Tanh]×L─Clip(−1, 1)─Mul(scale)─Add(offset)─▶ action
 *
 * float32 initializers, a dynamic batch dimension, opset 13, and the run's facts in metadata_props
 * (env id, spaces, config hash, training steps) so a deployed file says where it came from.
 */
import onnxProto from 'onnx-proto';
import { actionScaleOffset, checkPolicy, type ExportedPolicy } from './policy.js';

const { onnx } = onnxProto;

/** The opset the graph is written against (Clip with min/max inputs needs ≥ 11). */
export const ONNX_OPSET = 13;
export const ONNX_INPUT_NAME = 'observation';
export const ONNX_OUTPUT_NAME = 'action';

function floatTensor(
  name: string,
  dims: number[],
  values: Float32Array,
): InstanceType<typeof onnx.TensorProto> {
  const bytes = new Uint8Array(values.byteLength);
  new Float32Array(bytes.buffer).set(values); // little-endian on every platform Node runs on
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

function tensorInfo(name: string, width: number): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] },
      },
    },
  });
}

/** The metadata_props entries of an exported policy (all values are strings, as ONNX requires). */
export function onnxMetadata(policy: ExportedPolicy): Record<string, string> {
  const { metadata } = policy;
  return {
    'o2o.env_id': metadata.envId,
    'o2o.observation_width': String(policy.observationWidth),
    'o2o.action_width': String(policy.actionWidth),
    'o2o.action_low': JSON.stringify(Array.from(policy.actionLow)),
    'o2o.action_high': JSON.stringify(Array.from(policy.actionHigh)),
    'o2o.head': JSON.stringify(policy.head),
    'o2o.config_hash': metadata.configHash,
    'o2o.training_steps': String(metadata.trainingSteps),
    'o2o.env_steps': String(metadata.envSteps),
    'o2o.run_id': metadata.runId,
    'o2o.created_at': metadata.createdAt,
    ...(metadata.evaluation ? { 'o2o.evaluation': JSON.stringify(metadata.evaluation) } : {}),
  };
}

/** Serialise the policy as an ONNX model (protobuf bytes). */
export function policyToOnnx(policy: ExportedPolicy): Uint8Array {
  checkPolicy(policy);
  const { observationWidth, actionWidth } = policy;
  const initializers = [
    floatTensor('observation_mean', [observationWidth], policy.observationMean),
    floatTensor('observation_std', [observationWidth], policy.observationStd),
  ];
  if (policy.head.kind !== 'categorical') {
    const { scale, offset } = actionScaleOffset(policy);
    initializers.push(
      floatTensor('unit_min', [], Float32Array.of(-1)),
      floatTensor('unit_max', [], Float32Array.of(1)),
      floatTensor('action_scale', [actionWidth], scale),
      floatTensor('action_offset', [actionWidth], offset),
    );
  }

  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const node = (opType: string, inputs: string[], output: string) => {
    nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], name: output }));
    return output;
  };
  let current = node('Sub', [ONNX_INPUT_NAME, 'observation_mean'], 'centred');
  current = node('Div', [current, 'observation_std'], 'normalised');
  policy.layers.forEach((layer, i) => {
    initializers.push(floatTensor(`layer${i}_weight`, [layer.inputSize, layer.outputSize], layer.weight));
    initializers.push(floatTensor(`layer${i}_bias`, [layer.outputSize], layer.bias));
    current = node('MatMul', [current, `layer${i}_weight`], `layer${i}_matmul`);
    current = node('Add', [current, `layer${i}_bias`], `layer${i}_linear`);
    if (layer.activation === 'relu') current = node('Relu', [current], `layer${i}_relu`);
    else if (layer.activation === 'tanh') current = node('Tanh', [current], `layer${i}_tanh`);
  });
  if (policy.head.kind === 'categorical') {
    // The action is the index of the largest logit, given as a float like every other action.
    nodes.push(
      onnx.NodeProto.create({
        opType: 'ArgMax',
        input: [current],
        output: ['action_index'],
        name: 'action_index',
        attribute: [
          { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
          { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        ],
      }),
    );
    nodes.push(
      onnx.NodeProto.create({
        opType: 'Cast',
        input: ['action_index'],
        output: [ONNX_OUTPUT_NAME],
        name: ONNX_OUTPUT_NAME,
        attribute: [
          { name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT },
        ],
      }),
    );
  } else {
    current = node('Clip', [current, 'unit_min', 'unit_max'], 'unit_action');
    current = node('Mul', [current, 'action_scale'], 'scaled_action');
    node('Add', [current, 'action_offset'], ONNX_OUTPUT_NAME);
  }

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'o2o-studio',
    producerVersion: policy.metadata.packageVersion,
    modelVersion: 1,
    docString:
      policy.head.kind === 'categorical'
        ? `Deterministic categorical policy for ${policy.metadata.envId}: raw observation → action index (argmax of the logits), as a float.`
        : `Deterministic policy for ${policy.metadata.envId}: raw observation → action within the Box bounds.`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(onnxMetadata(policy)).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'o2o_policy',
      node: nodes,
      initializer: initializers,
      input: [tensorInfo(ONNX_INPUT_NAME, observationWidth)],
      output: [tensorInfo(ONNX_OUTPUT_NAME, actionWidth)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
