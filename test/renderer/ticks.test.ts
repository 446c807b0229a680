import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatTick, niceTicks } from '../../renderer/src/lib/ticks.js';

describe('niceTicks', () => {
  it('picks steps of 1, 2 or 5 × 10^k', () => {
    expect(niceTicks(0, 3800, 4)).toEqual([0, 1000, 2000, 3000]);
    expect(niceTicks(4, 3800, 8)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3500]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.3, 0.3, 3)).toEqual([-0.2, 0, 0.2]);
  });

  it('handles degenerate ranges', () => {
    expect(niceTicks(5, 5, 4)).toEqual([5]);
    expect(niceTicks(NaN, 1, 4)).toEqual([]);
    expect(niceTicks(10, 0, 2)).toEqual([0, 5, 10]);
  });

  it('keeps ticks inside the range, evenly spaced, about as many as asked', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        (min, span, count) => {
          const ticks = niceTicks(min, min + span, count);
          expect(ticks.length).toBeGreaterThanOrEqual(1);
          expect(ticks.length).toBeLessThanOrEqual(2 * count + 2);
          for (const t of ticks) {
            expect(t).toBeGreaterThanOrEqual(min - span * 1e-6);
            expect(t).toBeLessThanOrEqual(min + span + span * 1e-6);
          }
        },
      ),
    );
  });
});

describe('formatTick', () => {
  it('abbreviates large numbers', () => {
    expect(formatTick(12_000)).toBe('12k');
    expect(formatTick(1_500_000)).toBe('1.5M');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(3000)).toBe('3000');
  });
});
