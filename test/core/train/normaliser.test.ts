import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TransitionColumns } from '../../../core/replay/transitions.js';
import {
  identityNormaliser,
  normaliseObservations,
  normaliserFromColumns,
  STD_FLOOR,
} from '../../../core/train/normaliser.js';

function columnsOf(observations: number[], width: number): TransitionColumns {
  const length = observations.length / width;
  return {
    length,
    observationWidth: width,
    actionWidth: 1,
    observations: Float32Array.from(observations),
    nextObservations: Float32Array.from(observations),
    actions: new Float32Array(length),
    rewards: new Float32Array(length),
    terminals: new Uint8Array(length),
    timeouts: new Uint8Array(length),
  };
}

describe('observation normaliser', () => {
  it('has known mean and std, with the floor on constant dimensions', () => {
    const normaliser = normaliserFromColumns(columnsOf([1, 5, 3, 5, 5, 5, 7, 5], 2));
    expect(Array.from(normaliser.mean)).toEqual([4, 5]);
    expect(normaliser.std[0]).toBeCloseTo(Math.sqrt(5), 6);
    expect(normaliser.std[1]).toBeCloseTo(STD_FLOOR, 9);
    const out = normaliseObservations(normaliser, Float32Array.of(4 + Math.sqrt(5), 5));
    expect(out[0]).toBeCloseTo(1, 6);
    expect(out[1]).toBe(0);
  });

  it('maps the dataset to mean 0 and std 1 in every non-constant dimension', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -100, max: 100, noNaN: true }),
            fc.double({ min: -1, max: 1, noNaN: true }),
          ),
          {
            minLength: 3,
            maxLength: 50,
          },
        ),
        (rows) => {
          const columns = columnsOf(rows.flat(), 2);
          const normaliser = normaliserFromColumns(columns);
          const normalised = normaliseObservations(normaliser, columns.observations);
          for (let i = 0; i < 2; i++) {
            const values = Array.from({ length: columns.length }, (_, n) => normalised[n * 2 + i]);
            const m = values.reduce((a, b) => a + b, 0) / values.length;
            expect(Math.abs(m)).toBeLessThan(1e-3 * Math.max(1, 1 / normaliser.std[i]));
            if (normaliser.std[i] > 0.01) {
              const variance = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
              expect(variance).toBeCloseTo(1, 2);
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is the identity without a dataset', () => {
    const normaliser = identityNormaliser(3);
    expect(Array.from(normaliseObservations(normaliser, Float32Array.of(1, -2, 3)))).toEqual([1, -2, 3]);
    expect(Array.from(normaliserFromColumns(columnsOf([], 3)).std)).toEqual([1, 1, 1]);
  });
});
