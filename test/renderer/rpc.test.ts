import { describe, expect, it } from 'vitest';
import {
  ApiError,
  RpcClient,
  apiSocketUrl,
  reconnectDelay,
  stripTokenFromUrl,
  toApiError,
  type EventsMessage,
} from '../../renderer/src/lib/rpc.js';

function connectedClient() {
  const sent: { id: number; method: string; params: unknown }[] = [];
  const pushed: EventsMessage[] = [];
  const client = new RpcClient((message) => pushed.push(message));
  client.connected((text) => sent.push(JSON.parse(text)));
  return { client, sent, pushed };
}

describe('RpcClient', () => {
  it('matches replies to requests by id, in any order', async () => {
    const { client, sent } = connectedClient();
    const first = client.request('runs.list', {});
    const second = client.request('app.info', {});
    expect(sent.map((m) => m.method)).toEqual(['runs.list', 'app.info']);
    expect(sent[0].id).not.toBe(sent[1].id);
    client.receive(JSON.stringify({ id: sent[1].id, result: { version: '1' } }));
    client.receive(JSON.stringify({ id: sent[0].id, result: [] }));
    await expect(second).resolves.toEqual({ version: '1' });
    await expect(first).resolves.toEqual([]);
    expect(client.pending).toBe(0);
  });

  it('rejects with the protocol error code and key-path issues', async () => {
    const { client, sent } = connectedClient();
    const request = client.request('config.validate', { config: {} });
    client.receive(
      JSON.stringify({
        id: sent[0].id,
        error: {
          message: 'bad',
          code: 'invalid-params',
          issues: [{ path: 'beta.rate', message: 'too small' }],
        },
      }),
    );
    const error = await request.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('invalid-params');
    expect((error as ApiError).issues).toEqual([{ path: 'beta.rate', message: 'too small' }]);
  });

  it('hands pushed event batches to the listener and ignores junk and unknown ids', () => {
    const { client, pushed } = connectedClient();
    expect(client.receive(JSON.stringify({ type: 'events', batch: { runId: 'a', events: [] } }))).toBe(true);
    expect(pushed).toEqual([{ type: 'events', batch: { runId: 'a', events: [] } }]);
    expect(client.receive('not json')).toBe(false);
    expect(client.receive(JSON.stringify({ id: 999, result: 1 }))).toBe(false);
    expect(client.receive('null')).toBe(false);
  });

  it('queues requests while disconnected and sends them on connect', async () => {
    const client = new RpcClient(() => {});
    const request = client.request('runs.list', {});
    const sent: string[] = [];
    client.connected((text) => sent.push(text));
    expect(sent).toHaveLength(1);
    client.receive(JSON.stringify({ id: JSON.parse(sent[0]).id, result: 'ok' }));
    await expect(request).resolves.toBe('ok');
  });

  it('fails requests in flight when the connection drops, but keeps queued ones', async () => {
    const { client } = connectedClient();
    const inFlight = client.request('runs.stop', { runId: 'a' });
    client.disconnected('closed');
    const queued = client.request('runs.list', {});
    client.disconnected('closed again');
    const error = await inFlight.catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('disconnected');
    const sent: string[] = [];
    client.connected((text) => sent.push(text));
    expect(sent).toHaveLength(1);
    client.receive(JSON.stringify({ id: JSON.parse(sent[0]).id, result: [] }));
    await expect(queued).resolves.toEqual([]);
  });
});

describe('connection helpers', () => {
  it('backs off exponentially up to a cap, with jitter in [0.5, 1]', () => {
    expect(reconnectDelay(0, 250, 8000, () => 1)).toBe(250);
    expect(reconnectDelay(3, 250, 8000, () => 1)).toBe(2000);
    expect(reconnectDelay(20, 250, 8000, () => 1)).toBe(8000);
    expect(reconnectDelay(3, 250, 8000, () => 0)).toBe(1000);
  });

  it('builds the socket URL from the page location', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:5000' }, 'a b')).toBe(
      'ws://127.0.0.1:5000/api?token=a%20b',
    );
    expect(apiSocketUrl({ protocol: 'https:', host: 'h' }, null)).toBe('wss://h/api');
  });

  it('strips the token from the address but keeps other parameters', () => {
    expect(stripTokenFromUrl('http://h/?token=abc&demo=1#x')).toEqual({
      token: 'abc',
      href: 'http://h/?demo=1#x',
    });
    expect(stripTokenFromUrl('http://h/')).toEqual({ token: null, href: 'http://h/' });
  });
});

describe('toApiError', () => {
  it("keeps code and issues of the desktop bridge's plain-object rejections", () => {
    const error = toApiError(
      {
        name: 'CommandError',
        message: 'bad config',
        code: 'invalid-params',
        issues: [{ path: 'a.b', message: 'x' }],
      },
      'runs.start',
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('invalid-params');
    expect(error.issues).toEqual([{ path: 'a.b', message: 'x' }]);
  });

  it("strips Electron's remote-method prefix and wraps anything else", () => {
    expect(
      toApiError(new Error("Error invoking remote method 'o2o:call': Error: no such run"), 'x').message,
    ).toBe('no such run');
    const wrapped = toApiError('boom', 'runs.list');
    expect(wrapped.message).toBe('runs.list: boom');
    expect(wrapped.code).toBe('failed');
    const same = new ApiError('m', 'unsupported');
    expect(toApiError(same, 'x')).toBe(same);
  });
});
