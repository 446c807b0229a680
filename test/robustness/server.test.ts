/**
 * The browser-mode server survives malformed HTTP requests and WebSocket frames (every probe of
 * server-probes.ts), and a run it hosts carries on through them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandBudget,
  MAX_CLIENTS,
  parseRequestUrl,
  startBrowserServer,
  type BrowserServer,
} from '../../core/server/browser-server.js';
import { EngineWorkerHost } from '../../core/server/engine-host.js';
import type { EventsPush } from '../../core/common/protocol.js';
import { call, openSocket, runServerProbes, SERVER_PROBES } from './server-probes.js';

let root: string;
let engine: EngineWorkerHost;
let server: BrowserServer;
const survivedErrors: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-probe-'));
  const renderer = join(root, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>O2O</title>');
  engine = await EngineWorkerHost.start({
    service: {
      runsDirectory: join(root, 'runs'),
      datasetsDirectory: join(root, 'datasets'),
      baseDirectory: root,
      mode: 'browser',
      version: '1.0.0',
      batcher: { intervalMs: 20, maxUpdatesPerBatch: 10 },
    },
    apiModule: pathToFileURL(join(import.meta.dirname, '..', 'core', 'server', 'fake-engine-api.ts')).href,
  });
  server = await startBrowserServer({
    engine,
    rendererDirectory: renderer,
    port: 0,
    onError: (message) => survivedErrors.push(message),
  });
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('malformed input for the browser-mode server', () => {
  it('has at least 20 probes', () => {
    expect(SERVER_PROBES.length).toBeGreaterThanOrEqual(20);
  });

  it('stays up through every probe while a run it hosts keeps going', async () => {
    const watcher = await openSocket(server);
    const pushes: EventsPush[] = [];
    watcher.on('message', (data) => {
      const message = JSON.parse(data.toString()) as EventsPush | { id: number };
      if ('type' in message) pushes.push(message);
    });
    const started = (await call(watcher, 1, 'runs.start', { config: { updates: 400 } })) as {
      result: { runId: string };
    };
    expect(started.result.runId).toBeTruthy();

    const results = await runServerProbes(server);
    const dead = results.filter((result) => !result.alive);
    expect(dead, JSON.stringify(dead)).toEqual([]);

    const byName = new Map(results.map((result) => [result.name, result.outcome]));
    expect(byName.get('absolute-form target with a port out of range')).toContain('400');
    expect(byName.get('WebSocket upgrade with a port out of range')).toContain('400');
    expect(byName.get('text frame over the payload limit')).toBe('closed by the server with code 1009');
    expect(byName.get('4-byte text frame with invalid UTF-8')).toBe('closed by the server with code 1007');
    expect(byName.get('command flood beyond the rate limit')).toMatch(
      /^500 of 500 answered, [1-9]\d* rate-limited$/,
    );
    // the watcher holds one of the MAX_CLIENTS places
    expect(byName.get('more WebSockets than the client cap')).toBe(`${MAX_CLIENTS - 1} opened, 5 refused`);

    // The hosted run was not disturbed: it reaches its end and its events keep arriving.
    const deadline = Date.now() + 20_000;
    const finished = () =>
      pushes.some((push) =>
        push.batch.events.some((event) => event.type === 'run' && event.state === 'finished'),
      );
    while (!finished() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished()).toBe(true);
    watcher.terminate();
    expect(survivedErrors.length).toBeGreaterThan(0);
  });
});

describe('server guards', () => {
  it('parses malformed request targets as undefined instead of throwing', () => {
    expect(parseRequestUrl('http://a:99999/')).toBeUndefined();
    expect(parseRequestUrl('http://[::1/')).toBeUndefined();
    expect(parseRequestUrl('/api?token=x')?.pathname).toBe('/api');
    expect(parseRequestUrl(undefined)?.pathname).toBe('/');
  });

  it('allows a burst, then the refill rate', () => {
    let now = 0;
    const budget = new CommandBudget(3, 2, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now = 500; // half a second refills one command
    expect([budget.take(), budget.take()]).toEqual([true, false]);
    now = 100_000; // never more than the burst
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
  });
});
