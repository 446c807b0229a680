import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError, readLatestCheckpoint, writeCheckpoint } from '../../../core/train/checkpoint.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'o2o-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('round-trips a tree of JSON values and typed arrays of every kind', () => {
    const state = {
      step: 12,
      name: 'sac',
      beta: { kind: 'track', value: 0.5, history: [1, 2] },
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      weights: [new Float32Array([1.5, -2, 3]), new Float32Array(0)],
      replay: {
        flags: new Uint8Array([1, 0, 1]),
        ids: new Int32Array([-1, 7]),
        priorities: new Float64Array([0.1]),
      },
    };
    writeCheckpoint(dir, 12, state);
    const restored = readLatestCheckpoint<typeof state>(dir)!;
    expect(restored.step).toBe(12);
    expect(restored.state.weights[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(restored.state.weights[0])).toEqual([1.5, -2, 3]);
    expect(restored.state.weights[1]).toHaveLength(0);
    expect(Array.from(restored.state.replay.flags)).toEqual([1, 0, 1]);
    expect(Array.from(restored.state.replay.ids)).toEqual([-1, 7]);
    expect(restored.state.replay.priorities[0]).toBe(0.1);
    expect(restored.state.beta).toEqual(state.beta);
    expect(Number.isNaN(restored.state.nan)).toBe(true);
    expect(restored.state.inf).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps only the newest checkpoint and returns undefined for a run without one', () => {
    expect(readLatestCheckpoint(dir)).toBeUndefined();
    writeCheckpoint(dir, 1, { a: new Float32Array([1]) });
    writeCheckpoint(dir, 2, { a: new Float32Array([2]) });
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['step-0000000002']);
    expect(readLatestCheckpoint<{ a: Float32Array }>(dir)!.state.a[0]).toBe(2);
  });

  it('leaves the previous checkpoint usable when a new one was cut off before its pointer moved', () => {
    writeCheckpoint(dir, 5, { a: new Float32Array([5]) });
    // a crash while writing step 6: its directory exists, half written, pointer untouched
    const partial = join(dir, 'checkpoints', 'step-0000000006');
    writeFileSync(partial, 'garbage');
    const restored = readLatestCheckpoint<{ a: Float32Array }>(dir)!;
    expect(restored.step).toBe(5);
    expect(restored.state.a[0]).toBe(5);
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
  });

  it('reports a truncated array file clearly', () => {
    writeCheckpoint(dir, 3, { a: new Float32Array(100) });
    truncateSync(join(dir, 'checkpoints', 'step-0000000003', 'arrays.bin'), 16);
    expect(() => readLatestCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => readLatestCheckpoint(dir)).toThrow(/truncated/);
  });
});
