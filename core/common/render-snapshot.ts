/** One frame of an environment as the app draws it; produced by every core/envs environment's render(). */

/** What the UI draws for one frame of an environment, in world coordinates projected to 2-D. */
export interface RenderSnapshot {
  /**
   * 'top' (default): a map seen from above, y up. 'side': a side view (x right, height up) with
   * the ground at y = 0, drawn with distance marks; the bounds follow the body.
   */
  view?: 'top' | 'side';
  /** World bounds [xMin, yMin, xMax, yMax]. */
  bounds: [number, number, number, number];
  /** Axis-aligned wall rectangles [x, y, width, height]. */
  walls: [number, number, number, number][];
  /** Agent position and optional heading/angle in radians. */
  agent: { x: number; y: number; angle?: number; radius: number };
  goal?: { x: number; y: number; radius: number };
  /** Extra line segments (e.g. a pendulum rod or the mountain curve) [x1, y1, x2, y2]. */
  lines?: [number, number, number, number][];
  /** Body parts as capsules (segments with round ends) [x1, y1, x2, y2, radius]. */
  capsules?: [number, number, number, number, number][];
}
