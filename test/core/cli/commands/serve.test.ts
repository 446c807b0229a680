import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../../../core/cli/errors.js';
import { parsePort, startServe } from '../../../../core/cli/commands/serve.js';

describe('o2o serve', () => {
  it('accepts ports 0 … 65535 and names the flag otherwise', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort('65535')).toBe(65_535);
    for (const bad of ['65536', '-1', '80.5', 'http', '', '1e3']) {
      expect(() => parsePort(bad)).toThrow(UserFacingError);
      expect(() => parsePort(bad)).toThrow(/--port/);
    }
  });

  it('explains a missing renderer build instead of serving nothing', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'o2o-serve-'));
    try {
      const lines: string[] = [];
      await expect(
        startServe({
          port: 0,
          runsDirectory: join(scratch, 'runs'),
          open: false,
          rendererDirectory: join(scratch, 'no-renderer'),
          print: (line) => lines.push(line),
        }),
      ).rejects.toThrow(/build the user interface first \(npm run build\)/);
      expect(lines).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
