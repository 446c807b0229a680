/**
 * Fuzzed dataset files: valid Arrow IPC files and streams, Parquet files (ours and other tools')
 * cut, bit-flipped, overwritten, shuffled and padded, plus garbage behind each container's magic.
 * Each file is loaded in a child process under a watchdog; every one must either load or be
 * refused with a human message: one that names the file and shows no JavaScript internals.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Rng } from '../../core/util/random.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'datasets');

/** Valid files the mutants start from (every container and both layouts). */
export const SEED_FILES = [
  join(FIXTURES, 'valid-d4rl.arrow'),
  join(FIXTURES, 'valid-float64-lists.arrow'),
  join(FIXTURES, 'valid-multibatch.arrows'),
  join(FIXTURES, 'valid-no-next.arrow'),
  join(FIXTURES, 'minari-directory', 'data', '0', 'part-0.arrow'),
  join(FIXTURES, 'foreign', 'polars-fixed-zstd.arrow'),
  join(FIXTURES, 'foreign', 'polars-list-lz4.arrow'),
  join(FIXTURES, 'foreign', 'polars-list-zstd.arrows'),
  join(FIXTURES, 'foreign', 'polars.parquet'),
  join(FIXTURES, 'foreign', 'duckdb.parquet'),
  join(ROOT, 'datasets', 'pendulum-medium-v1.arrow'),
];

export interface FuzzCase {
  /** How the file was made, e.g. "valid-d4rl.arrow: bit 5 of byte 883 flipped". */
  name: string;
  path: string;
}

export type FuzzVerdict = 'loaded' | 'refused' | 'inhuman-message' | 'crash' | 'hang';

export interface FuzzOutcome extends FuzzCase {
  verdict: FuzzVerdict;
  message?: string;
}

/** Signs of a message written for a programmer, not a user. */
const INTERNALS = [
  /Cannot read propert/i,
  /Cannot set propert/i,
  /is not a function/,
  /is not iterable/,
  /is not a constructor/,
  /\bundefined\b/,
  /\(reading '/,
  /Invalid typed array length/,
  /Invalid array length/,
  /Array buffer allocation failed/,
  /should be a multiple of/,
  /outside the bounds of the DataView/,
  /Offset is outside the bounds/,
  /Maximum call stack/,
  /\b(Type|Range|Reference|Runtime|Syntax)Error\b/,
  /\bunreachable\b/,
  /memory access out of bounds/,
  /\n\s+at /,
];

/** A refusal a user can act on: it starts with the file's path and shows no internals. */
export function isHumanMessage(message: string, path: string): boolean {
  return message.startsWith(path) && !INTERNALS.some((pattern) => pattern.test(message));
}

type Mutation = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; what: string };

const pick = (rng: Rng, n: number) => rng.int(Math.max(1, n));

const MUTATIONS: Mutation[] = [
  (bytes, rng) => {
    const at = pick(rng, bytes.length);
    const bit = rng.int(8);
    const out = Uint8Array.from(bytes);
    out[at] ^= 1 << bit;
    return { bytes: out, what: `bit ${bit} of byte ${at} flipped` };
  },
  (bytes, rng) => {
    // the metadata end of the file: footer, schema, card
    const at = bytes.length - 1 - pick(rng, Math.ceil(bytes.length / 4));
    const bit = rng.int(8);
    const out = Uint8Array.from(bytes);
    out[at] ^= 1 << bit;
    return { bytes: out, what: `bit ${bit} of byte ${at} (last quarter) flipped` };
  },
  (bytes, rng) => {
    const at = pick(rng, Math.ceil(bytes.length / 4));
    const out = Uint8Array.from(bytes);
    out[at] = rng.int(256);
    return { bytes: out, what: `byte ${at} (first quarter) set to ${out[at]}` };
  },
  (bytes, rng) => {
    const length = pick(rng, bytes.length);
    return { bytes: bytes.slice(0, length), what: `cut to ${length} bytes` };
  },
  (bytes, rng) => {
    const at = pick(rng, bytes.length);
    const length = 1 + rng.int(64);
    const out = Uint8Array.from(bytes);
    out.fill(0, at, at + length);
    return { bytes: out, what: `${length} bytes zeroed at ${at}` };
  },
  (bytes, rng) => {
    const at = pick(rng, bytes.length);
    const length = 1 + rng.int(32);
    const out = Uint8Array.from(bytes);
    for (let i = at; i < Math.min(out.length, at + length); i++) out[i] = rng.int(256);
    return { bytes: out, what: `${length} random bytes at ${at}` };
  },
  (bytes, rng) => {
    // an extreme length or offset word where the metadata keeps them
    const at = pick(rng, bytes.length >> 2) << 2;
    const values = [0x7fffffff, 0xffffffff, 0x80000000, 0, 0x00010000];
    const value = values[rng.int(values.length)];
    const out = Uint8Array.from(bytes);
    if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, value, true);
    return { bytes: out, what: `int32 at ${at} set to 0x${value.toString(16)}` };
  },
  (bytes, rng) => {
    const at = pick(rng, bytes.length);
    const length = 1 + rng.int(128);
    const out = new Uint8Array(bytes.length + length);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(at, at + length), at);
    out.set(bytes.subarray(at), at + Math.min(length, bytes.length - at));
    return {
      bytes: out.subarray(0, bytes.length + Math.min(length, bytes.length - at)),
      what: `${length} bytes at ${at} repeated`,
    };
  },
  (bytes, rng) => {
    const at = pick(rng, bytes.length);
    const length = 1 + rng.int(128);
    const out = new Uint8Array(bytes.length);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(at + length), at);
    return {
      bytes: out.subarray(0, Math.max(at, bytes.length - length)),
      what: `${length} bytes at ${at} deleted`,
    };
  },
  (bytes, rng) => {
    const length = 8 + rng.int(64);
    const a = pick(rng, bytes.length - length);
    const b = pick(rng, bytes.length - length);
    const out = Uint8Array.from(bytes);
    out.set(bytes.subarray(b, b + length), a);
    out.set(bytes.subarray(a, a + length), b);
    return { bytes: out, what: `${length}-byte blocks at ${a} and ${b} swapped` };
  },
  (bytes, rng) => {
    const extra = Uint8Array.from({ length: 1 + rng.int(256) }, () => rng.int(256));
    const out = new Uint8Array(bytes.length + extra.length);
    out.set(bytes);
    out.set(extra, bytes.length);
    return { bytes: out, what: `${extra.length} random bytes appended` };
  },
];

