/**
 * Checkpoints on disk. A checkpoint is any tree of plain JSON values and typed arrays (learner
 * weights, Adam moments, replay columns, controller and RNG state, counters), stored in its own
 * directory `checkpoints/step-<update>-env-<env step>/` as
 *
 *   state.json     the tree with each array replaced by a reference {$array, type, offset, length}
 *   arrays.bin     the arrays' bytes back to back, 8-byte aligned
 *   manifest.json  position, and the size and SHA-256 of state.json and arrays.bin
 *
 * Crash safety, in the order of a write: the files are written and fsynced inside a hidden
 * `.partial-…` directory, which is renamed to its final, unique name only when complete; then
 * `checkpoint.json` (written atomically) moves to it; only then are checkpoints beyond the newest
 * `keep` removed. A kill at any moment leaves the previous checkpoint and its pointer intact.
 *
 * Reading verifies the checksums and falls back to the newest intact checkpoint, saying which one
 * it used and why it skipped the others; a lost `checkpoint.json` is rebuilt by scanning the
 * checkpoint directories. When no checkpoint is intact the error names every damaged file.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readRegularFile } from '../util/regular-file.js';

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
export const STATE_FILE = 'state.json';
export const ARRAYS_FILE = 'arrays.bin';
export const MANIFEST_FILE = 'manifest.json';
/** Prefix of a checkpoint being written (never read; removed when a write fails or a run resumes). */
export const PARTIAL_PREFIX = '.partial-';
/** Prefix a damaged checkpoint is renamed to when a resume falls back past it (kept for inspection). */
export const DAMAGED_PREFIX = 'damaged-';
/** How many checkpoints a run keeps when the caller does not say (the config's checkpoint.keep). */
export const DEFAULT_KEEP = 2;

/** A checkpoint that cannot be used; `file` names the file at fault. Exit code 4 (run state error). */
export class CheckpointError extends Error {
  readonly exitCode = 4;
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Where a checkpoint sits in its run. */
export interface CheckpointPosition {
  /** Gradient updates. */
  step: number;
  /** Online environment steps. */
  envStep: number;
}

interface FileRecord {
  bytes: number;
  sha256: string;
}

interface Manifest extends CheckpointPosition {
  formatVersion: 2;
  files: Record<typeof STATE_FILE | typeof ARRAYS_FILE, FileRecord>;
}

interface Pointer extends Partial<CheckpointPosition> {
  directory: string;
}

/** A checkpoint directory name, parsed: its position and the attempt number of a repeated position. */
interface CheckpointName extends CheckpointPosition {
  name: string;
  attempt: number;
  /** Written before checksums existed (`step-<n>`, one per run, no manifest). */
  legacy: boolean;
}

const NAME_PATTERN = /^step-(\d{10,})-env-(\d{10,})(?:-(\d+))?$/;
const LEGACY_NAME_PATTERN = /^step-(\d{10,})$/;

const pad = (value: number) => String(value).padStart(10, '0');

/** The directory name of a checkpoint at `position` (attempt > 1 when the position was checkpointed before). */
export function checkpointName(position: CheckpointPosition, attempt = 1): string {
  const base = `step-${pad(position.step)}-env-${pad(position.envStep)}`;
  return attempt > 1 ? `${base}-${attempt}` : base;
}

export function parseCheckpointName(name: string): CheckpointName | undefined {
  const match = NAME_PATTERN.exec(name);
  if (match) {
    return {
      name,
      step: Number(match[1]),
      envStep: Number(match[2]),
      attempt: match[3] ? Number(match[3]) : 1,
      legacy: false,
    };
  }
  const legacy = LEGACY_NAME_PATTERN.exec(name);
  if (legacy) return { name, step: Number(legacy[1]), envStep: 0, attempt: 0, legacy: true };
  return undefined;
}

/** Newest first: by update, then env step, then attempt. */
function newerFirst(a: CheckpointName, b: CheckpointName): number {
  return b.step - a.step || b.envStep - a.envStep || b.attempt - a.attempt;
}

function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && value.constructor.name in arrayTypes;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms (Windows) cannot open a directory for fsync; the rename is still atomic.
  }
}

/** Write `chunks` to a new file, fsync it, and return its size and SHA-256. */
async function writeHashedFile(path: string, chunks: Iterable<Uint8Array>): Promise<FileRecord> {
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await open(path, 'wx');
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.byteLength) {
        const result = await handle.write(chunk, written, chunk.byteLength - written);
        written += result.bytesWritten;
      }
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** The tree as JSON text with array references, and the arrays in the order referenced. */
function encodeTree(state: unknown): { tree: string; arrays: TypedArray[] } {
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
  return { tree, arrays };
}

