/**
 * Browser mode: a local HTTP server that serves the built renderer and a WebSocket API, bound to
 * 127.0.0.1 only. Every request needs the random token printed in the URL: the first page load
 * carries it as `?token=…` and receives an HttpOnly, SameSite=Strict cookie for the asset requests
 * that follow; the WebSocket at `/api?token=…` must carry it and come from this server's own origin.
 * The Host header must name this server too, so a page on another site cannot reach it through
 * DNS rebinding.
 *
 * Nothing a client sends can stop the server (and the runs its engine hosts): a malformed request
 * line, a reset socket or a bad WebSocket frame ends that one connection. Every request handler
 * catches its own failures, every socket has an error handler, WebSocket messages are capped at
 * MAX_MESSAGE_BYTES, at most MAX_CLIENTS sockets are open at once, each socket may send at most
 * COMMAND_BURST commands at once and COMMANDS_PER_SECOND on average, and a client that stops
 * reading its event pushes is disconnected before its backlog fills the memory.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { CommandResponse, EventBatch, EventsPush } from '../common/protocol.js';
import { requestId } from './respond.js';

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
/** Largest request the WebSocket accepts (a run config is a few kilobytes); a larger frame closes the socket (1009). */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** WebSockets open at once (the app uses one per browser tab); more are refused with 503. */
export const MAX_CLIENTS = 16;
/** Commands one socket may send in a burst, and refilled per second: beyond them a command is answered 'rate-limited'. */
export const COMMAND_BURST = 100;
export const COMMANDS_PER_SECOND = 50;
/** Unsent bytes queued for one socket after which it is disconnected (a client that stopped reading). */
export const MAX_SOCKET_BACKLOG_BYTES = 32 << 20;
/** HTTP connections open at once. */
export const MAX_HTTP_CONNECTIONS = 128;
/** Time a client has to send its request headers, and its whole request. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;

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
  /** Told about each failure the server survived (a broken socket, a malformed request); default: ignored. */
  onError?: (message: string) => void;
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

/**
 * The URL of a request target, or undefined when the target is malformed (an absolute-form URL
 * with a port out of range, a bad IPv6 host…): `new URL` throws on those.
 */
export function parseRequestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

/**
 * A token bucket: `take()` is true while the socket stays within `burst` commands at once and
 * `perSecond` on average.
 */
export class CommandBudget {
  private tokens: number;
  private last: number;
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const time = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((time - this.last) / 1000) * this.perSecond);
    this.last = time;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
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
  if (response.headersSent) {
    response.destroy();
    return;
  }
  securityHeaders(response);
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${message}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // Do not wait for a client that never reads the refusal.
  setTimeout(() => socket.destroy(), 1000).unref();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error reply to a WebSocket request that could not be dispatched. */
function errorReply(id: number, message: string, code: string): string {
  return JSON.stringify({ id, error: { message, code } });
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? newToken();
  const root = resolve(options.rendererDirectory);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`${indexFile} is missing: build the user interface first (npm run build)`);
  }
  const report = (message: string): void => {
    try {
      options.onError?.(message);
    } catch {
      // a failing logger must not take the server down either
    }
  };
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
    const url = parseRequestUrl(request.url);
    if (!url) {
      refuse(response, 400, 'malformed request target');
      return;
    }
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
    let size: number;
    try {
      const stats = statSync(file);
      if (!stats.isFile()) throw new Error('not a file');
      size = stats.size;
    } catch {
      // Client-side routes (no file extension) get the app; missing assets get a 404.
      if (extname(url.pathname) !== '') {
        refuse(response, 404, 'not found');
        return;
      }
      file = indexFile;
      size = statSync(file).size;
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
      'Content-Length': size,
      'Cache-Control': file === indexFile ? 'no-store' : 'no-cache',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', (error) => {
      report(`reading ${file} failed: ${error.message}`);
      response.destroy();
    });
    stream.pipe(response);
  };

  const server: Server = createServer((request, response) => {
    response.on('error', (error) => report(`HTTP response failed: ${error.message}`));
    try {
      serveStatic(request, response);
    } catch (error) {
      report(`HTTP request failed: ${errorMessage(error)}`);
      refuse(response, 500, 'internal error');
    }
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_HTTP_CONNECTIONS;
  // A request Node cannot parse (garbage, headers too large, bad chunking): answer 400/431, close.
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (socket.writable && error.code !== 'ECONNRESET') {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
    } else socket.destroy();
  });
  server.on('error', (error) => report(`HTTP server error: ${error.message}`));

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    clientTracking: true,
    perMessageDeflate: false,
  });
  sockets.on('error', (error) => report(`WebSocket server error: ${error.message}`));

  const acceptUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const hosts = allowedHosts(port);
    const url = parseRequestUrl(request.url);
    if (!url) return refuseUpgrade(socket, 400, 'Bad Request');
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
    if (sockets.clients.size >= MAX_CLIENTS) return refuseUpgrade(socket, 503, 'Service Unavailable');
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without its error handler: a reset here would otherwise be fatal.
    socket.on('error', (error) => {
      report(`WebSocket upgrade socket failed: ${error.message}`);
      socket.destroy();
    });
    try {
      acceptUpgrade(request, socket, head);
    } catch (error) {
      report(`WebSocket upgrade failed: ${errorMessage(error)}`);
      refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  });

  /** Send unless the socket has closed; disconnect a client whose unsent backlog grew too large. */
  const send = (ws: WebSocket, message: string): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_SOCKET_BACKLOG_BYTES) {
      report('a WebSocket client stopped reading; disconnected');
      ws.terminate();
      return;
    }
    ws.send(message, (error) => {
      if (error) report(`WebSocket send failed: ${error.message}`);
    });
  };

  const receive = (ws: WebSocket, budget: CommandBudget, data: RawData, isBinary: boolean): void => {
    if (isBinary) {
      send(ws, errorReply(-1, 'send JSON text frames', 'invalid-request'));
      return;
    }
    let request: unknown;
    try {
      request = JSON.parse(data.toString());
    } catch {
      send(ws, errorReply(-1, 'a request must be JSON', 'invalid-request'));
      return;
    }
    if (!budget.take()) {
      send(
        ws,
        errorReply(
          requestId(request),
          `too many commands: at most ${COMMANDS_PER_SECOND} per second (bursts of ${COMMAND_BURST}); try again shortly`,
          'rate-limited',
        ),
      );
      return;
    }
    options.engine.handle(request).then(
      (response) => send(ws, JSON.stringify(response)),
      (error: unknown) => send(ws, errorReply(requestId(request), errorMessage(error), 'failed')),
    );
  };

  sockets.on('connection', (ws: WebSocket) => {
    const budget = new CommandBudget(COMMAND_BURST, COMMANDS_PER_SECOND);
    // A frame over the payload limit, invalid UTF-8 or a protocol violation: ws closes the socket
    // with the matching code (1009, 1007, 1002) and reports it here; the server carries on.
    ws.on('error', (error) => {
      report(`WebSocket closed after an error: ${error.message}`);
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      try {
        receive(ws, budget, data, isBinary);
      } catch (error) {
        report(`WebSocket message failed: ${errorMessage(error)}`);
      }
    });
  });

  const unsubscribe = options.engine.onEvents((batch) => {
    let message: string;
    try {
      message = JSON.stringify({ type: 'events', batch } satisfies EventsPush);
    } catch (error) {
      report(`an event batch could not be encoded: ${errorMessage(error)}`);
      return;
    }
    for (const client of sockets.clients) {
      try {
        send(client, message);
      } catch (error) {
        report(`WebSocket push failed: ${errorMessage(error)}`);
      }
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
