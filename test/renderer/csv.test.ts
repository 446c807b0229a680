import { describe, expect, it } from 'vitest';
import { columnsToCsv, csvCell, csvFileName } from '../../renderer/src/lib/csv.js';

describe('CSV formatting', () => {
  it('quotes cells holding separators, quotes or newlines', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('writes numbers at full precision and gaps as empty cells', () => {
    expect(csvCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvCell(NaN)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-Infinity)).toBe('-inf');
  });

  it('builds a document with a header row, CRLF line ends and padded short columns', () => {
    const csv = columnsToCsv(['step', 'beta'], [Float64Array.from([1, 2, 3]), [0.5, null]]);
    expect(csv).toBe('step,beta\r\n1,0.5\r\n2,\r\n3,\r\n');
  });

  it('refuses mismatched header and columns', () => {
    expect(() => columnsToCsv(['a'], [[1], [2]])).toThrow(/1 column names but 2 columns/);
  });

  it('makes portable file names', () => {
    expect(csvFileName('β / ESS', '20260101T000000Z-run')).toBe('ess-20260101t000000z-run.csv');
    expect(csvFileName('')).toBe('chart.csv');
  });
});
