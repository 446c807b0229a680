/**
 * File paths the UI names are confined: reads to the shipped datasets, the runs folder, added
 * folders and dialog picks; writes to the runs folder and save-dialog picks. A refusal says the
 * same whether the file exists or not.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngineService, type EngineServiceHandle } from '../../../core/server/engine-service.js';
import { isWithin, PathAccess } from '../../../core/server/path-access.js';
import { respond } from '../../../core/server/respond.js';
import { createFakeEngineApiSync } from './fake-engine-api.js';

let root: string;
let outside: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'o2o-access-'));
  outside = mkdtempSync(join(tmpdir(), 'o2o-outside-'));
  for (const folder of ['datasets', 'runs', 'data']) mkdirSync(join(root, folder));
  writeFileSync(join(outside, 'secret.txt'), 'not yours');
  writeFileSync(join(root, 'datasets', 'shipped.arrow'), '');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('PathAccess', () => {
  const access = () =>
    new PathAccess({
      readRoots: [join(root, 'datasets'), join(root, 'data')],
      writeRoots: [join(root, 'runs')],
    });

  it('allows reads inside the read folders and the runs folder, existing or not', async () => {
    const paths = access();
    expect(await paths.checkRead(join(root, 'datasets', 'shipped.arrow'))).toContain('shipped.arrow');
    expect(await paths.checkRead(join(root, 'data', 'later.arrow'))).toContain('later.arrow');
    expect(await paths.checkRead(join(root, 'runs', 'r1', 'x.arrow'))).toContain('x.arrow');
  });

  it('refuses reads elsewhere with the same message whether the file exists or not', async () => {
    const paths = access();
    const existing = await paths.checkRead(join(outside, 'secret.txt')).catch((error: Error) => error);
    const missing = await paths.checkRead(join(outside, 'nothing.txt')).catch((error: Error) => error);
    expect(existing).toMatchObject({ code: 'forbidden' });
    expect(missing).toMatchObject({ code: 'forbidden' });
    expect((existing as Error).message.replace('secret', 'X')).toBe(
      (missing as Error).message.replace('nothing', 'X'),
    );
    await expect(paths.checkRead(join(root, 'datasets', '..', '..', 'etc', 'passwd'))).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(paths.checkRead('/etc/passwd')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('follows symbolic links before deciding', async () => {
    symlinkSync(join(outside, 'secret.txt'), join(root, 'datasets', 'link.arrow'));
    symlinkSync(outside, join(root, 'runs', 'escape'));
    const paths = access();
    await expect(paths.checkRead(join(root, 'datasets', 'link.arrow'))).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(paths.checkWrite(join(root, 'runs', 'escape', 'policy.onnx'))).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('writes only into the runs folder, or where a save dialog granted', async () => {
    const paths = access();
    expect(await paths.checkWrite(join(root, 'runs', 'r1', 'export', 'p.onnx'))).toContain('p.onnx');
    await expect(paths.checkWrite(join(root, 'datasets', 'p.onnx'))).rejects.toMatchObject({
      code: 'forbidden',
    });
    const chosen = join(outside, 'chosen', 'policy.tfjs');
    await expect(paths.checkWrite(chosen)).rejects.toMatchObject({ code: 'forbidden' });
    paths.grant('write', chosen);
    expect(await paths.checkWrite(join(chosen, 'model.json'))).toBe(join(chosen, 'model.json'));
    await expect(paths.checkWrite(join(outside, 'chosen', 'other.onnx'))).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('reads what an open dialog granted, and nothing beside it', async () => {
    const paths = access();
    paths.grant('read', join(outside, 'secret.txt'));
    expect(await paths.checkRead(join(outside, 'secret.txt'))).toBe(join(outside, 'secret.txt'));
    await expect(paths.checkRead(join(outside, 'other.txt'))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('tells a folder from its prefix', () => {
    expect(isWithin('/a/b', '/a/b')).toBe(true);
    expect(isWithin('/a/b', '/a/b/c')).toBe(true);
    expect(isWithin('/a/b', '/a/bc')).toBe(false);
    expect(isWithin('/a/b', '/a')).toBe(false);
  });
});

describe('the engine service confines the paths of commands', () => {
  let service: EngineServiceHandle;
  beforeEach(() => {
    service = createEngineService(createFakeEngineApiSync(), {
      runsDirectory: join(root, 'runs'),
      datasetsDirectory: join(root, 'datasets'),
      dataDirectories: [join(root, 'data')],
      exportDirectories: [join(root, 'exports')],
      baseDirectory: root,
      mode: 'browser',
      version: '1.0.0',
    });
  });
  afterEach(() => service.close());

  const call = (id: number, method: string, params: unknown) => respond(service, { id, method, params });

  it('inspects datasets only where the user allowed', async () => {
    expect(await call(1, 'datasets.inspect', { path: 'datasets/shipped.arrow' })).toMatchObject({
      result: { rows: 10 },
    });
    expect(await call(2, 'datasets.inspect', { path: join(root, 'data', 'mine.arrow') })).toMatchObject({
      result: { rows: 10 },
    });
    const refused = await call(3, 'datasets.inspect', { path: '/etc/passwd' });
    expect(refused).toMatchObject({ error: { code: 'forbidden' } });
    expect(JSON.stringify(refused)).toContain('o2o serve --data DIR');
    service.grantAccess('read', join(outside, 'secret.txt'));
    expect(await call(4, 'datasets.inspect', { path: join(outside, 'secret.txt') })).toMatchObject({
      result: { rows: 10 },
    });
  });

  it('refuses a run whose dataset lies outside, before anything starts', async () => {
    const refused = await call(1, 'runs.start', {
      config: { dataset: { path: join(outside, 'secret.txt') } },
    });
    expect(refused).toMatchObject({ error: { code: 'forbidden' } });
    expect(await call(2, 'runs.list', {})).toMatchObject({ result: [] });
  });

  it('does not tell config validation whether a file outside exists', async () => {
    const issuesFor = async (path: string) =>
      (
        (await call(1, 'config.validate', { config: { dataset: { path } } })) as {
          result: { issues: unknown[] };
        }
      ).result.issues;
    const existing = await issuesFor(join(outside, 'secret.txt'));
    const missing = await issuesFor(join(outside, 'nothing.txt'));
    expect(existing).toEqual([
      { path: 'dataset.path', message: expect.stringContaining('outside the folders') },
    ]);
    expect(JSON.stringify(existing).replace('secret.txt', 'X')).toBe(
      JSON.stringify(missing).replace('nothing.txt', 'X'),
    );
    expect(await issuesFor('datasets/shipped.arrow')).toEqual([]);
  });

  it('plays an exported policy file only from the allowed folders', async () => {
    writeFileSync(join(outside, 'policy.txt'), '1');
    expect(
      await call(1, 'policies.rollout', { path: join(outside, 'policy.txt'), episodes: 1 }),
    ).toMatchObject({
      error: { code: 'forbidden' },
    });
    writeFileSync(join(root, 'runs', 'policy.txt'), '1');
    expect(
      await call(2, 'policies.rollout', { path: join(root, 'runs', 'policy.txt'), episodes: 1 }),
    ).toMatchObject({
      result: { envId: 'walk-v0' },
    });
  });

  it('exports only into the runs folder or a granted path, never over another file', async () => {
    const started = (await call(1, 'runs.start', { config: {} })) as { result: { runId: string } };
    const runId = started.result.runId;
    const target = join(outside, 'secret.txt');
    expect(await call(2, 'runs.export', { runId, format: 'json', path: target })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(
      await call(3, 'runs.export', { runId, format: 'json', path: join(outside, 'new.json') }),
    ).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(existsSync(join(outside, 'new.json'))).toBe(false);
    // a folder added with o2o serve --exports
    mkdirSync(join(root, 'exports'));
    expect(
      await call(5, 'runs.export', { runId, format: 'json', path: join(root, 'exports', 'p.json') }),
    ).toMatchObject({
      result: { path: join(root, 'exports', 'p.json') },
    });
    service.grantAccess('write', join(outside, 'new.json'));
    expect(
      await call(4, 'runs.export', { runId, format: 'json', path: join(outside, 'new.json') }),
    ).toMatchObject({
      result: { path: join(outside, 'new.json') },
    });
  });
});
