import { describe, expect, it } from 'vitest';
import {
  describeEvent,
  formatBarLine,
  formatDuration,
  wrapLine,
} from '../../core/cli/commands/run-output.js';
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

describe('progress bar line', () => {
  const fields = {
    phase: 'online',
    progress: 0.5,
    step: 12_345,
    envStep: 67_890,
    evaluationReturn: -336.2,
    trainingReturn: -1200,
    beta: 0.52,
    essFraction: 0.45,
    etaSeconds: 75,
  };

  it('shows every labelled field on a wide terminal', () => {
    const line = formatBarLine(fields, 200);
    expect(line).toContain('update 12345 · env 67890 · eval return -336 · train-episode return -1200');
    expect(line).toContain('β 0.520 · ESS/n 0.45 · ETA 1m15s');
    expect(line.length).toBeLessThan(200);
  });

  it('drops the least important fields first to fit 80 and 40 columns', () => {
    const at80 = formatBarLine(fields, 80);
    expect(at80.length).toBeLessThanOrEqual(79);
    expect(at80).toContain('eval return -336');
    expect(at80).toContain('ETA 1m15s');
    expect(at80).not.toContain('train-episode');
    const at40 = formatBarLine(fields, 40);
    expect(at40.length).toBeLessThanOrEqual(39);
    expect(at40).toMatch(/^online [█░]{10,30} 50% · ETA 1m15s$/);
  });

  it('wraps long log lines at spaces, indenting the continuation', () => {
    expect(wrapLine('aaa bbb ccc ddd eee fff ggg hhh iii', 21)).toEqual([
      'aaa bbb ccc ddd eee',
      '  fff ggg hhh iii',
    ]);
    expect(formatDuration(4000)).toBe('1h06m');
    expect(formatDuration(null)).toBe('–');
  });
});
