import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ColumnTable, GrowableColumn } from '../../renderer/src/lib/columns.js';

describe('GrowableColumn', () => {
  it('keeps every pushed value in order while doubling its capacity', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { maxLength: 600 }), (values) => {
        const column = new GrowableColumn(1);
        for (const v of values) column.push(v);
        expect(column.length).toBe(values.length);
        expect(Array.from(column.view())).toEqual(values);
        // capacity is a power of two at least the length
        expect(column.capacity).toBeGreaterThanOrEqual(values.length);
        expect(Math.log2(column.capacity) % 1).toBe(0);
      }),
    );
  });

  it('answers NaN outside the filled part', () => {
    const column = new GrowableColumn();
    expect(column.last()).toBeNaN();
    column.push(3);
    expect(column.get(0)).toBe(3);
    expect(column.get(1)).toBeNaN();
  });
});

describe('ColumnTable', () => {
  it('spreads arrays into numbered columns and codes phases like the run directory CSV', () => {
    const table = new ColumnTable();
    table.append({ type: 'update', step: 1, phase: 'offline', priorityHistogram: [1, 2], ok: true });
    table.append({ type: 'update', step: 2, phase: 'online', priorityHistogram: [3, 4], ok: false });
    expect(table.length).toBe(2);
    expect(table.has('type')).toBe(false);
    expect(Array.from(table.column('phase'))).toEqual([0, 1]);
    expect(Array.from(table.column('priorityHistogram_1'))).toEqual([2, 4]);
    expect(Array.from(table.column('ok'))).toEqual([1, 0]);
  });

  it('pads fields that appear late or go missing with NaN so columns stay aligned', () => {
    const table = new ColumnTable();
    table.append({ step: 1 });
    table.append({ step: 2, beta: 0.5 });
    table.append({ step: 3 });
    expect(Array.from(table.column('beta'))).toEqual([NaN, 0.5, NaN]);
    expect(table.column('never').length).toBe(3);
    expect(table.column('never')[0]).toBeNaN();
  });

  it('fills from history columns and live records into the same columns', () => {
    const table = new ColumnTable();
    table.appendColumns({ step: [1, 2], phase: ['offline', 'offline'], priorityHistogram_0: [5, 6] });
    table.append({ step: 3, phase: 'online', priorityHistogram: [7] });
    expect(Array.from(table.column('step'))).toEqual([1, 2, 3]);
    expect(Array.from(table.column('phase'))).toEqual([0, 0, 1]);
    expect(Array.from(table.column('priorityHistogram_0'))).toEqual([5, 6, 7]);
    expect(table.last('step')).toBe(3);
  });

  it('parses numeric strings and turns unknown text into NaN', () => {
    const table = new ColumnTable();
    table.appendColumns({ a: ['1.5', 'x', ''] });
    const a = table.column('a');
    expect(a[0]).toBe(1.5);
    expect(a[1]).toBeNaN();
    expect(a[2]).toBeNaN();
  });
});
