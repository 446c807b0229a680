import { describe, expect, it } from 'vitest';
import { applyOverrides, OverrideError, parseOverride } from '../../../core/train/overrides.js';

describe('--set overrides', () => {
  it('parses JSON values and keeps other text as strings', () => {
    expect(parseOverride('offline.steps=5000')).toEqual({ path: ['offline', 'steps'], value: 5000 });
    expect(parseOverride('beta.kind=track')).toEqual({ path: ['beta', 'kind'], value: 'track' });
    expect(parseOverride('replay.overwriteOffline=true').value).toBe(true);
    expect(parseOverride('agent.hidden=[64,64]').value).toEqual([64, 64]);
  });

  it('applies overrides to a copy, creating sections as needed', () => {
    const base = { beta: { kind: 'fixed' } };
    const result = applyOverrides(base, ['beta.kind=solve', 'online.envSteps=100']);
    expect(result).toEqual({ beta: { kind: 'solve' }, online: { envSteps: 100 } });
    expect(base.beta.kind).toBe('fixed');
  });

  it('rejects malformed overrides with the offending text', () => {
    expect(() => parseOverride('novalue')).toThrow(/key.path=value, got "novalue"/);
    expect(() => parseOverride('a..b=1')).toThrow(OverrideError);
    expect(() => parseOverride('__proto__.x=1')).toThrow(OverrideError);
    expect(() => applyOverrides({ seed: 1 }, ['seed.x=2'])).toThrow(/"seed" is not a section/);
  });
});
