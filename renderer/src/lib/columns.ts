/**
 * Columnar storage for a run's metric stream: one Float64Array per field that grows by doubling,
 * so appending n records costs O(n) amortised and charts read the columns directly (no per-point
 * objects). Array fields (the priority histogram) are spread into numbered columns `name_i`,
 * exactly as the run directory's CSV logs store them, so live events and history fill the same
 * table. A nested record of numbers (an update's learner `metrics`) is spread into columns named by
 * its keys, again as the CSV logs store it. Strings become numbers through an optional per-field code map (phase → 0/1); booleans
 * become 0/1; anything else becomes NaN.
 */

/** A Float64Array with a length that grows by doubling its capacity. */
export class GrowableColumn {
  private data: Float64Array;
  private size = 0;

  constructor(initialCapacity = 256) {
    this.data = new Float64Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.size;
  }

  get capacity(): number {
    return this.data.length;
  }

  push(value: number): void {
    if (this.size === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.size++] = value;
  }

  /** Pad with NaN up to `length` (a field that appeared late in the stream). */
  padTo(length: number): void {
    while (this.size < length) this.push(Number.NaN);
  }

  /** A view of the filled part; valid until the next push that grows the column. */
  view(): Float64Array {
    return this.data.subarray(0, this.size);
  }

  get(index: number): number {
    return index >= 0 && index < this.size ? this.data[index] : Number.NaN;
  }

  last(): number {
    return this.size > 0 ? this.data[this.size - 1] : Number.NaN;
  }
}

export type StringCodes = Record<string, Record<string, number>>;

/** Codes for the string fields of run records. */
export const RUN_STRING_CODES: StringCodes = { phase: { offline: 0, online: 1 } };

/** Named columns of equal length; records are appended row by row. */
export class ColumnTable {
  private readonly columns = new Map<string, GrowableColumn>();
  private rows = 0;

  constructor(
    private readonly stringCodes: StringCodes = RUN_STRING_CODES,
    private readonly skip: ReadonlySet<string> = new Set(['type']),
  ) {}

  get length(): number {
    return this.rows;
  }

  names(): string[] {
    return [...this.columns.keys()];
  }

  has(name: string): boolean {
    return this.columns.has(name);
  }

  /** The filled part of a column; a NaN-filled array for a column the stream never carried. */
  column(name: string): Float64Array {
    const column = this.columns.get(name);
    return column ? column.view() : new Float64Array(this.rows).fill(Number.NaN);
  }

  last(name: string): number {
    return this.columns.get(name)?.last() ?? Number.NaN;
  }

  private columnFor(name: string): GrowableColumn {
    let column = this.columns.get(name);
    if (!column) {
      column = new GrowableColumn();
      column.padTo(this.rows);
      this.columns.set(name, column);
    }
    return column;
  }

  private toNumber(name: string, value: unknown): number {
    if (typeof value === 'number') return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'string') {
      const code = this.stringCodes[name]?.[value];
      if (code !== undefined) return code;
      const parsed = Number(value);
      return value.trim() !== '' && Number.isFinite(parsed) ? parsed : Number.NaN;
    }
    return Number.NaN;
  }

  /** Columns of an array field, by element index (cached so appends build no names). */
  private readonly arrayColumns = new Map<string, GrowableColumn[]>();

  private arrayColumn(name: string, index: number): GrowableColumn {
    let list = this.arrayColumns.get(name);
    if (!list) {
      list = [];
      this.arrayColumns.set(name, list);
    }
    return (list[index] ??= this.columnFor(`${name}_${index}`));
  }

  /** Append one record; fields missing from it get NaN in this row. */
  append(record: object): void {
    const fields = record as Record<string, unknown>;
    for (const name in fields) {
      if (this.skip.has(name)) continue;
      const value = fields[name];
      if (typeof value === 'number') this.columnFor(name).push(value);
      else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) this.arrayColumn(name, i).push(this.toNumber(name, value[i]));
      } else if (typeof value === 'object' && value !== null) {
        const nested = value as Record<string, unknown>;
        for (const key in nested) this.columnFor(key).push(this.toNumber(key, nested[key]));
      } else this.columnFor(name).push(this.toNumber(name, value));
    }
    this.rows++;
    for (const column of this.columns.values()) if (column.length < this.rows) column.padTo(this.rows);
  }

  /** Append columns as stored in a run directory (every column the same length). */
  appendColumns(columns: Record<string, readonly (number | string)[]>): void {
    const entries = Object.entries(columns).filter(([name]) => !this.skip.has(name));
    const added = entries.reduce((longest, [, values]) => Math.max(longest, values.length), 0);
    for (const [name, values] of entries) {
      const column = this.columnFor(name);
      for (let i = 0; i < added; i++) column.push(i < values.length ? this.toNumber(name, values[i]) : NaN);
    }
    this.rows += added;
    for (const column of this.columns.values()) column.padTo(this.rows);
  }
}
