/**
 * Regenerates the shipped datasets (`npm run datasets`), their card sidecars and the measured
 * reference scores. Every file is a pure function of its recipe below: same recipe, same bytes.
 * The card's createdAt is the recipe's date (not the clock), so regenerating changes nothing.
 *
 *   npm run datasets              write datasets/*.arrow, *.card.json, reference-scores.json
 *   npm run datasets -- --check   regenerate into a temporary directory and compare bytes
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset, type GenerateOptions } from '../core/data/generate.js';
import { policyActions, policyFromJson } from '../core/export/policy.js';
import { measureRandomReturn, measureReferenceScores } from '../core/data/reference.js';
import { envSpec, listEnvs, makeEnv, prepareEnv } from '../core/envs/registry.js';

const here = dirname(fileURLToPath(import.meta.url));

/** When these recipes were fixed; written as every card's createdAt. */
const RECIPE_DATE = '2026-11-23T00:00:00.000Z';
const AUTHOR = 'o2o-studio dataset recipes';

const DIVERSE_MAZE_DESCRIPTION =
  'Diverse point-maze data: random starts, noisy waypoint controller steering to random goals (a new goal whenever one is reached); sparse reward and terminal at the evaluation goal.';

/**
 * Random datasets of the MuJoCo locomotion tasks (D4RL "random"): episode counts chosen to keep
 * each file near 3–4 MiB (hopper and walker episodes last ≈ 20 steps, halfcheetah's 1000, ant's
 * ≈ 180), all shipped files together well under 30 MiB.
 */
const LOCOMOTION_RANDOM = [
  { envId: 'hopper-v1', episodes: 1000, seed: 11 },
  { envId: 'walker2d-v1', episodes: 1000, seed: 12 },
  { envId: 'halfcheetah-v1', episodes: 20, seed: 13 },
  { envId: 'ant-v1', episodes: 100, seed: 14 },
];

interface Recipe extends Omit<
  GenerateOptions,
  'out' | 'createdAt' | 'author' | 'onProgress' | 'policyFn' | 'policyName'
> {
  file: string;
  /**
   * For policy 'checkpoint': an exported JSON policy (`o2o export --format json`), relative to this
   * folder (e.g. policies/hopper-medium.policy.json). It acts through `policyActions`, plain
   * JavaScript arithmetic, so the file's bytes do not depend on the machine or tensor backend.
   */
  policyFile?: string;
}

/** The acting function and card name of a recipe's policy file. */
function recipePolicy(recipe: Recipe): Pick<GenerateOptions, 'policyFn' | 'policyName'> {
  if (recipe.policyFile === undefined) return {};
  const policy = policyFromJson(readFileSync(join(here, recipe.policyFile), 'utf8'), recipe.policyFile);
  if (policy.metadata.envId !== recipe.envId) {
    throw new Error(
      `${recipe.policyFile}: the policy was trained on ${policy.metadata.envId}, not ${recipe.envId}`,
    );
  }
  return {
    policyFn: (observation) => policyActions(policy, observation, 1),
    policyName: `checkpoint:${policy.metadata.runId}@${policy.metadata.trainingSteps}`,
  };
}

export const RECIPES: Recipe[] = [
  {
    file: 'pointmaze-umaze-diverse-v1.arrow',
    envId: 'pointmaze-umaze-v1',
    policy: 'scripted',
    episodes: 300,
    seed: 1,
    noise: 0.3,
    description: DIVERSE_MAZE_DESCRIPTION,
  },
  {
    file: 'pointmaze-medium-diverse-v1.arrow',
    envId: 'pointmaze-medium-v1',
    policy: 'scripted',
    episodes: 200,
    seed: 2,
    noise: 0.3,
    description: DIVERSE_MAZE_DESCRIPTION,
  },
  {
    file: 'pointmaze-large-diverse-v1.arrow',
    envId: 'pointmaze-large-v1',
    policy: 'scripted',
    episodes: 250,
    seed: 4,
    noise: 0.3,
    description: DIVERSE_MAZE_DESCRIPTION,
  },
  {
    file: 'pendulum-medium-v1.arrow',
    envId: 'pendulum-v1',
    policy: 'scripted',
    episodes: 200,
    seed: 3,
    noise: 0.2,
    randomActionRate: 0.65,
    description:
      'Medium-quality pendulum data: the energy-pumping swing-up controller with Gaussian noise, replaced by a uniform random torque at 65% of steps.',
  },
  ...LOCOMOTION_RANDOM.map(({ envId, episodes, seed }): Recipe => ({
    file: `${envId.replace(/-v1$/, '')}-random-v1.arrow`,
    envId,
    policy: 'random',
    episodes,
    seed,
    description: `D4RL-style random data for ${envId}: every action component uniform in [−1, 1], ${episodes} episodes (a small sample beside D4RL's 10⁶ steps; \`o2o datasets generate --policy random\` makes more).`,
  })),
];