/** The arrays' bytes, each padded to a multiple of 8. */
function* arrayChunks(arrays: TypedArray[]): Generator<Uint8Array> {
  const padding = new Uint8Array(8);
  for (const array of arrays) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    yield bytes;
    const pad = Math.ceil(bytes.byteLength / 8) * 8 - bytes.byteLength;
    if (pad > 0) yield padding.subarray(0, pad);
  }
}

/** Checkpoint directories of a run (complete ones only: no partial or damaged ones), newest first. */
export async function listCheckpoints(runDirectory: string): Promise<CheckpointName[]> {
  let entries: string[];
  try {
    entries = await readdir(join(runDirectory, CHECKPOINTS_DIR));
  } catch {
    return [];
  }
  return entries
    .map(parseCheckpointName)
    .filter((entry): entry is CheckpointName => entry !== undefined)
    .sort(newerFirst);
}

export interface WriteCheckpointOptions {
  /** Checkpoints to keep, the new one included (default 2). */
  keep?: number;
}

/**
 * Write `state` as the checkpoint at `position` under `runDirectory` and point checkpoint.json at
 * it; returns its directory. On failure nothing of the new checkpoint remains and the previous one
 * is still the current one.
 */
export async function writeCheckpoint(
  runDirectory: string,
  position: CheckpointPosition,
  state: unknown,
  options: WriteCheckpointOptions = {},
): Promise<string> {
  const keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
  const root = join(runDirectory, CHECKPOINTS_DIR);
  await mkdir(root, { recursive: true });
  let attempt = 1;
  while (await exists(join(root, checkpointName(position, attempt)))) attempt++;
  const name = checkpointName(position, attempt);
  const partial = join(root, `${PARTIAL_PREFIX}${name}-${process.pid}`);
  const directory = join(root, name);
  try {
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial);
    const { tree, arrays } = encodeTree(state);
    const stateRecord = await writeHashedFile(join(partial, STATE_FILE), [Buffer.from(tree, 'utf8')]);
    const arraysRecord = await writeHashedFile(join(partial, ARRAYS_FILE), arrayChunks(arrays));
    const manifest: Manifest = {
      formatVersion: 2,
      step: position.step,
      envStep: position.envStep,
      files: { [STATE_FILE]: stateRecord, [ARRAYS_FILE]: arraysRecord },
    };
    await writeHashedFile(join(partial, MANIFEST_FILE), [
      Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'),
    ]);
    await fsyncDirectory(partial);
    await rename(partial, directory);
  } catch (error) {
    await rm(partial, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  await fsyncDirectory(root);
  const pointer: Pointer = {
    step: position.step,
    envStep: position.envStep,
    directory: `${CHECKPOINTS_DIR}/${name}`,
  };
  await writeFileAtomic(join(runDirectory, POINTER_FILE), `${JSON.stringify(pointer)}\n`);
  await pruneCheckpoints(runDirectory, keep, name);
  return directory;
}

/** Remove all but the newest `keep` checkpoints, never `current` (which checkpoint.json names). */
async function pruneCheckpoints(runDirectory: string, keep: number, current: string): Promise<void> {
  const checkpoints = await listCheckpoints(runDirectory);
  const kept = new Set([current, ...checkpoints.slice(0, keep).map((entry) => entry.name)]);
  for (const entry of checkpoints) {
    if (!kept.has(entry.name)) {
      await rm(join(runDirectory, CHECKPOINTS_DIR, entry.name), { recursive: true, force: true });
    }
  }
}

/** Decode state.json's text with the arrays in `arrays` (throws a message naming what is wrong). */
function decodeTree<T>(text: string, arrays: ArrayBuffer, statePath: string, arraysPath: string): T {
  let arrayCount = 0;
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$array' in value) {
      const reference = value as ArrayReference;
      const Type = Object.prototype.hasOwnProperty.call(arrayTypes, reference.type)
        ? arrayTypes[reference.type]
        : undefined;
      if (!Type)
        throw new CheckpointError(`${statePath}: unknown array type ${String(reference.type)}`, statePath);
      const { offset, length } = reference;
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new CheckpointError(
          `${statePath}: array ${arrayCount} has an invalid offset or length`,
          statePath,
        );
      }
      if (offset % Type.BYTES_PER_ELEMENT !== 0) {
        throw new CheckpointError(`${statePath}: array ${arrayCount} is misaligned`, statePath);
      }
      const end = offset + length * Type.BYTES_PER_ELEMENT;
      if (end > arrays.byteLength) {
        throw new CheckpointError(
          `${arraysPath}: truncated (array ${reference.$array} ends at byte ${end}, file has ${arrays.byteLength})`,
          arraysPath,
        );
      }
      arrayCount++;
      return new Type(arrays, offset, length);
    }
    if (value && typeof value === 'object' && '$number' in value)
      return Number((value as { $number: string }).$number);
    return value;
  }) as T;
}

