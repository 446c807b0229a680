/**
 * Geometry and validation for the policy viewer, which animates evaluation rollouts. Frames
 * arrive as RenderSnapshot objects in world coordinates (y up) — a map seen from above, or a side
 * view of a MuJoCo body whose window follows it; the canvas has y down, so the world box is fitted
 * into the canvas, centred, with the aspect ratio kept.
 */
import type { RenderSnapshot } from '../../../core/common/render-snapshot.js';

export interface ViewTransform {
  /** Canvas pixels per world unit (same on both axes). */
  scale: number;
  /** Canvas position of world x = bounds[0] and world y = bounds[3] (the top-left corner). */
  offsetX: number;
  offsetY: number;
  xMin: number;
  yMax: number;
}

/** Fit world bounds [xMin, yMin, xMax, yMax] into width × height pixels with `padding` on each side. */
export function fitBounds(
  bounds: readonly [number, number, number, number],
  width: number,
  height: number,
  padding = 8,
): ViewTransform {
  const [xMin, yMin, xMax, yMax] = bounds;
  const worldWidth = Math.max(1e-9, xMax - xMin);
  const worldHeight = Math.max(1e-9, yMax - yMin);
  const innerWidth = Math.max(1, width - 2 * padding);
  const innerHeight = Math.max(1, height - 2 * padding);
  const scale = Math.min(innerWidth / worldWidth, innerHeight / worldHeight);
  return {
    scale,
    offsetX: (width - worldWidth * scale) / 2,
    offsetY: (height - worldHeight * scale) / 2,
    xMin,
    yMax,
  };
}

/** Canvas coordinates of a world point. */
export function toCanvas(transform: ViewTransform, x: number, y: number): [number, number] {
  return [
    transform.offsetX + (x - transform.xMin) * transform.scale,
    transform.offsetY + (transform.yMax - y) * transform.scale,
  ];
}

function isNumberTuple(value: unknown, length: number): boolean {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

function isCircle(value: unknown): value is { x: number; y: number; radius: number } {
  if (typeof value !== 'object' || value === null) return false;
  const circle = value as Record<string, unknown>;
  return [circle.x, circle.y, circle.radius].every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** The frame as a RenderSnapshot, or a sentence saying what is wrong with it. */
export function parseSnapshot(frame: unknown): RenderSnapshot | string {
  if (typeof frame !== 'object' || frame === null) return 'a frame is not an object';
  const snapshot = frame as Record<string, unknown>;
  if (!isNumberTuple(snapshot.bounds, 4)) return 'frame.bounds must be [xMin, yMin, xMax, yMax]';
  const [xMin, yMin, xMax, yMax] = snapshot.bounds as number[];
  if (!(xMax > xMin && yMax > yMin)) return 'frame.bounds must have xMax > xMin and yMax > yMin';
  if (!Array.isArray(snapshot.walls) || !snapshot.walls.every((w) => isNumberTuple(w, 4)))
    return 'frame.walls must be a list of [x, y, width, height]';
  if (!isCircle(snapshot.agent)) return 'frame.agent must have numeric x, y and radius';
  if (snapshot.goal !== undefined && !isCircle(snapshot.goal))
    return 'frame.goal must have numeric x, y and radius';
  if (
    snapshot.lines !== undefined &&
    (!Array.isArray(snapshot.lines) || !snapshot.lines.every((l) => isNumberTuple(l, 4)))
  )
    return 'frame.lines must be a list of [x1, y1, x2, y2]';
  if (
    snapshot.capsules !== undefined &&
    (!Array.isArray(snapshot.capsules) || !snapshot.capsules.every((c) => isNumberTuple(c, 5)))
  )
    return 'frame.capsules must be a list of [x1, y1, x2, y2, radius]';
  if (snapshot.view !== undefined && snapshot.view !== 'top' && snapshot.view !== 'side')
    return "frame.view must be 'top' or 'side'";
  return frame as RenderSnapshot;
}

/**
 * World x positions of the distance marks on the ground of a side view: every `spacing` units
 * inside [xMin, xMax] (the window follows the body, so the marks show its motion).
 */
export function groundMarks(xMin: number, xMax: number, spacing = 1): number[] {
  const marks: number[] = [];
  for (let x = Math.ceil(xMin / spacing) * spacing; x <= xMax; x += spacing) marks.push(x);
  return marks;
}
