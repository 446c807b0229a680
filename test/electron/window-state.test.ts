import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_SIZE,
  loadWindowState,
  placeWindow,
  saveWindowState,
  type Rectangle,
} from '../../electron/window-state.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'o2o-window-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const screen: Rectangle = { x: 0, y: 0, width: 1920, height: 1080 };

describe('window state', () => {
  it('round-trips through its file', () => {
    const file = join(directory, 'window-state.json');
    const state = { x: 100, y: 50, width: 1000, height: 700, maximized: true };
    saveWindowState(file, state);
    expect(loadWindowState(file)).toEqual(state);
  });

  it('ignores a missing, corrupt or implausible file', () => {
    const file = join(directory, 'window-state.json');
    expect(loadWindowState(file)).toBeUndefined();
    writeFileSync(file, '{"x": 1,');
    expect(loadWindowState(file)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ x: 0, y: 0, width: 10, height: 10, maximized: false }));
    expect(loadWindowState(file)).toBeUndefined();
  });

  it('keeps a position that is on a screen, and centres the default size without one', () => {
    const stored = { x: 2000, y: 100, width: 800, height: 600, maximized: false };
    const second: Rectangle = { x: 1920, y: 0, width: 1280, height: 1024 };
    expect(placeWindow(stored, [screen, second])).toEqual(stored);
    expect(placeWindow(undefined, [screen])).toEqual({
      x: (1920 - DEFAULT_WINDOW_SIZE.width) / 2,
      y: (1080 - DEFAULT_WINDOW_SIZE.height) / 2,
      ...DEFAULT_WINDOW_SIZE,
      maximized: false,
    });
  });

  it('moves a window whose screen is gone back onto the primary screen', () => {
    const stored = { x: 2000, y: 100, width: 800, height: 600, maximized: true };
    expect(placeWindow(stored, [screen])).toEqual({
      x: 560,
      y: 240,
      width: 800,
      height: 600,
      maximized: true,
    });
  });

  it('always places the window mostly on some screen and never larger than the primary one (property)', () => {
    const rect = fc.record({
      x: fc.integer({ min: -5000, max: 5000 }),
      y: fc.integer({ min: -5000, max: 5000 }),
      width: fc.integer({ min: 200, max: 6000 }),
      height: fc.integer({ min: 150, max: 6000 }),
    });
    fc.assert(
      fc.property(rect, fc.boolean(), rect, (stored, maximized, primary) => {
        const placed = placeWindow({ ...stored, maximized }, [primary]);
        const width =
          Math.min(placed.x + placed.width, primary.x + primary.width) - Math.max(placed.x, primary.x);
        const height =
          Math.min(placed.y + placed.height, primary.y + primary.height) - Math.max(placed.y, primary.y);
        expect(width).toBeGreaterThanOrEqual(Math.min(64, placed.width));
        expect(height).toBeGreaterThanOrEqual(Math.min(64, placed.height));
        expect(placed.maximized).toBe(maximized);
      }),
    );
  });
});