async function build(directory: string): Promise<void> {
  for (const recipe of RECIPES) {
    const { file, policyFile: _policyFile, ...options } = recipe;
    const out = join(directory, file);
    const summary = await generateDataset({
      ...options,
      ...recipePolicy(recipe),
      out,
      createdAt: RECIPE_DATE,
      author: AUTHOR,
    });
    const bytes = readFileSync(out);
    const sidecar = {
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      card: summary.card,
      rows: summary.rows,
      episodes: summary.episodes,
      terminals: summary.terminals,
      timeouts: summary.timeouts,
      episodeReturns: {
        mean: summary.episodeReturns.mean,
        min: summary.episodeReturns.min,
        max: summary.episodeReturns.max,
        normalizedMean: summary.episodeReturns.normalizedMean,
      },
      episodeLengths: summary.episodeLengths,
      terminalEpisodeFraction: summary.terminalEpisodeFraction,
    };
    writeFileSync(
      join(directory, file.replace(/\.arrow$/, '.card.json')),
      `${JSON.stringify(sidecar, null, 2)}\n`,
    );
    process.stdout.write(
      `${file}: ${summary.rows} transitions, ${summary.episodes} episodes, mean return ${summary.episodeReturns.mean.toFixed(3)}, normalised ${summary.episodeReturns.normalizedMean?.toFixed(1)}, ${(bytes.length / 1048576).toFixed(2)} MiB\n`,
    );
  }
  const references: Record<
    string,
    { measured: { min: number; max?: number } | null; inEnvironment: { min: number; max: number } | null }
  > = {};
  const round = (value: number) => Math.round(value * 100) / 100;
  for (const { id } of listEnvs()) {
    await prepareEnv(id);
    const env = makeEnv(id);
    const inEnvironment = env.referenceScores ?? null;
    const goalTask = env.goalConditioned;
    env.close?.();
    let measured: { min: number; max?: number } | null;
    if (!envSpec(id).runtime) {
      const scores = measureReferenceScores(id, 100, 0);
      measured = { min: round(scores.min), max: round(scores.max) };
    } else if (goalTask) {
      measured = null; // the ant mazes: success rate, 0…1 by definition (D4RL)
    } else {
      measured = { min: round(measureRandomReturn(id, 100, 0)) }; // no expert here yet
    }
    references[id] = { measured, inEnvironment };
  }
  writeFileSync(join(directory, 'reference-scores.json'), `${JSON.stringify(references, null, 2)}\n`);
  for (const [id, { measured, inEnvironment }] of Object.entries(references)) {
    const same =
      measured === null ||
      (measured.min === inEnvironment?.min &&
        (measured.max === undefined || measured.max === inEnvironment.max));
    process.stdout.write(
      `reference ${id}: measured ${JSON.stringify(measured)}${same ? '' : ` — the environment carries ${JSON.stringify(inEnvironment)}; update it`}\n`,
    );
  }
}

const outputs = () =>
  RECIPES.flatMap((recipe) => [recipe.file, recipe.file.replace(/\.arrow$/, '.card.json')]).concat(
    'reference-scores.json',
  );

if (process.argv.includes('--check')) {
  const scratch = mkdtempSync(join(tmpdir(), 'o2o-datasets-'));
  try {
    await build(scratch);
    const differing = outputs().filter((name) => {
      try {
        return !readFileSync(join(scratch, name)).equals(readFileSync(join(here, name)));
      } catch {
        return true;
      }
    });
    if (differing.length > 0) {
      process.stderr.write(`regenerated files differ from the shipped ones: ${differing.join(', ')}\n`);
      process.exitCode = 1;
    } else process.stdout.write('shipped datasets are byte-identical to their recipes\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else await build(here);
