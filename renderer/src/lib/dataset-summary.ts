/**
 * Turns the engine's dataset inspection report (an open-ended object: rows, episodes, widths,
 * card, per-column statistics, episode-return histogram, warnings …) into display parts without
 * assuming its exact shape, so fields added later still show up instead of breaking the view.
 */

export type Scalar = number | string | boolean | null;

export interface SummaryTable {
  title: string;
  columns: string[];
  rows: { name: string; cells: Scalar[] }[];
}

export interface SummaryHistogram {
  title: string;
  edges: number[];
  counts: number[];
}

export interface DatasetSummaryView {
  /** Top-level scalar facts, in report order. */
  facts: [string, Scalar][];
  /** The dataset card's fields (nested values as JSON text). */
  card: [string, Scalar][] | null;
  tables: SummaryTable[];
  histograms: SummaryHistogram[];
  warnings: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toScalar(value: unknown): Scalar {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  return JSON.stringify(value);
}

/** {edges: number[k+1], counts: number[k]} (also accepts edges of length k). */
function asHistogram(title: string, value: unknown): SummaryHistogram | null {
  if (!isRecord(value)) return null;
  const { edges, counts } = value;
  if (!Array.isArray(edges) || !Array.isArray(counts) || counts.length === 0) return null;
  if (!edges.every((e) => typeof e === 'number') || !counts.every((c) => typeof c === 'number')) return null;
  if (edges.length !== counts.length + 1 && edges.length !== counts.length) return null;
  return { title, edges: edges as number[], counts: counts as number[] };
}

function isScalarRecord(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Object.values(value).every((v) => !isRecord(v) && !Array.isArray(v));
}

/**
 * A table from an array of flat objects (row name from "name"/"column"/"key"), or from a record
 * whose values are flat objects or arrays of flat objects (one row per key, or per `key[i]` for
 * per-dimension statistics of a matrix column).
 */
function asTable(title: string, value: unknown): SummaryTable | null {
  let entries: [string, Record<string, unknown>][] | null = null;
  if (Array.isArray(value) && value.length > 0 && value.every(isScalarRecord)) {
    entries = value.map((row, i) => {
      const label = row.name ?? row.column ?? row.key ?? String(i);
      return [String(label), row];
    });
  } else if (
    isRecord(value) &&
    Object.keys(value).length > 0 &&
    Object.values(value).every((v) => isScalarRecord(v) || (Array.isArray(v) && v.every(isScalarRecord)))
  ) {
    entries = [];
    for (const [key, v] of Object.entries(value)) {
      if (Array.isArray(v))
        v.forEach((row, i) => entries!.push([v.length === 1 ? key : `${key}[${i}]`, row]));
      else entries.push([key, v as Record<string, unknown>]);
    }
    if (entries.length === 0) return null;
  }
  if (!entries) return null;
  return tableFromRows(title, entries);
}

function tableFromRows(title: string, entries: [string, Record<string, unknown>][]): SummaryTable {
  const columns: string[] = [];
  for (const [, row] of entries)
    for (const key of Object.keys(row))
      if (!['name', 'column', 'key'].includes(key) && !columns.includes(key)) columns.push(key);
  return {
    title,
    columns,
    rows: entries.map(([name, row]) => ({ name, cells: columns.map((c) => toScalar(row[c] ?? null)) })),
  };
}

/** Human title of a camelCase key: "episodeReturns" → "Episode returns". */
export function titleOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalarFields(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => !isRecord(v) && !Array.isArray(v)));
}

/**
 * Display parts of an inspection report. Flat objects of numbers (e.g. {min, max, mean, std} of
 * episode lengths) become rows of one "Statistics" table; objects mixing numbers with nested
 * parts contribute their numbers as a row there and their parts (histograms, tables) separately.
 */
export function describeDatasetSummary(summary: unknown): DatasetSummaryView {
  const view: DatasetSummaryView = { facts: [], card: null, tables: [], histograms: [], warnings: [] };
  if (!isRecord(summary)) {
    view.facts.push(['report', toScalar(summary)]);
    return view;
  }
  const statistics: [string, Record<string, unknown>][] = [];
  const visit = (record: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(record)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (key === 'card' && !prefix) {
        if (isRecord(value)) view.card = Object.entries(value).map(([k, v]) => [k, toScalar(v)]);
        continue;
      }
      if (key === 'warnings' && Array.isArray(value)) {
        view.warnings.push(...value.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))));
        continue;
      }
      const histogram = asHistogram(key === 'histogram' && prefix ? titleOf(prefix) : titleOf(name), value);
      if (histogram) {
        view.histograms.push(histogram);
        continue;
      }
      const table = asTable(titleOf(name), value);
      if (table) {
        view.tables.push(table);
        continue;
      }
      if (isRecord(value)) {
        const scalars = scalarFields(value);
        if (Object.keys(scalars).length > 0) statistics.push([name, scalars]);
        const nested = Object.fromEntries(Object.entries(value).filter(([k]) => !(k in scalars)));
        visit(nested, name);
        continue;
      }
      if (Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v))) {
        const text =
          value.length === 0
            ? 'none'
            : value.length <= 12
              ? value.map(String).join(', ')
              : `${value.length} values`;
        view.facts.push([name, text]);
        continue;
      }
      view.facts.push([name, toScalar(value)]);
    }
  };
  visit(summary, '');
  if (statistics.length > 0) view.tables.push(tableFromRows('Statistics', statistics));
  return view;
}

/** Display form of a number: integers with thousands separators, others with 4 significant digits. */
export function formatNumber(value: Scalar | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value !== 'number') return String(value);
  if (Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}
