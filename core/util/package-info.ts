/** The package's own name and version, read once from the nearest package.json above this module. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
  /** Directory holding package.json (the repository or installed package root). */
  root: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const json = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'o2o-studio') {
        cached = { name: json.name, version: json.version ?? '0.0.0', root: dir };
        return cached;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json of o2o-studio not found above the running module');
    dir = parent;
  }
}
