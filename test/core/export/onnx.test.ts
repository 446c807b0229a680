import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME, policyToOnnx } from '../../../core/export/onnx.js';
import { policyActions } from '../../../core/export/policy.js';
import { randomObservations, randomPolicy } from './fixtures.js';

describe('ONNX policy export', () => {
  it('reproduces the reference actions within 1e-5 in onnxruntime, including normalisation and scaling', async () => {
    const policy = randomPolicy(3);
    const session = await InferenceSession.create(policyToOnnx(policy));
    const count = 64;
    const observations = randomObservations(4, count, policy.observationWidth);
    const result = await session.run({
      [ONNX_INPUT_NAME]: new Tensor('float32', observations, [count, policy.observationWidth]),
    });
    const actions = result[ONNX_OUTPUT_NAME].data as Float32Array;
    const expected = policyActions(policy, observations, count);
    expect(actions.length).toBe(count * policy.actionWidth);
    let maxError = 0;
    for (let i = 0; i < actions.length; i++)
      maxError = Math.max(maxError, Math.abs(actions[i] - expected[i]));
    expect(maxError).toBeLessThan(1e-5);
    // actions respect the Box bounds of every dimension
    for (let row = 0; row < count; row++) {
      for (let j = 0; j < policy.actionWidth; j++) {
        const action = actions[row * policy.actionWidth + j];
        expect(action).toBeGreaterThanOrEqual(policy.actionLow[j] - 1e-6);
        expect(action).toBeLessThanOrEqual(policy.actionHigh[j] + 1e-6);
      }
    }
    await session.release();
  });

  it('carries the run metadata in metadata_props', async () => {
    const policy = randomPolicy(5);
    const session = await InferenceSession.create(policyToOnnx(policy));
    expect(session.inputNames).toEqual([ONNX_INPUT_NAME]);
    expect(session.outputNames).toEqual([ONNX_OUTPUT_NAME]);
    await session.release();
    // metadata is checked on the decoded protobuf (onnxruntime-node does not expose custom metadata)
    const { default: onnxProto } = await import('onnx-proto');
    const model = onnxProto.onnx.ModelProto.decode(policyToOnnx(policy));
    const props = Object.fromEntries(model.metadataProps.map((entry) => [entry.key, entry.value]));
    expect(props['o2o.env_id']).toBe('test-env-v0');
    expect(props['o2o.config_hash']).toBe('0123456789abcdef');
    expect(props['o2o.training_steps']).toBe('1234');
    expect(JSON.parse(props['o2o.action_low'])).toEqual([-1, -2]);
    expect((model.graph?.node ?? []).map((node) => node.opType)).toEqual([
      'Sub',
      'Div',
      'MatMul',
      'Add',
      'Relu',
      'MatMul',
      'Add',
      'Relu',
      'MatMul',
      'Add',
      'Tanh',
      'Clip',
      'Mul',
      'Add',
    ]);
  });
});
