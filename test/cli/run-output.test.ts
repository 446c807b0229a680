import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../core/cli/commands/run-output.js';
import { trainConfig } from '../../core/cli/commands/train.js';
import { ConfigError } from '../../core/train/config.js';

describe('run output lines', () => {
  it('describes evaluations with only the numbers the task has', () => {
    const base = {
      type: 'evaluation' as const,
      step: 500,
      envStep: 0,
      phase: 'offline' as const,
      time: 1_800_000_000,
      episodes: 10,
      meanReturn: 0.5,
      stdReturn: 0.25,
      valueBias: 1.5,
    };
    expect(describeEvent({ ...base, normalizedScore: 50, successRate: 0.5 })).toBe(
      'evaluation at update 500, env step 0 (10 episodes): return 0.500 ± 0.250, success 50%, score 50.0, value bias 1.50',
    );
    expect(
      describeEvent({ ...base, normalizedScore: Number.NaN, successRate: Number.NaN, valueBias: Number.NaN }),
    ).toBe('evaluation at update 500, env step 0 (10 episodes): return 0.500 ± 0.250');
  });

  it('describes phases, checkpoints and run states, and skips per-update records', () => {
    expect(describeEvent({ type: 'phase', phase: 'online', step: 100, envStep: 0 })).toBe(
      'phase online from update 100, env step 0',
    );
    expect(describeEvent({ type: 'checkpoint', step: 40, envStep: 2, file: 'x' })).toBe(
      'checkpoint at update 40, env step 2',
    );
    expect(describeEvent({ type: 'run', runId: 'r', directory: 'd', state: 'stopped', message: 'why' })).toBe(
      'run r: stopped (why)',
    );
    expect(
      describeEvent({ type: 'throughput', step: 1, envStep: 1, updatesPerSecond: 1, envStepsPerSecond: 1 }),
    ).toBeUndefined();
  });
});

describe('train config sources', () => {
  it('takes a preset with --set overrides and refuses both or neither source', () => {
    const { config } = trainConfig({ preset: 'pendulum-online', set: ['online.envSteps=500'] });
    expect((config as { online: { envSteps: number } }).online.envSteps).toBe(500);
    expect(() => trainConfig({ preset: 'pendulum-online', config: 'x.json', set: [] })).toThrow(/not both/);
    expect(() => trainConfig({ set: [] })).toThrow(/--config FILE or --preset NAME/);
    expect(() => trainConfig({ preset: 'pendulum-online', set: ['oops'] })).toThrow(ConfigError);
  });
});
