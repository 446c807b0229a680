import { describe, expect, it } from 'vitest';
import { ProtocolError, type EngineService } from '../../../core/common/protocol.js';
import { errorPayload, respond } from '../../../core/server/respond.js';
import { createEngineService } from '../../../core/server/engine-service.js';
import { createFakeEngineApiSync } from './fake-engine-api.js';

function service(): EngineService {
  return createEngineService(createFakeEngineApiSync(), {
    runsDirectory: '/nonexistent-runs',
    datasetsDirectory: '/nonexistent-datasets',
    baseDirectory: '/',
    mode: 'browser',
    version: '9.9.9',
  });
}

describe('respond', () => {
  it('answers a valid request with its result and id', async () => {
    const response = await respond(service(), { id: 7, method: 'app.info', params: {} });
    expect(response).toEqual({
      id: 7,
      result: {
        version: '9.9.9',
        backend: 'cpu',
        backendNote: '',
        mode: 'browser',
        runsDirectory: '/nonexistent-runs',
        baseDirectory: '/',
      },
    });
  });

  it('refuses values that are not requests', async () => {
    for (const bad of [null, 42, 'app.info', [], { method: 'app.info' }, { id: 'x', method: 'app.info' }]) {
      const response = await respond(service(), bad);
      expect(response).toMatchObject({ error: { code: 'invalid-request' } });
    }
    expect(await respond(service(), { id: 3, method: 5 })).toMatchObject({
      id: 3,
      error: { code: 'invalid-request' },
    });
  });

  it('refuses unknown methods, including inherited object keys', async () => {
    for (const method of ['nope', 'toString', '__proto__', 'onEvents', 'close']) {
      const response = await respond(service(), { id: 1, method, params: {} });
      expect(response).toMatchObject({ id: 1, error: { code: 'unknown-method' } });
    }
  });

  it('names the key path of invalid params', async () => {
    const response = await respond(service(), {
      id: 2,
      method: 'runs.export',
      params: { runId: '../x', format: 'exe' },
    });
    expect(response).toMatchObject({ id: 2, error: { code: 'invalid-params' } });
    if (!('error' in response)) throw new Error('expected an error');
    const paths = response.error.issues?.map((issue) => issue.path).sort();
    expect(paths).toEqual(['format', 'runId']);
    const extra = await respond(service(), { id: 4, method: 'app.info', params: { surprise: true } });
    expect(extra).toMatchObject({ error: { code: 'invalid-params' } });
  });

  it('maps thrown errors without stack traces, keeping known codes and issues', () => {
    expect(errorPayload(new ProtocolError('no', 'unsupported'))).toEqual({
      message: 'no',
      code: 'unsupported',
    });
    const withIssues = Object.assign(new Error('bad config'), {
      issues: [{ path: 'beta.rate', message: 'too big' }],
    });
    expect(errorPayload(withIssues)).toEqual({
      message: 'bad config',
      code: 'failed',
      issues: [{ path: 'beta.rate', message: 'too big' }],
    });
    expect(errorPayload(Object.assign(new Error('x'), { code: 'ENOENT' }))).toEqual({
      message: 'x',
      code: 'failed',
    });
    expect(errorPayload('plain')).toEqual({ message: 'plain', code: 'failed' });
  });
});
