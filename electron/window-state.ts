/**
 * The main window's position and size, remembered between sessions in `window-state.json` under
 * the app's user-data directory. A stored state is validated, and a window that would open off
 * every screen (a monitor was unplugged) is moved back onto the primary one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../core/util/atomic-write.js';

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rectangle {
  maximized: boolean;
}

const windowStateSchema = z
  .object({
    x: z.number().int(),
    y: z.number().int(),
    width: z.number().int().min(200).max(100_000),
    height: z.number().int().min(150).max(100_000),
    maximized: z.boolean(),
  })
  .strict();

export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 820 } as const;
/** Smallest part of a window (px) that must lie on a screen for the stored position to be kept. */
const MIN_VISIBLE = 64;

/** The stored state, or undefined when there is none or it is unreadable (then defaults apply). */
export function loadWindowState(file: string): WindowState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  writeFileAtomicSync(file, `${JSON.stringify(windowStateSchema.parse(state))}\n`);
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Bounds to open the window with: the stored ones when enough of the window lies on some screen's
 * work area, else the stored size (shrunk to fit) centred on the primary work area.
 */
export function placeWindow(stored: WindowState | undefined, workAreas: Rectangle[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_WINDOW_SIZE };
  const wanted = stored ?? { x: 0, y: 0, ...DEFAULT_WINDOW_SIZE, maximized: false };
  if (stored) {
    const visible = workAreas.some((area) => {
      const shared = overlap(stored, area);
      return shared.width >= MIN_VISIBLE && shared.height >= MIN_VISIBLE;
    });
    if (visible) return stored;
  }
  const width = Math.min(wanted.width, primary.width);
  const height = Math.min(wanted.height, primary.height);
  return {
    x: primary.x + Math.round((primary.width - width) / 2),
    y: primary.y + Math.round((primary.height - height) / 2),
    width,
    height,
    maximized: wanted.maximized,
  };
}
