import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEngineService,
  rolloutEpisode,
  type EngineServiceHandle,
} from '../../../core/server/engine-service.js';
import type { EventBatch } from '../../../core/server/protocol.js';
import { respond } from '../../../core/server/respond.js';
import { createFakeEngineApiSync, WalkEnv } from './fake-engine-api.js';

let root: string;
let service: EngineServiceHandle;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'o2o-service-'));
  service = createEngineService(createFakeEngineApiSync(), {
    runsDirectory: join(root, 'runs'),
    datasetsDirectory: join(root, 'datasets'),
    baseDirectory: root,
    mode: 'browser',
    version: '1.0.0',
    batcher: { intervalMs: 20, maxUpdatesPerBatch: 5 },
  });
});

afterEach(async () => {
  await service.close();
  rmSync(root, { recursive: true, force: true });
});

function waitFor<T>(predicate: () => T | undefined, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      const value = predicate();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > 10_000) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('engine service', () => {
  it('starts a run and relays its events in thinned batches', async () => {
    const batches: EventBatch[] = [];
    service.onEvents((batch) => batches.push(batch));
    const { runId, directory } = await service['runs.start']({ config: { updates: 40 }, name: 'tiny' });
    expect(directory).toBe(join(root, 'runs', runId));
    await waitFor(
      () =>
        batches.some((b) => b.events.some((e) => e.type === 'run' && e.state === 'finished'))
          ? true
          : undefined,
      'the end of the run',
    );
    expect(batches.every((batch) => batch.runId === runId)).toBe(true);
    const updates = batches.flatMap((batch) => batch.events.filter((event) => event.type === 'update'));
    expect(updates.length).toBeGreaterThan(0);
    for (const batch of batches) {
      expect(batch.events.filter((event) => event.type === 'update').length).toBeLessThanOrEqual(5);
    }
    // The newest update always survives thinning.
    expect(updates.at(-1)).toMatchObject({ step: 40 });
  });

  it('delivers every update made before a pause ahead of the pause reply', async () => {
    const seen: number[] = [];
    service.onEvents((batch) => {
      for (const event of batch.events) if (event.type === 'update') seen.push(event.step);
    });
    const { runId } = await service['runs.start']({ config: {} });
    await waitFor(() => (seen.length > 0 ? true : undefined), 'the first update');
    await service['runs.pause']({ runId });
    const atPause = seen.length;
    const lastStep = seen.at(-1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBe(atPause);
    expect(seen.at(-1)).toBe(lastStep);
  });

  it('pauses, resumes and stops a live run', async () => {
    const { runId } = await service['runs.start']({ config: {} });
    expect(await service['runs.pause']({ runId })).toEqual({ state: 'paused' });
    expect(await service['runs.resume']({ runId })).toEqual({ state: 'running' });
    expect(await service['runs.stop']({ runId })).toEqual({ state: 'stopped' });
    await expect(service['runs.pause']({ runId })).rejects.toThrow(/not running/);
  });

  it('resumes a run that is not live from its directory, and refuses unknown runs', async () => {
    const { runId } = await service['runs.start']({ config: {} });
    await service['runs.stop']({ runId });
    expect(await service['runs.resume']({ runId })).toEqual({ state: 'running' });
    const response = await respond(service, {
      id: 1,
      method: 'runs.resume',
      params: { runId: 'no-such-run' },
    });
    expect(response).toMatchObject({
      error: { code: 'failed', message: expect.stringContaining('no-such-run') },
    });
  });

  it('passes config issues of a refused run through to the UI', async () => {
    const response = await respond(service, {
      id: 1,
      method: 'runs.start',
      params: { config: { fail: 'nope' } },
    });
    expect(response).toMatchObject({
      error: { code: 'failed', issues: [{ path: 'fail', message: 'nope' }] },
    });
  });

  it('exports into the run directory by default and to a given relative path', async () => {
    const { runId, directory } = await service['runs.start']({ config: {} });
    const inRun = await service['runs.export']({ runId, format: 'onnx' });
    expect(inRun.path).toBe(join(directory, 'export', 'policy.onnx'));
    expect(inRun.bytes).toBe(readFileSync(inRun.path).byteLength);
    const chosen = await service['runs.export']({ runId, format: 'json', path: 'out/p.json' });
    expect(chosen.path).toBe(join(root, 'out', 'p.json'));
  });

  it('lists only dataset files, with their summaries', async () => {
    expect(await service['datasets.list']({})).toEqual([]);
    const datasets = join(root, 'datasets');
    mkdirSync(datasets);
    writeFileSync(join(datasets, 'b.arrow'), '');
    writeFileSync(join(datasets, 'a.parquet'), '');
    writeFileSync(join(datasets, 'a.card.md'), '');
    const list = await service['datasets.list']({});
    expect(list.map((entry) => entry.name)).toEqual(['a', 'b']);
    expect(list[0]).toMatchObject({ path: join(datasets, 'a.parquet'), envId: 'walk-v0', card: null });
  });

  it('reads each dataset file once while it is unchanged', async () => {
    const api = createFakeEngineApiSync();
    const read: string[] = [];
    const summarize = api.summarizeDataset;
    api.summarizeDataset = (path) => {
      read.push(path);
      return summarize(path);
    };
    const datasets = join(root, 'datasets');
    mkdirSync(datasets);
    const file = join(datasets, 'a.arrow');
    writeFileSync(file, 'one');
    const cached = createEngineService(api, {
      runsDirectory: join(root, 'runs'),
      datasetsDirectory: datasets,
      baseDirectory: root,
      mode: 'browser',
      version: '1.0.0',
    });
    await cached['datasets.list']({});
    await cached['datasets.list']({});
    expect(read).toEqual([file]);
    writeFileSync(file, 'changed');
    await cached['datasets.list']({});
    expect(read).toEqual([file, file]);
  });

  it('lists the environments', async () => {
    expect(await service['envs.list']({})).toEqual([
      {
        id: 'walk-v0',
        description: 'a one-dimensional walk',
        observationWidth: 1,
        actionWidth: 2,
        discrete: true,
        goal: true,
      },
    ]);
  });

  it('answers the desktop-only dialogs with "unsupported"', async () => {
    const response = await respond(service, { id: 5, method: 'dialog.openDataset', params: {} });
    expect(response).toMatchObject({ id: 5, error: { code: 'unsupported' } });
  });

  it('stops live runs on close', async () => {
    const { runId } = await service['runs.start']({ config: {} });
    const listed = await service['runs.list']({});
    expect(listed).toEqual([]);
    await service.close();
    await expect(service['runs.stop']({ runId })).rejects.toThrow(/not running/);
  });
});

describe('rolloutEpisode', () => {
  it('records the reset frame and one frame per step, and is deterministic', () => {
    const policy = { envId: 'walk-v0', envOptions: {}, act: () => 1 };
    const first = rolloutEpisode(new WalkEnv(), policy, 1);
    // seed 1 starts at x = 0; three steps right reach the goal x = 3.
    expect(first.frames.map((frame) => frame.agent.x)).toEqual([0, 1, 2, 3]);
    expect(first.return).toBe(-2 - 1 - 0);
    expect(first.success).toBe(true);
    expect(rolloutEpisode(new WalkEnv(), policy, 1)).toEqual(first);
  });

  it('stops at the time limit', () => {
    const policy = { envId: 'walk-v0', envOptions: {}, act: () => 0 };
    const episode = rolloutEpisode(new WalkEnv(), policy, 0);
    expect(episode.frames).toHaveLength(11);
    expect(episode.success).toBe(false);
  });
});