/** Why a file could not be read, in words. */
function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'missing';
  if (code === 'ENOTREGULAR' || code === 'EISDIR') return (error as Error).message.replace(/^.* is /, 'is ');
  return `cannot be read (${(error as Error).message})`;
}

async function readFileOrFail(path: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(path);
  } catch (error) {
    throw new CheckpointError(`${path}: ${readProblem(error)}`, path);
  }
}

function parseJson(path: string, bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new CheckpointError(`${path}: ${what} is not valid JSON (${(error as Error).message})`, path);
  }
}

function checkManifest(path: string, value: unknown): Manifest {
  const manifest = value as Manifest;
  const record = (name: string): FileRecord | undefined =>
    (manifest?.files as Record<string, FileRecord>)?.[name];
  const valid =
    manifest !== null &&
    typeof manifest === 'object' &&
    manifest.formatVersion === 2 &&
    [STATE_FILE, ARRAYS_FILE].every((name) => {
      const entry = record(name);
      return entry && Number.isSafeInteger(entry.bytes) && typeof entry.sha256 === 'string';
    });
  if (!valid) throw new CheckpointError(`${path}: not a checkpoint manifest (fields missing or wrong)`, path);
  return manifest;
}

/** Read one file of a checkpoint and check it against its manifest record. */
async function readVerified(directory: string, name: string, record: FileRecord): Promise<Uint8Array> {
  const path = join(directory, name);
  const bytes = await readFileOrFail(path);
  if (bytes.byteLength !== record.bytes) {
    throw new CheckpointError(
      `${path}: ${bytes.byteLength} bytes where the manifest records ${record.bytes} (the file is ${bytes.byteLength < record.bytes ? 'truncated' : 'longer than written'})`,
      path,
    );
  }
  if (sha256(bytes) !== record.sha256) {
    throw new CheckpointError(`${path}: SHA-256 does not match the manifest (the file is damaged)`, path);
  }
  return bytes;
}

/** Load and verify one checkpoint directory (throws CheckpointError naming the file at fault). */
async function loadCheckpoint<T>(runDirectory: string, entry: CheckpointName): Promise<LoadedCheckpoint<T>> {
  const directory = join(runDirectory, CHECKPOINTS_DIR, entry.name);
  const statePath = join(directory, STATE_FILE);
  const arraysPath = join(directory, ARRAYS_FILE);
  let stateBytes: Uint8Array;
  let arrayBytes: Uint8Array;
  let position: CheckpointPosition = { step: entry.step, envStep: entry.envStep };
  if (entry.legacy) {
    // Written before checksums: read as is; only decoding can find damage.
    stateBytes = await readFileOrFail(statePath);
    arrayBytes = await readFileOrFail(arraysPath);
  } else {
    const manifestPath = join(directory, MANIFEST_FILE);
    const manifest = checkManifest(
      manifestPath,
      parseJson(manifestPath, await readFileOrFail(manifestPath), 'the manifest'),
    );
    stateBytes = await readVerified(directory, STATE_FILE, manifest.files[STATE_FILE]);
    arrayBytes = await readVerified(directory, ARRAYS_FILE, manifest.files[ARRAYS_FILE]);
    position = { step: manifest.step, envStep: manifest.envStep };
  }
  // Own the array bytes in a buffer of their own, so typed-array views are aligned.
  const buffer = arrayBytes.buffer.slice(
    arrayBytes.byteOffset,
    arrayBytes.byteOffset + arrayBytes.byteLength,
  );
  let state: T;
  try {
    state = decodeTree<T>(
      Buffer.from(stateBytes).toString('utf8'),
      buffer as ArrayBuffer,
      statePath,
      arraysPath,
    );
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`${statePath}: not valid JSON (${(error as Error).message})`, statePath);
  }
  if (state === null || typeof state !== 'object') {
    throw new CheckpointError(`${statePath}: expected a checkpoint object`, statePath);
  }
  return { ...position, state, directory, name: entry.name, notes: [], skipped: [] };
}

export interface SkippedCheckpoint {
  name: string;
  /** The file at fault, when one is. */
  file?: string;
  reason: string;
}

export interface LoadedCheckpoint<T> extends CheckpointPosition {
  state: T;
  /** The checkpoint's directory, and its name under checkpoints/. */
  directory: string;
  name: string;
  /** What the reader had to do beyond the normal case (a fallback, a rebuilt pointer), one sentence each. */
  notes: string[];
  /** Newer checkpoints passed over because they are damaged. */
  skipped: SkippedCheckpoint[];
}

