/**
 * Shared pieces of the end-to-end tests: starting `o2o serve` (from source, through tsx) on a free
 * port, finding and launching Debian's chromium with playwright-core, and the artifacts folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');

/** Path for a screenshot or log kept after the tests (test-artifacts/ is git-ignored). */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export interface ServedApp {
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  output: () => string;
  /** Ctrl-C the server; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Run a TypeScript entry of this repository with Node through tsx, and wait for the printed URL. */
export function startNodeEntry(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServedApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`no URL printed within 90 s; output so far:\n${output}`));
    }, 90_000);
    const onData = (): void => {
      const match = /O2O Studio: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64}))/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({
        url: match[1],
        origin: `http://127.0.0.1:${match[2]}`,
        token: match[3],
        child,
        output: () => output,
        stop,
      });
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code} before printing a URL; output:\n${output}`));
    });
  });
}

/** Start `o2o serve --port 0 --runs DIR` from source. */
export function startServe(runsDirectory: string): Promise<ServedApp> {
  return startNodeEntry('core/cli/main.ts', ['serve', '--port', '0', '--runs', runsDirectory]);
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Debian's chromium (or O2O_CHROMIUM), or a reason why there is none. */
export function findChromium(): { path: string } | { reason: string } {
  const override = process.env.O2O_CHROMIUM;
  if (override)
    return existsSync(override) ? { path: override } : { reason: `O2O_CHROMIUM=${override} does not exist` };
  const found = CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));
  return found
    ? { path: found }
    : { reason: `no chromium at ${CHROMIUM_CANDIDATES.join(' or ')} (apt-get install chromium; CI does)` };
}

/** A headless chromium with a fresh profile. */
export async function launchChromium(executablePath: string): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'o2o-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
