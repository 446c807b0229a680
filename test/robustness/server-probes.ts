/**
 * Malformed input for the browser-mode server: raw HTTP requests Node or the URL parser cannot
 * read, WebSocket handshakes and frames that break the protocol, oversized and invalid messages,
 * floods of commands and of connections. Each probe sends its input and waits until the server
 * answered or dropped the connection; after each one the server must still serve the page and
 * answer a command over a fresh WebSocket.
 */
import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { COMMAND_BURST, MAX_CLIENTS, MAX_MESSAGE_BYTES } from '../../core/server/browser-server.js';

export interface ServerTarget {
  port: number;
  token: string;
}

export interface ProbeResult {
  name: string;
  /** What the server did with the input. */
  outcome: string;
  /** The server answered the page and a command afterwards. */
  alive: boolean;
  /** Why the probe counts as failed, when it does. */
  problem?: string;
}

interface Probe {
  name: string;
  run(target: ServerTarget): Promise<string>;
}

const WAIT_MS = 5000;

/** Send raw bytes; resolve with the first line of the answer, or how the connection ended. */
function sendRaw(port: number, chunks: (string | Buffer)[], closeAfterSend = false): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    let answer = '';
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(answer ? firstLine(answer) : 'no answer (still open)'), WAIT_MS);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (closeAfterSend) finish('closed by the client');
    });
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      if (answer.includes('\r\n')) finish(firstLine(answer));
    });
    socket.on('error', (error) =>
      finish(`connection error ${(error as NodeJS.ErrnoException).code ?? error.message}`),
    );
    socket.on('close', () => finish(answer ? firstLine(answer) : 'closed without an answer'));
  });
}

function firstLine(text: string): string {
  return text.split('\r\n')[0];
}

function upgradeRequest(target: ServerTarget, path = `/api?token=${target.token}`, extra = ''): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nOrigin: http://127.0.0.1:${target.port}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
    `Sec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
}

/** A WebSocket frame, masked as a client's must be unless `mask` is false. */
export function frame(options: {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** Write this length instead of the payload's (a lie). */
  declaredLength?: bigint;
}): Buffer {
  const { opcode, payload } = options;
  const fin = options.fin ?? true;
  const mask = options.mask ?? true;
  const length = options.declaredLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  const key = mask ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), extended, key, body]);
}

/**
 * Complete a handshake on a raw socket, send `frames`, and resolve with how the server reacted:
 * the close code it sent, a reply, or that it dropped the connection.
 */
function sendFrames(target: ServerTarget, frames: Buffer[]): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connectTcp(target.port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('no reaction (connection still open)'), WAIT_MS);
    socket.on('connect', () => socket.write(upgradeRequest(target)));
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = firstLine(buffer.subarray(0, end).toString('latin1'));
        if (!status.includes(' 101 ')) return finish(`handshake refused: ${status}`);
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        for (const item of frames) socket.write(item);
      }
      // Server frames (unmasked): a close (0x8) with its code, or a reply; event pushes are skipped.
      for (;;) {
        const parsed = readServerFrame(buffer);
        if (!parsed) return;
        buffer = buffer.subarray(parsed.size);
        if (parsed.opcode === 0x8) {
          const code = parsed.payload.length >= 2 ? parsed.payload.readUInt16BE(0) : 1005;
          return finish(`closed by the server with code ${code}`);
        }
        if (parsed.opcode === 0x1 && !parsed.payload.toString().startsWith('{"type":"events"')) {
          return finish('answered with a text frame');
        }
      }
    });
    socket.on('error', (error) =>
      finish(`connection error ${(error as NodeJS.ErrnoException).code ?? error.message}`),
    );
    socket.on('close', () => finish(upgraded ? 'dropped by the server' : 'closed before the handshake'));
  });
}

/** The first whole frame the server sent in `buffer`, or undefined while it is incomplete. */
function readServerFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  let length = buffer[1] & 0x7f;
  let at = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    at = 10;
  }
  if (buffer.length < at + length) return undefined;
  return { opcode: buffer[0] & 0x0f, payload: buffer.subarray(at, at + length), size: at + length };
}

/** Open a WebSocket the way the app does. */
export function openSocket(target: ServerTarget): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${target.port}/api?token=${target.token}`, {
      origin: `http://127.0.0.1:${target.port}`,
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => {
      ws.terminate();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
    ws.once('error', reject);
  });
}

