/** Keyboard zoom and pan of a chart's visible x-window within the data's full range. */

export type Range = [number, number];

/**
 * Scale the window about its centre by `factor` (< 1 zooms in, > 1 out), kept inside `full`.
 * Returns null when the result covers the full range (the chart's "not zoomed" state).
 */
export function zoomRange(view: Range | null, full: Range, factor: number): Range | null {
  const [lo, hi] = view ?? full;
  const fullSpan = full[1] - full[0];
  const span = Math.min(fullSpan, Math.max((hi - lo) * factor, fullSpan * 1e-6));
  if (span >= fullSpan) return null;
  const centre = (lo + hi) / 2;
  return clampInto([centre - span / 2, centre + span / 2], full);
}

/** Shift the window by `fraction` of its width (negative = left), kept inside `full`. */
export function panRange(view: Range | null, full: Range, fraction: number): Range | null {
  if (!view) return null;
  const shift = (view[1] - view[0]) * fraction;
  return clampInto([view[0] + shift, view[1] + shift], full);
}

function clampInto([lo, hi]: Range, full: Range): Range {
  const span = hi - lo;
  if (lo < full[0]) return [full[0], full[0] + span];
  if (hi > full[1]) return [full[1] - span, full[1]];
  return [lo, hi];
}
