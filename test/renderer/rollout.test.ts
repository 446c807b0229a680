import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitBounds, groundMarks, parseSnapshot, toCanvas } from '../../renderer/src/lib/rollout.js';

describe('fitBounds', () => {
  it('maps the world box into the canvas centred, y up, aspect kept', () => {
    const transform = fitBounds([0, 0, 2, 1], 200, 200, 0);
    expect(transform.scale).toBe(100);
    expect(toCanvas(transform, 0, 1)).toEqual([0, 50]); // top-left
    expect(toCanvas(transform, 2, 0)).toEqual([200, 150]); // bottom-right
  });

  it('keeps every point of the world box inside the padded canvas', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.integer({ min: 50, max: 800 }),
        fc.integer({ min: 50, max: 800 }),
        (x0, y0, w, h, width, height) => {
          const transform = fitBounds([x0, y0, x0 + w, y0 + h], width, height, 8);
          for (const [x, y] of [
            [x0, y0],
            [x0 + w, y0 + h],
          ]) {
            const [cx, cy] = toCanvas(transform, x, y);
            expect(cx).toBeGreaterThanOrEqual(8 - 1e-6);
            expect(cx).toBeLessThanOrEqual(width - 8 + 1e-6);
            expect(cy).toBeGreaterThanOrEqual(8 - 1e-6);
            expect(cy).toBeLessThanOrEqual(height - 8 + 1e-6);
          }
        },
      ),
    );
  });
});

describe('parseSnapshot', () => {
  const frame = { bounds: [0, 0, 1, 1], walls: [[0, 0, 0.1, 1]], agent: { x: 0.5, y: 0.5, radius: 0.05 } };

  it('accepts a render snapshot', () => {
    expect(parseSnapshot(frame)).toBe(frame);
    expect(
      parseSnapshot({ ...frame, goal: { x: 1, y: 1, radius: 0.1 }, lines: [[0, 0, 1, 1]] }),
    ).not.toBeTypeOf('string');
  });

  it('says what is wrong with a malformed frame', () => {
    expect(parseSnapshot(null)).toMatch(/not an object/);
    expect(parseSnapshot({ ...frame, bounds: [0, 0, 1] })).toMatch(/bounds/);
    expect(parseSnapshot({ ...frame, bounds: [1, 0, 0, 1] })).toMatch(/xMax > xMin/);
    expect(parseSnapshot({ ...frame, walls: [[0, 0]] })).toMatch(/walls/);
    expect(parseSnapshot({ ...frame, agent: { x: 0 } })).toMatch(/agent/);
    expect(parseSnapshot({ ...frame, lines: [[0]] })).toMatch(/lines/);
  });
});

describe('MuJoCo frames (side and top views with capsules)', () => {
  const base = { bounds: [0, -0.3, 5, 2.2], walls: [], agent: { x: 2.5, y: 1.2, radius: 0.05 } };

  it('accepts a side view with capsules and names what is wrong otherwise', () => {
    expect(parseSnapshot({ ...base, view: 'side', capsules: [[2.5, 1.45, 2.5, 1.05, 0.05]] })).toMatchObject({
      view: 'side',
    });
    expect(parseSnapshot({ ...base, view: 'front' })).toBe("frame.view must be 'top' or 'side'");
    expect(parseSnapshot({ ...base, capsules: [[0, 0, 1, 1]] })).toBe(
      'frame.capsules must be a list of [x1, y1, x2, y2, radius]',
    );
    expect(parseSnapshot({ ...base, capsules: [[0, 0, 1, 1, Number.NaN]] })).toMatch(/frame.capsules/);
  });

  it('puts a ground mark at every whole metre inside the window', () => {
    expect(groundMarks(-1.5, 2.2)).toEqual([-1, 0, 1, 2]);
    expect(groundMarks(3, 5)).toEqual([3, 4, 5]);
    expect(groundMarks(0.1, 0.9)).toEqual([]);
  });
});
