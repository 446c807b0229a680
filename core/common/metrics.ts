/**
 * A learner's per-update metrics are an open record: each learner (and each loss module it uses)
 * reports whatever numbers describe its update, keyed by name, and declares one descriptor per
 * key saying how to show it. The training loop writes the descriptors to the run's metadata
 * (meta.json), the values to the update records (event stream, updates.csv columns), and the app
 * draws its Learner charts from the descriptors alone, so a new learner needs no UI change.
 *
 * This module is shared by the engine and the renderer; it imports nothing.
 */

/** One update's learner metrics: metric key → value (NaN where the learner has no value this update). */
export type MetricRecord = Record<string, number>;

/** How to show one metric key. */
export interface MetricDescriptor {
  /** The record key and updates.csv column, e.g. "criticLoss" (letters, digits, underscores). */
  key: string;
  /** Short label for legends and pickers, e.g. "critic loss". */
  label: string;
  /** Chart the metric is drawn on; metrics of one group share a chart, in declaration order. */
  group: string;
  /** Unit of the value, e.g. "nats"; empty when it has none. */
  unit: string;
  /**
   * The value is positive and spans orders of magnitude: drawn on a log axis when the user turns
   * log scale on. Metrics with `logScale: false` (which may be negative) stay on a linear axis.
   */
  logScale: boolean;
  /** One sentence on what the value is (tooltips and chart descriptions). */
  description?: string;
  /**
   * This metric is one edge of a band around metric `bandOf` (e.g. the minimum and maximum of a
   * per-sample weight around its mean): drawn as a shaded band, not as a line of its own.
   */
  bandOf?: string;
}

/** What a metric key may look like (it becomes a CSV column name). */
export const METRIC_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Problems with a descriptor list, as messages naming the key: keys that are malformed, repeated
 * or `reserved` (names the update record already uses), and bands around undeclared metrics.
 */
export function metricDescriptorProblems(
  descriptors: readonly MetricDescriptor[],
  reserved: Iterable<string> = [],
): string[] {
  const problems: string[] = [];
  const taken = new Set(reserved);
  const declared = new Set<string>();
  for (const descriptor of descriptors) {
    const { key } = descriptor;
    if (!METRIC_KEY_PATTERN.test(key)) problems.push(`metric "${key}": keys are letters, digits and _`);
    else if (taken.has(key))
      problems.push(`metric "${key}": the update record already has a field of that name`);
    else if (declared.has(key)) problems.push(`metric "${key}": declared twice`);
    if (!descriptor.label || !descriptor.group) problems.push(`metric "${key}": needs a label and a group`);
    declared.add(key);
  }
  for (const descriptor of descriptors) {
    if (descriptor.bandOf !== undefined && !declared.has(descriptor.bandOf)) {
      problems.push(`metric "${descriptor.key}": band around undeclared metric "${descriptor.bandOf}"`);
    }
  }
  return problems;
}

/**
 * The learner's record in descriptor order, every declared key present (NaN where the learner
 * left it out). A key the learner reports without declaring it is a programming error: the CSV
 * header is fixed by the first row, so the value would be lost; it throws naming the key.
 */
export function orderedMetricRecord(
  descriptors: readonly MetricDescriptor[],
  metrics: Readonly<MetricRecord>,
): MetricRecord {
  const record: MetricRecord = {};
  for (const { key } of descriptors) {
    const value = metrics[key];
    record[key] = typeof value === 'number' ? value : Number.NaN;
  }
  for (const key of Object.keys(metrics)) {
    if (!(key in record)) {
      throw new Error(
        `the learner reported metric "${key}" without a descriptor; declare it with the learner's metric descriptors`,
      );
    }
  }
  return record;
}

/** Descriptors grouped for drawing: one entry per group, in order of first appearance. */
export function groupMetricDescriptors(
  descriptors: readonly MetricDescriptor[],
): { group: string; metrics: MetricDescriptor[] }[] {
  const groups: { group: string; metrics: MetricDescriptor[] }[] = [];
  for (const descriptor of descriptors) {
    let entry = groups.find((g) => g.group === descriptor.group);
    if (!entry) {
      entry = { group: descriptor.group, metrics: [] };
      groups.push(entry);
    }
    entry.metrics.push(descriptor);
  }
  return groups;
}

/** Read descriptors from untrusted JSON (meta.json of a run); anything malformed is dropped. */
export function parseMetricDescriptors(value: unknown): MetricDescriptor[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const descriptors: MetricDescriptor[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { key, label, group, unit, logScale, description, bandOf } = item as Record<string, unknown>;
    if (typeof key !== 'string' || !METRIC_KEY_PATTERN.test(key)) continue;
    descriptors.push({
      key,
      label: typeof label === 'string' && label ? label : key,
      group: typeof group === 'string' && group ? group : 'Other',
      unit: typeof unit === 'string' ? unit : '',
      logScale: logScale === true,
      ...(typeof description === 'string' ? { description } : {}),
      ...(typeof bandOf === 'string' ? { bandOf } : {}),
    });
  }
  return descriptors;
}
