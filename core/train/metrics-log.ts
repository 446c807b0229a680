/**
 * Append-only CSV logs for the run directory, one file per record kind (updates.csv,
 * episodes.csv, evaluations.csv). CSV appends safely (a crash can only leave a torn last line,
 * which the reader drops), loads fast, and opens in any spreadsheet. Array fields are spread into
 * numbered columns (priorityHistogram → priorityHistogram_0 …).
 */
import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readRegularTextFileSync } from '../util/regular-file.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';

export type CsvValue = number | string | boolean | number[];
export type CsvRecord = Record<string, CsvValue>;

function flattenHeader(record: CsvRecord): string[] {
  const header: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value)) value.forEach((_, i) => header.push(`${key}_${i}`));
    else header.push(key);
  }
  return header;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function formatCell(value: number | string | boolean): string {
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (/[",\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

/** The record's cells in the order of flattenHeader(record). */
function formatCells(record: CsvRecord): string[] {
  const cells: string[] = [];
  for (const value of Object.values(record)) {
    if (Array.isArray(value)) for (const item of value) cells.push(formatCell(item));
    else cells.push(formatCell(value));
  }
  return cells;
}

/**
 * Appends records to one CSV file, buffering rows until `flush()`.
 *
 * A file written by an earlier version can have other columns than today's records (a run resumed
 * after a metric was added or removed). The first record whose fields differ migrates the file
 * once, rewriting it atomically: the columns become the record's, followed by any of the file's
 * that the record lacks; cells a row never had read as `nan`. Rows are then written in that order.
 */
export class CsvLog {
  private fd: number | undefined;
  private header: string[] | undefined;
  private buffered: string[] = [];

  constructor(readonly path: string) {
    if (existsSync(path)) {
      const firstLine = readRegularTextFileSync(path).split('\n', 1)[0];
      if (firstLine) this.header = firstLine.split(',');
    }
  }

  append(record: CsvRecord): void {
    const fields = flattenHeader(record);
    // The common case: the record's fields are the header, in its order (no lookup per cell).
    let inOrder = this.header === undefined || sameColumns(fields, this.header);
    if (this.header === undefined) {
      this.header = fields;
      this.buffered.push(fields.join(','));
    } else if (!inOrder) {
      if (!fields.every((name) => this.header!.includes(name))) this.migrate(fields);
      inOrder = sameColumns(fields, this.header);
    }
    const cells = formatCells(record);
    this.buffered.push((inOrder ? cells : this.inHeaderOrder(fields, cells)).join(','));
  }

  /** Rewrite the file with the record's columns first, then the file's others; missing cells are nan. */
  private migrate(fields: string[]): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const previous = this.header!;
    const header = [...fields, ...previous.filter((name) => !fields.includes(name))];
    const source = previous.map((name) => header.indexOf(name));
    const lines = existsSync(this.path) ? readRegularTextFileSync(this.path).split('\n').slice(1, -1) : [];
    const rows = [header.join(',')];
    for (const line of lines) {
      const cells = splitRow(line);
      if (cells.length !== previous.length) continue; // a torn line
      const row = new Array<string>(header.length).fill('nan');
      cells.forEach((cell, i) => (row[source[i]] = cell));
      rows.push(row.join(','));
    }
    writeFileAtomicSync(this.path, `${rows.join('\n')}\n`);
    this.header = header;
  }

  /** A record's cells (named by `fields`) in the file's column order, nan where it has none. */
  private inHeaderOrder(fields: string[], cells: string[]): string[] {
    const at = new Map(fields.map((name, i) => [name, i]));
    return this.header!.map((name) => {
      const i = at.get(name);
      return i === undefined ? 'nan' : cells[i];
    });
  }

  /** Write buffered rows; with `durable`, fsync so they survive a power cut. */
  flush(durable = false): void {
    if (this.buffered.length > 0) {
      this.fd ??= openSync(this.path, 'a');
      const bytes = Buffer.from(`${this.buffered.join('\n')}\n`, 'utf8');
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
      this.buffered = [];
    }
    if (durable && this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    this.flush(true);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface CsvTable {
  header: string[];
  /** Column name → values (numbers parsed; non-numeric cells kept as strings). */
  columns: Record<string, (number | string)[]>;
  rows: number;
}

function parseCell(cell: string): number | string {
  if (cell === 'nan') return Number.NaN;
  if (cell === 'inf') return Number.POSITIVE_INFINITY;
  if (cell === '-inf') return Number.NEGATIVE_INFINITY;
  if (cell.startsWith('"')) return cell.slice(1, -1).replace(/""/g, '"');
  const number = Number(cell);
  return cell !== '' && !Number.isNaN(number) ? number : cell;
}

function splitRow(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"' && line[i + 1] === '"' && quoted) {
      current += '""';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (ch === ',' && !quoted) {
      cells.push(current);
      current = '';
    } else current += ch;
  }
  cells.push(current);
  return cells;
}

/** Read a log written by CsvLog. A torn last line (no newline, or the wrong cell count) is dropped. */
export function readCsvLog(path: string): CsvTable {
  if (!existsSync(path)) return { header: [], columns: {}, rows: 0 };
  const text = readRegularTextFileSync(path);
  const lines = text.split('\n');
  const complete = lines.slice(0, -1); // the last piece is '' after a final newline, or a torn line
  if (complete.length === 0) return { header: [], columns: {}, rows: 0 };
  const header = complete[0].split(',');
  const columns: Record<string, (number | string)[]> = Object.fromEntries(header.map((name) => [name, []]));
  let rows = 0;
  for (let i = 1; i < complete.length; i++) {
    const cells = splitRow(complete[i]);
    if (cells.length !== header.length) continue;
    for (let c = 0; c < header.length; c++) columns[header[c]].push(parseCell(cells[c]));
    rows++;
  }
  return { header, columns, rows };
}

/**
 * Drop every row whose `column` exceeds `limit` (and any torn last line), rewriting the file
 * atomically. Used on resume so that the curves continue from the checkpoint with no duplicates.
 */
export function truncateCsvLog(path: string, column: string, limit: number): number {
  if (!existsSync(path)) return 0;
  const text = readRegularTextFileSync(path);
  const lines = text.split('\n').slice(0, -1);
  if (lines.length === 0) {
    writeFileAtomicSync(path, '');
    return 0;
  }
  const header = lines[0].split(',');
  const index = header.indexOf(column);
  if (index < 0) throw new Error(`${path}: no column "${column}" to truncate by`);
  const kept = [lines[0]];
  for (let i = 1; i < lines.length; i++) {
    const cells = splitRow(lines[i]);
    if (cells.length === header.length && Number(cells[index]) <= limit) kept.push(lines[i]);
  }
  writeFileAtomicSync(path, `${kept.join('\n')}\n`);
  return kept.length - 1;
}

/**
 * Keep the header and the first `rows` complete rows (dropping the rest and any torn last line),
 * rewriting the file atomically. Used on resume for logs whose row count a checkpoint records.
 */
export function keepFirstCsvRows(path: string, rows: number): number {
  if (!existsSync(path)) return 0;
  const lines = readRegularTextFileSync(path).split('\n').slice(0, -1);
  if (lines.length === 0) return 0;
  const header = lines[0].split(',');
  const kept = [lines[0]];
  for (let i = 1; i < lines.length && kept.length <= rows; i++) {
    if (splitRow(lines[i]).length === header.length) kept.push(lines[i]);
  }
  writeFileAtomicSync(path, `${kept.join('\n')}\n`);
  return kept.length - 1;
}
