import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binHeatmap, priorityBinLabels, shareIntensity, viridis } from '../../renderer/src/lib/heatmap.js';

describe('binHeatmap', () => {
  it('sums the counts of updates in each time column and normalises to shares', () => {
    const steps = [0, 1, 2, 3];
    const histogram = [
      [4, 0, 1, 1], // bin 0
      [0, 4, 3, 1], // bin 1
    ];
    const grid = binHeatmap(steps, histogram, 0, 4, 2);
    expect(grid.columns).toBe(2);
    expect(grid.bins).toBe(2);
    // column 0 = steps 0,1: bin0 = 4, bin1 = 4 → 0.5 / 0.5; column 1 = steps 2,3: 2 / 4 → 1/3, 2/3
    expect(Array.from(grid.cells)).toEqual([0.5, 0.5, 1 / 3, 2 / 3]);
    expect(Array.from(grid.updates)).toEqual([2, 2]);
    expect(Array.from(grid.columnStart)).toEqual([0, 2]);
  });

  it('marks columns without updates as empty (NaN) and ignores steps outside the window', () => {
    const grid = binHeatmap([0, 10], [[1, 1]], 0, 4, 4);
    expect(grid.cells[0]).toBe(1);
    expect(grid.cells[1]).toBeNaN();
    expect(grid.updates[3]).toBe(0);
  });

  it('gives columns whose shares sum to 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 18, maxLength: 18 }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 12 }),
        (rows, columns) => {
          const steps = rows.map((_, i) => i * 5);
          const histogram = Array.from({ length: 18 }, (_, b) => rows.map((row) => row[b]));
          const grid = binHeatmap(steps, histogram, 0, Math.max(1, steps[steps.length - 1]), columns);
          for (let c = 0; c < grid.columns; c++) {
            let sum = 0;
            let empty = true;
            for (let b = 0; b < grid.bins; b++) {
              const value = grid.cells[c * grid.bins + b];
              if (!Number.isNaN(value)) {
                empty = false;
                sum += value;
              }
            }
            if (!empty) expect(sum).toBeCloseTo(1, 9);
          }
        },
      ),
    );
  });

  it('estimates shares from every k-th row when columns hold many rows, close to the exact shares', () => {
    const rows = 20_000;
    const steps = Float64Array.from({ length: rows }, (_, i) => i);
    // bin 0 holds 3 of 4 priorities in the first half, 1 of 4 in the second half; noise per row
    const low = Float64Array.from(
      { length: rows },
      (_, i) => (i < rows / 2 ? 192 : 64) + ((Math.imul(i, 2654435761) >>> 0) % 9) - 4,
    );
    const high = Float64Array.from(low, (v) => 256 - v);
    const exact = binHeatmap(steps, [low, high], 0, rows - 1, 2, Infinity);
    const strided = binHeatmap(steps, [low, high], 0, rows - 1, 2, 100);
    expect(strided.cells[0]).toBeCloseTo(exact.cells[0], 2);
    expect(strided.cells[2]).toBeCloseTo(exact.cells[2], 2);
    expect(strided.cells[0] + strided.cells[1]).toBeCloseTo(1, 12);
    expect(exact.cells[0]).toBeCloseTo(0.75, 2);
    expect(strided.updates[0] + strided.updates[1]).toBeGreaterThanOrEqual(rows);
  });
});

describe('colours and labels', () => {
  it('spans the viridis anchors and clamps', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(2)).toEqual([253, 231, 37]);
    expect(viridis(NaN)).toEqual([68, 1, 84]);
    expect(viridis(1 / 16)).toEqual([70, 23, 103]);
  });

  it('lifts small shares with a square root', () => {
    expect(shareIntensity(0.04)).toBeCloseTo(0.2, 12);
    expect(shareIntensity(NaN)).toBe(0);
  });

  it('labels underflow, interior and overflow bins', () => {
    expect(priorityBinLabels([0.01, 0.1, 1])).toEqual(['< 0.01', '0.01–0.1', '0.1–1', '≥ 1']);
  });
});