/** Send one command on `ws` and wait for its reply. */
export function call(ws: WebSocket, id: number, method: string, params: unknown = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${method} within ${WAIT_MS} ms`)), WAIT_MS);
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number };
      if (message.id !== id) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

/** The server serves the page and answers `app.info` on a fresh WebSocket. */
export async function serverAlive(target: ServerTarget): Promise<boolean> {
  try {
    const page = await sendRaw(target.port, [
      `GET /?token=${target.token} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nConnection: close\r\n\r\n`,
    ]);
    if (!page.includes(' 200 ')) return false;
    const ws = await openSocket(target);
    try {
      const reply = (await call(ws, 1, 'app.info')) as { result?: unknown };
      return reply.result !== undefined;
    } finally {
      ws.terminate();
    }
  } catch {
    return false;
  }
}

const text = (value: string) => Buffer.from(value, 'utf8');
const host = (target: ServerTarget) => `Host: 127.0.0.1:${target.port}\r\n`;

export const SERVER_PROBES: Probe[] = [
  // ---- HTTP: request lines and headers the server must survive
  {
    name: 'absolute-form target with a port out of range',
    run: (t) => sendRaw(t.port, [`GET http://a:99999/ HTTP/1.1\r\n${host(t)}\r\n`]),
  },
  {
    name: 'absolute-form target with a broken IPv6 host',
    run: (t) => sendRaw(t.port, [`GET http://[::1/ HTTP/1.1\r\n${host(t)}\r\n`]),
  },
  {
    name: 'scheme-relative target with a port out of range',
    run: (t) => sendRaw(t.port, [`GET //a:99999/x HTTP/1.1\r\n${host(t)}\r\n`]),
  },
  {
    name: 'malformed target with the token in a cookie',
    run: (t) =>
      sendRaw(t.port, [
        `GET http://a:99999/assets/x.js HTTP/1.1\r\n${host(t)}Cookie: o2o_token_${t.port}=${t.token}\r\n\r\n`,
      ]),
  },
  { name: 'bytes that are not HTTP', run: (t) => sendRaw(t.port, [randomBytes(512)]) },
  {
    name: 'request line with control characters',
    run: (t) => sendRaw(t.port, [`GET /\u0000\u0007 HTTP/1.1\r\n${host(t)}\r\n`]),
  },
  {
    name: 'headers larger than the limit',
    run: (t) => sendRaw(t.port, [`GET / HTTP/1.1\r\n${host(t)}X-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`]),
  },
  {
    name: 'a 100 kB request target',
    run: (t) => sendRaw(t.port, [`GET /${'%41'.repeat(34_000)} HTTP/1.1\r\n${host(t)}\r\n`]),
  },
  { name: 'no Host header', run: (t) => sendRaw(t.port, [`GET /?token=${t.token} HTTP/1.1\r\n\r\n`]) },
  {
    name: 'invalid percent-encoding in the path',
    run: (t) => sendRaw(t.port, [`GET /%E0%A4%A?token=${t.token} HTTP/1.1\r\n${host(t)}\r\n`]),
  },
  {
    name: 'malformed chunked body',
    run: (t) =>
      sendRaw(t.port, [
        `POST / HTTP/1.1\r\n${host(t)}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`,
      ]),
  },
  {
    name: 'conflicting Content-Length headers',
    run: (t) =>
      sendRaw(t.port, [`POST / HTTP/1.1\r\n${host(t)}Content-Length: 5\r\nContent-Length: 7\r\n\r\nhello`]),
  },
  {
    name: 'a cookie header without values',
    run: (t) =>
      sendRaw(t.port, [`GET /assets/x.js HTTP/1.1\r\n${host(t)}Cookie: ;;=;o2o_token_${t.port}\r\n\r\n`]),
  },
  {
    name: 'headers cut off by the client',
    run: (t) => sendRaw(t.port, [`GET /?token=${t.token} HTTP/1.1\r\nHo`], true),
  },
  // ---- WebSocket handshakes
  {
    name: 'WebSocket upgrade with a port out of range',
    run: (t) => sendRaw(t.port, [upgradeRequest(t, `http://a:99999/api?token=${t.token}`)]),
  },
  {
    name: 'WebSocket upgrade with a broken IPv6 target',
    run: (t) => sendRaw(t.port, [upgradeRequest(t, 'http://[::1/api')]),
  },
  {
    name: 'WebSocket upgrade with an invalid key',
    run: (t) =>
      sendRaw(t.port, [
        `GET /api?token=${t.token} HTTP/1.1\r\n${host(t)}Origin: http://127.0.0.1:${t.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ]),
  },
  {
    name: 'WebSocket upgrade with an unsupported version',
    run: (t) =>
      sendRaw(t.port, [
        `GET /api?token=${t.token} HTTP/1.1\r\n${host(t)}Origin: http://127.0.0.1:${t.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 99\r\n\r\n`,
      ]),
  },
  {
    name: 'WebSocket upgrade reset by the client mid-handshake',
    run: (t) => sendRaw(t.port, [upgradeRequest(t)], true),
  },
  // ---- WebSocket frames after a good handshake
  {
    name: 'text frame over the payload limit',
    run: (t) => sendFrames(t, [frame({ opcode: 0x1, payload: Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20) })]),
  },
  {
    name: 'declared 2^63-byte frame',
    run: (t) => sendFrames(t, [frame({ opcode: 0x1, payload: Buffer.alloc(0), declaredLength: 1n << 62n })]),
  },
  {
    name: '4-byte text frame with invalid UTF-8',
    run: (t) => sendFrames(t, [frame({ opcode: 0x1, payload: Buffer.from([0xff, 0xfe, 0xc3, 0x28]) })]),
  },
  {
    name: 'unmasked client frame',
    run: (t) => sendFrames(t, [frame({ opcode: 0x1, payload: text('{}'), mask: false })]),
  },
  {
    name: 'reserved bits set without an extension',
    run: (t) => sendFrames(t, [frame({ opcode: 0x1, payload: text('{}'), rsv: 0b100 })]),
  },
  { name: 'reserved opcode 0x3', run: (t) => sendFrames(t, [frame({ opcode: 0x3, payload: text('x') })]) },
  {
    name: 'ping larger than 125 bytes',
    run: (t) => sendFrames(t, [frame({ opcode: 0x9, payload: Buffer.alloc(200) })]),
  },
  {
    name: 'fragmented control frame',
    run: (t) => sendFrames(t, [frame({ opcode: 0x9, payload: text('x'), fin: false })]),
  },
  {
    name: 'continuation frame without a first fragment',
    run: (t) => sendFrames(t, [frame({ opcode: 0x0, payload: text('{}') })]),
  },
  {
    name: 'close frame with an invalid code',
    run: (t) => sendFrames(t, [frame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe7]) })]),
  },
  {
    name: 'close frame with a 1-byte payload',
    run: (t) => sendFrames(t, [frame({ opcode: 0x8, payload: Buffer.from([0x03]) })]),
  },
  {
    name: 'fragmented message over the payload limit',
    run: (t) =>
      sendFrames(t, [
        frame({ opcode: 0x1, payload: Buffer.alloc(MAX_MESSAGE_BYTES / 2, 0x20), fin: false }),
        frame({ opcode: 0x0, payload: Buffer.alloc(MAX_MESSAGE_BYTES / 2 + 1, 0x20) }),
      ]),
  },
  // ---- WebSocket messages that are valid frames but bad requests
  {
    name: 'JSON nested 100 000 levels deep',
    run: (t) =>
      sendFrames(t, [frame({ opcode: 0x1, payload: text('['.repeat(100_000) + ']'.repeat(100_000)) })]),
  },
  {
    name: 'requests that are not objects, and bad ids',
    run: (t) =>
      sendFrames(t, [
        frame({ opcode: 0x1, payload: text('null') }),
        frame({ opcode: 0x1, payload: text('[1,2]') }),
        frame({ opcode: 0x1, payload: text('{"id":1e400,"method":"app.info"}') }),
        frame({ opcode: 0x1, payload: text('{"id":"x","method":{"a":1}}') }),
      ]),
  },
  {
    name: 'command flood beyond the rate limit',
    async run(t) {
      const ws = await openSocket(t);
      try {
        const replies: { error?: { code: string } }[] = [];
        ws.on('message', (data) => {
          const message = JSON.parse(data.toString()) as { id?: number; error?: { code: string } };
          if (message.id !== undefined) replies.push(message); // not an event push
        });
        const count = COMMAND_BURST * 5;
        for (let id = 1; id <= count; id++) ws.send(JSON.stringify({ id, method: 'envs.list', params: {} }));
        const deadline = Date.now() + WAIT_MS;
        while (replies.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const limited = replies.filter((reply) => reply.error?.code === 'rate-limited').length;
        return `${replies.length} of ${count} answered, ${limited} rate-limited`;
      } finally {
        ws.terminate();
      }
    },
  },
  {
    name: 'more WebSockets than the client cap',
    async run(t) {
      const open: WebSocket[] = [];
      let refused = 0;
      try {
        for (let i = 0; i < MAX_CLIENTS + 4; i++) {
          try {
            open.push(await openSocket(t));
          } catch {
            refused++;
          }
        }
        return `${open.length} opened, ${refused} refused`;
      } finally {
        for (const ws of open) ws.terminate();
        // let the server see the closes before the next probe counts clients
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  },
];

/** Run every probe (or the first `limit`), checking after each that the server still serves. */
export async function runServerProbes(target: ServerTarget, limit?: number): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of SERVER_PROBES.slice(0, limit)) {
    let outcome: string;
    try {
      outcome = await probe.run(target);
    } catch (error) {
      outcome = `probe error: ${(error as Error).message}`;
    }
    const alive = await serverAlive(target);
    results.push({
      name: probe.name,
      outcome,
      alive,
      ...(alive ? {} : { problem: 'the server stopped answering' }),
    });
  }
  return results;
}
