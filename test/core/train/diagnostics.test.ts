import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  discountedReturn,
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
