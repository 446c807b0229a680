/**
 * Read a file into an Arrow Table, whatever container it comes in: Arrow IPC file format
 * ("ARROW1" magic at both ends), Arrow IPC stream format (continuation-marked messages ending in
 * an end-of-stream marker), or Parquet ("PAR1"). Any failure becomes a DatasetError naming the
 * file; a truncated file is reported as such rather than loaded in part.
 */
import { type RecordBatch, RecordBatchFileReader, Table, tableFromIPC } from 'apache-arrow';
import { installArrowGuards } from './arrow-guards.js';
import { registerArrowCodecs } from './codecs.js';
import { describeFileError } from '../util/file-errors.js';
import { NotRegularFileError, readRegularFile } from '../util/regular-file.js';
import { DatasetError } from './types.js';

export type ContainerFormat = 'arrow-file' | 'arrow-stream' | 'parquet';

export interface ReadTable {
  table: Table;
  format: ContainerFormat;
  /** Size of the file in bytes. */
  bytes: number;
  /** Schema-level key/value metadata. */
  metadata: Map<string, string>;
}

const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

function hasBytes(bytes: Uint8Array, at: number, expected: number[]): boolean {
  if (at < 0 || at + expected.length > bytes.length) return false;
  return expected.every((value, i) => bytes[at + i] === value);
}

/** Which container `bytes` are in, or null when they are none of the three. */
export function detectContainer(bytes: Uint8Array): ContainerFormat | null {
  if (hasBytes(bytes, 0, ARROW_MAGIC)) return 'arrow-file';
  if (hasBytes(bytes, 0, PARQUET_MAGIC)) return 'parquet';
  // Stream: a message starts with the 0xFFFFFFFF continuation marker (or, before Arrow 0.15, directly with a positive length).
  if (hasBytes(bytes, 0, [0xff, 0xff, 0xff, 0xff])) return 'arrow-stream';
  return null;
}

/**
 * Walk the messages of an IPC stream without decoding them and check that the framing is whole:
 * each message is [0xFFFFFFFF][int32 metadata length][metadata][body], the body length read from
 * the flatbuffer Message table, and the stream ends with an end-of-stream marker (a zero length).
 * Returns null when whole, else a description of the damage.
 */
export function checkStreamFraming(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let messages = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return `the stream is truncated inside message ${messages} (byte ${at})`;
    let length = view.getInt32(at, true);
    if (length === -1) {
      if (at + 8 > bytes.length) return `the stream is truncated inside message ${messages} (byte ${at})`;
      length = view.getInt32(at + 4, true);
      at += 8;
    } else at += 4;
    if (length === 0)
      return at === bytes.length ? null : `${bytes.length - at} bytes follow the end-of-stream marker`;
    if (length < 0)
      return `message ${messages} at byte ${at - 4} has an impossible metadata length (${length})`;
    if (at + length > bytes.length) {
      return `the stream is truncated inside message ${messages} (its metadata needs ${length} bytes at byte ${at}, the file has ${bytes.length - at})`;
    }
    const bodyLength = messageBodyLength(view, at);
    if (bodyLength === null) return `message ${messages} at byte ${at} has unreadable metadata`;
    at += length;
    if (at + bodyLength > bytes.length) {
      return `the stream is truncated inside message ${messages} (its body needs ${bodyLength} bytes, ${bytes.length - at} remain)`;
    }
    at += bodyLength;
    messages++;
  }
  return `the stream ends after ${messages} message(s) without the end-of-stream marker (the file is truncated or was not closed)`;
}

/** bodyLength (field 3, int64) of the flatbuffer `Message` table at `at`, or null when malformed. */
function messageBodyLength(view: DataView, at: number): number | null {
  try {
    const table = at + view.getUint32(at, true);
    const vtable = table - view.getInt32(table, true);
    const vtableLength = view.getUint16(vtable, true);
    const fieldSlot = 4 + 2 * 3;
    if (fieldSlot + 2 > vtableLength) return 0;
    const fieldOffset = view.getUint16(vtable + fieldSlot, true);
    if (fieldOffset === 0) return 0;
    const value = view.getBigInt64(table + fieldOffset, true);
    if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    return Number(value);
  } catch {
    return null;
  }
}

/**
 * Read an IPC file by its footer, one record batch per block. (apache-arrow's sequential reader
 * loops forever when a corrupt block points at a message that is not a record batch; reading by
 * index returns null instead, which becomes an error here.)
 */
function readFileFormat(path: string, bytes: Uint8Array): Table {
  const reader = decoding(path, 'the Arrow IPC file is corrupt: its footer or schema cannot be decoded', () =>
    RecordBatchFileReader.from(bytes).open(),
  );
  const batches: RecordBatch[] = [];
  for (let index = 0; index < reader.numRecordBatches; index++) {
    const batch = decoding(
      path,
      `the Arrow IPC file is corrupt: record batch ${index} of ${reader.numRecordBatches} cannot be decoded`,
      () => reader.readRecordBatch(index) as RecordBatch | null,
    );
    if (!batch) {
      throw new DatasetError(
        path,
        `the Arrow IPC file is corrupt: its footer lists ${reader.numRecordBatches} record batches, but block ${index} does not hold one`,
      );
    }
    batches.push(batch);
  }
  return new Table(reader.schema, batches);
}

