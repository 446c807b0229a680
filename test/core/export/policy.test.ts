import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scaleAction, unscaleAction } from '../../../core/common/spaces.js';
import { detectPolicyFormat, loadPolicyFile, readPolicyJson } from '../../../core/export/load.js';
import { policyToOnnx } from '../../../core/export/onnx.js';
import {
  canonicalJson,
  checkPolicy,
  configHash,
  policyActions,
  policyFromJson,
  PolicyFormatError,
  policyToJson,
  shortestFloat32,
} from '../../../core/export/policy.js';
import { writeTfjsPolicy } from '../../../core/export/tfjs.js';
import { randomObservations, randomPolicy } from './fixtures.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'o2o-policy-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('policy description', () => {
  it('computes a known answer: one tanh layer, normalisation and scaling', () => {
    const policy = randomPolicy(1, 1, 1, []);
    policy.layers = [
      {
        inputSize: 1,
        outputSize: 1,
        weight: Float32Array.of(2),
        bias: Float32Array.of(0.5),
        activation: 'tanh',
      },
    ];
    policy.observationMean = Float32Array.of(1);
    policy.observationStd = Float32Array.of(4);
    policy.actionLow = Float32Array.of(-2);
    policy.actionHigh = Float32Array.of(6);
    // o = 3: x = (3 − 1)/4 = 0.5; h = tanh(2·0.5 + 0.5) = tanh(1.5); a = h·4 + 2
    const [action] = policyActions(policy, Float32Array.of(3), 1);
    expect(action).toBeCloseTo(Math.tanh(1.5) * 4 + 2, 6);
  });

  it('scaleAction maps [−1, 1] onto the bounds and unscaleAction inverts it', () => {
    fc.assert(
      fc.property(
        fc.float({ min: -1, max: 1, noNaN: true }),
        fc.float({ min: -10, max: 10, noNaN: true }),
        fc.float({ min: Math.fround(0.01), max: 10, noNaN: true }),
        (unit, low, width) => {
          const high = low + width;
          const action = scaleAction([unit], [low], [high], new Float32Array(1))[0];
          expect(action).toBeGreaterThanOrEqual(Math.fround(low) - 1e-4);
          expect(action).toBeLessThanOrEqual(Math.fround(high) + 1e-4);
          const back = unscaleAction([action], [low], [high], new Float32Array(1))[0];
          expect(back).toBeCloseTo(unit, 3);
        },
      ),
    );
    expect(scaleAction([5], [0], [1], new Float32Array(1))[0]).toBe(1);
  });

  it('round-trips through the JSON format', () => {
    const policy = randomPolicy(2);
    const restored = policyFromJson(policyToJson(policy));
    expect(restored.metadata).toEqual(policy.metadata);
    const observations = randomObservations(3, 10, policy.observationWidth);
    expect(policyActions(restored, observations, 10)).toEqual(policyActions(policy, observations, 10));
  });

  it('writes each weight as the shortest decimal that reads back as the same float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const short = shortestFloat32(value);
        expect(Math.fround(short)).toBe(value);
        // at most 9 significant digits (=== so that −0, which prints as 0, counts as equal)
        expect(Number(short.toPrecision(9)) === short).toBe(true);
      }),
    );
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(-1.2345678))).toBe(-1.2345678);
    const policy = randomPolicy(2);
    const text = policyToJson(policy);
    const doubles = JSON.stringify(policy.layers.map((layer) => Array.from(layer.weight)));
    const written = JSON.stringify(
      (JSON.parse(text) as { layers: { weight: number[] }[] }).layers.map((l) => l.weight),
    );
    expect(written.length).toBeLessThan(0.7 * doubles.length);
    expect(policyFromJson(text).layers[0].weight).toEqual(policy.layers[0].weight);
  });

  it('rejects malformed files with the field that is wrong', () => {
    const good = JSON.parse(policyToJson(randomPolicy(2))) as Record<string, unknown>;
    expect(() => policyFromJson('{', 'p.json')).toThrow(/p\.json: not valid JSON/);
    expect(() => policyFromJson(JSON.stringify({ ...good, format: 'x' }), 'p.json')).toThrow(
      /p\.json: .*format/,
    );
    const badBias = structuredClone(good) as { layers: { bias: number[] }[] };
    badBias.layers[0].bias.pop();
    expect(() => policyFromJson(JSON.stringify(badBias), 'p.json')).toThrow(
      /layer 0 bias has 15 entries, expected 16/,
    );
    const policy = randomPolicy(2);
    policy.actionHigh[0] = Number.POSITIVE_INFINITY;
    expect(() => checkPolicy(policy)).toThrow(PolicyFormatError);
  });

  it('hashes configs independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
  });
});

describe('loadPolicyFile', () => {
  it('loads every export format to the same actions', async () => {
    const policy = randomPolicy(7);
    const jsonPath = join(directory, 'policy.json');
    const onnxPath = join(directory, 'policy.onnx');
    const tfjsPath = join(directory, 'tfjs');
    const gzipPath = join(directory, 'policy.json.gz');
    writeFileSync(jsonPath, policyToJson(policy));
    writeFileSync(gzipPath, gzipSync(policyToJson(policy)));
    writeFileSync(onnxPath, policyToOnnx(policy));
    await writeTfjsPolicy(policy, tfjsPath);
    expect(detectPolicyFormat(jsonPath)).toBe('json');
    expect(detectPolicyFormat(gzipPath)).toBe('json');
    expect(detectPolicyFormat(onnxPath)).toBe('onnx');
    expect(detectPolicyFormat(tfjsPath)).toBe('tfjs');
    expect(detectPolicyFormat(join(tfjsPath, 'model.json'))).toBe('tfjs');
    const observations = randomObservations(8, 16, policy.observationWidth);
    const expected = policyActions(policy, observations, 16);
    for (const path of [jsonPath, gzipPath, onnxPath, tfjsPath, join(tfjsPath, 'model.json')]) {
      const loaded = await loadPolicyFile(path);
      expect(loaded.metadata.envId).toBe('test-env-v0');
      expect(loaded.observationWidth).toBe(policy.observationWidth);
      const actions = await loaded.act(observations, 16);
      for (let i = 0; i < expected.length; i++) expect(Math.abs(actions[i] - expected[i])).toBeLessThan(1e-5);
      await loaded.dispose();
    }
  });

  it('names the path when a file is missing or of an unknown kind', () => {
    expect(() => detectPolicyFormat(join(directory, 'none.onnx'))).toThrow(/none\.onnx: no such file/);
    writeFileSync(join(directory, 'p.txt'), 'x');
    expect(() => detectPolicyFormat(join(directory, 'p.txt'))).toThrow(/unknown policy format/);
    writeFileSync(join(directory, 'p.json.gz'), '{"format":');
    expect(() => readPolicyJson(join(directory, 'p.json.gz'))).toThrow(/p\.json\.gz: not a gzip file/);
  });
});
