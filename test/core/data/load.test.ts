import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { transitionsSha256 } from '../../../core/data/checksum.js';
import { loadDataset } from '../../../core/data/load.js';
import { DatasetError } from '../../../core/data/types.js';
import { encodeDataset } from '../../../core/data/write.js';
import type { TransitionColumns } from '../../../core/replay/transitions.js';

const fixtures = join(import.meta.dirname, '../../fixtures/datasets');
const fixture = (name: string) => join(fixtures, name);
const scratch = mkdtempSync(join(tmpdir(), 'o2o-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The 8 transitions every fixture holds (see test/fixtures/datasets/make-fixtures.ts). */
const EXPECTED = {
  observations: Array.from({ length: 8 }, (_, i) => [i, i + 0.5, -i]).flat(),
  next: Array.from({ length: 8 }, (_, i) => [i + 1, i + 1.5, -i - 1]).flat(),
  actions: Array.from({ length: 8 }, (_, i) => [Math.fround(i / 10), Math.fround(-i / 10)]).flat(),
  rewards: Array.from({ length: 8 }, (_, i) => i * 0.25),
  terminals: [0, 0, 1, 0, 0, 0, 0, 1],
  timeouts: [0, 0, 0, 0, 0, 1, 0, 0],
  episodeIds: [0, 0, 0, 1, 1, 1, 2, 2],
};

function expectBaseData(columns: TransitionColumns): void {
  expect(columns.length).toBe(8);
  expect(columns.observationWidth).toBe(3);
  expect(columns.actionWidth).toBe(2);
  // Compare with 0 == −0 (some writers keep the sign of −0).
  expect(Array.from(columns.observations, (v) => v + 0)).toEqual(EXPECTED.observations.map((v) => v + 0));
  expect(Array.from(columns.nextObservations, (v) => v + 0)).toEqual(EXPECTED.next.map((v) => v + 0));
  expect(Array.from(columns.actions, (v) => v + 0)).toEqual(EXPECTED.actions.map((v) => v + 0));
  expect(Array.from(columns.rewards)).toEqual(EXPECTED.rewards);
  expect(Array.from(columns.terminals)).toEqual(EXPECTED.terminals);
  expect(Array.from(columns.timeouts)).toEqual(EXPECTED.timeouts);
  expect(Array.from(columns.episodeIds!)).toEqual(EXPECTED.episodeIds);
}

describe('loading valid files', () => {
  it('reads our own D4RL file with its card, zero-copy', async () => {
    const loaded = await loadDataset(fixture('valid-d4rl.arrow'));
    expectBaseData(loaded.columns);
    expect(loaded.card).toMatchObject({ envId: 'pendulum-v1', episodes: 3, steps: 8, referenceMaxScore: 10 });
    expect(loaded.format).toBe('arrow-file');
    expect(loaded.layout).toBe('d4rl');
    expect(loaded.warnings).toEqual([]);
    expect(loaded.zeroCopyColumns).toEqual(['observations', 'actions', 'rewards', 'next_observations']);
  });

  it('reads a stream of several record batches', async () => {
    const loaded = await loadDataset(fixture('valid-multibatch.arrows'));
    expectBaseData(loaded.columns);
    expect(loaded.format).toBe('arrow-stream');
    expect(loaded.card).toBeNull();
  });

  it('converts float64 variable-length lists', async () => {
    expectBaseData((await loadDataset(fixture('valid-float64-lists.arrow'))).columns);
  });

  it('derives next observations without crossing an episode end, dropping the timeout row', async () => {
    const loaded = await loadDataset(fixture('valid-no-next.arrow'));
    const c = loaded.columns;
    // Row 5 (the timeout) is gone; row 4 now ends episode 1 as a timeout.
    expect(c.length).toBe(7);
    const kept = [0, 1, 2, 3, 4, 6, 7];
    expect(Array.from(c.rewards)).toEqual(kept.map((i) => EXPECTED.rewards[i]));
    expect(Array.from(c.terminals)).toEqual([0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(c.timeouts)).toEqual([0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(c.episodeIds!)).toEqual([0, 0, 0, 1, 1, 2, 2]);
    // Next of row 4 is observation 5; a terminal row repeats its own observation.
    expect(Array.from(c.nextObservations.subarray(4 * 3, 5 * 3))).toEqual([5, 5.5, -5]);
    expect(Array.from(c.nextObservations.subarray(2 * 3, 3 * 3))).toEqual([2, 2.5, -2]);
    expect(loaded.warnings.join('\n')).toMatch(/1 timeout row\(s\).*dropped/);
  });

  it('warns (does not fail) on actions outside the environment bounds', async () => {
    const loaded = await loadDataset(fixture('actions-out-of-bounds.arrow'), { envId: 'pendulum-v1' });
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(
      /actions-out-of-bounds\.arrow: column "actions", row 4: value 3\.5 .*\[-2, 2\]/,
    );
  });
});

describe('files from other Arrow writers', () => {
  // Written by Polars (Rust) and DuckDB; see test/fixtures/datasets/foreign/make-foreign-fixtures.mjs.
  const cases: [string, string][] = [
    ['polars-list-lz4.arrow', 'large lists, LZ4 bodies, 3 record batches, float64 rewards'],
    ['polars-fixed-zstd.arrow', 'fixed-size lists, ZSTD bodies, 3 record batches'],
    ['polars-list-zstd.arrows', 'stream format, ZSTD bodies'],
    ['polars.parquet', 'Parquet'],
    ['duckdb.parquet', 'DuckDB Parquet with FLOAT[] lists'],
    ['polars-minari.arrow', 'Minari episodic layout (T + 1 observation rows per episode)'],
  ];
  for (const [name, what] of cases) {
    it(`loads ${name} (${what})`, async () => {
      const loaded = await loadDataset(fixture(`foreign/${name}`));
      expectBaseData(loaded.columns);
      expect(loaded.warnings).toEqual([]);
    });
  }

  it('loads float64 lists with integer flags and derives next observations', async () => {
    const loaded = await loadDataset(fixture('foreign/polars-float64-intflags.arrow'));
    expect(loaded.columns.length).toBe(7);
    expect(Array.from(loaded.columns.timeouts)).toEqual([0, 0, 0, 0, 1, 0, 0]);
  });

  it('loads a Minari dataset directory (one sub-directory per episode id)', async () => {
    const loaded = await loadDataset(fixture('minari-directory'));
    expectBaseData(loaded.columns);
    expect(loaded.layout).toBe('minari');
    expect(loaded.fileBytes).toBeGreaterThan(0);
  });

  it('identifies the Minari layout', async () => {
    expect((await loadDataset(fixture('foreign/polars-minari.arrow'))).layout).toBe('minari');
  });
});

describe('validation errors name the file, column and row', () => {
  const cases: [string, RegExp, { column?: string; row?: number }, Record<string, unknown>?][] = [
    ['missing-column.arrow', /column "rewards": missing required column/, { column: 'rewards' }],
    [
      'wrong-type.arrow',
      /column "observations": wrong type: Utf8; expected a fixed-size list/,
      { column: 'observations' },
    ],
    [
      'wrong-width.arrow',
      /column "observations", row 5: wrong width: the row has 2 values, expected 3/,
      { row: 5 },
    ],
    [
      'length-mismatch.arrow',
      /column "rewards": length mismatch: .*6 values where 8 are needed/,
      { column: 'rewards' },
    ],
    ['nan.arrow', /column "observations", row 3: NaN in dimension 1; expected finite numbers/, { row: 3 }],
    ['inf.arrow', /column "rewards", row 6: Infinity; expected finite numbers/, { row: 6 }],
    ['no-episode-end.arrow', /no row is flagged as an episode end/, { column: 'terminals' }],
    ['terminal-and-timeout.arrow', /row 2: the row is flagged both terminal .* and timeout/, { row: 2 }],
    ['bad-flag.arrow', /column "terminals", row 2: flag value 2; expected 0 or 1/, { row: 2 }],
    ['bad-card.arrow', /dataset card .* is invalid: field "episodes"/, {}],
    ['truncated.arrow', /truncated or corrupt: its footer .* is missing/, {}],
    ['truncated-stream.arrows', /stream is incomplete: .*without the end-of-stream marker/, {}],
    ['corrupt.arrow', /the Arrow IPC file is corrupt: its footer or schema cannot be decoded$/, {}],
    ['not-arrow.arrow', /not an Arrow IPC file, Arrow IPC stream or Parquet file/, {}],
    ['empty.arrow', /the file is empty/, {}],
    [
      'minari-early-end.arrow',
      /column "terminations", row 0: episode 0 ends at this row but has 2 more step/,
      { row: 0 },
    ],
    [
      'wrong-env-width.arrow',
      /column "actions": action width 2 does not match environment pendulum-v1, which expects 1/,
      {},
      { envId: 'pendulum-v1' },
    ],
    [
      'wrong-env-width.arrow',
      /column "observations": observation width 3 does not match environment pointmaze-umaze-v1, which expects 4/,
      {},
      { envId: 'pointmaze-umaze-v1' },
    ],
  ];
  for (const [name, message, where, options] of cases) {
    it(`${name}${options ? ` for ${String(options.envId)}` : ''}`, async () => {
      const error = await loadDataset(fixture(name), options).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DatasetError);
      const datasetError = error as DatasetError;
      expect(datasetError.message.startsWith(fixture(name))).toBe(true);
      expect(datasetError.message).toMatch(message);
      expect(datasetError.exitCode).toBe(3);
      if (where.column) expect(datasetError.column).toBe(where.column);
      if (where.row !== undefined) expect(datasetError.row).toBe(where.row);
    });
  }

  it('a missing file and a directory are DatasetErrors too', async () => {
    await expect(loadDataset(join(scratch, 'nope.arrow'))).rejects.toThrow(/nope\.arrow: file not found/);
    await expect(
      loadDataset(join(scratch, 'datasets', 'large', 'antmaze-umaze-diverse-v1.arrow')),
    ).rejects.toThrow(
      /antmaze-umaze-diverse-v1\.arrow: file not found; it is one of the large datasets made on demand: run `npm run datasets -- --large antmaze-umaze-diverse-v1`/,
    );
    await expect(loadDataset(scratch)).rejects.toThrow(/is a directory without episode sub-directories/);
  });

  it('every prefix of a valid file fails cleanly (never a partial load or a crash)', async () => {
    const bytes = readFileSync(fixture('valid-d4rl.arrow'));
    const stream = readFileSync(fixture('valid-multibatch.arrows'));
    for (const [source, label] of [
      [bytes, 'file'],
      [stream, 'stream'],
    ] as const) {
      for (let cut = 1; cut < source.length; cut += 7) {
        const path = join(scratch, `cut-${label}-${cut}.arrow`);
        writeFileSync(path, source.subarray(0, cut));
        await expect(loadDataset(path), `cut at ${cut}`).rejects.toBeInstanceOf(DatasetError);
      }
    }
  });
});

describe('corrupt bytes (fuzz)', () => {
  it('a flipped byte anywhere gives a DatasetError or a load, never another error or a hang', async () => {
    // Includes the two flips that once hung the Arrow reader: a block pointing at a non-batch
    // message (byte 9) and a footer vector length read as millions (byte 883).
    for (const name of ['valid-d4rl.arrow', 'valid-multibatch.arrows']) {
      const bytes = readFileSync(fixture(name));
      const positions = [9, 883, ...Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) => i * 5)];
      for (const position of positions.filter((p) => p < bytes.length)) {
        for (const mask of [0x01, 0xa5]) {
          const corrupt = Uint8Array.from(bytes);
          corrupt[position] ^= mask;
          const path = join(scratch, 'flipped.arrow');
          writeFileSync(path, corrupt);
          const error = await loadDataset(path).then(
            () => null,
            (caught: unknown) => caught,
          );
          if (error !== null)
            expect(error, `${name} byte ${position} ^ ${mask}`).toBeInstanceOf(DatasetError);
        }
      }
    }
  });
});

describe('write → load round trip (property)', () => {
  it('returns the columns that were written, with episode ids from the ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (length, observationWidth, actionWidth, seed) => {
          let state = seed;
          const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 4 - 2;
          const endKind = Array.from({ length }, (_, i) =>
            i === length - 1 ? 1 + (state & 1) : next() > 1.5 ? 1 : next() > 1.6 ? 2 : 0,
          );
          const columns: TransitionColumns = {
            length,
            observationWidth,
            actionWidth,
            observations: Float32Array.from({ length: length * observationWidth }, next),
            actions: Float32Array.from({ length: length * actionWidth }, next),
            rewards: Float32Array.from({ length }, next),
            nextObservations: Float32Array.from({ length: length * observationWidth }, next),
            terminals: Uint8Array.from(endKind, (kind) => (kind === 1 ? 1 : 0)),
            timeouts: Uint8Array.from(endKind, (kind) => (kind === 2 ? 1 : 0)),
          };
          const card = {
            formatVersion: 1,
            envId: 'custom',
            behaviorPolicy: 'property',
            seed,
            episodes: endKind.filter((k) => k > 0).length,
            steps: length,
            referenceMinScore: null,
            referenceMaxScore: null,
            author: 'test',
            createdAt: '2026-01-01T00:00:00Z',
          };
          const path = join(scratch, 'round-trip.arrow');
          writeFileSync(path, encodeDataset(columns, card));
          const loaded = await loadDataset(path);
          const c = loaded.columns;
          expect(c.length).toBe(length);
          expect(c.observations).toEqual(columns.observations);
          expect(c.actions).toEqual(columns.actions);
          expect(c.rewards).toEqual(columns.rewards);
          expect(c.nextObservations).toEqual(columns.nextObservations);
          expect(c.terminals).toEqual(columns.terminals);
          expect(c.timeouts).toEqual(columns.timeouts);
          expect(loaded.card).toEqual({ ...card, dataSha256: transitionsSha256(columns) });
          let episode = 0;
          for (let i = 0; i < length; i++) {
            expect(c.episodeIds![i]).toBe(episode);
            if (endKind[i] > 0) episode++;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
