/**
 * Resuming a run whose checkpoints were damaged or whose pointer was lost: the run continues from
 * the newest intact checkpoint, says which one and why, cleans what a killed process left behind,
 * and still ends on exactly the curves of an uninterrupted run.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../core/data/generate.js';
import { CheckpointError, listCheckpoints } from '../../../core/train/checkpoint.js';
import type { RunEvent } from '../../../core/common/events.js';
import { resumeTrainingRun, startTrainingRun } from '../../../core/train/run.js';
import { curvesOf } from '../../helpers/curves.js';

let root: string;
let dataset: string;

/** 30 offline updates and 40 online steps (10 of warm-up), a checkpoint every 10 units of work, 3 kept. */
function config(): Record<string, unknown> {
  return {
    env: { id: 'pendulum-v1' },
    dataset: { path: dataset },
    seed: 4,
    agent: { hiddenSizes: [8, 8], batchSize: 8 },
    offline: { steps: 30, evalInterval: 0 },
    online: { envSteps: 40, warmupSteps: 10 },
    eval: { episodes: 1, interval: 20 },
    checkpoint: { interval: 10, keep: 3 },
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-fallback-'));
  dataset = join(root, 'pendulum.arrow');
  await generateDataset({ envId: 'pendulum-v1', policy: 'random', episodes: 2, seed: 2, out: dataset });
  const reference = await startTrainingRun({ config: config(), directory: join(root, 'reference') });
  expect(await reference.done).toBe('finished');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** updates.csv without its wall-clock column. */
const updatesCsv = (directory: string) => curvesOf(join(directory, 'updates.csv'));

async function stoppedRun(name: string, atStep: number): Promise<string> {
  const directory = join(root, name);
  const run = await startTrainingRun({ config: config(), directory });
  run.bus.subscribe((event) => {
    if (event.type === 'update' && event.step === atStep) void run.stop();
  });
  expect(await run.done).toBe('stopped');
  return directory;
}

async function resumeToEnd(directory: string): Promise<RunEvent[]> {
  const run = await resumeTrainingRun(directory);
  const events: RunEvent[] = [];
  run.bus.subscribe((event) => events.push(event));
  expect(await run.done).toBe('finished');
  return events;
}

const warnings = (events: RunEvent[]) =>
  events.flatMap((event) => (event.type === 'log' && event.level === 'warn' ? [event.message] : []));

describe('resuming from damaged checkpoints', () => {
  it('falls back past a damaged newest checkpoint, says so, and ends on the uninterrupted curves', async () => {
    const directory = await stoppedRun('damaged', 45);
    const [newest, previous] = await listCheckpoints(directory);
    const arrays = join(directory, 'checkpoints', newest.name, 'arrays.bin');
    const bytes = readFileSync(arrays);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(arrays, bytes);

    const events = await resumeToEnd(directory);
    const notes = warnings(events).join('\n');
    expect(notes).toContain(`resumed from ${previous.name}`);
    expect(notes).toContain(`${newest.name} is damaged: ${arrays}: SHA-256 does not match`);
    expect(notes).toContain(`checkpoints/damaged-${newest.name}`);
    expect(readdirSync(join(directory, 'checkpoints'))).toContain(`damaged-${newest.name}`);
    expect(updatesCsv(directory)).toBe(updatesCsv(join(root, 'reference')));
  });

  it('continues from the newest checkpoint when checkpoint.json was deleted, instead of restarting', async () => {
    const directory = await stoppedRun('no-pointer', 35);
    const [newest] = await listCheckpoints(directory);
    unlinkSync(join(directory, 'checkpoint.json'));
    const run = await resumeTrainingRun(directory);
    const events: RunEvent[] = [];
    run.bus.subscribe((event) => events.push(event));
    expect(await run.done).toBe('finished');
    const first = events.find((event) => event.type === 'update');
    expect(first).toMatchObject({ step: newest.step + 1 });
    expect(warnings(events).join('\n')).toContain('checkpoint.json is missing');
    expect(updatesCsv(directory)).toBe(updatesCsv(join(root, 'reference')));
  });

  it('removes the leftovers of a killed process before resuming', async () => {
    const directory = await stoppedRun('leftovers', 20);
    writeFileSync(join(directory, '.status.json.4242.abc.tmp'), '{"state":');
    writeFileSync(join(directory, '.checkpoint.json.4242.abd.tmp'), '');
    mkdirSync(join(directory, 'checkpoints', '.partial-step-0000000025-env-0000000000-4242'));
    await resumeToEnd(directory);
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(directory, 'checkpoints')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('refuses with exit code 4, naming the files, when every checkpoint is damaged', async () => {
    const directory = await stoppedRun('all-damaged', 25);
    const found = await listCheckpoints(directory);
    for (const entry of found) writeFileSync(join(directory, 'checkpoints', entry.name, 'state.json'), '{');
    const error = await resumeTrainingRun(directory).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ exitCode: 4 });
    for (const entry of found) {
      expect((error as Error).message).toContain(join(directory, 'checkpoints', entry.name, 'state.json'));
    }
  });
});
