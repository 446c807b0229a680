import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { displayProblem, findElectronBinary, parseLaunchArguments } from '../../electron/launch.js';

let directory: string;
let manifest: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'o2o-launch-'));
  manifest = join(directory, 'electron', 'package.json');
  mkdirSync(join(directory, 'electron'));
  writeFileSync(manifest, '{"name":"electron"}');
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('finding the Electron binary without downloading it', () => {
  it('explains a binary that was never downloaded', () => {
    const lookup = findElectronBinary({}, manifest, 'linux');
    expect(lookup).toEqual({ ok: false, reason: expect.stringContaining('never downloaded') });
  });

  it('explains a path.txt whose binary is gone', () => {
    writeFileSync(join(directory, 'electron', 'path.txt'), 'electron');
    expect(findElectronBinary({}, manifest, 'linux')).toEqual({
      ok: false,
      reason: expect.stringContaining('is missing'),
    });
  });

  it('finds the binary that path.txt names under dist/', () => {
    writeFileSync(join(directory, 'electron', 'path.txt'), 'electron');
    mkdirSync(join(directory, 'electron', 'dist'));
    writeFileSync(join(directory, 'electron', 'dist', 'electron'), '');
    expect(findElectronBinary({}, manifest, 'linux')).toEqual({
      ok: true,
      binary: join(directory, 'electron', 'dist', 'electron'),
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const override = join(directory, 'override');
    mkdirSync(override);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: override }, manifest, 'linux')).toEqual({
      ok: false,
      reason: expect.stringContaining('ELECTRON_OVERRIDE_DIST_PATH'),
    });
    writeFileSync(join(override, 'electron'), '');
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: override }, manifest, 'linux')).toEqual({
      ok: true,
      binary: join(override, 'electron'),
    });
  });

  it('needs a display on Linux only', () => {
    expect(displayProblem({}, 'linux')).toMatch(/no display/);
    expect(displayProblem({ DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeUndefined();
    expect(displayProblem({}, 'darwin')).toBeUndefined();
    expect(displayProblem({}, 'win32')).toBeUndefined();
  });
});

describe('launcher arguments (passed on to the browser-mode fallback)', () => {
  it('reads --port, --runs and --open/--no-open', () => {
    expect(parseLaunchArguments([])).toEqual({ port: 0, runsDirectory: 'runs', open: undefined });
    expect(parseLaunchArguments(['--port', '8123', '--runs', 'elsewhere', '--no-open'])).toEqual({
      port: 8123,
      runsDirectory: 'elsewhere',
      open: false,
    });
    expect(parseLaunchArguments(['--open']).open).toBe(true);
  });

  it('refuses anything else, naming what it expected', () => {
    expect(() => parseLaunchArguments(['--prot', '1'])).toThrow(
      /unknown argument "--prot"; expected --port P/,
    );
    expect(() => parseLaunchArguments(['--port', 'x'])).toThrow(/--port/);
  });
});