/** The checkpoint that checkpoint.json names, or the problem that keeps it from being read (none: no pointer). */
export async function readCheckpointPointer(
  runDirectory: string,
): Promise<{ pointer?: Pointer; problem?: string }> {
  const path = join(runDirectory, POINTER_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? {} : { problem: `${path} ${readProblem(error)}` };
  }
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Pointer;
    if (typeof value?.directory !== 'string')
      return { problem: `${path} does not name a checkpoint directory` };
    return { pointer: value };
  } catch (error) {
    return { problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
}

/**
 * The newest intact checkpoint of a run, or undefined when the run has none (and never had one).
 * Damaged checkpoints are passed over, newest first, each with its reason in `skipped` and a
 * sentence in `notes`; a missing or damaged checkpoint.json is replaced by a scan of checkpoints/.
 * Throws CheckpointError (exit code 4) naming every damaged file when none is intact.
 */
export async function readLatestCheckpoint<T = unknown>(
  runDirectory: string,
): Promise<LoadedCheckpoint<T> | undefined> {
  const { pointer, problem } = await readCheckpointPointer(runDirectory);
  const found = await listCheckpoints(runDirectory);
  const pointerPath = join(runDirectory, POINTER_FILE);
  const pointed = pointer ? pointer.directory.replace(/^checkpoints[/\\]/, '') : undefined;
  /** What was wrong with the pointer, if anything (the checkpoint folders are scanned then). */
  let pointerNote: string | undefined;
  if (problem) pointerNote = problem;
  else if (!pointer && found.length > 0) pointerNote = `${pointerPath} is missing`;
  else if (pointed !== undefined && !found.some((entry) => entry.name === pointed)) {
    pointerNote = `${pointerPath} names ${pointer!.directory}, which does not exist`;
  }
  if (found.length === 0) {
    if (!pointer && !problem) return undefined;
    throw new CheckpointError(
      `${join(runDirectory, CHECKPOINTS_DIR)}: no checkpoint to resume from (${pointerNote}); delete ${POINTER_FILE} to start the run over`,
      join(runDirectory, pointer ? CHECKPOINTS_DIR : POINTER_FILE),
    );
  }
  const skipped: SkippedCheckpoint[] = [];
  for (const entry of found) {
    try {
      const loaded = await loadCheckpoint<T>(runDirectory, entry);
      const used = `${entry.name} (update ${loaded.step}, env step ${loaded.envStep})`;
      const notes: string[] = [];
      if (pointerNote) notes.push(`${pointerNote}; the checkpoint folders were scanned instead`);
      if (skipped.length > 0) {
        notes.push(
          `resumed from ${used} because ${skipped.map((item) => `${item.name} is damaged: ${item.reason}`).join('; ')}`,
        );
      } else if (pointerNote) {
        notes.push(`resumed from ${used}, the newest intact checkpoint`);
      } else if (pointed !== undefined && pointed !== entry.name) {
        notes.push(
          `resumed from ${used}: it is complete and newer than the checkpoint ${POINTER_FILE} names`,
        );
      }
      return { ...loaded, notes, skipped };
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      skipped.push({ name: entry.name, file: error.file, reason: error.message });
    }
  }
  throw new CheckpointError(
    `no intact checkpoint in ${join(runDirectory, CHECKPOINTS_DIR)}: ${skipped.map((item) => item.reason).join('; ')}`,
    skipped[0].file,
  );
}

/**
 * After a resume had to fall back: move the damaged checkpoints out of the way (to
 * `checkpoints/damaged-<name>`, kept for inspection) and point checkpoint.json at the checkpoint
 * in use, so the resumed run's own checkpoints are again the newest ones. Returns the new names.
 */
export async function settleCheckpoints(
  runDirectory: string,
  used: LoadedCheckpoint<unknown>,
): Promise<string[]> {
  const moved: string[] = [];
  for (const item of used.skipped) {
    const from = join(runDirectory, CHECKPOINTS_DIR, item.name);
    let target = `${DAMAGED_PREFIX}${item.name}`;
    for (let n = 2; await exists(join(runDirectory, CHECKPOINTS_DIR, target)); n++) {
      target = `${DAMAGED_PREFIX}${item.name}.${n}`;
    }
    await rename(from, join(runDirectory, CHECKPOINTS_DIR, target));
    moved.push(target);
  }
  const pointer: Pointer = {
    step: used.step,
    envStep: used.envStep,
    directory: `${CHECKPOINTS_DIR}/${used.name}`,
  };
  await writeFileAtomic(join(runDirectory, POINTER_FILE), `${JSON.stringify(pointer)}\n`);
  return moved;
}

/** Remove what an interrupted checkpoint write left behind: `.partial-*` directories. Returns their names. */
export async function removePartialCheckpoints(runDirectory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(join(runDirectory, CHECKPOINTS_DIR));
  } catch {
    return [];
  }
  const partial = entries.filter((name) => name.startsWith(PARTIAL_PREFIX) || /^\..*\.tmp$/.test(name));
  for (const name of partial)
    await rm(join(runDirectory, CHECKPOINTS_DIR, name), { recursive: true, force: true });
  return partial;
}
