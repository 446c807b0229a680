import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRollouts, generateDataset } from '../../../core/data/generate.js';
import { inspectDataset } from '../../../core/data/inspect.js';
import { loadDataset } from '../../../core/data/load.js';
import { envSpec, listEnvs } from '../../../core/envs/registry.js';
import { policyActions, policyFromJson, policyToJson } from '../../../core/export/policy.js';
import { Rng } from '../../../core/util/random.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-generate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const createdAt = '2026-01-01T00:00:00.000Z';

describe('dataset generation', () => {
  it('is byte-identical for a seed (with a fixed createdAt) and differs across seeds', async () => {
    const options = { envId: 'pointmaze-umaze-v1', policy: 'scripted' as const, episodes: 4, createdAt };
    await generateDataset({ ...options, seed: 5, out: join(scratch, 'a.arrow') });
    await generateDataset({ ...options, seed: 5, out: join(scratch, 'b.arrow') });
    await generateDataset({ ...options, seed: 6, out: join(scratch, 'c.arrow') });
    const a = readFileSync(join(scratch, 'a.arrow'));
    expect(a.equals(readFileSync(join(scratch, 'b.arrow')))).toBe(true);
    expect(a.equals(readFileSync(join(scratch, 'c.arrow')))).toBe(false);
  });

  it('writes a valid file for every environment and behaviour, within the action bounds', async () => {
    for (const { id } of listEnvs()) {
      // The MuJoCo tasks have no scripted behaviour (their data comes from trained policies).
      const policies = envSpec(id).runtime ? (['random'] as const) : (['random', 'scripted'] as const);
      for (const policy of policies) {
        const out = join(scratch, `${id}-${policy}.arrow`);
        const progress: number[] = [];
        const summary = await generateDataset({
          envId: id,
          policy,
          episodes: 2,
          seed: 1,
          out,
          createdAt,
          onProgress: (done) => progress.push(done),
        });
        expect(progress).toEqual([1, 2]);
        const loaded = await loadDataset(out, { envId: id });
        expect(loaded.warnings).toEqual([]);
        expect(summary.episodes).toBe(2);
        expect(summary.rows).toBe(loaded.columns.length);
        expect(summary.card?.envId).toBe(id);
        expect(summary.card?.behaviorPolicy).toMatch(policy === 'random' ? /^random$/ : /^scripted-/);
        expect(summary.terminals + summary.timeouts).toBe(2);
      }
    }
  });

  it('the scripted behaviours do better than random where the task is solvable by script', async () => {
    for (const id of ['pendulum-v1', 'mountaincar-continuous-v0', 'cartpole-v1']) {
      const random = await collectRollouts({ envId: id, policy: 'random', episodes: 3, seed: 2 });
      const scripted = await collectRollouts({ envId: id, policy: 'scripted', episodes: 3, seed: 2 });
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      expect(mean(scripted.returns), id).toBeGreaterThan(mean(random.returns) + 50);
    }
  });

  it('makes diverse maze data: random starts, many visited cells, rewards only at the evaluation goal', async () => {
    const rollouts = await collectRollouts({
      envId: 'pointmaze-medium-v1',
      policy: 'scripted',
      episodes: 6,
      seed: 3,
    });
    const c = rollouts.columns;
    const cells = new Set<string>();
    for (let i = 0; i < c.length; i++)
      cells.add(`${Math.floor(c.observations[i * 4])},${Math.floor(c.observations[i * 4 + 1])}`);
    expect(cells.size).toBeGreaterThan(12);
    for (let i = 0; i < c.length; i++) {
      if (c.rewards[i] > 0) {
        const dx = c.nextObservations[i * 4] - 6.5;
        const dy = c.nextObservations[i * 4 + 1] - 1.5;
        expect(Math.hypot(dx, dy)).toBeLessThanOrEqual(0.5 + 1e-6);
        expect(c.terminals[i]).toBe(1);
      }
    }
  });

  it('uses a given policy function for "checkpoint" and refuses without one', async () => {
    await expect(
      collectRollouts({ envId: 'pendulum-v1', policy: 'checkpoint', episodes: 1, seed: 0 }),
    ).rejects.toThrow(/needs a trained policy/);
    const rollouts = await collectRollouts({
      envId: 'pendulum-v1',
      policy: 'checkpoint',
      episodes: 1,
      seed: 0,
      policyFn: () => Float32Array.of(1.25),
      policyName: 'checkpoint:test',
    });
    expect(rollouts.behaviorPolicy).toBe('checkpoint:test');
    expect(new Set(rollouts.columns.actions)).toEqual(new Set([1.25]));
  });

  it('a MuJoCo task from an exported JSON policy (the medium/expert recipe path) is byte-identical per seed', async () => {
    // A small hand-made hopper policy through the JSON format, acting in plain JavaScript.
    const rng = new Rng(3);
    const weights = (n: number) => Float32Array.from({ length: n }, () => rng.uniformIn(-0.5, 0.5));
    const text = policyToJson({
      metadata: {
        envId: 'hopper-v1',
        configHash: '0123456789abcdef',
        trainingSteps: 100_000,
        envSteps: 100_000,
        runId: 'hopper-medium-test',
        packageVersion: '0.1.0',
        createdAt,
      },
      observationWidth: 11,
      actionWidth: 3,
      observationMean: new Float32Array(11),
      observationStd: new Float32Array(11).fill(1),
      actionLow: new Float32Array(3).fill(-1),
      actionHigh: new Float32Array(3).fill(1),
      layers: [
        { inputSize: 11, outputSize: 8, activation: 'relu', weight: weights(88), bias: weights(8) },
        { inputSize: 8, outputSize: 3, activation: 'tanh', weight: weights(24), bias: weights(3) },
      ],
      head: { kind: 'tanh-gaussian', actionWidth: 3, deterministic: 'tanh-mean' },
    });
    const policy = policyFromJson(text);
    const options = {
      envId: 'hopper-v1',
      policy: 'checkpoint' as const,
      episodes: 3,
      seed: 9,
      createdAt,
      policyFn: (observation: Float32Array) => policyActions(policy, observation, 1),
      policyName: `checkpoint:${policy.metadata.runId}@${policy.metadata.trainingSteps}`,
    };
    const first = await generateDataset({ ...options, out: join(scratch, 'hopper-a.arrow') });
    await generateDataset({ ...options, out: join(scratch, 'hopper-b.arrow') });
    expect(
      readFileSync(join(scratch, 'hopper-a.arrow')).equals(readFileSync(join(scratch, 'hopper-b.arrow'))),
    ).toBe(true);
    expect(first.card?.behaviorPolicy).toBe('checkpoint:hopper-medium-test@100000');
    expect(first.card?.referenceMinScore).toBe(19.52);
    const loaded = await loadDataset(join(scratch, 'hopper-a.arrow'), { envId: 'hopper-v1' });
    expect(loaded.columns.observationWidth).toBe(11);
    expect(loaded.columns.actions.every((a) => a > -1 && a < 1)).toBe(true);
  });

  it('mixes in random actions at the requested rate', async () => {
    const rollouts = await collectRollouts({
      envId: 'pendulum-v1',
      policy: 'checkpoint',
      episodes: 5,
      seed: 4,
      policyFn: () => Float32Array.of(1.25),
      randomActionRate: 0.3,
    });
    const actions = rollouts.columns.actions;
    const replaced = actions.filter((a) => a !== 1.25).length / actions.length;
    expect(replaced).toBeGreaterThan(0.25);
    expect(replaced).toBeLessThan(0.35);
    expect(rollouts.behaviorPolicy).toMatch(/random\(rate=0\.3\)/);
  });

  it('rejects bad arguments with a clear message', async () => {
    const base = { envId: 'pendulum-v1', policy: 'random' as const, episodes: 1, seed: 0 };
    await expect(collectRollouts({ ...base, envId: 'nope' })).rejects.toThrow(/unknown environment "nope"/);
    await expect(collectRollouts({ ...base, episodes: 0 })).rejects.toThrow(
      /episodes must be a positive integer/,
    );
    await expect(collectRollouts({ ...base, randomActionRate: 2 })).rejects.toThrow(/randomActionRate/);
  });
});

