import { describe, expect, it } from 'vitest';
import {
  parseRunConfig,
  plannedUpdates as enginePlannedUpdates,
  runConfigJsonSchema,
} from '../../core/train/config.js';
import {
  applyFieldInput,
  formatFieldValue,
  getAtPath,
  issuesByField,
  jsonOnlyPaths,
  parseFieldValue,
  plannedUpdates,
  schemaFields,
  setAtPath,
} from '../../renderer/src/lib/config-form.js';

const config = {
  env: { id: 'pointmaze-umaze-v1', options: { reward: 'dense' } },
  seed: 0,
  beta: { kind: 'track', targetEssFraction: 0.5, targetSchedule: null },
  replay: { overwriteOffline: false, list: [1, 2] },
};

const schema = runConfigJsonSchema();
const fields = schemaFields(schema);
const field = (path: string) => {
  const found = fields.find((f) => f.path === path);
  if (!found) throw new Error(`no field ${path}`);
  return found;
};

describe('schemaFields', () => {
  it('shows the agent kind and the fields of the chosen kind only (SAC by default, ACER when chosen)', () => {
    const kind = field('agent.kind');
    expect(kind).toMatchObject({ type: 'enum', choices: ['sac', 'acer'], default: 'sac' });
    expect(fields.some((f) => f.path === 'agent.tau')).toBe(true);
    expect(fields.some((f) => f.path === 'agent.sequenceLength')).toBe(false);
    const acer = schemaFields(schema, '', null, { agent: { kind: 'acer' } });
    expect(acer.find((f) => f.path === 'agent.sequenceLength')).toMatchObject({
      type: 'integer',
      default: 20,
    });
    expect(acer.some((f) => f.path === 'agent.tau')).toBe(false);
    expect(acer.filter((f) => f.path === 'agent.kind')).toHaveLength(1);
  });

  it('takes every field type, choice, default and help text from the run config schema', () => {
    expect(field('seed')).toMatchObject({ section: '', type: 'integer', default: 0, optional: false });
    expect(field('agent.actorLearningRate')).toMatchObject({
      section: 'agent',
      label: 'actor learning rate',
      type: 'number',
      default: 3e-4,
    });
    expect(field('agent.hiddenSizes')).toMatchObject({ type: 'integer-list', default: [256, 256] });
    expect(field('replay.priority')).toMatchObject({ type: 'enum', choices: ['uniform', 'per', 'roer'] });
    expect(field('replay.capacity')).toMatchObject({ type: 'integer', optional: true });
    expect(field('backend')).toMatchObject({ type: 'enum', default: 'auto' });
    expect(field('dataset.path')).toMatchObject({
      type: 'string',
      optional: false,
      optionalParent: 'dataset',
    });
    // every field the form shows has help text from the schema
    expect(fields.filter((f) => f.description === '').map((f) => f.path)).toEqual([]);
    // records and optional nested objects are left to the JSON editor, and said so
    expect(fields.some((f) => f.path.startsWith('beta.targetSchedule'))).toBe(false);
    expect(jsonOnlyPaths(schema)).toEqual(['env.options', 'beta.targetSchedule']);
    // a number or a word: the AWR temperature is a number, "beta" (the ROER temperature) or "ess"
    const awr = field('offline.awrTemperature');
    expect(awr).toMatchObject({ type: 'number-or-word', choices: ['beta', 'ess'], default: 'beta' });
    expect(parseFieldValue(awr, 'beta')).toBe('beta');
    expect(parseFieldValue(awr, 'ess')).toBe('ess');
    expect(parseFieldValue(awr, '0.1')).toBe(0.1);
    expect(parseFieldValue(awr, 'warm')).toBe('warm');
  });
});

describe('setAtPath / getAtPath', () => {
  it('writes a copy and leaves the original untouched', () => {
    const next = setAtPath(config, 'beta.targetEssFraction', 0.3);
    expect(getAtPath(next, 'beta.targetEssFraction')).toBe(0.3);
    expect(config.beta.targetEssFraction).toBe(0.5);
    expect(next.env).toBe(config.env);
  });

  it('creates missing objects and deletes with undefined', () => {
    const next = setAtPath({}, 'online.envSteps', 10);
    expect(next).toEqual({ online: { envSteps: 10 } });
    expect(setAtPath(next, 'online.envSteps', undefined)).toEqual({ online: {} });
    expect(getAtPath(next, 'online.missing.deeper')).toBeUndefined();
  });
});

describe('parseFieldValue', () => {
  it("parses by the schema's type, not by the value the config holds now", () => {
    const steps = field('online.envSteps');
    expect(parseFieldValue(steps, 'abc')).toBe('abc');
    // after a typo the config holds text; the next entry still parses as the number it is
    expect(parseFieldValue(steps, '2000')).toBe(2000);
    expect(parseFieldValue(steps, '10_000')).toBe(10000);
    expect(parseFieldValue(field('agent.tau'), '1e-3')).toBe(0.001);
    expect(parseFieldValue(field('agent.hiddenSizes'), '64, 64')).toEqual([64, 64]);
    expect(parseFieldValue(field('agent.hiddenSizes'), '128 128 64')).toEqual([128, 128, 64]);
    expect(parseFieldValue(field('agent.hiddenSizes'), '64, big')).toBe('64, big');
    expect(parseFieldValue(field('dataset.normalizeObservations'), 'false')).toBe(false);
    expect(parseFieldValue(field('replay.capacity'), '')).toBeUndefined();
    expect(formatFieldValue(field('agent.hiddenSizes'), [64, 64])).toBe('64, 64');
  });

  it('removes an optional section when its required field is emptied', () => {
    const config = { env: { id: 'pendulum-v1' }, dataset: { path: 'x.arrow' } };
    expect(applyFieldInput(config, field('dataset.path'), '')).toEqual({ env: { id: 'pendulum-v1' } });
    expect(applyFieldInput({}, field('dataset.path'), 'y.arrow')).toEqual({ dataset: { path: 'y.arrow' } });
  });
});

describe('issuesByField', () => {
  it('attaches issues to the field they name and keeps the rest general', () => {
    const { byField, general } = issuesByField(
      [
        { path: 'beta.rate', message: 'too small' },
        { path: 'beta.rate', message: 'not a number' },
        { path: 'beta', message: 'betaMin must be below betaMax' },
        { path: '(root)', message: 'unknown key "foo"' },
      ],
      ['beta.rate', 'beta.betaMin'],
    );
    expect(byField.get('beta.rate')).toEqual(['too small', 'not a number']);
    expect(byField.has('beta.betaMin')).toBe(false);
    expect(general.map((i) => i.path)).toEqual(['beta', '(root)']);
  });
});

describe('plannedUpdates', () => {
  it('adds offline steps and online updates', () => {
    expect(plannedUpdates({ offline: { steps: 1000 }, online: { envSteps: 500, updatesPerStep: 2 } })).toBe(
      2000,
    );
    expect(plannedUpdates({ offline: { steps: 10 }, online: { envSteps: 5 } })).toBe(15);
    expect(plannedUpdates({})).toBeNull();
  });

  it('counts no updates for the steps of the random warm-up, as the engine plans them', () => {
    const config = parseRunConfig({
      env: { id: 'pendulum-v1' },
      dataset: { path: 'pendulum.arrow' },
      offline: { steps: 100 },
      online: { envSteps: 500, updatesPerStep: 2, warmupSteps: 300 },
    });
    expect(plannedUpdates(config)).toBe(500);
    expect(plannedUpdates(config)).toBe(enginePlannedUpdates(config));
  });
});
