/** User-typed paths: `~` expands to the home folder, relative paths resolve against a base folder. */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** `~` or `~/…` (also `~\…` on Windows) with the home folder put in; any other path unchanged. */
export function expandHome(path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** The absolute path a user means by `path`: `~` expanded, then resolved against `baseDirectory`. */
export function resolveUserPath(path: string, baseDirectory: string, home: string = homedir()): string {
  const expanded = expandHome(path.trim(), home);
  return isAbsolute(expanded) ? expanded : resolve(baseDirectory, expanded);
}
