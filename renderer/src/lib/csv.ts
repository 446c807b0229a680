/** CSV formatting for the charts' "download data" buttons (RFC 4180: comma, CRLF, quoted cells). */

/** One cell: numbers at full precision, NaN/null as empty, text quoted when it holds , " or a newline. */
export function csvCell(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV document from named columns (equal length; shorter columns are padded with empty cells). */
export function columnsToCsv(
  header: readonly string[],
  columns: readonly ArrayLike<number | string | null>[],
): string {
  if (header.length !== columns.length)
    throw new Error(`CSV: ${header.length} column names but ${columns.length} columns`);
  const rows = columns.reduce((longest, column) => Math.max(longest, column.length), 0);
  const lines = new Array<string>(rows + 1);
  lines[0] = header.map(csvCell).join(',');
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < columns.length; c++) {
      if (c > 0) line += ',';
      line += r < columns[c].length ? csvCell(columns[c][r]) : '';
    }
    lines[r + 1] = line;
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name safe on every platform, from a chart title and run id. */
export function csvFileName(...parts: string[]): string {
  const stem = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return `${stem || 'chart'}.csv`;
}
