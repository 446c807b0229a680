/**
 * Browser mode: a local HTTP server that serves the built renderer and a WebSocket API, bound to
 * 127.0.0.1 only. Every request needs the random token printed in the URL: the first page load
 * carries it as `?token=…` and receives an HttpOnly, SameSite=Strict cookie for the asset requests
 * that follow; the WebSocket at `/api?token=…` must carry it and come from this server's own origin.
 * The Host header must name this server too, so a page on another site cannot reach it through
 * DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CommandResponse, EventBatch, EventsPush } from './protocol.js';

/** The Content-Security-Policy of every served page. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:*";

/**
 * Name of the token cookie for a server on `port`. Cookies are scoped by host, not port, so two
 * servers on 127.0.0.1 would otherwise overwrite each other's cookie.
 */
export function tokenCookieName(port: number): string {
  return `o2o_token_${port}`;
}
export const API_PATH = '/api';
/** Largest request the WebSocket accepts (a run config is a few kilobytes). */
export const MAX_MESSAGE_BYTES = 1 << 20;

/** Content types of the files the renderer build ships, by lower-case extension. */
export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the server needs from the engine: run a request, and subscribe to event batches. */
export interface EngineEndpoint {
  handle(request: unknown): Promise<CommandResponse>;
  onEvents(listener: (batch: EventBatch) => void): () => void;
}

export interface BrowserServerOptions {
  engine: EngineEndpoint;
  /** Directory of the built renderer (holds index.html). */
  rendererDirectory: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Token to require; default 32 random bytes in hex. */
  token?: string;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A fresh random token: 32 bytes as 64 hex digits. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** Host names this server answers to on `port` (what a browser sends as Host, and in Origin). */
function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** The file under `root` a URL path names, or undefined when it would leave `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const base = resolve(root);
  const target = resolve(base, normalize(`.${sep}${decoded}`));
  if (target !== base && !target.startsWith(base + sep)) return undefined;
  return target;
}

function securityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function refuse(response: ServerResponse, status: number, message: string): void {
  securityHeaders(response);
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${message}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? newToken();
  const root = resolve(options.rendererDirectory);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`${indexFile} is missing: build the user interface first (npm run build)`);
  }
  let port = options.port ?? 0;

  /** 401 when no token came at all, 403 when a wrong one did; undefined when authorised. */
  const authorise = (request: IncomingMessage, url: URL): { status: number; message: string } | undefined => {
    const presented =
      url.searchParams.get('token') ?? readCookie(request.headers.cookie, tokenCookieName(port));
    if (presented === undefined || presented === null || presented === '') {
      return { status: 401, message: 'token required: open the URL that `o2o serve` printed' };
    }
    if (!tokenMatches(presented, token)) return { status: 403, message: 'wrong token' };
    return undefined;
  };

  const serveStatic = (request: IncomingMessage, response: ServerResponse): void => {
    if (!allowedHosts(port).has(request.headers.host ?? '')) {
      refuse(response, 403, 'unexpected Host header');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      refuse(response, 405, 'method not allowed');
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const denied = authorise(request, url);
    if (denied) {
      refuse(response, denied.status, denied.message);
      return;
    }
    let file = resolveStaticPath(root, url.pathname);
    if (file === undefined) {
      refuse(response, 404, 'not found');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      // Client-side routes (no file extension) get the app; missing assets get a 404.
      if (extname(url.pathname) !== '') {
        refuse(response, 404, 'not found');
        return;
      }
      file = indexFile;
    }
    securityHeaders(response);
    if (url.searchParams.has('token')) {
      response.setHeader(
        'Set-Cookie',
        `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    response.writeHead(200, {
      'Content-Type': type,
      'Content-Length': statSync(file).size,
      'Cache-Control': file === indexFile ? 'no-store' : 'no-cache',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  };

  const server: Server = createServer(serveStatic);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const hosts = allowedHosts(port);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== API_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hosts.has(request.headers.host ?? '')) return refuseUpgrade(socket, 403, 'Forbidden');
    const origin = request.headers.origin;
    if (
      origin === undefined ||
      !hosts.has(origin.replace(/^http:\/\//, '')) ||
      !origin.startsWith('http://')
    ) {
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const presented = url.searchParams.get('token');
    if (!presented) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!tokenMatches(presented, token)) return refuseUpgrade(socket, 403, 'Forbidden');
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(
          JSON.stringify({ id: -1, error: { message: 'send JSON text frames', code: 'invalid-request' } }),
        );
        return;
      }
      let request: unknown;
      try {
        request = JSON.parse(data.toString());
      } catch {
        ws.send(
          JSON.stringify({ id: -1, error: { message: 'a request must be JSON', code: 'invalid-request' } }),
        );
        return;
      }
      void options.engine.handle(request).then((response) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
      });
    });
  });

  const unsubscribe = options.engine.onEvents((batch) => {
    const message = JSON.stringify({ type: 'events', batch } satisfies EventsPush);
    for (const client of sockets.clients) {
      if (client.readyState === client.OPEN) client.send(message);
    }
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolveClose) => sockets.close(() => resolveClose()));
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