/** Garbage behind a real container's magic, so that each reader's own parser gets it. */
function garbageFile(rng: Rng): { bytes: Uint8Array; what: string } {
  const body = Uint8Array.from({ length: 8 + rng.int(2048) }, () => rng.int(256));
  const kinds: [string, number[], number[]][] = [
    [
      'Arrow file magic around random bytes',
      [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0],
      [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31],
    ],
    ['Parquet magic around random bytes', [0x50, 0x41, 0x52, 0x31], [0x50, 0x41, 0x52, 0x31]],
    ['an IPC stream marker before random bytes', [0xff, 0xff, 0xff, 0xff], []],
    ['random bytes', [], []],
  ];
  const [what, head, tail] = kinds[rng.int(kinds.length)];
  const out = new Uint8Array(head.length + body.length + tail.length);
  out.set(head);
  out.set(body, head.length);
  out.set(tail, head.length + body.length);
  return { bytes: out, what: `${what} (${out.length} bytes)` };
}

/**
 * Write `count` fuzzed files into `directory`, deterministic for `seed`: mutants of each seed file
 * in turn (one mutation, sometimes two), and one in twelve pure garbage.
 */
export function writeFuzzCases(directory: string, count: number, seed = 14): FuzzCase[] {
  mkdirSync(directory, { recursive: true });
  const rng = new Rng(seed);
  const sources = SEED_FILES.map((path) => ({ path, bytes: new Uint8Array(readFileSync(path)) }));
  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    let made: { bytes: Uint8Array; what: string };
    let extension: string;
    if (i % 12 === 11) {
      made = garbageFile(rng);
      extension = '.arrow';
    } else {
      const source = sources[i % sources.length];
      made = MUTATIONS[rng.int(MUTATIONS.length)](source.bytes, rng);
      if (rng.uniform() < 0.2) {
        const second = MUTATIONS[rng.int(MUTATIONS.length)](made.bytes, rng);
        made = { bytes: second.bytes, what: `${made.what}, then ${second.what}` };
      }
      made = { ...made, what: `${source.path.slice(ROOT.length + 1)}: ${made.what}` };
      extension = source.path.slice(source.path.lastIndexOf('.'));
    }
    const path = join(directory, `case-${String(i).padStart(4, '0')}${extension}`);
    writeFileSync(path, made.bytes);
    cases.push({ name: made.what, path });
  }
  return cases;
}

/**
 * Load every case in a child process (`dataset-fuzz-child.ts`); a case that takes longer than
 * `timeoutMs` is a hang: the child is killed and a new one carries on with the next case.
 */
export async function runFuzzCases(cases: FuzzCase[], timeoutMs = 30_000): Promise<FuzzOutcome[]> {
  const outcomes: FuzzOutcome[] = [];
  let next = 0;
  while (next < cases.length) {
    const batch = cases.slice(next);
    const listFile = join(cases[0].path, '..', `cases-${next}.json`);
    writeFileSync(listFile, JSON.stringify(batch.map((item) => item.path)));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'dataset-fuzz-child.ts'), listFile],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    let done = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    };
    arm();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let ready = false;
    for await (const line of lines) {
      const result = JSON.parse(line) as {
        ready?: boolean;
        ok: boolean;
        datasetError: boolean;
        message?: string;
      };
      if (result.ready) {
        ready = true;
        continue;
      }
      const item = batch[done++];
      arm();
      if (result.ok) outcomes.push({ ...item, verdict: 'loaded' });
      else if (!result.datasetError) outcomes.push({ ...item, verdict: 'crash', message: result.message });
      else
        outcomes.push({
          ...item,
          verdict: isHumanMessage(result.message ?? '', item.path) ? 'refused' : 'inhuman-message',
          message: result.message,
        });
    }
    const code = await exited;
    clearTimeout(timer);
    if (!ready) throw new Error(`the fuzzing child process did not start: ${stderr.trim()}`);
    next += done;
    if (done < batch.length) {
      // The child died or was killed in the middle of this case.
      const item = batch[done];
      outcomes.push({
        ...item,
        verdict: code === null ? 'hang' : 'crash',
        message:
          code === null
            ? `no answer within ${timeoutMs} ms`
            : `the process exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
      });
      next++;
    }
  }
  return outcomes;
}

/** Counts by verdict. */
export function tally(outcomes: FuzzOutcome[]): Record<FuzzVerdict, number> {
  const counts: Record<FuzzVerdict, number> = {
    loaded: 0,
    refused: 0,
    'inhuman-message': 0,
    crash: 0,
    hang: 0,
  };
  for (const outcome of outcomes) counts[outcome.verdict]++;
  return counts;
}
