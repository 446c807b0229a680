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

/** A table from an array of flat objects (row name from "name"/"column"/"key") or a record of flat objects. */
function asTable(title: string, value: unknown): SummaryTable | null {
  let entries: [string, Record<string, unknown>][] | null = null;
  if (Array.isArray(value) && value.length > 0 && value.every(isScalarRecord)) {
    entries = value.map((row, i) => {
      const label = row.name ?? row.column ?? row.key ?? String(i);
      return [String(label), row];
    });
  } else if (isRecord(value) && Object.keys(value).length > 0 && Object.values(value).every(isScalarRecord)) {
    entries = Object.entries(value as Record<string, Record<string, unknown>>);
  }
  if (!entries) return null;
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

export function describeDatasetSummary(summary: unknown): DatasetSummaryView {
  const view: DatasetSummaryView = { facts: [], card: null, tables: [], histograms: [], warnings: [] };
  if (!isRecord(summary)) {
    view.facts.push(['report', toScalar(summary)]);
    return view;
  }
  for (const [key, value] of Object.entries(summary)) {
    if (key === 'card') {
      if (isRecord(value)) view.card = Object.entries(value).map(([k, v]) => [k, toScalar(v)]);
      continue;
    }
    if (key === 'warnings' && Array.isArray(value)) {
      view.warnings.push(...value.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))));
      continue;
    }
    const histogram = asHistogram(titleOf(key), value);
    if (histogram) {
      view.histograms.push(histogram);
      continue;
    }
    const table = asTable(titleOf(key), value);
    if (table) {
      view.tables.push(table);
      continue;
    }
    if (isRecord(value)) {
      // A nested object of mixed content: its scalar fields as facts with a dotted name, the rest recursively.
      const inner = describeDatasetSummary(value);
      view.facts.push(...inner.facts.map(([k, v]): [string, Scalar] => [`${key}.${k}`, v]));
      view.tables.push(...inner.tables.map((t) => ({ ...t, title: `${titleOf(key)}: ${t.title}` })));
      view.histograms.push(...inner.histograms.map((h) => ({ ...h, title: `${titleOf(key)}: ${h.title}` })));
      view.warnings.push(...inner.warnings);
      if (inner.card) view.card = inner.card;
      continue;
    }
    if (Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v))) {
      view.facts.push([
        key,
        value.length <= 12 ? value.map((v) => String(v)).join(', ') : `${value.length} values`,
      ]);
      continue;
    }
    view.facts.push([key, toScalar(value)]);
  }
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
