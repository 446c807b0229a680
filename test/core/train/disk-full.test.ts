/**
 * A disk that fills up during training: the checkpoint write fails, and the run must end with no
 * partial checkpoint, the previous checkpoint current, status.json saying "failed" (even though no
 * new file can be created), exit code 4 and one sentence for the user, with no stack trace.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as fsModule from 'node:fs';
import type * as fsPromisesModule from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ full: false }));

function noSpace(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', path });
}

// A new file cannot be written once the disk is full: atomic writes' temporary files and checkpoint files.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof fsModule>();
  return {
    ...fs,
    openSync: (path: string, flags: string | number, mode?: number) => {
      if (disk.full && String(path).endsWith('.tmp')) throw noSpace(String(path));
      return fs.openSync(path, flags, mode);
    },
  };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof fsPromisesModule>();
  return {
    ...fs,
    open: async (path: string, flags?: string | number, mode?: number) => {
      const handle = await fs.open(path, flags, mode);
      if (!disk.full || !String(path).includes('.partial-')) return handle;
      return new Proxy(handle, {
        get(target, key) {
          if (key === 'write') return async () => Promise.reject(noSpace(String(path)));
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function'
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        },
      });
    },
  };
});

const { generateDataset } = await import('../../../core/data/generate.js');
const { startTrainingRun } = await import('../../../core/train/run.js');
const { superviseRun } = await import('../../../core/cli/commands/run-output.js');

let root: string;
let dataset: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-full-'));
  dataset = join(root, 'pendulum.arrow');
  await generateDataset({ envId: 'pendulum-v1', policy: 'random', episodes: 2, seed: 1, out: dataset });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a full disk during training', () => {
  it('fails with one sentence, exit code 4, no partial checkpoint and a truthful status', async () => {
    const directory = join(root, 'run');
    const run = await startTrainingRun({
      directory,
      config: {
        env: { id: 'pendulum-v1' },
        dataset: { path: dataset },
        agent: { hiddenSizes: [8], batchSize: 8 },
        offline: { steps: 30, evalInterval: 0 },
        online: { envSteps: 0 },
        eval: { episodes: 1 },
        checkpoint: { interval: 10 },
      },
    });
    run.bus.subscribe((event) => {
      // the first checkpoint (update 10) succeeds; the disk is full from update 15 on
      if (event.type === 'update' && event.step === 15) disk.full = true;
    });
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await superviseRun(run, { tty: false });
    } finally {
      write.mockRestore();
      disk.full = false;
    }
    expect(code).toBe(4);
    const failure = written.find((line) => line.startsWith('o2o: '))!;
    expect(failure).toMatch(
      /^o2o: training failed at update 20 \(env step 0, offline phase\): the disk is full \(.*\.partial-step-0000000020-env-0000000000-\d+\/state\.json\)/,
    );
    expect(written.join('')).not.toMatch(/\n\s+at /);

    const status = JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8')) as {
      state: string;
      message: string;
    };
    expect(status.state).toBe('failed');
    expect(status.message).toContain('the disk is full');
    const checkpoints = readdirSync(join(directory, 'checkpoints'));
    expect(checkpoints).toEqual(['step-0000000010-env-0000000000']);
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(directory, 'checkpoint.json'))).toBe(true);
  });
});