describe('dataset inspection', () => {
  it('summarises rows, episodes, flags, statistics and the return histogram', async () => {
    const summary = await inspectDataset(
      join(import.meta.dirname, '../../fixtures/datasets/valid-d4rl.arrow'),
    );
    expect(summary).toMatchObject({
      format: 'arrow-file',
      layout: 'd4rl',
      rows: 8,
      episodes: 3,
      observationWidth: 3,
      actionWidth: 2,
      terminals: 2,
      timeouts: 1,
      terminalEpisodeFraction: 2 / 3,
    });
    // Returns: rows 0–2 → 0 + 0.25 + 0.5, rows 3–5 → 0.75 + 1 + 1.25, rows 6–7 → 1.5 + 1.75.
    expect(summary.episodeReturns.min).toBeCloseTo(0.75, 6);
    expect(summary.episodeReturns.max).toBeCloseTo(3.25, 6);
    expect(summary.episodeReturns.mean).toBeCloseTo((0.75 + 3 + 3.25) / 3, 6);
    // Card reference range 0…10: normalised mean = 100·mean/10.
    expect(summary.episodeReturns.normalizedMean).toBeCloseTo((10 * (0.75 + 3 + 3.25)) / 3, 6);
    expect(summary.episodeReturns.histogram.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(summary.episodeReturns.histogram.edges[0]).toBeCloseTo(0.75, 6);
    expect(summary.columns.observations[0]).toMatchObject({ min: 0, max: 7, mean: 3.5 });
    expect(summary.columns.observations[0].std).toBeCloseTo(Math.sqrt(5.25), 6);
    expect(summary.columns.rewards.max).toBe(1.75);
    expect(summary.episodeLengths).toMatchObject({ min: 2, max: 3 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});
