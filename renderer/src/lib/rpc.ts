/**
 * Request/response matching for the WebSocket transport, independent of any socket so it can be
 * tested: each request gets a fresh numeric id; a reply {id, result} or {id, error} settles the
 * promise with that id, in whatever order replies arrive; pushed {type: 'events', batch} messages
 * go to the event listeners. Requests made while the socket is down wait in a queue and go out on
 * the next connection; requests already sent when the connection drops fail with 'disconnected'
 * (the engine may or may not have run them, so they are not silently re-sent).
 */
import type { ValidationIssue } from '../../../core/common/protocol.js';

/** An error answered by the engine (or the transport), with the protocol's code and key-path issues. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message of any thrown value, for showing to the user. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Any failure as an ApiError. The desktop bridge rejects with a plain object {message, code,
 * issues} (an Error would lose its code and issues crossing the context bridge); other hosts may
 * throw Errors carrying them; Electron prefixes messages of errors thrown in the main process.
 */
export function toApiError(error: unknown, method: string): ApiError {
  if (error instanceof ApiError) return error;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    const extra = error as { message: string; code?: unknown; issues?: unknown };
    const message = extra.message.replace(/^Error invoking remote method '[^']*': (Error: )?/, '');
    return new ApiError(
      message,
      typeof extra.code === 'string' ? extra.code : 'failed',
      Array.isArray(extra.issues) ? (extra.issues as ValidationIssue[]) : [],
    );
  }
  return new ApiError(`${method}: ${String(error)}`, 'failed');
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  method: string;
}

export interface EventsMessage {
  type: 'events';
  batch: unknown;
}

export class RpcClient {
  private nextId = 1;
  private readonly inFlight = new Map<number, Pending>();
  private readonly queue: { id: number; text: string }[] = [];
  private send: ((text: string) => void) | null = null;

  constructor(private readonly onPush: (message: EventsMessage) => void) {}

  /** Number of requests waiting for a reply or for a connection. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** The transport is open: flush queued requests through `send`. */
  connected(send: (text: string) => void): void {
    this.send = send;
    const queued = this.queue.splice(0);
    for (const { text } of queued) send(text);
  }

  /** The transport closed: fail every request already sent; queued ones wait for the next connection. */
  disconnected(reason: string): void {
    this.send = null;
    const queuedIds = new Set(this.queue.map((entry) => entry.id));
    for (const [id, pending] of this.inFlight) {
      if (queuedIds.has(id)) continue;
      this.inFlight.delete(id);
      pending.reject(new ApiError(`${pending.method}: connection lost (${reason})`, 'disconnected'));
    }
  }

  /** Give up on everything (e.g. the page is closing or the token was refused). */
  failAll(error: ApiError): void {
    this.queue.length = 0;
    for (const pending of this.inFlight.values()) pending.reject(error);
    this.inFlight.clear();
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject, method });
      if (this.send) this.send(text);
      else this.queue.push({ id, text });
    });
  }

  /** Handle one message from the engine. Returns false for a message it could not understand. */
  receive(text: string): boolean {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof message !== 'object' || message === null) return false;
    const record = message as Record<string, unknown>;
    if (record.type === 'events') {
      this.onPush({ type: 'events', batch: record.batch });
      return true;
    }
    if (typeof record.id !== 'number') return false;
    const pending = this.inFlight.get(record.id);
    if (!pending) return false;
    this.inFlight.delete(record.id);
    if ('error' in record && record.error !== undefined) {
      const error = (record.error ?? {}) as { message?: unknown; code?: unknown; issues?: unknown };
      pending.reject(
        new ApiError(
          typeof error.message === 'string' ? error.message : `${pending.method} failed`,
          typeof error.code === 'string' ? error.code : 'failed',
          Array.isArray(error.issues) ? (error.issues as ValidationIssue[]) : [],
        ),
      );
    } else {
      pending.resolve(record.result);
    }
    return true;
  }
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential backoff
 * delay = min(maxMs, baseMs·2^attempt), scaled by a jitter factor in [0.5, 1] so that several
 * pages do not reconnect in lockstep. `random` is injectable for tests.
 */
export function reconnectDelay(
  attempt: number,
  baseMs = 250,
  maxMs = 8000,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return exponential * (0.5 + 0.5 * random());
}

/** The WebSocket URL of the API for a page location, carrying the session token. */
export function apiSocketUrl(location: { protocol: string; host: string }, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}/api${query}`;
}

/** Remove the `token` query parameter from a URL (so it does not stay in the address bar or history). */
export function stripTokenFromUrl(href: string): { token: string | null; href: string } {
  const url = new URL(href);
  const token = url.searchParams.get('token');
  if (token === null) return { token: null, href };
  url.searchParams.delete('token');
  return { token, href: url.toString() };
}
