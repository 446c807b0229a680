import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  CONTENT_SECURITY_POLICY,
  readCookie,
  resolveStaticPath,
  startBrowserServer,
  tokenMatches,
  type BrowserServer,
} from '../../../core/server/browser-server.js';
import { EngineWorkerHost } from '../../../core/server/engine-host.js';
import type { CommandResponse, EventsPush } from '../../../core/common/protocol.js';

let root: string;
let engine: EngineWorkerHost;
let server: BrowserServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-serve-'));
  const renderer = join(root, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(
    join(renderer, 'index.html'),
    '<!doctype html><title>O2O</title><script src="/assets/app.js"></script>',
  );
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(renderer, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
  engine = await EngineWorkerHost.start({
    service: {
      runsDirectory: join(root, 'runs'),
      datasetsDirectory: join(root, 'datasets'),
      baseDirectory: root,
      mode: 'browser',
      version: '1.2.3',
      batcher: { intervalMs: 20, maxUpdatesPerBatch: 10 },
    },
    apiModule: pathToFileURL(join(import.meta.dirname, 'fake-engine-api.ts')).href,
  });
  server = await startBrowserServer({ engine, rendererDirectory: renderer, port: 0 });
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function connect(
  query: string,
  origin: string | null = `http://127.0.0.1:${server.port}`,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Send requests and collect replies by id; pushes go to `pushes`. */
function client(ws: WebSocket) {
  const waiting = new Map<number, (response: CommandResponse) => void>();
  const pushes: EventsPush[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as CommandResponse | EventsPush;
    if ('type' in message) pushes.push(message);
    else waiting.get(message.id)?.(message);
  });
  let nextId = 1;
  return {
    pushes,
    call(method: string, params: unknown): Promise<CommandResponse> {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
  };
}

describe('browser mode server', () => {
  it('prints a 127.0.0.1 URL with a 32-byte hex token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses pages without a token (401) or with a wrong one (403)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get('/?token=' + 'f'.repeat(64))).status).toBe(403);
    expect((await get('/assets/app.js', { cookie: `o2o_token_${server.port}=wrong` })).status).toBe(403);
    // Another server's cookie on the same host is not this server's token.
    expect((await get('/assets/app.js', { cookie: `o2o_token_1=${server.token}` })).status).toBe(401);
  });

  it('serves the page with the token, sets a strict HttpOnly cookie, and assets then pass with it', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.body).toContain('<title>O2O</title>');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`o2o_token_${server.port}=${server.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const cookieHeader = { cookie: `o2o_token_${server.port}=${server.token}` };
    const script = await get('/assets/app.js', cookieHeader);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/assets/style.css', cookieHeader)).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    // Client-side routes get the app; missing assets are 404.
    expect((await get('/runs/live', cookieHeader)).body).toContain('<title>O2O</title>');
    expect((await get('/assets/missing.js', cookieHeader)).status).toBe(404);
    expect((await get('/', cookieHeader, 'POST')).status).toBe(405);
  });

  it('never serves files outside the renderer', async () => {
    const cookieHeader = { cookie: `o2o_token_${server.port}=${server.token}` };
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const reply = await get(path, cookieHeader);
      expect(reply.body).not.toContain('outside the renderer');
    }
    expect(resolveStaticPath('/srv/app', '/../etc/passwd')).toBeUndefined();
    expect(resolveStaticPath('/srv/app', '/assets/a.js')).toBe('/srv/app/assets/a.js');
    expect(resolveStaticPath('/srv/app', '/%00')).toBeUndefined();
    expect(resolveStaticPath('/srv/app', '/%E0%A4%A')).toBeUndefined();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const reply = await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` });
    expect(reply.status).toBe(403);
  });

  it('refuses WebSockets without the token, with a wrong one, or from another origin', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
    await expect(connect('?token=abc')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${server.token}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${server.token}`, null)).rejects.toThrow('HTTP 403');
  });

  it('answers commands over the WebSocket, validated, through the engine worker', async () => {
    const ws = await connect(`?token=${server.token}`);
    const api = client(ws);
    expect(await api.call('app.info', {})).toMatchObject({
      id: 1,
      result: { version: '1.2.3', mode: 'browser' },
    });
    expect(await api.call('runs.pause', { runId: '../../etc' })).toMatchObject({
      error: { code: 'invalid-params' },
    });
    expect(await api.call('rm -rf', {})).toMatchObject({ error: { code: 'unknown-method' } });
    const garbage = await new Promise<CommandResponse>((resolve) => {
      ws.once('message', (data) => resolve(JSON.parse(data.toString()) as CommandResponse));
      ws.send('{not json');
    });
    expect(garbage).toMatchObject({ id: -1, error: { code: 'invalid-request' } });
    ws.close();
  });

  it('pushes event batches of a run to connected clients', async () => {
    const ws = await connect(`?token=${server.token}`);
    const api = client(ws);
    const started = await api.call('runs.start', { config: { updates: 30 }, name: 'pushed' });
    if (!('result' in started)) throw new Error(JSON.stringify(started));
    const { runId } = started.result as { runId: string };
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      !api.pushes.some((p) => p.batch.events.some((e) => e.type === 'run' && e.state === 'finished'))
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const updates = api.pushes.flatMap((push) =>
      push.batch.events.filter((event) => event.type === 'update'),
    );
    expect(api.pushes.every((push) => push.type === 'events' && push.batch.runId === runId)).toBe(true);
    expect(updates.at(-1)).toMatchObject({ step: 30 });
    ws.close();
  });
});

describe('token helpers', () => {
  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('reads one cookie among several', () => {
    expect(readCookie('a=1; o2o_token=xyz; b=2', 'o2o_token')).toBe('xyz');
    expect(readCookie('a=1', 'o2o_token')).toBeUndefined();
    expect(readCookie(undefined, 'o2o_token')).toBeUndefined();
  });
});
