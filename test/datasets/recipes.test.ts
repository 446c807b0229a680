import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRollouts, generateDataset } from '../../core/data/generate.js';
import { loadDataset } from '../../core/data/load.js';
import { readPolicyJson } from '../../core/export/load.js';
import { policyActions, policyFromJson } from '../../core/export/policy.js';
import { makeEnv, prepareEnv } from '../../core/envs/registry.js';
import {
  concatenate,
  here,
  isConcat,
  isReplay,
  isRollout,
  LARGE_RECIPES,
  makeReplayDataset,
  RECIPES,
  selectLarge,
  type ReplayRecipe,
  type RolloutRecipe,
} from '../../datasets/recipes.js';

const MiB = 1024 * 1024;

/** Bytes of every file under `directory` except the large/ folder (not shipped). */
function shippedBytes(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'large') total += shippedBytes(path);
    } else total += statSync(path).size;
  }
  return total;
}

describe('shipped datasets', () => {
  it('stay within the 30 MiB budget, policies included', () => {
    expect(shippedBytes(here) / MiB).toBeLessThanOrEqual(30);
  });

  it('each file matches the checksum and size its card sidecar records', () => {
    for (const recipe of RECIPES) {
      const bytes = readFileSync(join(here, recipe.file));
      const sidecar = JSON.parse(
        readFileSync(join(here, recipe.file.replace(/\.arrow$/, '.card.json')), 'utf8'),
      ) as {
        sha256: string;
        bytes: number;
        card: { envId: string };
      };
      expect(sidecar.bytes, recipe.file).toBe(bytes.length);
      expect(createHash('sha256').update(bytes).digest('hex'), recipe.file).toBe(sidecar.sha256);
      expect(sidecar.card.envId).toBe(recipe.envId);
    }
  });

  it('trained-policy datasets start with the episode their policy file makes from the recipe seed', async () => {
    const trained = RECIPES.filter(
      (recipe): recipe is RolloutRecipe => isRollout(recipe) && recipe.policyFile !== undefined,
    );
    for (const recipe of trained) {
      const policy = policyFromJson(readPolicyJson(join(here, recipe.policyFile!)), recipe.policyFile);
      await prepareEnv(recipe.envId);
      const env = makeEnv(recipe.envId);
      expect(policy.observationWidth).toBe(env.observationSpace.size);
      env.close?.();
      const first = await collectRollouts({
        envId: recipe.envId,
        policy: 'checkpoint',
        episodes: 1,
        seed: recipe.seed,
        noise: recipe.noise,
        policyFn: (observation) => policyActions(policy, observation, 1),
      });
      const shipped = (await loadDataset(join(here, recipe.file))).columns;
      const n = first.columns.length;
      expect(shipped.observations.subarray(0, n * shipped.observationWidth)).toEqual(
        first.columns.observations,
      );
      expect(shipped.actions.subarray(0, n * shipped.actionWidth)).toEqual(first.columns.actions);
      expect(shipped.rewards.subarray(0, n)).toEqual(first.columns.rewards);
    }
  });
});

describe('large recipes', () => {
  it('select by name prefix and bring the parts a concatenation needs, parts first', () => {
    const names = (prefix: string) => selectLarge([prefix]).map((recipe) => recipe.file);
    expect(names('hopper-random')).toEqual(['hopper-random-v1.arrow']);
    for (const recipe of LARGE_RECIPES.filter(isConcat)) {
      const chosen = names(recipe.file.replace(/\.arrow$/, ''));
      expect(chosen.at(-1)).toBe(recipe.file);
      expect(chosen.slice(0, -1)).toEqual(recipe.concat);
    }
    expect(() => selectLarge(['nonsense'])).toThrow(
      /no large dataset named nonsense; large datasets: .*hopper-random-v1/,
    );
  });

  it('the shipped random samples are the first episodes of the large ones (same seed)', () => {
    for (const recipe of RECIPES.filter((r) => isRollout(r) && r.policy === 'random')) {
      const large = LARGE_RECIPES.find((r) => r.file === recipe.file) as RolloutRecipe;
      expect(large.seed).toBe((recipe as RolloutRecipe).seed);
      expect(large.episodes).toBeGreaterThan((recipe as RolloutRecipe).episodes);
    }
  });
});

