import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SumTree } from '../../../core/replay/sum-tree.js';
import { Rng } from '../../../core/util/random.js';

/** χ² statistic of observed counts against expected probabilities. */
function chiSquare(counts: ArrayLike<number>, probabilities: ArrayLike<number>, draws: number): number {
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) {
    const expected = probabilities[i] * draws;
    if (expected > 0) statistic += (counts[i] - expected) ** 2 / expected;
    else expect(counts[i]).toBe(0);
  }
  return statistic;
}

describe('SumTree', () => {
  it('stores priorities and keeps the total', () => {
    const tree = new SumTree(5);
    [1, 0, 2, 3, 0.5].forEach((p, i) => tree.set(i, p));
    expect(tree.total()).toBe(6.5);
    expect(tree.get(3)).toBe(3);
    tree.set(3, 1);
    expect(tree.total()).toBe(4.5);
    expect(tree.prefixSum(0)).toBe(0);
    expect(tree.prefixSum(3)).toBe(3);
    expect(tree.prefixSum(5)).toBe(4.5);
  });

  it('finds the slot whose cumulative range contains the mass, skipping empty slots', () => {
    const tree = new SumTree(4);
    [1, 0, 2, 3].forEach((p, i) => tree.set(i, p));
    expect(tree.find(0)).toBe(0);
    expect(tree.find(0.999)).toBe(0);
    expect(tree.find(1)).toBe(2);
    expect(tree.find(2.999)).toBe(2);
    expect(tree.find(3)).toBe(3);
    expect(tree.find(5.999)).toBe(3);
    // Rounding past the end stays on the last non-empty slot.
    expect(tree.find(6)).toBe(3);
    expect(tree.find(1e9)).toBe(3);
  });

  it('rejects bad indices, priorities and an empty tree', () => {
    const tree = new SumTree(3);
    expect(() => tree.set(3, 1)).toThrow(/index must be an integer in \[0, 3\)/);
    expect(() => tree.set(0, -1)).toThrow(/finite number ≥ 0/);
    expect(() => tree.set(0, Number.NaN)).toThrow(/finite number ≥ 0/);
    expect(() => tree.find(0)).toThrow(/positive total/);
    expect(() => new SumTree(0)).toThrow(/capacity/);
  });

  it('agrees with a linear scan for any priorities and mass (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 600 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (priorities, unit) => {
          const total = priorities.reduce((a, b) => a + b, 0);
          fc.pre(total > 0);
          const tree = new SumTree(priorities.length);
          priorities.forEach((p, i) => tree.set(i, p));
          expect(tree.total()).toBe(total);
          const mass = unit * total;
          const found = tree.find(mass);
          let before = 0;
          for (let i = 0; i < found; i++) before += priorities[i];
          expect(priorities[found]).toBeGreaterThan(0);
          expect(before).toBeLessThanOrEqual(mass);
          expect(mass).toBeLessThan(before + priorities[found]);
          const cut = Math.floor(unit * (priorities.length + 1));
          expect(tree.prefixSum(cut)).toBe(priorities.slice(0, cut).reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('samples each slot with probability p_i / Σp (χ² test, fixed seed)', () => {
    const capacity = 77; // not a multiple of the fan-out: exercises padding
    const tree = new SumTree(capacity);
    const rng = new Rng(2024);
    const priorities = new Float64Array(capacity);
    for (let i = 0; i < capacity; i++) priorities[i] = i % 11 === 0 ? 0 : rng.uniformIn(0.1, 5);
    priorities.forEach((p, i) => tree.set(i, p));
    const total = tree.total();
    const draws = 300_000;
    const counts = new Float64Array(capacity);
    for (let k = 0; k < draws; k++) counts[tree.find(rng.uniform() * total)]++;
    const probabilities = priorities.map((p) => p / total);
    const degrees = capacity - 7 - 1; // 7 slots have zero priority
    // 99.9th percentile of χ² with 69 degrees of freedom ≈ 111.
    expect(degrees).toBe(69);
    expect(chiSquare(counts, probabilities, draws)).toBeLessThan(111);
    // A sampler that ignored priorities would fail the same test by a wide margin.
    const uniform = new Float64Array(capacity).fill(1 / capacity);
    expect(
      chiSquare(
        counts.map((c, i) => (priorities[i] > 0 ? c : 0)),
        uniform,
        draws,
      ),
    ).toBeGreaterThan(1000);
  });

  it('keeps totals exact after many updates', () => {
    const capacity = 1000;
    const tree = new SumTree(capacity);
    const shadow = new Float64Array(capacity);
    const rng = new Rng(5);
    // Integer priorities: every partial sum is exact in float64, so the total must be exact.
    for (let k = 0; k < 100_000; k++) {
      const i = rng.int(capacity);
      const p = rng.int(1_000_000);
      tree.set(i, p);
      shadow[i] = p;
    }
    expect(tree.total()).toBe(shadow.reduce((a, b) => a + b, 0));
    // Fractional priorities: the total is the same deterministic sum a fresh tree computes, and
    // matches a compensated sum to within rounding (no drift from accumulated differences).
    for (let k = 0; k < 100_000; k++) {
      const i = rng.int(capacity);
      const p = Math.fround(rng.uniform() * 10);
      tree.set(i, p);
      shadow[i] = p;
    }
    const fresh = new SumTree(capacity);
    fresh.assign(shadow);
    expect(tree.total()).toBe(fresh.total());
    let sum = 0;
    let compensation = 0;
    for (const value of shadow) {
      const y = value - compensation;
      const t = sum + y;
      compensation = t - sum - y;
      sum = t;
    }
    expect(Math.abs(tree.total() - sum) / sum).toBeLessThan(1e-13);
  });

  it('handles the smallest capacities', () => {
    for (const capacity of [1, 2, 7, 8, 9, 64, 65]) {
      const tree = new SumTree(capacity);
      for (let i = 0; i < capacity; i++) tree.set(i, i + 1);
      expect(tree.total()).toBe((capacity * (capacity + 1)) / 2);
      expect(tree.find(tree.total() - 0.5)).toBe(capacity - 1);
      expect(tree.find(0)).toBe(0);
    }
  });
});

describe('SumTree minima', () => {
  it('answer range minima of the positive priorities like a linear scan (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 100, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.array(fc.tuple(fc.nat(), fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 40 }),
        fc.nat(),
        fc.nat(),
        (values, updates, a, b) => {
          const tree = new SumTree(values.length, { trackMinimum: true });
          const shadow = [...values];
          if (a % 2 === 0) tree.assign(values);
          else values.forEach((v, i) => tree.set(i, v));
          for (const [where, value] of updates) {
            tree.set(where % values.length, value);
            shadow[where % values.length] = value;
          }
          const positiveMin = (list: number[]) =>
            list.filter((v) => v > 0).reduce((m, v) => Math.min(m, v), Infinity);
          const start = a % (values.length + 1);
          const end = start + (b % (values.length + 1 - start));
          expect(tree.rangeMin(start, end)).toBe(positiveMin(shadow.slice(start, end)));
          expect(tree.min()).toBe(positiveMin(shadow));
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('track the minimum through updates that raise and lower it', () => {
    const tree = new SumTree(20, { trackMinimum: true });
    expect(tree.min()).toBe(Infinity);
    for (let i = 0; i < 20; i++) tree.set(i, 10 + i);
    expect(tree.min()).toBe(10);
    tree.set(0, 50);
    expect(tree.min()).toBe(11);
    tree.set(19, 0.5);
    expect(tree.min()).toBe(0.5);
    expect(tree.rangeMin(0, 19)).toBe(11);
    tree.set(19, 0); // emptied slots do not count
    expect(tree.min()).toBe(11);
    const single = new SumTree(1, { trackMinimum: true });
    single.set(0, 3);
    expect(single.min()).toBe(3);
    expect(single.rangeMin(0, 1)).toBe(3);
    expect(() => new SumTree(4).min()).toThrow(/trackMinimum/);
  });
});

describe('SumTree batch updates', () => {
  it('match single updates, duplicates and minima included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.tuple(fc.nat(), fc.double({ min: 0, max: 50, noNaN: true })), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.boolean(),
        (capacity, writes, sorted) => {
          const pairs = writes.map(([i, p]) => [i % capacity, p] as const);
          if (sorted) pairs.sort((a, b) => a[0] - b[0]);
          const single = new SumTree(capacity, { trackMinimum: true });
          const batched = new SumTree(capacity, { trackMinimum: true });
          for (let i = 0; i < capacity; i++) {
            single.set(i, 1 + (i % 5));
            batched.set(i, 1 + (i % 5));
          }
          for (const [i, p] of pairs) single.set(i, p);
          batched.setManyUnchecked(
            Int32Array.from(pairs.map(([i]) => i)),
            pairs.map(([, p]) => p),
            pairs.length,
            new Int32Array(pairs.length),
          );
          expect(Array.from(batched.nodes)).toEqual(Array.from(single.nodes));
          expect(batched.min()).toBe(single.min());
          expect(batched.rangeMin(0, capacity >> 1)).toBe(single.rangeMin(0, capacity >> 1));
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });
});

describe('SumTree.findManyUnchecked', () => {
  it('finds the same slots as one search at a time (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 20, noNaN: true })), {
          minLength: 1,
          maxLength: 500,
        }),
        fc.array(fc.double({ min: 0, max: 1.01, noNaN: true }), { minLength: 1, maxLength: 64 }),
        (priorities, units) => {
          const tree = new SumTree(priorities.length);
          tree.assign(priorities);
          fc.pre(tree.total() > 0);
          const masses = Float64Array.from(units, (u) => u * tree.total());
          const expected = Array.from(masses, (m) => tree.find(m));
          const out = new Int32Array(masses.length);
          tree.findManyUnchecked(masses, out, masses.length);
          expect(Array.from(out)).toEqual(expected);
        },
      ),
      { numRuns: 200, seed: 17 },
    );
  });
});
