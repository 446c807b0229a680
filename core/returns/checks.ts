/**
 * Shape and value checks at the boundary of the return functions. Every message names the field
 * (and the time step or action where it applies) and says what was expected.
 */

/** Bad input to a return function; `field` is the argument or property at fault. */
export class ReturnsInputError extends RangeError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.name = 'ReturnsInputError';
    this.field = field;
  }
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView)) ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { length?: unknown }).length === 'number')
  );
}

/** The value as a one-dimensional array of numbers, or an error naming `field`. */
export function requireVector(field: string, value: unknown): ArrayLike<number> {
  if (!isArrayLike(value)) {
    throw new ReturnsInputError(field, `must be an array of numbers, got ${describe(value)}`);
  }
  return value as ArrayLike<number>;
}

/** Require exactly `length` entries; `meaning` says what they are (e.g. "r_t for t = 0…T−1"). */
export function requireLength(
  field: string,
  array: ArrayLike<unknown>,
  length: number,
  meaning: string,
): void {
  if (array.length !== length) {
    throw new ReturnsInputError(field, `needs ${length} entries (${meaning}), got ${array.length}`);
  }
}

/** Every entry finite. */
export function requireFinite(field: string, array: ArrayLike<number>): void {
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i])) {
      throw new ReturnsInputError(`${field}[${i}]`, `must be a finite number, got ${describe(array[i])}`);
    }
  }
}

/** Every entry in [low, high]. */
export function requireInRange(
  field: string,
  array: ArrayLike<number>,
  low: number,
  high: number,
  what: string,
): void {
  for (let i = 0; i < array.length; i++) {
    const value = array[i];
    if (!(typeof value === 'number' && value >= low && value <= high)) {
      throw new ReturnsInputError(
        `${field}[${i}]`,
        `must be ${what} in [${low}, ${high}], got ${describe(value)}`,
      );
    }
  }
}

/** A scalar in [low, high]. */
export function requireScalarInRange(field: string, value: unknown, low: number, high: number): number {
  if (!(typeof value === 'number' && value >= low && value <= high)) {
    throw new ReturnsInputError(field, `must be a number in [${low}, ${high}], got ${describe(value)}`);
  }
  return value;
}

/**
 * A T×A matrix given either as T nested rows of A numbers or as one row-major array of T·A
 * numbers, returned row-major with its width A. Errors name `field` and the row.
 */
export function requireMatrix(
  field: string,
  value: unknown,
  rows: number,
  meaning: string,
): { data: ArrayLike<number>; columns: number } {
  if (!isArrayLike(value)) {
    throw new ReturnsInputError(
      field,
      `must be ${rows} rows (${meaning}) as nested arrays or one row-major array, got ${describe(value)}`,
    );
  }
  const nested = value.length > 0 && isArrayLike(value[0]);
  if (!nested) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] !== 'number') {
        throw new ReturnsInputError(
          `${field}[${i}]`,
          `must be a number (row-major ${field}) or every entry of ${field} a row, got ${describe(value[i])}`,
        );
      }
    }
    if (rows === 0 || value.length === 0 || value.length % rows !== 0) {
      throw new ReturnsInputError(
        field,
        `as a row-major array needs ${rows} rows (${meaning}) of equal width, i.e. a positive multiple of ${rows} ` +
          `entries, got ${value.length}`,
      );
    }
    return { data: value as ArrayLike<number>, columns: value.length / rows };
  }
  if (value.length !== rows) {
    throw new ReturnsInputError(field, `needs ${rows} rows (${meaning}), got ${value.length}`);
  }
  const columns = (value[0] as ArrayLike<unknown>).length;
  if (columns === 0)
    throw new ReturnsInputError(`${field}[0]`, 'is an empty row; each row needs one entry per action');
  const data = new Float64Array(rows * columns);
  for (let t = 0; t < rows; t++) {
    const row = value[t];
    if (!isArrayLike(row)) {
      throw new ReturnsInputError(
        `${field}[${t}]`,
        `must be a row of ${columns} numbers, got ${describe(row)}`,
      );
    }
    if (row.length !== columns) {
      throw new ReturnsInputError(
        `${field}[${t}]`,
        `has ${row.length} entries but ${field}[0] has ${columns}; every row needs one entry per action`,
      );
    }
    for (let a = 0; a < columns; a++) {
      const entry = row[a];
      if (typeof entry !== 'number') {
        throw new ReturnsInputError(`${field}[${t}][${a}]`, `must be a number, got ${describe(entry)}`);
      }
      data[t * columns + a] = entry;
    }
  }
  return { data, columns };
}

/** Name of entry i of a row-major matrix with `columns` columns, as `field[t][a]`. */
export function matrixEntry(field: string, index: number, columns: number): string {
  return `${field}[${Math.floor(index / columns)}][${index % columns}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