describe('concatenation (medium-expert)', () => {
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'o2o-concat-'));
    for (const [file, seed] of [
      ['a.arrow', 1],
      ['b.arrow', 2],
    ] as const) {
      await generateDataset({
        envId: 'pendulum-v1',
        policy: 'random',
        episodes: 2,
        seed,
        out: join(directory, file),
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    }
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('appends the episodes of its parts in order, with a card that adds them up', async () => {
    const summary = await concatenate(
      { file: 'ab.arrow', envId: 'pendulum-v1', concat: ['a.arrow', 'b.arrow'], description: 'a then b' },
      directory,
      join(directory, 'ab.arrow'),
    );
    const a = (await loadDataset(join(directory, 'a.arrow'))).columns;
    const b = (await loadDataset(join(directory, 'b.arrow'))).columns;
    const ab = await loadDataset(join(directory, 'ab.arrow'));
    expect(ab.columns.length).toBe(a.length + b.length);
    expect(ab.columns.observations.subarray(0, a.observations.length)).toEqual(a.observations);
    expect(ab.columns.observations.subarray(a.observations.length)).toEqual(b.observations);
    expect(ab.columns.nextObservations.subarray(a.nextObservations.length)).toEqual(b.nextObservations);
    expect(Array.from(ab.columns.timeouts.subarray(a.length))).toEqual(Array.from(b.timeouts));
    expect(summary.episodes).toBe(4);
    expect(ab.card?.episodes).toBe(4);
    expect(ab.card?.behaviorPolicy).toBe('random + random');
    expect(ab.card?.description).toBe('a then b');
  });

  it('refuses a part recorded for another environment, naming the file', async () => {
    await expect(
      concatenate(
        { file: 'x.arrow', envId: 'cartpole-v1', concat: ['a.arrow'], description: '' },
        directory,
        join(directory, 'x.arrow'),
      ),
    ).rejects.toThrow(/a\.arrow/);
  });
});

describe('medium-replay (the replay buffer of a training run)', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'o2o-replay-recipe-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** A tiny pendulum run: 50 random steps, then SAC on 16×16 networks. */
  const recipe = (envSteps: number): ReplayRecipe => ({
    file: 'pendulum-replay.arrow',
    envId: 'pendulum-v1',
    train: {
      preset: 'pendulum-online',
      sets: ['agent.hiddenSizes=[16,16]', 'agent.batchSize=16', 'online.warmupSteps=50', 'seed=1'],
      envSteps,
    },
    description: 'a tiny replay',
  });

  it('trains the run to its step and dumps every transition it saw, oldest first', async () => {
    const runDirectory = join(directory, 'run');
    const out = join(directory, 'first.arrow');
    const summary = await makeReplayDataset(recipe(300), out, runDirectory);
    expect(summary.rows).toBe(300);
    // a pendulum episode is 200 steps: one whole episode, then one cut at the run's end (a timeout)
    expect(summary.episodes).toBe(2);
    expect(summary.card?.behaviorPolicy).toBe(
      'replay of pendulum-online agent.hiddenSizes=[16,16] agent.batchSize=16 online.warmupSteps=50 seed=1 to 300 env steps',
    );
    expect(summary.card?.description).toBe('a tiny replay');

    // a longer recipe extends the same run: the first 300 rows stay, 100 more follow
    const longer = await makeReplayDataset(recipe(400), join(directory, 'longer.arrow'), runDirectory);
    expect(longer.rows).toBe(400);
    const first = (await loadDataset(out)).columns;
    const extended = (await loadDataset(join(directory, 'longer.arrow'))).columns;
    expect(extended.observations.subarray(0, first.observations.length)).toEqual(first.observations);
    expect(extended.actions.subarray(0, first.actions.length)).toEqual(first.actions);

    // a shorter recipe than the run cannot be dumped from it
    await expect(
      makeReplayDataset(recipe(200), join(directory, 'short.arrow'), runDirectory),
    ).rejects.toThrow(
      /pendulum-replay\.arrow: the run in .* trains to 400 environment steps, past the recipe's 200/,
    );
  }, 120_000);

  it('every medium policy with a recorded run has a large medium-replay recipe for the same task', () => {
    const replays = LARGE_RECIPES.filter(isReplay);
    expect(replays.map((r) => r.file)).toEqual([
      'hopper-medium-replay-v1.arrow',
      'halfcheetah-medium-replay-v1.arrow',
      'ant-medium-replay-v1.arrow',
    ]);
    for (const replay of replays) {
      const medium = LARGE_RECIPES.find((r) => r.file === replay.file.replace('-replay', ''));
      expect(medium?.envId).toBe(replay.envId);
    }
    expect(selectLarge(['hopper-medium-replay']).map((r) => r.file)).toEqual([
      'hopper-medium-replay-v1.arrow',
    ]);
  });
});
