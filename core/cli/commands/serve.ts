/**
 * `o2o serve [--port P] [--runs DIR] [--data DIR …] [--exports DIR …] [--open]`: the browser mode. Starts the engine in a worker
 * thread and serves the built user interface plus its WebSocket API on 127.0.0.1 only, then prints
 * the URL with the access token. Ctrl-C stops the runs cleanly (final checkpoints) and exits.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { startBrowserServer, type BrowserServer } from '../../server/browser-server.js';
import { EngineWorkerHost } from '../../server/engine-host.js';
import { packageInfo } from '../../util/package-info.js';
import { ExitCode, UserFacingError } from '../errors.js';

export interface ServeOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Directory where runs are created and listed. */
  runsDirectory: string;
  /** Folders whose datasets the browser may open (besides the shipped datasets and the runs folder). */
  dataDirectories?: string[];
  /** Folders the browser may export policies into (besides the runs folder). */
  exportDirectories?: string[];
  /** Open the URL in the default browser. */
  open: boolean;
  /** Built renderer; default `<package>/renderer/dist`. */
  rendererDirectory?: string;
  /** Where the URL and status lines go; default stdout. */
  print?: (line: string) => void;
}

export interface RunningServe {
  server: BrowserServer;
  engine: EngineWorkerHost;
  /** Close the server and stop the engine (runs write final checkpoints). */
  close(): Promise<void>;
}

/** Parse `--port`: an integer in 0 … 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UserFacingError(`--port: expected an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

/** Start the engine worker and the server; prints `O2O Studio: <url>`. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const root = packageInfo().root;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rendererDirectory = options.rendererDirectory ?? join(root, 'renderer', 'dist');
  if (!existsSync(join(rendererDirectory, 'index.html'))) {
    throw new UserFacingError(
      `${join(rendererDirectory, 'index.html')} is missing: build the user interface first (npm run build)`,
    );
  }
  const engine = await EngineWorkerHost.start({
    service: {
      runsDirectory: resolve(options.runsDirectory),
      datasetsDirectory: join(root, 'datasets'),
      // Relative dataset and export paths typed in the app mean what they mean in this shell.
      baseDirectory: process.cwd(),
      dataDirectories: (options.dataDirectories ?? []).map((directory) => resolve(directory)),
      exportDirectories: (options.exportDirectories ?? []).map((directory) => resolve(directory)),
      mode: 'browser',
      version: packageInfo().version,
    },
  });
  let server: BrowserServer;
  try {
    server = await startBrowserServer({
      engine,
      rendererDirectory,
      port: options.port,
    });
  } catch (error) {
    await engine.close();
    const message =
      (error as Error & { code?: string }).code === 'EADDRINUSE'
        ? `port ${options.port} on 127.0.0.1 is in use; choose another with --port (0 picks a free one)`
        : (error as Error).message;
    throw new UserFacingError(message);
  }
  print(`O2O Studio: ${server.url}`);
  print('Open the URL in a browser; Ctrl-C stops the server (running trainings write a final checkpoint).');
  if (options.open) openInBrowser(server.url, print);
  return {
    server,
    engine,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}

/** Open `url` with the platform's default browser; failure is reported, not fatal. */
function openInBrowser(url: string, print: (line: string) => void): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', (error) => print(`could not open a browser (${error.message}); open the URL above`));
    child.unref();
  } catch (error) {
    print(`could not open a browser (${(error as Error).message}); open the URL above`);
  }
}

/**
 * Serve until SIGINT/SIGTERM, then shut down cleanly: runs write their final checkpoints, and a
 * shutdown that takes longer than `closeTimeoutMs` (an engine stuck in a command) ends the engine
 * anyway. A second signal ends it at once. An error nothing else caught also shuts down cleanly
 * (exit code 1) rather than taking the runs down without their checkpoints. Resolves with the exit code.
 */
export async function serveUntilSignal(options: ServeOptions & { closeTimeoutMs?: number }): Promise<number> {
  const running = await startServe(options);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const reason = await new Promise<'signal' | 'error'>((resolveStop) => {
    const onSignal = (): void => resolveStop('signal');
    const onError = (error: unknown): void => {
      print(
        `o2o serve: unexpected error (${error instanceof Error ? error.message : String(error)}); stopping`,
      );
      resolveStop('error');
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
  });
  const forceStop = (): void => {
    print('stopping now: runs keep their last checkpoints');
    void running.engine.terminate();
  };
  process.once('SIGINT', forceStop);
  process.once('SIGTERM', forceStop);
  print('stopping: runs write their final checkpoints… (Ctrl-C again to stop at once)');
  await running.server.close();
  const clean = await running.engine.close(options.closeTimeoutMs);
  if (!clean) print('the engine did not stop in time and was ended; runs keep their last checkpoints');
  process.off('SIGINT', forceStop);
  process.off('SIGTERM', forceStop);
  return reason === 'error' ? ExitCode.internal : ExitCode.interrupted;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the user interface to a browser on 127.0.0.1 (prints a URL with an access token)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--runs <dir>', 'directory where runs are created and listed', 'runs')
    .option(
      '--data <dir>',
      'a folder whose datasets the browser may open (repeatable; the shipped datasets and the runs folder always are)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--exports <dir>',
      'a folder the browser may export policies into (repeatable; the runs folder always is)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--open', 'open the URL in the default browser')
    .action(
      async (options: { port: string; runs: string; data: string[]; exports: string[]; open?: boolean }) => {
        process.exitCode = await serveUntilSignal({
          port: parsePort(options.port),
          runsDirectory: options.runs,
          dataDirectories: options.data,
          exportDirectories: options.exports,
          open: options.open === true,
        });
      },
    );
}
