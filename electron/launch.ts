/**
 * `npm start`: start the desktop app, or, where no Electron binary can run, say why and fall back
 * to the browser mode (`o2o serve`), printing the URL to open.
 *
 * The Electron binary is looked up the way the `electron` package does (its path.txt and dist/,
 * or ELECTRON_OVERRIDE_DIST_PATH) without requiring the package, because requiring it starts a
 * download when the binary is missing — which cannot succeed on a machine without network access.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parsePort, serveUntilSignal } from '../core/cli/commands/serve.js';
import { packageInfo } from '../core/util/package-info.js';

export type ElectronLookup = { ok: true; binary: string } | { ok: false; reason: string };

/** Exit within this many milliseconds of a start counts as "Electron cannot run here". */
const EARLY_EXIT_MS = 5_000;

/** Find the Electron binary without triggering a download; explain when there is none. */
export function findElectronBinary(
  env: NodeJS.ProcessEnv = process.env,
  electronPackageJson?: string,
  platform: NodeJS.Platform = process.platform,
): ElectronLookup {
  let manifest = electronPackageJson;
  if (manifest === undefined) {
    try {
      manifest = createRequire(import.meta.url).resolve('electron/package.json');
    } catch {
      return { ok: false, reason: 'the electron package is not installed (npm install)' };
    }
  }
  const packageDirectory = dirname(manifest);
  const pathFile = join(packageDirectory, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const binary = join(override, relative ?? (platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(binary)
      ? { ok: true, binary }
      : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${binary} does not exist` };
  }
  if (relative === undefined) {
    return {
      ok: false,
      reason:
        'the Electron binary was never downloaded (electron/path.txt is missing; its install step needs network access)',
    };
  }
  const binary = join(packageDirectory, 'dist', relative);
  if (!existsSync(binary)) return { ok: false, reason: `the Electron binary ${binary} is missing` };
  return { ok: true, binary };
}

/** Reasons a found binary still cannot show a window here, or undefined when it can. */
export function displayProblem(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform !== 'linux') return undefined;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/** Check that the binary runs at all (missing shared libraries show up here). */
function binaryProblem(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  if (result.error) return `the Electron binary cannot run (${result.error.message})`;
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || '').trim().split('\n')[0] ?? '';
    return `the Electron binary exits with code ${result.status}${detail ? ` (${detail})` : ''}`;
  }
  return undefined;
}

export interface LaunchOptions {
  port: number;
  runsDirectory: string;
  /** Open the browser-mode URL in the default browser; default: when there is a display. */
  open: boolean | undefined;
}

/** Flags of the browser-mode fallback: --port P, --runs DIR, --open / --no-open. */
export function parseLaunchArguments(argv: string[]): LaunchOptions {
  const options: LaunchOptions = { port: 0, runsDirectory: 'runs', open: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--port' && value !== undefined) {
      options.port = parsePort(value);
      i++;
    } else if (flag === '--runs' && value !== undefined) {
      options.runsDirectory = value;
      i++;
    } else if (flag === '--open' || flag === '--no-open') {
      options.open = flag === '--open';
    } else {
      throw new Error(
        `unknown argument "${flag}"; expected --port P, --runs DIR, --open or --no-open (browser mode fallback only)`,
      );
    }
  }
  return options;
}

async function fallBackToBrowser(reason: string, options: LaunchOptions): Promise<number> {
  process.stdout.write(`Electron cannot start here: ${reason}.\nFalling back to the browser mode.\n`);
  return serveUntilSignal({
    port: options.port,
    runsDirectory: options.runsDirectory,
    open: options.open ?? displayProblem() === undefined,
  });
}

/** Run Electron on the app; resolves with its exit code, or with a reason when it died at start-up. */
function runElectron(binary: string): Promise<{ code: number } | { reason: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(binary, [packageInfo().root], { stdio: 'inherit', env });
    child.on('error', (error) => resolve({ reason: `Electron failed to start (${error.message})` }));
    child.on('exit', (code, signal) => {
      const exitCode = code ?? (signal ? 1 : 0);
      if (exitCode !== 0 && Date.now() - started < EARLY_EXIT_MS) {
        resolve({ reason: `Electron exited with code ${exitCode} during start-up` });
      } else {
        resolve({ code: exitCode });
      }
    });
  });
}

export async function launch(argv: string[]): Promise<number> {
  const options = parseLaunchArguments(argv);
  const lookup = findElectronBinary();
  if (!lookup.ok) return fallBackToBrowser(lookup.reason, options);
  const problem = displayProblem() ?? binaryProblem(lookup.binary);
  if (problem) return fallBackToBrowser(problem, options);
  const outcome = await runElectron(lookup.binary);
  if ('reason' in outcome) return fallBackToBrowser(outcome.reason, options);
  return outcome.code;
}
