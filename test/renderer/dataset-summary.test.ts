import { describe, expect, it } from 'vitest';
import { describeDatasetSummary, formatNumber, titleOf } from '../../renderer/src/lib/dataset-summary.js';

describe('describeDatasetSummary', () => {
  it('splits a report into facts, card, statistics tables, histograms and warnings', () => {
    const view = describeDatasetSummary({
      path: 'a.arrow',
      rows: 1000,
      episodes: 10,
      card: { envId: 'pointmaze-umaze-v1', seed: 3, spaces: { obs: 4 } },
      columns: [
        { name: 'rewards', min: 0, max: 1, mean: 0.5 },
        { name: 'terminals', min: 0, max: 1, count: 4 },
      ],
      episodeReturns: { edges: [0, 1, 2], counts: [3, 7] },
      warnings: ['actions: row 5 out of bounds'],
      newField: [1, 2, 3],
    });
    expect(view.facts).toEqual([
      ['path', 'a.arrow'],
      ['rows', 1000],
      ['episodes', 10],
      ['newField', '1, 2, 3'],
    ]);
    expect(view.card).toEqual([
      ['envId', 'pointmaze-umaze-v1'],
      ['seed', 3],
      ['spaces', '{"obs":4}'],
    ]);
    expect(view.tables).toHaveLength(1);
    expect(view.tables[0].columns).toEqual(['min', 'max', 'mean', 'count']);
    expect(view.tables[0].rows[1]).toEqual({ name: 'terminals', cells: [0, 1, null, 4] });
    expect(view.histograms).toEqual([{ title: 'Episode returns', edges: [0, 1, 2], counts: [3, 7] }]);
    expect(view.warnings).toEqual(['actions: row 5 out of bounds']);
  });

  it('reads statistics given as a record of column name to statistics', () => {
    const view = describeDatasetSummary({
      statistics: { rewards: { mean: 1 }, actions: { mean: 0, std: 1 } },
    });
    expect(view.tables[0].title).toBe('Statistics');
    expect(view.tables[0].rows.map((r) => r.name)).toEqual(['rewards', 'actions']);
  });

  it("reads per-dimension statistics and mixed objects like the engine's inspection report", () => {
    const stats = (mean: number) => ({ min: 0, max: 1, mean, std: 0.1 });
    const view = describeDatasetSummary({
      rows: 10,
      ignoredColumns: [],
      columns: { observations: [stats(0.1), stats(0.2)], actions: [stats(0.3)], rewards: stats(0.4) },
      episodeLengths: stats(5),
      episodeReturns: { ...stats(7), histogram: { edges: [0, 1, 2], counts: [1, 1] }, normalizedMean: null },
    });
    expect(view.facts).toEqual([
      ['rows', 10],
      ['ignoredColumns', 'none'],
    ]);
    expect(view.tables.map((t) => t.title)).toEqual(['Columns', 'Statistics']);
    expect(view.tables[0].rows.map((r) => r.name)).toEqual([
      'observations[0]',
      'observations[1]',
      'actions',
      'rewards',
    ]);
    expect(view.tables[0].rows[3].cells).toEqual([0, 1, 0.4, 0.1]);
    expect(view.tables[1].rows.map((r) => r.name)).toEqual(['episodeLengths', 'episodeReturns']);
    expect(view.tables[1].columns).toEqual(['min', 'max', 'mean', 'std', 'normalizedMean']);
    expect(view.histograms).toEqual([{ title: 'Episode returns', edges: [0, 1, 2], counts: [1, 1] }]);
    expect(describeDatasetSummary('text').facts).toEqual([['report', 'text']]);
  });
});

describe('formatting', () => {
  it('formats numbers for reading', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1e-5)).toBe('1.000e-5');
    expect(formatNumber(NaN)).toBe('–');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber('x')).toBe('x');
  });

  it('titles camelCase keys', () => {
    expect(titleOf('episodeReturns')).toBe('Episode returns');
    expect(titleOf('observation_width')).toBe('Observation width');
  });
});
