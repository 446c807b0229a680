import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roerPriority, roerPriorityUpdate, roerRatio, roerTarget } from '../../../core/priority/roer.js';

describe('ROER priority', () => {
  it('clips the ratio to [1, maxClip]: exp(δ/β) for KL, 1 + δ/β for Pearson χ²', () => {
    expect(roerRatio(1, 2, 'kl')).toBeCloseTo(Math.exp(0.5), 15);
    expect(roerRatio(1, 2, 'pearson')).toBe(1.5);
    expect(roerTarget(-3, 1, 50, 'kl')).toBe(1);
    expect(roerTarget(0.4, 0.4, 50, 'kl')).toBeCloseTo(Math.E, 15);
    expect(roerTarget(10, 1, 50, 'kl')).toBe(50);
    expect(roerTarget(3, 2, 50, 'pearson')).toBe(2.5);
    expect(roerTarget(-3, 2, 50, 'pearson')).toBe(1);
    expect(roerTarget(1000, 1, 100, 'pearson')).toBe(100);
    expect(roerTarget(Number.NaN, 1, 100, 'kl')).toBe(1);
  });

  it('moves the priority toward the normalised target by λ and floors it at minClip', () => {
    expect(roerPriority(3, 2, 0.5, 0.1)).toBe(4); // (0.5·3 + 0.5)·2
    expect(roerPriority(0, 2, 0.01, 1.5)).toBeCloseTo(1.98, 15);
    expect(roerPriority(0, 1, 0.01, 1)).toBe(1); // 0.99 floored
  });

  it('matches a hand-computed batch update', () => {
    // δ = [0, 1, −1, 5], β = 1, w = [1, 1, 2, 1], maxClip 100, minClip 0.1, λ = 0.5:
    // e = [1, e, 1, 100] (exp(5) clipped), mean(w·e) = (1 + e + 2 + 100)/4 = 26.42957045711476,
    // wNew = max((0.5·e/26.4296 + 0.5)·w, 0.1).
    const priorities = new Float64Array([1, 1, 2, 1]);
    const out = new Float64Array(4);
    const normaliser = roerPriorityUpdate(
      [0, 1, -1, 5],
      priorities,
      { beta: 1, maxClip: 100, minClip: 0.1, lambda: 0.5, divergence: 'kl' },
      out,
    );
    expect(normaliser).toBeCloseTo(26.42957045711476, 12);
    const expected = [0.5189182037903837, 0.5514250095904849, 1.0378364075807673, 2.3918203790383643];
    expected.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 12));
  });

  it('matches a hand-computed update with the official λ = 0.01 and floor 1', () => {
    // δ = [0.5, −0.2, 2], β = 0.4, w = [1, 3, 10], maxClip 50: e = [exp(1.25), 1, 50],
    // mean(w·e) = 168.83011431915395; row 0 falls below the floor and is lifted to 1.
    const priorities = new Float32Array([1, 3, 10]);
    roerPriorityUpdate(
      [0.5, -0.2, 2],
      priorities,
      { beta: 0.4, maxClip: 50, minClip: 1, lambda: 0.01, divergence: 'kl' },
      priorities, // in place
    );
    expect(priorities[0]).toBe(1);
    expect(priorities[1]).toBeCloseTo(2.9701776934175577, 6);
    expect(priorities[2]).toBeCloseTo(9.929615569592922, 5);
  });

  it('keeps the weighted mean of the normalised targets at 1, so with λ = 1 mean(w·ê)=1 (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 64 }),
        fc.double({ min: 0.1, max: 4, noNaN: true }),
        (deltas, beta) => {
          const w = new Float64Array(deltas.length).fill(1);
          const out = new Float64Array(deltas.length);
          // λ = 1 and a tiny floor: wNew = ê·w, and mean(ê·w) = 1 by construction.
          roerPriorityUpdate(
            deltas,
            w,
            { beta, maxClip: 100, minClip: 1e-12, lambda: 1, divergence: 'kl' },
            out,
          );
          const mean = out.reduce((a, b) => a + b, 0) / out.length;
          expect(mean).toBeCloseTo(1, 10);
          // Larger δ never gets a smaller priority.
          const order = deltas.map((d, i) => [d, out[i]] as const).sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < order.length; i++)
            expect(order[i][1]).toBeGreaterThanOrEqual(order[i - 1][1] - 1e-12);
        },
      ),
      { seed: 7 },
    );
  });

  it('rejects outputs that are too short', () => {
    expect(() =>
      roerPriorityUpdate(
        [1, 2],
        [1],
        { beta: 1, maxClip: 10, minClip: 1, lambda: 0.01, divergence: 'kl' },
        new Float64Array(2),
      ),
    ).toThrow(/at least 2 priorities/);
  });
});
