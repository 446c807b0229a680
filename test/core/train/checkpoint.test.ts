import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  checkpointName,
  readLatestCheckpoint,
  removePartialCheckpoints,
  settleCheckpoints,
  writeCheckpoint,
} from '../../../core/train/checkpoint.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'o2o-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (step: number, envStep = 0) => ({ step, envStep });
const checkpoints = () => readdirSync(join(dir, 'checkpoints')).sort();
const fileOf = (step: number, envStep: number, file: string) =>
  join(dir, 'checkpoints', checkpointName(at(step, envStep)), file);

async function latest(): Promise<{ step: number; envStep: number; value: number; notes: string[] }> {
  const loaded = (await readLatestCheckpoint<{ a: Float32Array }>(dir))!;
  return { step: loaded.step, envStep: loaded.envStep, value: loaded.state.a[0], notes: loaded.notes };
}

/** Three checkpoints (keep 3): updates 1, 2, 3, each holding its own step number. */
async function threeCheckpoints(): Promise<void> {
  for (const step of [1, 2, 3]) {
    await writeCheckpoint(dir, at(step, step * 10), { a: new Float32Array([step, 0, 0, 0]) }, { keep: 3 });
  }
}

describe('checkpoints', () => {
  it('round-trips a tree of JSON values and typed arrays of every kind', async () => {
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
    await writeCheckpoint(dir, at(12, 5), state);
    const restored = (await readLatestCheckpoint<typeof state>(dir))!;
    expect(restored).toMatchObject({ step: 12, envStep: 5, notes: [], skipped: [] });
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

  it('names checkpoints by update and env step, so warm-up checkpoints (update 0) are distinct', async () => {
    expect(await readLatestCheckpoint(dir)).toBeUndefined();
    await writeCheckpoint(dir, at(0, 100), { a: new Float32Array([1]) });
    await writeCheckpoint(dir, at(0, 200), { a: new Float32Array([2]) });
    expect(checkpoints()).toEqual(['step-0000000000-env-0000000100', 'step-0000000000-env-0000000200']);
    expect(JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'))).toEqual({
      step: 0,
      envStep: 200,
      directory: 'checkpoints/step-0000000000-env-0000000200',
    });
    expect(await latest()).toMatchObject({ step: 0, envStep: 200, value: 2 });
  });

  it('keeps the newest `keep` checkpoints and removes older ones only after the pointer moved', async () => {
    for (const step of [1, 2, 3, 4]) await writeCheckpoint(dir, at(step), { a: new Float32Array([step]) });
    expect(checkpoints()).toEqual(['step-0000000003-env-0000000000', 'step-0000000004-env-0000000000']);
    await writeCheckpoint(dir, at(5), { a: new Float32Array([5]) }, { keep: 1 });
    expect(checkpoints()).toEqual(['step-0000000005-env-0000000000']);
    await writeCheckpoint(dir, at(6), { a: new Float32Array([6]) }, { keep: 3 });
    await writeCheckpoint(dir, at(7), { a: new Float32Array([7]) }, { keep: 3 });
    expect(checkpoints()).toHaveLength(3);
  });

  it('writes a repeated position under a new name, never over the checkpoint the pointer names', async () => {
    await writeCheckpoint(dir, at(4, 4), { a: new Float32Array([1]) });
    await writeCheckpoint(dir, at(4, 4), { a: new Float32Array([2]) });
    expect(checkpoints()).toEqual(['step-0000000004-env-0000000004', 'step-0000000004-env-0000000004-2']);
    expect(await latest()).toMatchObject({ value: 2, notes: [] });
  });

  it('ignores and then removes the leftovers of a write that was killed', async () => {
    await writeCheckpoint(dir, at(5), { a: new Float32Array([5]) });
    // a kill while writing update 6: a partial directory, half written, pointer untouched
    const partial = join(dir, 'checkpoints', '.partial-step-0000000006-env-0000000000-999');
    mkdirSync(partial);
    writeFileSync(join(partial, 'state.json'), '{"a":');
    writeFileSync(join(dir, 'checkpoints', '.manifest.json.1.x.tmp'), '');
    expect(await latest()).toMatchObject({ step: 5, value: 5, notes: [] });
    expect(await removePartialCheckpoints(dir)).toHaveLength(2);
    expect(checkpoints()).toEqual(['step-0000000005-env-0000000000']);
  });

  it('uses a complete checkpoint written just before a kill stopped the pointer from moving', async () => {
    await writeCheckpoint(dir, at(1), { a: new Float32Array([1]) });
    const pointer = readFileSync(join(dir, 'checkpoint.json'));
    await writeCheckpoint(dir, at(2), { a: new Float32Array([2]) });
    writeFileSync(join(dir, 'checkpoint.json'), pointer);
    const used = await latest();
    expect(used).toMatchObject({ step: 2, value: 2 });
    expect(used.notes.join(' ')).toContain('complete and newer than the checkpoint checkpoint.json names');
  });
});

describe('damaged checkpoints', () => {
  const corruptions: [string, () => void, RegExp][] = [
    [
      'garbled state.json',
      () => writeFileSync(fileOf(3, 30, 'state.json'), '{"a": {"$array": 0, '),
      /state\.json/,
    ],
    [
      'a flipped bit in arrays.bin',
      () => {
        const bytes = readFileSync(fileOf(3, 30, 'arrays.bin'));
        bytes[2] ^= 0x10;
        writeFileSync(fileOf(3, 30, 'arrays.bin'), bytes);
      },
      /arrays\.bin: SHA-256 does not match/,
    ],
    [
      'truncated arrays.bin',
      () => truncateSync(fileOf(3, 30, 'arrays.bin'), 4),
      /arrays\.bin: 4 bytes .* truncated/,
    ],
    ['deleted arrays.bin', () => unlinkSync(fileOf(3, 30, 'arrays.bin')), /arrays\.bin: missing/],
    ['deleted manifest', () => unlinkSync(fileOf(3, 30, 'manifest.json')), /manifest\.json: missing/],
    [
      'garbled manifest',
      () => writeFileSync(fileOf(3, 30, 'manifest.json'), '{"formatVersion": 2'),
      /manifest\.json/,
    ],
    [
      'a FIFO instead of state.json',
      () => {
        unlinkSync(fileOf(3, 30, 'state.json'));
        execFileSync('mkfifo', [fileOf(3, 30, 'state.json')]);
      },
      /state\.json: is a FIFO/,
    ],
  ];

  it.each(corruptions)(
    '%s: falls back to the previous checkpoint and says which and why',
    async (_name, damage, reason) => {
      await threeCheckpoints();
      damage();
      const loaded = (await readLatestCheckpoint<{ a: Float32Array }>(dir))!;
      expect(loaded.step).toBe(2);
      expect(loaded.state.a[0]).toBe(2);
      expect(loaded.skipped).toHaveLength(1);
      expect(loaded.skipped[0].name).toBe('step-0000000003-env-0000000030');
      expect(loaded.notes.join(' ')).toMatch(
        /resumed from step-0000000002-env-0000000020 .* because step-0000000003-env-0000000030 is damaged/,
      );
      expect(loaded.notes.join(' ')).toMatch(reason);
      // set aside, the newest checkpoint is again the one a resumed run continues from
      await settleCheckpoints(dir, loaded);
      expect(checkpoints()).toContain('damaged-step-0000000003-env-0000000030');
      expect((await latest()).notes).toEqual([]);
    },
  );

  it('rebuilds a deleted checkpoint.json by scanning the checkpoint folders', async () => {
    await threeCheckpoints();
    unlinkSync(join(dir, 'checkpoint.json'));
    const used = await latest();
    expect(used).toMatchObject({ step: 3, value: 3 });
    expect(used.notes.join(' ')).toContain('checkpoint.json is missing');
  });

  it('scans when checkpoint.json is garbled', async () => {
    await threeCheckpoints();
    writeFileSync(join(dir, 'checkpoint.json'), '{"step": 3, "direc');
    const used = await latest();
    expect(used).toMatchObject({ step: 3, value: 3 });
    expect(used.notes.join(' ')).toMatch(/checkpoint\.json is not valid JSON/);
  });

  it('exits with code 4 naming every damaged file when no checkpoint is intact', async () => {
    await writeCheckpoint(dir, at(1), { a: new Float32Array([1]) });
    await writeCheckpoint(dir, at(2), { a: new Float32Array([2]) });
    writeFileSync(join(dir, 'checkpoints', checkpointName(at(2)), 'state.json'), 'garbage');
    truncateSync(join(dir, 'checkpoints', checkpointName(at(1)), 'arrays.bin'), 0);
    const error = await readLatestCheckpoint(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ exitCode: 4 });
    expect((error as Error).message).toContain(join(dir, 'checkpoints', checkpointName(at(2)), 'state.json'));
    expect((error as Error).message).toContain(join(dir, 'checkpoints', checkpointName(at(1)), 'arrays.bin'));
    expect((error as Error).message).not.toMatch(/\n\s+at /);
  });

  it('refuses a pointer to a checkpoint that is gone rather than silently starting over', async () => {
    await writeCheckpoint(dir, at(1), { a: new Float32Array([1]) });
    rmSync(join(dir, 'checkpoints'), { recursive: true });
    await expect(readLatestCheckpoint(dir)).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(
        /checkpoint\.json names checkpoints\/step-0000000001-env-0000000000, which does not exist/,
      ),
    });
  });

  it('still reads a checkpoint written before checksums (one step-<n> directory, no manifest)', async () => {
    await writeCheckpoint(dir, at(7), { a: new Float32Array([7]) });
    renameSync(join(dir, 'checkpoints', checkpointName(at(7))), join(dir, 'checkpoints', 'step-0000000007'));
    unlinkSync(join(dir, 'checkpoints', 'step-0000000007', 'manifest.json'));
    writeFileSync(
      join(dir, 'checkpoint.json'),
      JSON.stringify({ step: 7, directory: 'checkpoints/step-0000000007' }),
    );
    expect(await latest()).toMatchObject({ step: 7, value: 7, notes: [] });
    expect(existsSync(join(dir, 'checkpoints', 'step-0000000007'))).toBe(true);
  });
});
