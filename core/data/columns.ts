/**
 * Typed-array views of Arrow columns. Numeric matrices ([N × width]) come from fixed-size lists,
 * lists or large lists whose rows all have the same length, or plain numeric columns (width 1);
 * float32 data in one contiguous chunk is returned as a view of the file's bytes (no copy),
 * anything else (float64, integers, several record batches, sliced lists) is converted.
 * Flags come from boolean, integer or float 0/1 columns.
 */
import { type Data, type Table, Type, type Vector } from 'apache-arrow';
import { DatasetError } from './types.js';

export interface MatrixColumn {
  values: Float32Array;
  width: number;
  /** True when `values` is a view into the file's bytes (no copy was made). */
  zeroCopy: boolean;
}

/** A short human name of an Arrow type for error messages. */
export function typeName(data: Data): string {
  return String(data.type);
}

/** True when row `index` of `data` is null (validity bit 0). */
function isNull(data: Data, index: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return false;
  const bit = data.offset + index;
  return (data.nullBitmap[bit >> 3] & (1 << (bit & 7))) === 0;
}

function firstNull(data: Data): number {
  if (data.nullCount === 0) return -1;
  for (let i = 0; i < data.length; i++) if (isNull(data, i)) return i;
  return -1;
}

type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Whether a primitive Arrow type holds numbers we can read (not float16, not bool). */
function isPlainNumeric(data: Data): boolean {
  const id = data.type.typeId;
  if (id === Type.Int) return true;
  if (id === Type.Float) return (data.type as unknown as { precision: number }).precision !== 0;
  return false;
}

/** The primitive child values of `data` as a typed array starting at its logical offset. */
function primitiveValues(
  file: string,
  column: string,
  data: Data,
  count: number,
  rowOffset: number,
): NumericArray {
  const values = data.values as NumericArray;
  const start = data.offset + rowOffset;
  if (!values || values.length < start + count) {
    throw new DatasetError(
      file,
      `length mismatch: the column's buffer holds ${values ? Math.max(0, values.length - data.offset) : 0} values where ${rowOffset + count} are needed`,
      column,
    );
  }
  return values.subarray(start, start + count) as NumericArray;
}

function copyToFloat32(source: NumericArray, target: Float32Array, at: number): void {
  if (source instanceof BigInt64Array || source instanceof BigUint64Array) {
    for (let i = 0; i < source.length; i++) target[at + i] = Number(source[i]);
  } else target.set(source, at);
}

interface ChunkMatrix {
  values: NumericArray;
  width: number;
}

