import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEngineService,
  rolloutEpisode,
  type EngineServiceHandle,
} from '../../../core/server/engine-service.js';
import type { EventBatch } from '../../../core/common/protocol.js';
import { respond } from '../../../core/server/respond.js';
import { createFakeEngineApiSync, resumedRuns, WalkEnv } from './fake-engine-api.js';

let root: string;
let service: EngineServiceHandle;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'o2o-service-'));
  service = createEngineService(createFakeEngineApiSync(), {
    runsDirectory: join(root, 'runs'),
    datasetsDirectory: join(root, 'datasets'),
    // where the UI may export (and read exported policies) besides the runs folder
    exportDirectories: [join(root, 'exports')],
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

  it('raises the budget of a stopped run when resuming it, and refuses to for a live one', async () => {
    const { runId, directory } = await service['runs.start']({ config: {} });
    await expect(service['runs.resume']({ runId, envSteps: 500 })).rejects.toThrow(
      /is running: stop it before raising its budget/,
    );
    await service['runs.stop']({ runId });
    resumedRuns.length = 0;
    expect(await service['runs.resume']({ runId, envSteps: 500 })).toEqual({ state: 'running' });
    expect(resumedRuns).toEqual([{ directory, envSteps: 500 }]);
    const response = await respond(service, {
      id: 2,
      method: 'runs.resume',
      params: { runId, envSteps: -3 },
    });
    expect(response).toMatchObject({ error: { message: expect.stringContaining('envSteps') } });
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

  it('exports into the run directory by default and to a given relative path inside the runs folder', async () => {
    const { runId, directory } = await service['runs.start']({ config: {} });
    const inRun = await service['runs.export']({ runId, format: 'onnx' });
    expect(inRun.path).toBe(join(directory, 'export', 'policy.onnx'));
    expect(inRun.bytes).toBe(readFileSync(inRun.path).byteLength);
    mkdirSync(join(root, 'runs', 'out'));
    const chosen = await service['runs.export']({ runId, format: 'json', path: 'runs/out/p.json' });
    expect(chosen.path).toBe(join(root, 'runs', 'out', 'p.json'));
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
    expect(listed.map((run) => [run.runId, run.state])).toEqual([[runId, 'running']]);
    await service.close();
    await expect(service['runs.stop']({ runId })).rejects.toThrow(/not running/);
  });
});

describe('engine service: run management, paths and files', () => {
  /** A finished run of the fake engine. */
  async function finishedRun(name = 'stored'): Promise<{ runId: string; directory: string }> {
    const batches: EventBatch[] = [];
    const unsubscribe = service.onEvents((batch) => batches.push(batch));
    const started = await service['runs.start']({ config: { updates: 3 }, name });
    await waitFor(
      () =>
        batches.some((b) => b.events.some((e) => e.type === 'run' && e.state === 'finished'))
          ? true
          : undefined,
      'the end of the run',
    );
    unsubscribe();
    return started;
  }

  it('renames a run and sets its tags and notes in meta.json', async () => {
    const { runId, directory } = await finishedRun();
    const summary = await service['runs.update']({
      runId,
      name: 'better name',
      tags: ['a', 'b', 'a'],
      notes: 'n',
    });
    expect(summary).toMatchObject({ runId, name: 'better name', tags: ['a', 'b'], notes: 'n' });
    const meta = JSON.parse(readFileSync(join(directory, 'meta.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ runId, name: 'better name', tags: ['a', 'b'], notes: 'n' });
    // the run id (and directory) never change
    expect((await service['runs.list']({})).map((r) => r.runId)).toEqual([runId]);
  });

  it('deletes a stopped run directory, refuses an active run and ids that leave the runs folder', async () => {
    const { runId, directory } = await finishedRun();
    const active = await service['runs.start']({ config: {}, name: 'live' });
    await expect(service['runs.delete']({ runId: active.runId })).rejects.toThrow(/stop it before deleting/);
    expect(existsSync(active.directory)).toBe(true);
    // a folder beside the runs folder that looks like a run is out of reach
    mkdirSync(join(root, 'outside'), { recursive: true });
    writeFileSync(join(root, 'config.json'), '{}');
    writeFileSync(join(root, 'meta.json'), '{}');
    const outside = await respond(service, { id: 1, method: 'runs.delete', params: { runId: '..' } });
    expect(outside).toMatchObject({ id: 1, error: { code: 'invalid-params' } });
    await expect(service['runs.delete']({ runId: '..' })).rejects.toThrow(/not a run id/);
    expect(existsSync(join(root, 'meta.json'))).toBe(true);
    expect(await service['runs.delete']({ runId })).toEqual({ runId, directory });
    expect(existsSync(directory)).toBe(false);
  });

  it('refuses to export into a missing folder unless asked to create it; ~ is the home folder', async () => {
    const { runId } = await finishedRun();
    const target = join(root, 'exports', 'missing', 'deeper', 'policy.json');
    const refused = await respond(service, {
      id: 2,
      method: 'runs.export',
      params: { runId, format: 'json', path: target },
    });
    expect(refused).toMatchObject({ id: 2, error: { code: 'missing-folder' } });
    expect(existsSync(join(root, 'exports', 'missing'))).toBe(false);
    const written = await service['runs.export']({ runId, format: 'json', path: target, createFolder: true });
    expect(written.path).toBe(target);
    expect(existsSync(target)).toBe(true);
    const home = process.env.HOME;
    process.env.HOME = join(root, 'exports');
    try {
      const homed = await service['runs.export']({ runId, format: 'json', path: '~/missing/p2.json' });
      expect(homed.path).toBe(join(root, 'exports', 'missing', 'p2.json'));
    } finally {
      process.env.HOME = home;
    }
  });

  it('returns the exported files for a download', async () => {
    const { runId } = await finishedRun();
    const { files } = await service['runs.download']({ runId, format: 'json' });
    expect(files).toHaveLength(1);
    expect(files[0].name).toBe(`${runId}-policy.json`);
    expect(JSON.parse(Buffer.from(files[0].base64, 'base64').toString('utf8'))).toEqual({
      format: 'json',
      layers: [],
    });
  });

  it('rolls out an exported policy file, resolving it against the base folder', async () => {
    mkdirSync(join(root, 'exports'));
    writeFileSync(join(root, 'exports', 'right.policy'), '1');
    const result = await service['policies.rollout']({ path: 'exports/right.policy', episodes: 1 });
    expect(result.envId).toBe('walk-v0');
    expect(result.episodes[0].success).toBe(true);
    await expect(service['policies.rollout']({ path: 'exports/nope.policy', episodes: 1 })).rejects.toThrow(
      /no such file/,
    );
  });

  it('reports start-time problems as validation issues and tells the UI its base folder', async () => {
    expect(await service['config.validate']({ config: { env: { id: 'missing-v0' } } })).toEqual({
      ok: false,
      issues: [{ path: 'env.id', message: 'unknown environment' }],
    });
    expect((await service['app.info']({})).baseDirectory).toBe(root);
    expect(await service['config.schema']({})).toMatchObject({ type: 'object' });
  });
});

describe('rolloutEpisode', () => {
  it('records the reset frame and one frame per step, and is deterministic', async () => {
    const policy = { envId: 'walk-v0', envOptions: {}, act: () => 1 };
    const first = await rolloutEpisode(new WalkEnv(), policy, 1);
    // seed 1 starts at x = 0; three steps right reach the goal x = 3.
    expect(first.frames.map((frame) => frame.agent.x)).toEqual([0, 1, 2, 3]);
    expect(first.return).toBe(-2 - 1 - 0);
    expect(first.success).toBe(true);
    expect(await rolloutEpisode(new WalkEnv(), policy, 1)).toEqual(first);
  });

  it('stops at the time limit', async () => {
    const policy = { envId: 'walk-v0', envOptions: {}, act: () => 0 };
    const episode = await rolloutEpisode(new WalkEnv(), policy, 0);
    expect(episode.frames).toHaveLength(11);
    expect(episode.success).toBe(false);
  });
});
