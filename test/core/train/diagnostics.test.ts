import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  discountedReturn,
  FloorScaleWatch,
  offlineShare,
  priorityHistogram,
  valueBias,
} from '../../../core/train/diagnostics.js';
import { PRIORITY_HISTOGRAM_EDGES } from '../../../core/common/events.js';

describe('diagnostics', () => {
  it('discounts rewards from the first step', () => {
    expect(discountedReturn([1, 1, 1], 0.5)).toBeCloseTo(1.75, 12);
    expect(discountedReturn([0, 0, 10], 0.9)).toBeCloseTo(8.1, 12);
    expect(valueBias(10, [0, 0, 10], 0.9)).toBeCloseTo(1.9, 12);
  });

  it('bins priorities into the fixed log bins', () => {
    const edges = PRIORITY_HISTOGRAM_EDGES;
    expect(edges[0]).toBeCloseTo(0.01, 12);
    expect(edges.at(-1)).toBeCloseTo(100, 10);
    const counts = priorityHistogram([0.001, 0.01, 1, 1, 99.9, 100, 1e6, Number.NaN]);
    expect(counts).toHaveLength(edges.length + 1);
    expect(counts[0]).toBe(2); // 0.001 and NaN
    expect(counts[1]).toBe(1); // 0.01 is the first edge: [edge0, edge1)
    const oneBin = edges.findIndex((e) => e > 1); // 1 lies in [edge_{k-1}, edge_k)
    expect(counts[oneBin]).toBe(2);
    expect(counts[edges.length - 1]).toBe(1); // 99.9
    expect(counts[edges.length]).toBe(2); // 100 and 1e6
  });

  it('puts every value in the bin whose edges bracket it (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 1e4, noNaN: true }), (value) => {
        const counts = priorityHistogram([value]);
        const bin = counts.indexOf(1);
        const edges = PRIORITY_HISTOGRAM_EDGES;
        if (bin === 0) return value < edges[0];
        if (bin === edges.length) return value >= edges.at(-1)!;
        return value >= edges[bin - 1] && value < edges[bin];
      }),
    );
  });

  it('measures the offline share of a batch', () => {
    expect(offlineShare(new Uint8Array([0, 0, 1, 1]))).toBe(0.5);
    expect(offlineShare(new Uint8Array([0, 0, 0]))).toBe(1);
  });
});

describe('FloorScaleWatch', () => {
  it('warns once, when a full window of updates averages at least the threshold at the floor', () => {
    const watch = new FloorScaleWatch(10, 4, 0.99);
    // A first window below the threshold: no warning, and the count starts again.
    expect([1, 1, 1, 0.9].map((share) => watch.observe(share))).toEqual([null, null, null, null]);
    expect(watch.observe(1)).toBeNull();
    expect(watch.observe(Number.NaN)).toBeNull(); // no priorities this update: not counted
    expect(watch.observe(1)).toBeNull();
    expect(watch.observe(0.99)).toBeNull();
    const warning = watch.observe(1);
    expect(warning).toMatch(/99\.8% of the rows of the last 4 batches/);
    expect(warning).toMatch(/replay\.roerMinClip = 10/);
    expect(warning).toMatch(/replay\.weightNormalisation "mean"/);
    for (let i = 0; i < 8; i++) expect(watch.observe(1)).toBeNull();
  });

  it('applies only to ROER weights above a floor of 1 that are not normalised', () => {
    const roer = { priority: 'roer', mode: 'weight', roerMinClip: 10, weightNormalisation: 'none' };
    expect(FloorScaleWatch.applies(roer)).toBe(true);
    expect(FloorScaleWatch.applies({ ...roer, weightNormalisation: 'mean' })).toBe(false);
    expect(FloorScaleWatch.applies({ ...roer, roerMinClip: 1 })).toBe(false);
    expect(FloorScaleWatch.applies({ ...roer, mode: 'sample' })).toBe(false);
    expect(FloorScaleWatch.applies({ ...roer, priority: 'uniform' })).toBe(false);
  });
});
