/**
 * Checkpoints on disk. A checkpoint is any tree of plain JSON values and typed arrays (learner
 * weights, Adam moments, replay columns, controller and RNG state, counters). It is stored as
 * `checkpoints/step-<n>/state.json` (the tree with arrays replaced by references) plus
 * `arrays.bin` (the arrays' bytes back to back, 8-byte aligned). The directory is complete before
 * `checkpoint.json` — written atomically — points at it, so a crash at any moment leaves the
 * previous checkpoint usable. Older checkpoints are removed after the pointer moves.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-write.js';

type TypedArray =
  Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

const arrayTypes = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type ArrayTypeName = keyof typeof arrayTypes;

interface ArrayReference {
  $array: number;
  type: ArrayTypeName;
  offset: number;
  length: number;
}

export const POINTER_FILE = 'checkpoint.json';
export const CHECKPOINTS_DIR = 'checkpoints';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && value.constructor.name in arrayTypes;
}

/** Write `state` as the checkpoint for `step` under `runDirectory`; returns the checkpoint directory. */
export function writeCheckpoint(runDirectory: string, step: number, state: unknown): string {
  const name = `step-${String(step).padStart(10, '0')}`;
  const directory = join(runDirectory, CHECKPOINTS_DIR, name);
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });

  const arrays: TypedArray[] = [];
  let offset = 0;
  const tree = JSON.stringify(state, function replacer(this: unknown, _key, value: unknown) {
    if (isTypedArray(value)) {
      const reference: ArrayReference = {
        $array: arrays.length,
        type: value.constructor.name as ArrayTypeName,
        offset,
        length: value.length,
      };
      arrays.push(value);
      offset += Math.ceil(value.byteLength / 8) * 8;
      return reference;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
    return value;
  });

  const fd = openSync(join(directory, 'arrays.bin'), 'w');
  try {
    const padding = new Uint8Array(8);
    for (const array of arrays) {
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(fd, bytes, written);
      const pad = Math.ceil(bytes.byteLength / 8) * 8 - bytes.byteLength;
      if (pad > 0) writeSync(fd, padding, 0, pad);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  writeFileAtomicSync(join(directory, 'state.json'), tree);
  writeFileAtomicSync(
    join(runDirectory, POINTER_FILE),
    JSON.stringify({ step, directory: `${CHECKPOINTS_DIR}/${name}` }),
  );

  for (const entry of readdirSync(join(runDirectory, CHECKPOINTS_DIR))) {
    if (entry !== name) rmSync(join(runDirectory, CHECKPOINTS_DIR, entry), { recursive: true, force: true });
  }
  return directory;
}

/** The latest complete checkpoint of a run, or undefined when it has none. */
export function readLatestCheckpoint<T = unknown>(
  runDirectory: string,
): { step: number; state: T } | undefined {
  const pointerPath = join(runDirectory, POINTER_FILE);
  if (!existsSync(pointerPath)) return undefined;
  let pointer: { step: number; directory: string };
  try {
    pointer = JSON.parse(readFileSync(pointerPath, 'utf8')) as { step: number; directory: string };
  } catch (error) {
    throw new CheckpointError(`${pointerPath}: not valid JSON (${(error as Error).message})`);
  }
  const directory = join(runDirectory, pointer.directory);
  const statePath = join(directory, 'state.json');
  const arraysPath = join(directory, 'arrays.bin');
  if (!existsSync(statePath) || !existsSync(arraysPath)) {
    throw new CheckpointError(`${directory}: checkpoint files state.json and arrays.bin expected`);
  }
  const bytes = readFileSync(arraysPath);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const state = JSON.parse(readFileSync(statePath, 'utf8'), (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$array' in value) {
      const reference = value as ArrayReference;
      const Type = arrayTypes[reference.type];
      if (!Type) throw new CheckpointError(`${statePath}: unknown array type ${String(reference.type)}`);
      const end = reference.offset + reference.length * Type.BYTES_PER_ELEMENT;
      if (end > buffer.byteLength) {
        throw new CheckpointError(
          `${arraysPath}: truncated (array ${reference.$array} ends at byte ${end}, file has ${buffer.byteLength})`,
        );
      }
      return new Type(buffer, reference.offset, reference.length);
    }
    if (value && typeof value === 'object' && '$number' in value)
      return Number((value as { $number: string }).$number);
    return value;
  }) as T;
  return { step: pointer.step, state };
}
