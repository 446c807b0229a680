/**
 * Before the end-to-end tests: make sure the built renderer exists and is newer than its sources
 * (building it with `npm run build:renderer` when not), so the tests drive the current UI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function rendererIsCurrent(): boolean {
  const index = join(root, 'renderer', 'dist', 'index.html');
  if (!existsSync(index)) return false;
  const sources = Math.max(
    newestModification(join(root, 'renderer', 'src')),
    statSync(join(root, 'renderer', 'index.html')).mtimeMs,
  );
  return statSync(index).mtimeMs >= sources;
}

export default function setup(): void {
  if (rendererIsCurrent()) return;
  process.stdout.write('e2e: building the renderer (npm run build:renderer)…\n');
  execFileSync('npm', ['run', '--silent', 'build:renderer'], { cwd: root, stdio: 'inherit' });
}
