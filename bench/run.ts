/**
 * Benchmark runner: `npm run bench` runs every bench/*.bench.ts in its own process (so memory
 * figures are not polluted by other benchmarks); `npm run bench -- NAME [NAME …]` runs the named
 * ones (`sac-update` runs bench/sac-update.bench.ts), passing on flags written `--name=value`. Each benchmark prints one JSON line per figure.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
// Flags (written --name=value) are passed on to the benchmarks, e.g. `npm run bench -- learning --seeds=3`.
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('-'));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of requested.length > 0 ? requested : available) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.bench.ts`), ...flags], {
    stdio: 'inherit',
    env: process.env,
  });
  if (result.status !== 0) {
    console.error(`benchmark ${name} failed with exit code ${result.status}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
