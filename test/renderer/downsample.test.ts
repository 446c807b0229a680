import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gather, lowerBound, m4Indices, upperBound } from '../../renderer/src/lib/downsample.js';

const sortedSteps = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i);

describe('binary search', () => {
  it('finds insertion points in sorted arrays', () => {
    const x = [1, 2, 2, 2, 5];
    expect(lowerBound(x, 2)).toBe(1);
    expect(upperBound(x, 2)).toBe(4);
    expect(lowerBound(x, 0)).toBe(0);
    expect(upperBound(x, 9)).toBe(5);
    expect(lowerBound(x, 3)).toBe(4);
  });
});

describe('m4Indices', () => {
  it('returns every index when the window holds few points', () => {
    const x = sortedSteps(10);
    expect(Array.from(m4Indices(x, [x], 0, 9, 100))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps one point beyond each side of the window', () => {
    const x = sortedSteps(10);
    expect(Array.from(m4Indices(x, [x], 3, 5, 100))).toEqual([2, 3, 4, 5, 6]);
  });

  it('reduces a million points to at most (2 + 2·series) per pixel column', () => {
    const n = 1_000_000;
    const x = new Float64Array(n);
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i;
      a[i] = Math.sin(i / 1000);
      b[i] = Math.cos(i / 777);
    }
    const indices = m4Indices(x, [a, b], 0, n - 1, 800);
    expect(indices.length).toBeLessThanOrEqual(800 * 6);
    expect(indices.length).toBeGreaterThan(800);
  });

  it("keeps each bucket's extremes of every series, first and last, in ascending order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 50, maxLength: 400 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 400, maxLength: 400 }),
        fc.integer({ min: 1, max: 10 }),
        (first, secondFull, buckets) => {
          const n = first.length;
          const x = sortedSteps(n);
          const second = secondFull.slice(0, n);
          const indices = Array.from(m4Indices(x, [first, second], 0, n - 1, buckets));
          for (let k = 1; k < indices.length; k++) expect(indices[k]).toBeGreaterThan(indices[k - 1]);
          expect(indices[0]).toBe(0);
          expect(indices[indices.length - 1]).toBe(n - 1);
          if (n <= 4 * buckets) return;
          const kept = new Set(indices);
          const span = n - 1;
          for (let bucket = 0; bucket < buckets; bucket++) {
            const members = [];
            for (let i = 0; i < n; i++) {
              const bucketOfI = Math.min(buckets - 1, Math.floor((i / span) * buckets));
              if (bucketOfI === bucket) members.push(i);
            }
            if (members.length === 0) continue;
            for (const series of [first, second]) {
              const values = members.map((i) => series[i]);
              const min = Math.min(...values);
              const max = Math.max(...values);
              expect(members.some((i) => kept.has(i) && series[i] === min)).toBe(true);
              expect(members.some((i) => kept.has(i) && series[i] === max)).toBe(true);
            }
            expect(kept.has(members[0])).toBe(true);
            expect(kept.has(members[members.length - 1])).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ignores NaN when choosing extremes and handles empty input', () => {
    const x = sortedSteps(100);
    const y = Float64Array.from(x, (v) => (v === 42 ? 1000 : v % 7 === 0 ? NaN : 0));
    const indices = Array.from(m4Indices(x, [y], 0, 99, 2));
    expect(indices).toContain(42);
    expect(m4Indices(new Float64Array(0), [], 0, 1, 10).length).toBe(0);
  });
});

describe('gather', () => {
  it('picks values and turns non-finite ones into gaps', () => {
    expect(gather([1, NaN, 3, Infinity], [0, 1, 2, 3])).toEqual([1, null, 3, null]);
  });
});