/** One chunk of a matrix column as its flat child values. */
function chunkMatrix(
  file: string,
  column: string,
  data: Data,
  rowBase: number,
  expectedWidth?: number,
): ChunkMatrix {
  const id = data.type.typeId;
  const nullRow = firstNull(data);
  if (nullRow >= 0)
    throw new DatasetError(file, 'null value; expected a number in every row', column, rowBase + nullRow);
  if (isPlainNumeric(data)) {
    if (expectedWidth !== undefined && expectedWidth !== 1) {
      throw new DatasetError(
        file,
        `wrong width: a scalar column (width 1) where width ${expectedWidth} is expected`,
        column,
      );
    }
    return { values: primitiveValues(file, column, data, data.length, 0), width: 1 };
  }
  if (id === Type.FixedSizeList) {
    const width = (data.type as unknown as { listSize: number }).listSize;
    const child = data.children[0];
    if (!isPlainNumeric(child)) {
      throw new DatasetError(
        file,
        `wrong type: fixed-size list of ${typeName(child)}; expected a list of floats`,
        column,
      );
    }
    const nullChild = firstNull(child);
    if (nullChild >= 0) {
      throw new DatasetError(
        file,
        `null inside a list; expected numbers`,
        column,
        rowBase + Math.floor(nullChild / width),
      );
    }
    return { values: primitiveValues(file, column, child, data.length * width, data.offset * width), width };
  }
  if (id === Type.List || id === Type.LargeList) {
    const child = data.children[0];
    if (!isPlainNumeric(child)) {
      throw new DatasetError(
        file,
        `wrong type: list of ${typeName(child)}; expected a list of floats`,
        column,
      );
    }
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const start = data.offset;
    if (!offsets || offsets.length < start + data.length + 1) {
      throw new DatasetError(
        file,
        'length mismatch: the list offsets are shorter than the row count',
        column,
      );
    }
    const at = (i: number) => Number(offsets[start + i]);
    const first = at(0);
    const width = data.length > 0 ? at(1) - first : (expectedWidth ?? 0);
    for (let i = 0; i < data.length; i++) {
      const length = at(i + 1) - at(i);
      if (length !== width) {
        throw new DatasetError(
          file,
          `wrong width: the row has ${length} values, expected ${width} like row ${rowBase} (every row must have the same width)`,
          column,
          rowBase + i,
        );
      }
    }
    const nullChild = firstNull(child);
    if (nullChild >= 0 && nullChild >= first && nullChild < first + data.length * width) {
      throw new DatasetError(
        file,
        `null inside a list; expected numbers`,
        column,
        rowBase + Math.floor((nullChild - first) / width),
      );
    }
    return { values: primitiveValues(file, column, child, data.length * width, first), width };
  }
  throw new DatasetError(
    file,
    `wrong type: ${typeName(data)}; expected a fixed-size list, list or large list of floats (or a float column for width 1)`,
    column,
  );
}

/** The column `name` as an [N × width] float32 matrix (N = table rows). */
export function readMatrix(file: string, table: Table, name: string, expectedWidth?: number): MatrixColumn {
  const vector = table.getChild(name) as Vector | null;
  if (!vector) throw new DatasetError(file, 'missing required column', name);
  const chunks: ChunkMatrix[] = [];
  let rowBase = 0;
  for (const data of vector.data) {
    chunks.push(chunkMatrix(file, name, data, rowBase, expectedWidth));
    rowBase += data.length;
  }
  const width = chunks.length > 0 ? chunks[0].width : (expectedWidth ?? 0);
  rowBase = 0;
  for (let c = 0; c < chunks.length; c++) {
    if (vector.data[c].length > 0 && chunks[c].width !== width) {
      throw new DatasetError(
        file,
        `wrong width: record batch ${c} has width ${chunks[c].width}, earlier batches ${width}`,
        name,
        rowBase,
      );
    }
    rowBase += vector.data[c].length;
  }
  if (
    chunks.length === 1 &&
    chunks[0].values instanceof Float32Array &&
    chunks[0].values.byteOffset % 4 === 0
  ) {
    return { values: chunks[0].values, width, zeroCopy: true };
  }
  const values = new Float32Array(table.numRows * width);
  let at = 0;
  for (const chunk of chunks) {
    copyToFloat32(chunk.values, values, at);
    at += chunk.values.length;
  }
  return { values, width, zeroCopy: false };
}

/** The column `name` as N float32 values (a scalar column, or a list column of width 1). */
export function readScalar(file: string, table: Table, name: string): MatrixColumn {
  const matrix = readMatrix(file, table, name, 1);
  if (matrix.width !== 1) {
    throw new DatasetError(
      file,
      `wrong width: ${matrix.width} values per row; expected one number per row`,
      name,
    );
  }
  return matrix;
}

/**
 * The column `name` as N flags (0/1 bytes). Accepts bool (unpacked from bits), integers and floats
 * that are 0 or 1; anything else is a DatasetError naming the row.
 */
