#!/usr/bin/env node
/**
 * Build the native kernels (kernels.c → build/Release/o2o_kernels.node) with node-gyp, offline:
 * Node's headers come from the Node installation itself when it ships them (include/node), and BLAS
 * is linked statically (OpenBLAS's libopenblas.a on Linux) so the result runs on a machine without
 * OpenBLAS; on macOS it links the system's Accelerate framework.
 *
 * Run by `npm install` (postinstall) and `npm run build`. A build that cannot happen is not an error:
 * the engine then uses the wasm kernels, and this script says why in one line. Flags:
 *   --force   rebuild even when the addon is newer than its sources
 *   --strict  exit 1 when the addon cannot be built (CI uses it)
 * Environment: O2O_NATIVE=off skips the build; O2O_BLAS_LIBRARY / O2O_BLAS_INCLUDE point at another
 * static BLAS library and its cblas.h.
 */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, 'build', 'Release', 'o2o_kernels.node');
const sources = [join(here, 'kernels.c'), join(here, 'binding.gyp'), fileURLToPath(import.meta.url)];
const args = new Set(process.argv.slice(2));
const strict = args.has('--strict');

function done(message, ok) {
  process.stdout.write(`native kernels: ${message}\n`);
  process.exit(ok || !strict ? 0 : 1);
}

function upToDate() {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return sources.every((file) => statSync(file).mtimeMs <= built);
}

/** node-gyp: the copy npm passes to scripts, else npm's bundled copy next to this Node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((file) => file && existsSync(file));
}

/** The Node installation's own headers, so node-gyp needs no download. */
function nodeDirectory() {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** A static OpenBLAS and the directory of its cblas.h. */
function staticBlas() {
  if (process.env.O2O_BLAS_LIBRARY) {
    return { library: process.env.O2O_BLAS_LIBRARY, include: process.env.O2O_BLAS_INCLUDE ?? '/usr/include' };
  }
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[arch()] ?? `${arch()}-linux-gnu`;
  const pairs = [
    [`/usr/lib/${triplet}/openblas-pthread/libopenblas.a`, `/usr/include/${triplet}/openblas-pthread`],
    [`/usr/lib/${triplet}/openblas-serial/libopenblas.a`, `/usr/include/${triplet}/openblas-serial`],
    [`/usr/lib/${triplet}/libopenblas.a`, `/usr/include/${triplet}`],
    ['/usr/lib64/libopenblas.a', '/usr/include/openblas'],
    ['/usr/local/lib/libopenblas.a', '/usr/local/include'],
  ];
  for (const [library, include] of pairs) {
    if (existsSync(library) && existsSync(join(include, 'cblas.h'))) return { library, include };
  }
  return undefined;
}

if (process.env.O2O_NATIVE === 'off')
  done('skipped (O2O_NATIVE=off); the engine uses the wasm kernels', true);
if (!args.has('--force') && upToDate()) done('up to date', true);

const gyp = nodeGyp();
if (!gyp)
  done('not built: node-gyp was not found (it ships with npm); the engine uses the wasm kernels', false);

const defines = [];
if (platform() === 'darwin') {
  defines.push('-Duse_accelerate=true');
} else if (platform() === 'win32') {
  done('not built: Windows builds are not supported yet; the engine uses the wasm kernels', false);
} else {
  const blas = staticBlas();
  if (!blas) {
    done(
      'not built: no static OpenBLAS found (on Debian/Ubuntu: apt-get install libopenblas-dev); the engine uses the wasm kernels',
      false,
    );
  }
  defines.push(`-Dblas_library=${blas.library}`, `-Dblas_include=${blas.include}`);
}

const nodedir = nodeDirectory();
const gypArgs = [
  gyp,
  'rebuild',
  `--directory=${here}`,
  ...(nodedir ? [`--nodedir=${nodedir}`] : []),
  '--',
  ...defines,
];
const result = spawnSync(process.execPath, gypArgs, { encoding: 'utf8' });
if (result.status !== 0 || !existsSync(output)) {
  const lines = `${result.stderr ?? ''}${result.error?.message ?? ''}`
    .split('\n')
    .filter((line) => /error|not found|cannot|fatal/i.test(line))
    .slice(-3)
    .join(' | ');
  done(
    `not built: node-gyp failed${lines ? ` (${lines.trim()})` : ''}; the engine uses the wasm kernels`,
    false,
  );
}
done(`built ${platform() === 'darwin' ? 'against Accelerate' : 'with static OpenBLAS'}`, true);
