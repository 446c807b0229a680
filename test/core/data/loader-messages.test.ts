/**
 * What the loader says about damaged files: the file and the damage in words, never a JavaScript
 * error from inside the decoder; a data checksum in the card that catches flipped bits; duplicate
 * column names warned about; column names from a damaged file printed safely.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Float32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { transitionsSha256 } from '../../../core/data/checksum.js';
import { generateDataset } from '../../../core/data/generate.js';
import { duplicateColumns, loadDataset, printableName } from '../../../core/data/load.js';
import { decoderMessage } from '../../../core/data/read-table.js';
import { DatasetError } from '../../../core/data/types.js';
import { matrixData } from '../../../core/data/write.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-messages-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const fixture = (name: string) => join(import.meta.dirname, '..', '..', 'fixtures', 'datasets', name);

async function messageFor(bytes: Uint8Array, name: string): Promise<string> {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  const error = await loadDataset(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return (error as Error).message;
}

describe('messages for damaged files', () => {
  it('a footer pointing at garbage names the damage, not "Cannot read properties of null"', async () => {
    const magic = Buffer.from('ARROW1');
    const bytes = Buffer.concat([magic, Buffer.alloc(2), Buffer.alloc(120, 0x11), magic]);
    const message = await messageFor(bytes, 'garbage-footer.arrow');
    expect(message).toBe(
      `${join(scratch, 'garbage-footer.arrow')}: the Arrow IPC file is corrupt: its footer or schema cannot be decoded`,
    );
  });

  it('a record batch whose metadata is gone names the batch', async () => {
    const bytes = Uint8Array.from(readFileSync(fixture('valid-no-next.arrow')));
    bytes.fill(0, 618, 618 + 43); // zeroes the record batch's message header
    const message = await messageFor(bytes, 'zeroed-batch.arrow');
    expect(message).not.toMatch(/Cannot|undefined|null|reading/);
    expect(message).toMatch(/^.*zeroed-batch\.arrow: the Arrow IPC file is corrupt/);
  });

  it('keeps a decoder message meant for people and drops a programming error', () => {
    expect(decoderMessage(new Error('Parquet error: Invalid Parquet file. Corrupt footer'))).toBe(
      'Parquet error: Invalid Parquet file. Corrupt footer',
    );
    expect(
      decoderMessage(new TypeError("Cannot read properties of null (reading 'fieldsLength')")),
    ).toBeUndefined();
    expect(decoderMessage(new Error('Unrecognized type: "undefined" (64)'))).toBeUndefined();
    expect(decoderMessage(Object.assign(new Error('unreachable'), { name: 'RuntimeError' }))).toBeUndefined();
  });
});

describe('the data checksum in the dataset card', () => {
  it('is written by datasets generate and catches a flipped bit in the data body', async () => {
    const path = join(scratch, 'generated.arrow');
    const summary = await generateDataset({
      envId: 'pendulum-v1',
      policy: 'random',
      episodes: 2,
      seed: 1,
      out: path,
    });
    expect(summary.card?.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    const loaded = await loadDataset(path);
    expect(transitionsSha256(loaded.columns)).toBe(summary.card!.dataSha256);

    // flip one bit in each of 84 places spread over the data body (the body lies between the
    // schema message and the footer; every flip there changes a value, as Arrow has no checksums)
    const bytes = readFileSync(path);
    const bodyStart = 600;
    const bodyEnd = bytes.length - 1200;
    let detected = 0;
    for (let i = 0; i < 84; i++) {
      const at = bodyStart + Math.floor(((bodyEnd - bodyStart) * i) / 84);
      const flipped = Uint8Array.from(bytes);
      flipped[at] ^= 1 << (i % 8);
      const flippedPath = join(scratch, `flipped-${i}.arrow`);
      writeFileSync(flippedPath, flipped);
      const error = await loadDataset(flippedPath).then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );
      if (error) {
        expect(error).toBeInstanceOf(DatasetError);
        detected++;
      }
    }
    expect(detected).toBe(84);
  });

  it('says the data does not match, exit code 3', async () => {
    const path = join(scratch, 'checked.arrow');
    await generateDataset({ envId: 'pendulum-v1', policy: 'random', episodes: 1, seed: 2, out: path });
    const bytes = readFileSync(path);
    bytes[1000] ^= 0x04; // inside the observations
    writeFileSync(path, bytes);
    await expect(loadDataset(path)).rejects.toMatchObject({
      exitCode: 3,
      message: `${path}: the data does not match the SHA-256 its dataset card records (dataSha256): the file was damaged or changed after it was written`,
    });
  });
});

describe('column names', () => {
  it('warns about a duplicate column name', async () => {
    const n = 2;
    const observations = matrixData(Float32Array.of(0, 1, 2, 3), n, 2);
    const fields: [string, ReturnType<typeof makeData>][] = [
      ['observations', observations],
      ['actions', matrixData(Float32Array.of(0, 0), n, 1)],
      ['rewards', makeData({ type: new Float32(), length: n, nullCount: 0, data: Float32Array.of(1, 2) })],
      ['rewards', makeData({ type: new Float32(), length: n, nullCount: 0, data: Float32Array.of(5, 6) })],
      ['terminals', makeData({ type: new Float32(), length: n, nullCount: 0, data: Float32Array.of(0, 1) })],
      ['timeouts', makeData({ type: new Float32(), length: n, nullCount: 0, data: Float32Array.of(0, 0) })],
    ];
    const schema = new Schema(fields.map(([name, data]) => new Field(name, data.type, false)));
    const struct = makeData({
      type: new Struct(schema.fields),
      length: n,
      nullCount: 0,
      children: fields.map(([, d]) => d),
    });
    const path = join(scratch, 'duplicate.arrow');
    writeFileSync(path, tableToIPC(new Table(schema, [new RecordBatch(schema, struct)]), 'file'));
    const loaded = await loadDataset(path);
    expect(loaded.warnings).toContain(
      `${path}: column rewards appears 2 times; the first one is used and the others are ignored`,
    );
    expect(Array.from(loaded.columns.rewards)).toEqual([1, 2]);
  });

  it('finds duplicates and prints damaged names safely', () => {
    expect(duplicateColumns(['a', 'b', 'a', 'c', 'a'])).toEqual([['a', 3]]);
    expect(printableName('next_observations')).toBe('next_observations');
    expect(printableName('obse\u0000\u0001ions')).toBe('"obse\\u0000\\u0001ions"');
    expect(printableName('')).toBe('""');
    expect(printableName('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
  });
});
