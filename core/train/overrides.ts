/**
 * `--set key.path=value` overrides for run configs. The value is parsed as JSON when it parses
 * (numbers, booleans, null, arrays, objects) and kept as a string otherwise, so
 * `--set beta.kind=track` and `--set offline.steps=5000` both do what a user expects.
 */

export class OverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

export function parseOverride(text: string): { path: string[]; value: unknown } {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new OverrideError(`--set expects key.path=value, got "${text}"`);
  const key = text.slice(0, equals).trim();
  const raw = text.slice(equals + 1);
  const path = key.split('.');
  if (
    path.some((part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype')
  ) {
    throw new OverrideError(`--set has an invalid key path "${key}"`);
  }
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // not JSON: keep the text
  }
  return { path, value };
}

/** Return a deep copy of `config` with each override applied in order. */
export function applyOverrides(config: unknown, overrides: string[]): unknown {
  const result = structuredClone(config ?? {}) as Record<string, unknown>;
  for (const text of overrides) {
    const { path, value } = parseOverride(text);
    let node: Record<string, unknown> = result;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined || next === null) node[part] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        throw new OverrideError(`--set ${path.join('.')}: "${part}" is not a section`);
      }
      node = node[part] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  return result;
}
