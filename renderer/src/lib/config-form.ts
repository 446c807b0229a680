/**
 * The new-run form edits one JSON config object. Its fields come from the run config's JSON Schema
 * (served by the engine from the zod schema, `config.schema`): each field's type, choices, range,
 * default and help text are the schema's, never guessed from the value the config holds now. These
 * pure helpers list the form's fields, parse what a user typed into the field's type, write a value
 * at a key path without mutating the original, and attach the engine's validation issues to the
 * fields they name.
 */
import type { ValidationIssue } from '../../../core/common/protocol.js';

export type FieldType =
  | 'number'
  | 'integer'
  | 'string'
  | 'boolean'
  | 'enum'
  | 'number-list'
  | 'integer-list'
  /** A number or one of a few words (e.g. an AWR temperature: a number, or "beta"). */
  | 'number-or-word';

export interface SchemaField {
  /** Key path, e.g. "agent.actorLearningRate". */
  path: string;
  /** Top-level section ("agent"), "" for top-level scalars. */
  section: string;
  key: string;
  /** A readable label from the key: "actor learning rate". */
  label: string;
  type: FieldType;
  /** Choices of an enum field; the words a number-or-word field accepts. */
  choices: string[];
  /** The schema's description of the field (its help text). */
  description: string;
  default?: unknown;
  /** The field may be left out (an empty input removes it). */
  optional: boolean;
  /** The field belongs to an optional section (e.g. dataset): emptying a required field removes the section. */
  optionalParent: string | null;
  minimum?: number;
  maximum?: number;
  /** The bounds themselves are excluded (e.g. a learning rate > 0). */
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  additionalProperties?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
};

/**
 * A section that is a union discriminated by `kind` (the agent: SAC or ACER): its options by kind.
 * The form shows the `kind` choice and the fields of the chosen option.
 */
function kindUnion(schema: JsonSchema): Map<string, JsonSchema> | null {
  const options = schema.oneOf ?? schema.anyOf;
  if (!options || options.length < 2) return null;
  const byKind = new Map<string, JsonSchema>();
  for (const option of options) {
    const kind = option.properties?.kind?.const;
    if (typeof kind !== 'string') return null;
    byKind.set(kind, option);
  }
  return byKind;
}

/** The option of a kind union that `config` selects at `path` (its `kind`, else the first). */
function chosenOption(union: Map<string, JsonSchema>, config: unknown, path: string): [string, JsonSchema] {
  const kind = getAtPath(config, `${path}.kind`);
  const entry = typeof kind === 'string' ? union.get(kind) : undefined;
  return entry ? [kind as string, entry] : [...union.entries()][0];
}

/** "actorLearningRate" → "actor learning rate"; "roerMaxClip" → "roer max clip"; "perAlpha" → "per alpha". */
export function labelOf(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/** The words of a `number | "word" …` union (anyOf of string constants and one number), else null. */
function numberOrWords(schema: JsonSchema): string[] | null {
  if (!schema.anyOf) return null;
  const words = schema.anyOf.flatMap((option) =>
    typeof (option as { const?: unknown }).const === 'string' ? [(option as { const: string }).const] : [],
  );
  const numbers = schema.anyOf.filter((option) => option.type === 'number' || option.type === 'integer');
  return words.length > 0 && numbers.length === 1 && words.length + 1 === schema.anyOf.length ? words : null;
}

function fieldType(schema: JsonSchema): FieldType | null {
  if (numberOrWords(schema)) return 'number-or-word';
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return 'enum';
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'number' || type === 'integer' || type === 'string' || type === 'boolean') return type;
  if (type === 'array' && schema.items) {
    const item = schema.items.type;
    if (item === 'integer') return 'integer-list';
    if (item === 'number') return 'number-list';
  }
  return null;
}

/**
 * The form's fields from the run config's JSON Schema, depth first in schema order. Objects with
 * fixed properties become sections (an optional one, such as `dataset`, still shows its fields);
 * free-form records (env.options) and optional nested objects (beta.targetSchedule) are left to
 * the JSON editor, whose note names them (see `jsonOnlyPaths`).
 */
