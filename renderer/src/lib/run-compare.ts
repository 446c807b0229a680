/**
 * Comparing stored runs: their configs flattened to key paths, the keys on which they differ, and
 * groups of runs that share a config apart from the seed (the only runs it is honest to average:
 * repetitions of one experiment). Pure functions; the runs view draws what they return.
 */

/** A config as key path → JSON text of the leaf value ("agent.hiddenSizes" → "[64,64]"). */
export function flattenConfig(
  config: unknown,
  prefix = '',
  out = new Map<string, string>(),
): Map<string, string> {
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    for (const [key, value] of Object.entries(config))
      flattenConfig(value, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, JSON.stringify(config));
  }
  return out;
}

/** Key paths whose value is not the same in every config (a key missing from one counts as different), sorted. */
export function differingKeys(configs: readonly unknown[]): string[] {
  const flat = configs.map((config) => flattenConfig(config));
  const keys = new Set(flat.flatMap((map) => [...map.keys()]));
  return [...keys].filter((key) => new Set(flat.map((map) => map.get(key) ?? '∅')).size > 1).sort();
}

/** The keys a grouping ignores: what differs between repetitions of one experiment. */
export const REPETITION_KEYS: readonly string[] = ['seed'];

export interface RunGroup<T> {
  /** The shared config (without the ignored keys) as canonical text: equal keys mean equal configs. */
  key: string;
  members: T[];
}

/**
 * Runs grouped by identical config apart from `ignore` (default: the seed), in order of first
 * appearance. Runs whose configs differ in anything else are never in one group.
 */
export function groupByConfig<T>(
  runs: readonly T[],
  configOf: (run: T) => unknown,
  ignore: readonly string[] = REPETITION_KEYS,
): RunGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const run of runs) {
    const flat = flattenConfig(configOf(run));
    const key = [...flat.entries()]
      .filter(([path]) => !ignore.includes(path))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, value]) => `${path}=${value}`)
      .join('\n');
    const members = groups.get(key);
    if (members) members.push(run);
    else groups.set(key, [run]);
  }
  return [...groups.entries()].map(([key, members]) => ({ key, members }));
}

/**
 * A short label for each group: the values of the keys on which the groups differ (e.g.
 * "replay.priority=roer, beta.kind=track"), or "all runs" when there is one group.
 */
export function groupLabels<T>(groups: readonly RunGroup<T>[], configOf: (run: T) => unknown): string[] {
  if (groups.length <= 1) return groups.map(() => 'same config');
  const representatives = groups.map((group) => configOf(group.members[0]));
  const keys = differingKeys(representatives).filter((key) => !REPETITION_KEYS.includes(key));
  return representatives.map((config) => {
    const flat = flattenConfig(config);
    const parts = keys.slice(0, 3).map((key) => `${key}=${(flat.get(key) ?? '–').replace(/^"(.*)"$/, '$1')}`);
    return parts.join(', ') + (keys.length > 3 ? `, +${keys.length - 3} more` : '');
  });
}

/** Runs matching a filter text: every word must appear in the name, environment, state, tags or notes. */
export function matchesFilter(
  run: { name: string; envId: string; state: string; tags: readonly string[]; notes: string; runId: string },
  filter: string,
): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [
    run.name,
    run.envId,
    run.state,
    run.runId,
    run.notes,
    ...run.tags.map((tag) => `#${tag} ${tag}`),
  ]
    .join(' ')
    .toLowerCase();
  return words.every((word) => text.includes(word));
}
