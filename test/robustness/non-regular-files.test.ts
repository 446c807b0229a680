/**
 * A FIFO, a socket or a device where a file is expected: refused at once with a message naming
 * the path and what it is, by the command line and by the engine, which keeps answering.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../core/data/load.js';
import { EngineWorkerHost } from '../../core/server/engine-host.js';

const ROOT = join(import.meta.dirname, '..', '..');
let scratch: string;
let fifo: string;
let socketPath: string;
let socketServer: Server;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'o2o-special-'));
  mkdirSync(join(scratch, 'datasets'));
  fifo = join(scratch, 'datasets', 'pipe.arrow');
  execFileSync('mkfifo', [fifo]);
  socketPath = join(scratch, 'datasets', 'socket.arrow');
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));
});
afterAll(() => {
  socketServer.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Run the CLI from source; a hang is cut off after 60 s (and fails the test). */
function o2o(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'core/cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, signal: result.signal, stderr: result.stderr };
}

describe('non-regular files', () => {
  it('the CLI refuses a FIFO as a dataset or a config instead of waiting on it', () => {
    const inspected = o2o(['datasets', 'inspect', fifo]);
    expect(inspected.signal).toBeNull();
    expect(inspected.code).toBe(3);
    expect(inspected.stderr.trim()).toBe(
      `o2o: ${fifo}: is a FIFO (named pipe); expected an Arrow IPC or Parquet file`,
    );
    const config = o2o(['train', '--config', fifo]);
    expect(config.signal).toBeNull();
    expect(config.code).toBe(2);
    expect(config.stderr).toContain(`${fifo} is a FIFO (named pipe), not a regular file`);
  });

  it('the loader names sockets and devices', async () => {
    await expect(loadDataset(socketPath)).rejects.toThrow(`${socketPath}: is a socket; expected`);
    await expect(loadDataset('/dev/zero')).rejects.toThrow('/dev/zero: is a character device; expected');
  });

  it('the engine refuses a FIFO in an allowed folder and keeps answering', async () => {
    const host = await EngineWorkerHost.start({
      service: {
        runsDirectory: join(scratch, 'runs'),
        datasetsDirectory: join(scratch, 'datasets'),
        baseDirectory: scratch,
        mode: 'browser',
        version: '0.0.0',
      },
    });
    try {
      const started = Date.now();
      const refused = await host.handle({ id: 1, method: 'datasets.inspect', params: { path: fifo } });
      expect(refused).toMatchObject({
        error: { code: 'failed', message: expect.stringContaining('is a FIFO') },
      });
      expect(await host.handle({ id: 2, method: 'envs.list', params: {} })).toMatchObject({
        result: expect.any(Array),
      });
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      expect(await host.close(30_000)).toBe(true);
    }
  });
});
