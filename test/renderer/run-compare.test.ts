import { describe, expect, it } from 'vitest';
import {
  differingKeys,
  flattenConfig,
  groupByConfig,
  groupLabels,
  matchesFilter,
} from '../../renderer/src/lib/run-compare.js';

const run = (name: string, seed: number, priority: string) => ({
  name,
  config: { seed, env: { id: 'pendulum-v1' }, replay: { priority }, agent: { hiddenSizes: [16, 16] } },
});

describe('run comparison', () => {
  it('flattens configs and finds the keys on which they differ', () => {
    expect(flattenConfig(run('a', 1, 'roer').config).get('agent.hiddenSizes')).toBe('[16,16]');
    expect(differingKeys([run('a', 1, 'roer').config, run('b', 2, 'roer').config])).toEqual(['seed']);
    expect(differingKeys([run('a', 1, 'roer').config, { seed: 1 }])).toEqual([
      'agent.hiddenSizes',
      'env.id',
      'replay.priority',
    ]);
  });

  it('groups only runs whose configs are equal apart from the seed', () => {
    const runs = [run('a', 1, 'roer'), run('b', 1, 'uniform'), run('c', 2, 'roer'), run('d', 3, 'uniform')];
    const groups = groupByConfig(runs, (r) => r.config);
    expect(groups.map((g) => g.members.map((r) => r.name))).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ]);
    expect(groupLabels(groups, (r) => r.config)).toEqual(['replay.priority=roer', 'replay.priority=uniform']);
    // the same seed twice with different configs: never one group
    expect(groupByConfig([run('a', 1, 'roer'), run('b', 1, 'per')], (r) => r.config)).toHaveLength(2);
  });

  it('filters by words in name, environment, state, tags and notes', () => {
    const summary = {
      name: 'Baseline',
      envId: 'pendulum-v1',
      state: 'finished',
      tags: ['keep'],
      notes: 'good β',
      runId: 'r1',
    };
    expect(matchesFilter(summary, '')).toBe(true);
    expect(matchesFilter(summary, 'pendulum keep')).toBe(true);
    expect(matchesFilter(summary, '#keep')).toBe(true);
    expect(matchesFilter(summary, 'maze')).toBe(false);
  });
});
