import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { panRange, zoomRange } from '../../renderer/src/lib/zoom.js';

describe('zoomRange', () => {
  it('halves the window about its centre and returns to "not zoomed" when zoomed out fully', () => {
    expect(zoomRange(null, [0, 100], 0.5)).toEqual([25, 75]);
    expect(zoomRange([25, 75], [0, 100], 0.5)).toEqual([37.5, 62.5]);
    expect(zoomRange([25, 75], [0, 100], 2)).toBeNull();
  });

  it('keeps a zoomed-out window inside the data', () => {
    expect(zoomRange([0, 20], [0, 100], 2)).toEqual([0, 40]);
  });
});

describe('panRange', () => {
  it('moves by a fraction of the window and stops at the edges', () => {
    expect(panRange([20, 40], [0, 100], 0.25)).toEqual([25, 45]);
    expect(panRange([0, 20], [0, 100], -0.25)).toEqual([0, 20]);
    expect(panRange([85, 95], [0, 100], 1)).toEqual([90, 100]);
    expect(panRange(null, [0, 100], 0.25)).toBeNull();
  });

  it('never leaves the full range and keeps the width', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 90, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (start, width, fraction) => {
          const moved = panRange([start, start + width], [0, 100], fraction)!;
          expect(moved[0]).toBeGreaterThanOrEqual(0);
          expect(moved[1]).toBeLessThanOrEqual(100 + 1e-9);
          expect(moved[1] - moved[0]).toBeCloseTo(width, 9);
        },
      ),
    );
  });
});