export function schemaFields(
  schema: unknown,
  prefix = '',
  optionalParent: string | null = null,
  config: unknown = {},
): SchemaField[] {
  const node = schema as JsonSchema;
  if (!node?.properties) return [];
  const required = new Set(node.required ?? []);
  const fields: SchemaField[] = [];
  for (const [key, child] of Object.entries(node.properties)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const optional = !required.has(key) && child.default === undefined;
    const union = kindUnion(child);
    if (union) {
      // the kind first, then the chosen kind's own fields
      const [, option] = chosenOption(union, config, path);
      const kinds = [...union.keys()];
      fields.push({
        path: `${path}.kind`,
        section: path.includes('.') ? path.slice(0, path.indexOf('.')) : path,
        key: 'kind',
        label: 'kind',
        type: 'enum',
        choices: kinds,
        description: child.description ?? '',
        default: kinds[0],
        optional: false,
        optionalParent,
      });
      const { kind: _kind, ...properties } = option.properties ?? {};
      fields.push(...schemaFields({ ...option, properties }, path, optionalParent, config));
      continue;
    }
    if (child.properties) {
      // a section one level down (agent, replay, …); deeper optional objects go to the JSON editor
      if (prefix !== '' && optional) continue;
      fields.push(...schemaFields(child, path, optional ? path : optionalParent, config));
      continue;
    }
    const type = fieldType(child);
    if (type === null) continue;
    const lower = child.minimum ?? child.exclusiveMinimum;
    const upper = child.maximum ?? child.exclusiveMaximum;
    fields.push({
      path,
      section: path.includes('.') ? path.slice(0, path.indexOf('.')) : '',
      key,
      label: labelOf(key),
      type,
      choices:
        type === 'enum' ? (child.enum as string[]) : type === 'number-or-word' ? numberOrWords(child)! : [],
      description: child.description ?? '',
      ...(child.default !== undefined ? { default: child.default } : {}),
      optional,
      optionalParent,
      ...(lower !== undefined && Math.abs(lower) < 1e15
        ? { minimum: lower, exclusiveMinimum: child.minimum === undefined }
        : {}),
      ...(upper !== undefined && Math.abs(upper) < 1e15
        ? { maximum: upper, exclusiveMaximum: child.maximum === undefined }
        : {}),
    });
  }
  return fields;
}

/** Key paths the schema has that the form does not show (edited as JSON). */
export function jsonOnlyPaths(schema: unknown, prefix = '', config: unknown = {}): string[] {
  const node = schema as JsonSchema;
  if (!node?.properties) return [];
  const paths: string[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const optional = !required.has(key) && child.default === undefined;
    const union = kindUnion(child);
    if (union) {
      const [, option] = chosenOption(union, config, path);
      paths.push(...jsonOnlyPaths(option, path, config).filter((p) => p !== `${path}.kind`));
      continue;
    }
    if (child.properties) {
      if (prefix !== '' && optional) paths.push(path);
      else paths.push(...jsonOnlyPaths(child, path, config));
    } else if (fieldType(child) === null) paths.push(path);
  }
  return paths;
}

/** A field's value as the text its input shows. */
export function formatFieldValue(field: SchemaField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/**
 * What a user typed, as the field's schema type: numbers accept 1e-3 and 10_000; lists accept
 * "256, 256" or "256 256". Text that does not parse is kept as typed, so the engine's validation
 * names the field (the form never drops an edit silently); the next valid entry parses again,
 * whatever was there before. `undefined` means "leave the key out" (an emptied optional field).
 */
export function parseFieldValue(field: SchemaField, text: string): unknown {
  const trimmed = text.trim();
  if (field.type === 'boolean') return trimmed === 'true';
  if (trimmed === '' && (field.optional || field.optionalParent !== null)) return undefined;
  if (field.type === 'number' || field.type === 'integer' || field.type === 'number-or-word') {
    if (field.type === 'number-or-word' && field.choices.includes(trimmed)) return trimmed;
    const number = Number(trimmed.replace(/_/g, ''));
    return trimmed !== '' && Number.isFinite(number) ? number : text;
  }
  if (field.type === 'number-list' || field.type === 'integer-list') {
    const parts = trimmed.split(/[\s,;×x]+/).filter(Boolean);
    const numbers = parts.map((part) => Number(part.replace(/_/g, '')));
    return parts.length > 0 && numbers.every(Number.isFinite) ? numbers : text;
  }
  return text;
}

/** Write what the user typed into `config` at the field: parsed, or removed (with its optional section) when emptied. */
export function applyFieldInput(config: unknown, field: SchemaField, text: string): Record<string, unknown> {
  const value = parseFieldValue(field, text);
  if (value === undefined && field.optionalParent !== null && !field.optional) {
    return setAtPath(config, field.optionalParent, undefined);
  }
  return setAtPath(config, field.path, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/** Planned number of updates of a run config: offline steps + updates per step × online steps after the random warm-up. */
export function plannedUpdates(config: unknown): number | null {
  const offline = getAtPath(config, 'offline.steps');
  const envSteps = getAtPath(config, 'online.envSteps');
  const perStep = getAtPath(config, 'online.updatesPerStep');
  const warmup = getAtPath(config, 'online.warmupSteps');
  if (typeof offline !== 'number' || typeof envSteps !== 'number') return null;
  const updating = Math.max(0, envSteps - (typeof warmup === 'number' ? warmup : 0));
  return offline + Math.round(updating * (typeof perStep === 'number' ? perStep : 1));
}