export function readFlags(
  file: string,
  table: Table,
  name: string,
): { values: Uint8Array; zeroCopy: boolean } {
  const vector = table.getChild(name) as Vector | null;
  if (!vector) throw new DatasetError(file, 'missing required column', name);
  const out = new Uint8Array(table.numRows);
  let rowBase = 0;
  if (vector.data.length === 1 && vector.data[0].type.typeId === Type.Int) {
    const data = vector.data[0];
    const values = data.values as NumericArray;
    if (values instanceof Uint8Array && firstNull(data) < 0) {
      const view = primitiveValues(file, name, data, data.length, 0) as Uint8Array;
      for (let i = 0; i < view.length; i++) {
        if (view[i] > 1) throw new DatasetError(file, `flag value ${view[i]}; expected 0 or 1`, name, i);
      }
      return { values: view, zeroCopy: true };
    }
  }
  for (const data of vector.data) {
    const nullRow = firstNull(data);
    if (nullRow >= 0)
      throw new DatasetError(
        file,
        'null value; expected a flag (0/1 or true/false) in every row',
        name,
        rowBase + nullRow,
      );
    if (data.type.typeId === Type.Bool) {
      const bits = data.values as Uint8Array;
      const needed = Math.ceil((data.offset + data.length) / 8);
      if (!bits || bits.length < needed) {
        throw new DatasetError(
          file,
          `length mismatch: the bit buffer covers fewer than ${data.length} rows`,
          name,
        );
      }
      unpackBits(bits, data.offset, data.length, out, rowBase);
    } else if (isPlainNumeric(data)) {
      const values = primitiveValues(file, name, data, data.length, 0);
      for (let i = 0; i < data.length; i++) {
        const value = Number(values[i]);
        if (value !== 0 && value !== 1) {
          throw new DatasetError(
            file,
            `flag value ${value}; expected 0 or 1 (or a boolean column)`,
            name,
            rowBase + i,
          );
        }
        out[rowBase + i] = value;
      }
    } else {
      throw new DatasetError(
        file,
        `wrong type: ${typeName(data)}; expected a boolean, integer or 0/1 float column`,
        name,
      );
    }
    rowBase += data.length;
  }
  return { values: out, zeroCopy: false };
}

/** Expand `count` LSB-first bits starting at bit `offset` into 0/1 bytes at `out[at…]`. */
export function unpackBits(
  bits: Uint8Array,
  offset: number,
  count: number,
  out: Uint8Array,
  at: number,
): void {
  let i = 0;
  // Leading bits up to a byte boundary, then whole bytes eight flags at a time, then the tail.
  for (; i < count && (offset + i) % 8 !== 0; i++)
    out[at + i] = (bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1;
  for (; i + 8 <= count; i += 8) {
    const byte = bits[(offset + i) >> 3];
    const o = at + i;
    out[o] = byte & 1;
    out[o + 1] = (byte >> 1) & 1;
    out[o + 2] = (byte >> 2) & 1;
    out[o + 3] = (byte >> 3) & 1;
    out[o + 4] = (byte >> 4) & 1;
    out[o + 5] = (byte >> 5) & 1;
    out[o + 6] = (byte >> 6) & 1;
    out[o + 7] = (byte >> 7) & 1;
  }
  for (; i < count; i++) out[at + i] = (bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1;
}

/** Integer column (e.g. Minari's episode_id) as Float64 numbers, one per row. */
export function readIntegers(file: string, table: Table, name: string): Float64Array {
  const vector = table.getChild(name) as Vector | null;
  if (!vector) throw new DatasetError(file, 'missing required column', name);
  const out = new Float64Array(table.numRows);
  let rowBase = 0;
  for (const data of vector.data) {
    if (data.type.typeId !== Type.Int)
      throw new DatasetError(file, `wrong type: ${typeName(data)}; expected integers`, name);
    const nullRow = firstNull(data);
    if (nullRow >= 0)
      throw new DatasetError(file, 'null value; expected an integer', name, rowBase + nullRow);
    const values = primitiveValues(file, name, data, data.length, 0);
    for (let i = 0; i < data.length; i++) out[rowBase + i] = Number(values[i]);
    rowBase += data.length;
  }
  return out;
}
