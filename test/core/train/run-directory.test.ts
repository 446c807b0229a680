import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendRunEvents,
  createRunDirectory,
  effectiveRunState,
  listRunDirectories,
  newRunId,
  readRunConfig,
  readRunEvents,
  readRunStatus,
  runActiveElsewhere,
  RunDirectoryError,
  type RunMeta,
} from '../../../core/train/run-directory.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'o2o-runs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const meta = (runId: string): RunMeta => ({
  runId,
  name: runId,
  createdAt: '2026-01-01T00:00:00Z',
  packageVersion: '0.0.0',
  backend: 'cpu',
  platform: 'linux',
  nodeVersion: 'v20',
});

describe('run directory', () => {
  it('makes filesystem-safe, time-ordered run ids', () => {
    expect(newRunId('Point Maze / ROER!', new Date('2026-03-04T05:06:07.891Z'))).toBe(
      '20260304T050607Z-point-maze-roer',
    );
    expect(newRunId('***', new Date('2026-03-04T05:06:07Z'))).toBe('20260304T050607Z-run');
  });

  it('creates config, meta and a starting status, and refuses to overwrite a run', () => {
    const dir = join(root, 'a');
    createRunDirectory(dir, { seed: 3 }, meta('a'));
    expect(readRunConfig(dir)).toEqual({ seed: 3 });
    expect(readRunStatus(dir).state).toBe('starting');
    expect(() => createRunDirectory(dir, {}, meta('a'))).toThrow(/already holds a run/);
  });

  it('names the missing file when a directory is not a run', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    expect(() => readRunConfig(dir)).toThrow(RunDirectoryError);
    expect(() => readRunConfig(dir)).toThrow(/config\.json: missing/);
  });

  it('appends events and skips a torn line', () => {
    const dir = join(root, 'b');
    createRunDirectory(dir, {}, meta('b'));
    appendRunEvents(dir, [{ type: 'phase', phase: 'offline', step: 0, envStep: 0 }]);
    appendFileSync(join(dir, 'events.jsonl'), '{"type":"pha');
    expect(readRunEvents(dir)).toEqual([{ type: 'phase', phase: 'offline', step: 0, envStep: 0 }]);
  });

  it('lists only run directories, newest first', () => {
    createRunDirectory(join(root, '20260101T000000Z-a'), {}, meta('a'));
    createRunDirectory(join(root, '20260102T000000Z-b'), {}, meta('b'));
    mkdirSync(join(root, 'not-a-run'));
    expect(listRunDirectories(root).map((p) => p.split(/[\\/]/).at(-1))).toEqual([
      '20260102T000000Z-b',
      '20260101T000000Z-a',
    ]);
    expect(listRunDirectories(join(root, 'missing'))).toEqual([]);
  });

  it('reads an active run whose process is gone as stopped, and spots a live one elsewhere', () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const base = { step: 3, envStep: 0, phase: 'offline' as const, lastReturn: null, updatedAt: '' };
    expect(effectiveRunState({ ...base, state: 'running', pid: deadPid })).toBe('stopped');
    expect(effectiveRunState({ ...base, state: 'running', pid: process.pid })).toBe('running');
    expect(effectiveRunState({ ...base, state: 'finished', pid: deadPid })).toBe('finished');
    expect(effectiveRunState({ ...base, state: 'paused' })).toBe('paused');
    expect(runActiveElsewhere({ ...base, state: 'running', pid: process.pid })).toBe(false);
    expect(runActiveElsewhere({ ...base, state: 'running', pid: deadPid })).toBe(false);
    expect(runActiveElsewhere({ ...base, state: 'running', pid: process.ppid })).toBe(true);
    expect(runActiveElsewhere({ ...base, state: 'stopped', pid: process.ppid })).toBe(false);
  });
});
