import { describe, expect, it } from 'vitest';
import {
  configLeaves,
  getAtPath,
  issuesByField,
  parseFieldInput,
  plannedUpdates,
  setAtPath,
} from '../../renderer/src/lib/config-form.js';

const config = {
  env: { id: 'pointmaze-umaze-v1', options: { reward: 'dense' } },
  seed: 0,
  beta: { kind: 'track', targetEssFraction: 0.5, targetSchedule: null },
  replay: { overwriteOffline: false, list: [1, 2] },
};

describe('configLeaves', () => {
  it('lists scalar leaves by key path with their section and kind', () => {
    const leaves = configLeaves(config);
    expect(leaves.map((l) => l.path)).toEqual([
      'env.id',
      'env.options.reward',
      'seed',
      'beta.kind',
      'beta.targetEssFraction',
      'beta.targetSchedule',
      'replay.overwriteOffline',
    ]);
    expect(leaves.find((l) => l.path === 'seed')).toMatchObject({ section: '', kind: 'number', key: 'seed' });
    expect(leaves.find((l) => l.path === 'env.options.reward')).toMatchObject({
      section: 'env',
      key: 'reward',
    });
    expect(leaves.find((l) => l.path === 'beta.targetSchedule')?.kind).toBe('null');
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

describe('parseFieldInput', () => {
  it('parses numbers in the notations people type and keeps bad text for the validator to name', () => {
    expect(parseFieldInput('number', '1e-3')).toBe(0.001);
    expect(parseFieldInput('number', '10_000')).toBe(10000);
    expect(parseFieldInput('number', 'abc')).toBe('abc');
    expect(parseFieldInput('number', '')).toBe('');
    expect(parseFieldInput('boolean', 'true')).toBe(true);
    expect(parseFieldInput('null', '')).toBeNull();
    expect(parseFieldInput('string', ' x ')).toBe(' x ');
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
});
