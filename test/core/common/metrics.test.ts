import { describe, expect, it } from 'vitest';
import { SAC_METRICS } from '../../../core/agents/sac.js';
import {
  groupMetricDescriptors,
  metricDescriptorProblems,
  orderedMetricRecord,
  parseMetricDescriptors,
  type MetricDescriptor,
} from '../../../core/common/metrics.js';
import { UPDATE_RECORD_FIELDS } from '../../../core/common/events.js';

const loss: MetricDescriptor = { key: 'loss', label: 'loss', group: 'Losses', unit: '', logScale: true };
const weight: MetricDescriptor = {
  key: 'weightMean',
  label: 'weight',
  group: 'Weights',
  unit: '',
  logScale: false,
};

describe('metric descriptors', () => {
  it("SAC's descriptors are valid and do not reuse a field of the update record", () => {
    expect(metricDescriptorProblems(SAC_METRICS, UPDATE_RECORD_FIELDS)).toEqual([]);
  });

  it('names malformed, repeated and reserved keys and bands around undeclared metrics', () => {
    const problems = metricDescriptorProblems(
      [
        loss,
        { ...loss },
        { ...weight, key: 'beta' },
        { ...weight, key: 'bad key' },
        { ...weight, key: 'w', bandOf: 'nope' },
      ],
      UPDATE_RECORD_FIELDS,
    );
    expect(problems).toEqual([
      'metric "loss": declared twice',
      'metric "beta": the update record already has a field of that name',
      'metric "bad key": keys are letters, digits and _',
      'metric "w": band around undeclared metric "nope"',
    ]);
  });

  it('orders a record by its descriptors, fills NaN for missing keys, refuses undeclared ones', () => {
    expect(orderedMetricRecord([loss, weight], { weightMean: 2 })).toEqual({
      loss: Number.NaN,
      weightMean: 2,
    });
    expect(Object.keys(orderedMetricRecord([weight, loss], { loss: 1, weightMean: 2 }))).toEqual([
      'weightMean',
      'loss',
    ]);
    expect(() => orderedMetricRecord([loss], { loss: 1, surprise: 3 })).toThrow(
      /"surprise" without a descriptor/,
    );
  });

  it('groups in order of first appearance and parses descriptors from untrusted JSON', () => {
    expect(
      groupMetricDescriptors([loss, weight, { ...loss, key: 'loss2' }]).map((g) => [
        g.group,
        g.metrics.length,
      ]),
    ).toEqual([
      ['Losses', 2],
      ['Weights', 1],
    ]);
    expect(parseMetricDescriptors('nope')).toBeUndefined();
    expect(
      parseMetricDescriptors([{ key: 'a' }, { key: 'bad key' }, null, { ...weight, bandOf: 'loss' }]),
    ).toEqual([
      { key: 'a', label: 'a', group: 'Other', unit: '', logScale: false },
      { ...weight, bandOf: 'loss' },
    ]);
  });
});
