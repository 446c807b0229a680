import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvLog, keepFirstCsvRows, readCsvLog, truncateCsvLog } from '../../../core/train/metrics-log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'o2o-csv-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CsvLog', () => {
  it('writes a header once, spreads arrays into numbered columns, and reads back numbers', () => {
    const path = join(dir, 'updates.csv');
    const log = new CsvLog(path);
    log.append({ step: 1, phase: 'offline', loss: 0.5, hist: [1, 2], done: false });
    log.append({ step: 2, phase: 'online', loss: Number.NaN, hist: [3, 4], done: true });
    log.close();
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('step,phase,loss,hist_0,hist_1,done');
    const table = readCsvLog(path);
    expect(table.rows).toBe(2);
    expect(table.columns.step).toEqual([1, 2]);
    expect(table.columns.phase).toEqual(['offline', 'online']);
    expect(table.columns.hist_1).toEqual([2, 4]);
    expect(Number.isNaN(table.columns.loss[1] as number)).toBe(true);
    expect(table.columns.done).toEqual([0, 1]);
  });

  it('continues an existing file without repeating the header', () => {
    const path = join(dir, 'episodes.csv');
    const first = new CsvLog(path);
    first.append({ step: 1, value: 1 });
    first.close();
    const second = new CsvLog(path);
    second.append({ step: 2, value: 2 });
    second.close();
    expect(readCsvLog(path).columns.step).toEqual([1, 2]);
    expect(readFileSync(path, 'utf8').match(/step,value/g)).toHaveLength(1);
  });

  it('migrates a file whose columns predate the records: new columns added, old rows nan there', () => {
    // A run resumed after a metric was added: its file lacks the column.
    const path = join(dir, 'updates.csv');
    const before = new CsvLog(path);
    before.append({ step: 1, loss: 0.5 });
    before.append({ step: 2, loss: 0.4 });
    before.close();
    appendFileSync(path, '3,0.'); // a torn line from a kill: dropped by the migration
    const after = new CsvLog(path);
    after.append({ step: 3, temperature: 0.2, loss: 0.3 });
    after.append({ step: 4, temperature: 0.1, loss: 0.2 });
    after.close();
    const table = readCsvLog(path);
    expect(table.header).toEqual(['step', 'temperature', 'loss']);
    expect(table.rows).toBe(4);
    expect(table.columns.step).toEqual([1, 2, 3, 4]);
    expect(table.columns.loss).toEqual([0.5, 0.4, 0.3, 0.2]);
    expect(table.columns.temperature.slice(2)).toEqual([0.2, 0.1]);
    expect(table.columns.temperature.slice(0, 2).every((v) => Number.isNaN(v))).toBe(true);
  });

  it('keeps a column the records no longer have, nan in their rows, and writes the rest in the file order', () => {
    const path = join(dir, 'updates.csv');
    const before = new CsvLog(path);
    before.append({ step: 1, retired: 7, loss: 0.5 });
    before.close();
    const text = readFileSync(path, 'utf8');
    const after = new CsvLog(path);
    after.append({ loss: 0.4, step: 2 }); // fewer fields, another order: no rewrite needed
    after.close();
    expect(readFileSync(path, 'utf8').startsWith(text)).toBe(true);
    const table = readCsvLog(path);
    expect(table.header).toEqual(['step', 'retired', 'loss']);
    expect(table.columns.step).toEqual([1, 2]);
    expect(table.columns.loss).toEqual([0.5, 0.4]);
    expect(table.columns.retired[0]).toBe(7);
    expect(Number.isNaN(table.columns.retired[1])).toBe(true);
  });

  it('migrates within one log: rows buffered under the old columns are kept', () => {
    const path = join(dir, 'x.csv');
    const log = new CsvLog(path);
    log.append({ a: 1 });
    log.append({ b: 2 });
    log.close();
    const table = readCsvLog(path);
    expect(table.header).toEqual(['b', 'a']);
    expect(table.columns.a[0]).toBe(1);
    expect(table.columns.b[1]).toBe(2);
    expect(Number.isNaN(table.columns.a[1])).toBe(true);
  });

  it('drops a torn last line left by a crash', () => {
    const path = join(dir, 'torn.csv');
    const log = new CsvLog(path);
    log.append({ step: 1, value: 10 });
    log.append({ step: 2, value: 20 });
    log.close();
    appendFileSync(path, '3,3');
    const table = readCsvLog(path);
    expect(table.columns.step).toEqual([1, 2]);
  });

  it('truncates rows after a step so a resumed run has no duplicated step', () => {
    const path = join(dir, 'updates.csv');
    const log = new CsvLog(path);
    for (let step = 1; step <= 10; step++) log.append({ step, value: step * 2 });
    log.close();
    appendFileSync(path, '11,2');
    expect(truncateCsvLog(path, 'step', 6)).toBe(6);
    const resumed = new CsvLog(path);
    resumed.append({ step: 7, value: 14 });
    resumed.close();
    expect(readCsvLog(path).columns.step).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps the first n complete rows, dropping the rest and a torn line', () => {
    const path = join(dir, 'rows.csv');
    appendFileSync(path, 'a,b\n1,2\n"x,y",3\n5,6\n7');
    expect(keepFirstCsvRows(path, 2)).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,2\n"x,y",3\n');
    expect(keepFirstCsvRows(path, 0)).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('a,b\n');
    expect(keepFirstCsvRows(join(dir, 'missing.csv'), 3)).toBe(0);
  });

  it('quotes strings with commas and reads them back', () => {
    const path = join(dir, 'q.csv');
    const log = new CsvLog(path);
    log.append({ message: 'a, "b"', n: 1 });
    log.close();
    expect(readCsvLog(path).columns.message).toEqual(['a, "b"']);
  });
});
