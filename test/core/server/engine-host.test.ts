import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineWorkerHost } from '../../../core/server/engine-host.js';
import type { EngineWorkerData } from '../../../core/server/worker-messages.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-host-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function workerData(apiFile: string): EngineWorkerData {
  return {
    service: {
      runsDirectory: join(scratch, 'runs'),
      datasetsDirectory: join(scratch, 'datasets'),
      baseDirectory: scratch,
      mode: 'browser',
      version: '0.0.0',
    },
    apiModule: pathToFileURL(join(import.meta.dirname, apiFile)).href,
  };
}

describe('engine worker host', () => {
  it('reports why the engine could not start', async () => {
    await expect(EngineWorkerHost.start(workerData('failing-engine-api.ts'))).rejects.toThrow(
      'the engine could not start: no tensor backend could be loaded',
    );
  });

  it('validates in the host, answers from the worker, and fails calls cleanly when the worker dies', async () => {
    const host = await EngineWorkerHost.start(workerData('fake-engine-api.ts'));
    expect(await host.handle({ id: 1, method: 'runs.history', params: { runId: '' } })).toMatchObject({
      id: 1,
      error: { code: 'invalid-params', issues: [{ path: 'runId' }] },
    });
    expect(
      await host.handle({ id: 2, method: 'datasets.inspect', params: { path: 'datasets/a.arrow' } }),
    ).toEqual({
      id: 2,
      result: { path: join(scratch, 'datasets', 'a.arrow'), rows: 10 },
    });
    const crashed = await host.handle({
      id: 3,
      method: 'datasets.inspect',
      params: { path: 'datasets/crash-the-worker' },
    });
    expect(crashed).toEqual({
      id: 3,
      error: { code: 'failed', message: 'the engine worker stopped unexpectedly (exit code 3)' },
    });
    // Later calls fail at once with the same reason instead of hanging.
    expect(await host.handle({ id: 4, method: 'app.info', params: {} })).toMatchObject({
      id: 4,
      error: { message: 'the engine worker stopped unexpectedly (exit code 3)' },
    });
    await host.close();
  });

  it('ends a worker stuck in a command when it does not stop within the deadline', async () => {
    const host = await EngineWorkerHost.start(workerData('fake-engine-api.ts'));
    const stuck = host.handle({
      id: 1,
      method: 'datasets.inspect',
      params: { path: 'datasets/block-the-worker' },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    expect(await host.close(1000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stuck).toMatchObject({ id: 1, error: { message: 'the engine was shut down' } });
  });

  it('shuts down cleanly, stopping live runs', async () => {
    const host = await EngineWorkerHost.start(workerData('fake-engine-api.ts'));
    const started = await host.handle({ id: 1, method: 'runs.start', params: { config: {} } });
    expect(started).toMatchObject({ result: { runId: expect.any(String) } });
    const states: string[] = [];
    host.onEvents((batch) => {
      for (const event of batch.events) if (event.type === 'run') states.push(event.state);
    });
    await host.close();
    expect(states.at(-1)).toBe('stopped');
    expect(await host.handle({ id: 2, method: 'app.info', params: {} })).toMatchObject({
      error: { message: 'the engine was shut down' },
    });
  });
});