async function readParquetTable(bytes: Uint8Array): Promise<Table> {
  const parquet = await import('parquet-wasm');
  const wasmTable = parquet.readParquet(bytes);
  return tableFromIPC(wasmTable.intoIPCStream());
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Messages of a decoder tripping over damaged bytes, which say nothing to a user about the file. */
const DECODER_SLIPS =
  /undefined|\bnull\b|intermediate value|properties of|is not a |is not iterable|\(reading|out of bounds|outside the bounds|multiple of|Invalid (typed )?array length|call stack/i;

/**
 * The message of a decoder's error when it is written for people (parquet-wasm's "Parquet error:
 * Invalid Parquet file. Corrupt footer"); undefined when it is the decoder itself failing on the
 * damage (a TypeError such as "Cannot read properties of null", a RangeError, a WebAssembly trap).
 */
export function decoderMessage(error: unknown): string | undefined {
  if (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    (error instanceof Error && error.name === 'RuntimeError') // a WebAssembly trap
  ) {
    return undefined;
  }
  const message = describe(error).trim();
  if (message === '' || DECODER_SLIPS.test(message)) return undefined;
  return message;
}

/** Run one decoding step; any failure becomes a DatasetError saying which step failed. */
function decoding<T>(path: string, failure: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    const detail = decoderMessage(error);
    throw new DatasetError(path, detail ? `${failure} (${detail})` : failure);
  }
}

/**
 * "file not found", and for a file of the large datasets the package makes on demand
 * (datasets/large/NAME.arrow, written by `npm run datasets -- --large NAME`) how to make it.
 */
function missingFileMessage(path: string): string {
  const parts = path.split(/[\\/]/);
  const [folder, file] = parts.slice(-2);
  if (
    parts.length >= 3 &&
    parts[parts.length - 3] === 'datasets' &&
    folder === 'large' &&
    file.endsWith('.arrow')
  ) {
    const name = file.slice(0, -'.arrow'.length);
    return `file not found; it is one of the large datasets made on demand: run \`npm run datasets -- --large ${name}\` in the project folder (datasets/README.md)`;
  }
  return 'file not found';
}

/**
 * Read `path` into an Arrow Table (throws DatasetError on any problem). Anything but a regular
 * file (a FIFO, socket or device would block the read or never end) is refused before it is
 * opened, and the read itself is asynchronous, so an engine serving other commands never stalls.
 */
export async function readTable(path: string): Promise<ReadTable> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path);
  } catch (error) {
    if (error instanceof NotRegularFileError) {
      throw new DatasetError(path, `is ${error.kind}; expected an Arrow IPC or Parquet file`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatasetError(
      path,
      code === 'ENOENT'
        ? missingFileMessage(path)
        : `cannot read the file (${describeFileError(error) ?? describe(error)})`,
    );
  }
  return readTableFromBytes(path, bytes);
}

/** As `readTable`, for bytes already in memory (`path` only names them in errors). */
export async function readTableFromBytes(path: string, bytes: Uint8Array): Promise<ReadTable> {
  if (bytes.length === 0)
    throw new DatasetError(path, 'the file is empty; expected an Arrow IPC or Parquet file');
  const format = detectContainer(bytes);
  if (format === null) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(
      path,
      `not an Arrow IPC file, Arrow IPC stream or Parquet file (it starts with bytes ${head}; expected "ARROW1", "PAR1" or an IPC stream message)`,
    );
  }
  registerArrowCodecs();
  installArrowGuards();
  let table: Table;
  try {
    if (format === 'arrow-file') {
      if (bytes.length < 12 || !hasBytes(bytes, bytes.length - 6, ARROW_MAGIC)) {
        throw new DatasetError(
          path,
          'the Arrow IPC file is truncated or corrupt: its footer (the closing "ARROW1" magic) is missing',
        );
      }
      table = readFileFormat(path, bytes);
    } else if (format === 'arrow-stream') {
      const damage = checkStreamFraming(bytes);
      if (damage !== null) throw new DatasetError(path, `the Arrow IPC stream is incomplete: ${damage}`);
      table = decoding(
        path,
        'the Arrow IPC stream is corrupt: its schema or record batches cannot be decoded',
        () => tableFromIPC(bytes),
      );
    } else {
      if (bytes.length < 12 || !hasBytes(bytes, bytes.length - 4, PARQUET_MAGIC)) {
        throw new DatasetError(
          path,
          'the Parquet file is truncated or corrupt: its closing "PAR1" magic is missing',
        );
      }
      table = await readParquetTable(bytes);
    }
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    const kind = format === 'parquet' ? 'Parquet file' : 'Arrow IPC data';
    const detail = decoderMessage(error);
    throw new DatasetError(
      path,
      `the ${kind} is corrupt or unsupported${detail ? ` (${detail})` : ': its metadata or data pages cannot be decoded'}`,
    );
  }
  if (table.schema.fields.length === 0)
    throw new DatasetError(path, 'the file has no columns (an empty schema)');
  return { table, format, bytes: bytes.length, metadata: new Map(table.schema.metadata) };
}
