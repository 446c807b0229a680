/**
 * The new-run form edits one JSON config object. These pure helpers list its editable leaves by
 * key path ("beta.targetEssFraction"), write a value at a key path without mutating the original,
 * parse what a user typed into the type the field had, and attach the engine's validation issues
 * to the fields they name.
 */
import type { ValidationIssue } from '../../../core/server/protocol.js';

export type LeafKind = 'number' | 'string' | 'boolean' | 'null';

export interface ConfigLeaf {
  path: string;
  /** Top-level section ("beta" for "beta.rate"); "" for top-level scalars. */
  section: string;
  key: string;
  kind: LeafKind;
  value: number | string | boolean | null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every scalar leaf of `config`, depth first, in key order. Arrays count as one JSON leaf-less value and are skipped. */
export function configLeaves(config: unknown, prefix = ''): ConfigLeaf[] {
  if (!isPlainObject(config)) return [];
  const leaves: ConfigLeaf[] = [];
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) {
      leaves.push(...configLeaves(value, path));
      continue;
    }
    let kind: LeafKind | null = null;
    if (typeof value === 'number') kind = 'number';
    else if (typeof value === 'string') kind = 'string';
    else if (typeof value === 'boolean') kind = 'boolean';
    else if (value === null) kind = 'null';
    if (kind === null) continue;
    const section = path.includes('.') ? path.slice(0, path.indexOf('.')) : '';
    leaves.push({
      path,
      section,
      key: path.slice(path.lastIndexOf('.') + 1),
      kind,
      value: value as ConfigLeaf['value'],
    });
  }
  return leaves;
}

/** A copy of `config` with `value` at `path` (creating objects on the way); `undefined` deletes the key. */
export function setAtPath(config: unknown, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const root: Record<string, unknown> = isPlainObject(config) ? { ...config } : {};
  let node = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const child = node[keys[i]];
    const copy = isPlainObject(child) ? { ...child } : {};
    node[keys[i]] = copy;
    node = copy;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return root;
}

/** The value at `path`, or undefined. */
export function getAtPath(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * What a user typed, as the field's type. Numbers accept 1e-3 and 10_000 notations; text that is
 * not a number is kept as text so the engine's validation names the field (rather than the form
 * silently dropping the edit).
 */
export function parseFieldInput(kind: LeafKind, text: string): unknown {
  if (kind === 'boolean') return text === 'true';
  if (kind === 'number' || kind === 'null') {
    const trimmed = text.trim().replace(/_/g, '');
    if (trimmed === '' && kind === 'null') return null;
    const number = Number(trimmed);
    return trimmed !== '' && Number.isFinite(number) ? number : text;
  }
  return text;
}

/**
 * Issues grouped by the field they belong to. An issue on "beta.betaMin" goes to that field; an
 * issue on a path that has no field of its own (a whole section, an unknown key, "(root)") is
 * returned under `general` so the form can show it at the top.
 */
export function issuesByField(
  issues: readonly ValidationIssue[],
  fieldPaths: readonly string[],
): { byField: Map<string, string[]>; general: ValidationIssue[] } {
  const fields = new Set(fieldPaths);
  const byField = new Map<string, string[]>();
  const general: ValidationIssue[] = [];
  for (const issue of issues) {
    if (fields.has(issue.path)) {
      const list = byField.get(issue.path) ?? [];
      list.push(issue.message);
      byField.set(issue.path, list);
    } else general.push(issue);
  }
  return { byField, general };
}

/**
 * Choices for fields whose values come from a fixed set (the run config schema's enums). The form
 * offers a select for these; the engine's validation stays the authority.
 */
export const FIELD_CHOICES: Record<string, readonly string[]> = {
  'replay.priority': ['uniform', 'per', 'roer'],
  'replay.mode': ['weight', 'sample'],
  'replay.mixing': ['union', 'fixed'],
  'replay.roerDivergence': ['kl', 'pearson'],
  'beta.kind': ['fixed', 'seed', 'track', 'solve'],
  'beta.targetSchedule.signal': ['onlineShare', 'tdDispersion'],
  backend: ['auto', 'native', 'node-gpu', 'node', 'wasm', 'cpu'],
  'agent.valueLossExtension': ['official', 'c1'],
  'agent.tdSource': ['value', 'q'],
};

/** Planned number of updates of a run config: offline steps + online env steps × updates per step. */
export function plannedUpdates(config: unknown): number | null {
  const offline = getAtPath(config, 'offline.steps');
  const envSteps = getAtPath(config, 'online.envSteps');
  const perStep = getAtPath(config, 'online.updatesPerStep');
  if (typeof offline !== 'number' || typeof envSteps !== 'number') return null;
  return offline + Math.round(envSteps * (typeof perStep === 'number' ? perStep : 1));
}
