/**
 * The dataset recipes and how each becomes a file (the command is ./generate.ts). Every rollout and
 * concatenation file is a pure function of its recipe: same recipe, same bytes (a medium-replay file
 * is not: see ReplayRecipe). The card's createdAt is the recipe's date
 * (not the clock), so regenerating changes nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { CARD_FORMAT_VERSION } from '../core/data/card.js';
import { collectRollouts, generateDataset, type GenerateOptions } from '../core/data/generate.js';
import { inspectDataset } from '../core/data/inspect.js';
import { loadDataset } from '../core/data/load.js';
import { measureRandomReturn, measureReferenceScores } from '../core/data/reference.js';
import type { DatasetSummary, LoadedDataset } from '../core/data/types.js';
import type { DatasetCard } from '../core/common/dataset-card.js';
import { writeDataset } from '../core/data/write.js';
import { readPolicyJson } from '../core/export/load.js';
import { policyActions, policyFromJson, type ExportedPolicy } from '../core/export/policy.js';
import { envSpec, listEnvs, makeEnv, prepareEnv } from '../core/envs/registry.js';
import type { TransitionColumns } from '../core/replay/transitions.js';
import { dumpReplay } from '../core/train/dump-replay.js';
import { applyOverrides } from '../core/train/overrides.js';
import { presetConfig } from '../core/train/presets.js';
import { readRunConfig, readRunStatus, RUN_FILES } from '../core/train/run-directory.js';
import { resumeTrainingRun, startTrainingRun, type TrainingRun } from '../core/train/run.js';

/** This folder: the shipped files live here, the large ones in ./large. */
export const here = dirname(fileURLToPath(import.meta.url));

/** When these recipes were fixed; written as every card's createdAt. */
const RECIPE_DATE = '2026-11-23T00:00:00.000Z';
const AUTHOR = 'o2o-studio dataset recipes';

const DIVERSE_MAZE_DESCRIPTION =
  'Diverse point-maze data: random starts, noisy waypoint controller steering to random goals (a new goal whenever one is reached); sparse reward and terminal at the evaluation goal.';

/**
 * D4RL's antmaze-*-diverse data: random start cells, the scripted gait under the waypoint planner
 * walking to random goals, Gaussian action noise σ 0.1; D4RL ships 10⁶ steps per maze (the large
 * files), the shipped samples are their first episodes.
 */
function antMazeDiverse(large: boolean): RolloutRecipe[] {
  return [
    { envId: 'antmaze-umaze-v1', maze: 'umaze', episodes: 8, largeEpisodes: 1_430, seed: 31 },
    { envId: 'antmaze-medium-v1', maze: 'medium', episodes: 4, largeEpisodes: 1_000, seed: 32 },
  ].map(({ envId, maze, episodes, largeEpisodes, seed }) => ({
    file: `antmaze-${maze}-diverse-v1.arrow`,
    envId,
    policy: 'scripted',
    episodes: large ? largeEpisodes : episodes,
    seed,
    noise: 0.1,
    ...V1_COLUMNS,
    description: `Diverse ant-maze data (D4RL antmaze-${maze}-diverse): random start cells, a scripted gait under a waypoint planner walking to random goals (a new goal whenever one is reached), action noise σ 0.1; sparse reward and terminal at the evaluation goal${large ? '' : ' (a sample of the large recipe, same seed)'}.`,
  }));
}

/** A dataset rolled out by a behaviour (random, scripted, or a trained policy file). */
export interface RolloutRecipe extends Omit<
  GenerateOptions,
  'out' | 'createdAt' | 'author' | 'onProgress' | 'policyFn' | 'policyName'
> {
  file: string;
  /**
   * For policy 'checkpoint': an exported JSON policy (`o2o export --format json`), relative to this
   * folder (e.g. policies/hopper-medium.policy.json.gz, gzipped). It acts through `policyActions`, plain
   * JavaScript arithmetic, so the file's bytes do not depend on the machine or tensor backend.
   */
  policyFile?: string;
}

/** D4RL's medium-expert: the episodes of other recipes' files, one after the other. */
export interface ConcatRecipe {
  file: string;
  envId: string;
  /** Files made by earlier recipes of the same list, in order. */
  concat: string[];
  description: string;
}

/**
 * D4RL's medium-replay: the replay buffer of the training run whose checkpoint became the medium
 * policy, dumped when the run reaches that checkpoint's environment step. Unlike the other recipes
 * the file is not a pure function of the recipe: the run trains on this machine's tensor backend,
 * whose rounding (BLAS) differs between machines, so two machines make different (equally valid)
 * buffers. The run directory is kept beside the file, so an interrupted build resumes the run.
 */
export interface ReplayRecipe {
  file: string;
  envId: string;
  /** The run: a preset, `--set` overrides, and the environment step it stops and is dumped at. */
  train: { preset: string; sets: string[]; envSteps: number };
  description: string;
}

export type Recipe = RolloutRecipe | ConcatRecipe | ReplayRecipe;

export const isConcat = (recipe: Recipe): recipe is ConcatRecipe => 'concat' in recipe;
export const isReplay = (recipe: Recipe): recipe is ReplayRecipe => 'train' in recipe;
export const isRollout = (recipe: Recipe): recipe is RolloutRecipe => !isConcat(recipe) && !isReplay(recipe);

/**
 * The v1 files were fixed before datasets recorded the behaviour's statistics (infos/action_*):
 * their recipes leave those columns out, so the files keep their bytes and sizes. A learner that
 * needs μ (ACER) estimates it on them by behaviour cloning.
 */
const V1_COLUMNS = { behaviourColumns: false } as const;

/** Locomotion tasks: the file-name stem and the id. */
const LOCOMOTION = [
  { task: 'hopper', envId: 'hopper-v1' },
  { task: 'walker2d', envId: 'walker2d-v1' },
  { task: 'halfcheetah', envId: 'halfcheetah-v1' },
  { task: 'ant', envId: 'ant-v1' },
] as const;

/**
 * Random datasets of the MuJoCo locomotion tasks (D4RL "random"): episode counts chosen to keep
 * each shipped file near 1–2 MiB (hopper and walker episodes last ≈ 20 steps, halfcheetah's 1000,
 * ant's ≈ 180); the large recipes extend each to about D4RL's 10⁶ steps with the same seed, so
 * the shipped sample is the large file's first episodes.
 */
const LOCOMOTION_RANDOM = {
  'hopper-v1': { episodes: 500, largeEpisodes: 45_000, seed: 11 },
  'walker2d-v1': { episodes: 500, largeEpisodes: 47_000, seed: 12 },
  'halfcheetah-v1': { episodes: 10, largeEpisodes: 1_000, seed: 13 },
  'ant-v1': { episodes: 50, largeEpisodes: 5_700, seed: 14 },
} as const;

/**
 * The behaviour policies trained here (SAC from scratch, preset `<task>-online`; datasets/README.md
 * names the runs and checkpoints), exported as JSON: medium is a checkpoint whose noisy data scores
 * at D4RL's medium level (about 40 on D4RL's normalised scale), expert the best checkpoint of the
 * run. Their data adds Gaussian action noise σ (D4RL sampled the stochastic SAC policy; the
 * exported actor is its mean). Shipped: a sample of `episodes`; large: about 10⁶ steps.
 */
const TRAINED: {
  envId: string;
  task: string;
  level: 'medium' | 'expert';
  noise: number;
  episodes: number;
  largeEpisodes: number;
  seed: number;
  /** The medium policy's run (datasets/README.md): its replay buffer at the checkpoint is medium-replay. */
  run?: ReplayRecipe['train'];
}[] = [
  // Hopper: 50 medium episodes of ≈ 450 steps ship (≈ 22k rows), 10 expert episodes of 1000; the
  // large files have D4RL's ≈ 10⁶ steps each.
  {
    envId: 'hopper-v1',
    task: 'hopper',
    level: 'medium',
    noise: 0.1,
    episodes: 50,
    largeEpisodes: 2_240,
    seed: 21,
    run: {
      preset: 'hopper-online',
      sets: ['agent.gradientPenalty=0', 'agent.huberDelta=1000000', 'agent.targetEntropyScale=1', 'seed=0'],
      envSteps: 111_220,
    },
  },
  {
    envId: 'hopper-v1',
    task: 'hopper',
    level: 'expert',
    noise: 0.1,
    episodes: 10,
    largeEpisodes: 1_000,
    seed: 22,
  },
  // HalfCheetah: 10 medium episodes of 1000 steps ship; the large file has 10⁶ steps.
  {
    envId: 'halfcheetah-v1',
    task: 'halfcheetah',
    level: 'medium',
    noise: 0.1,
    episodes: 10,
    largeEpisodes: 1_000,
    seed: 23,
    run: { preset: 'halfcheetah-online', sets: ['seed=0'], envSteps: 80_000 },
  },
  // Ant: 2 medium episodes ship (its episodes end early when the ant flips; the large file has
  // about 10⁶ steps).
  {
    envId: 'ant-v1',
    task: 'ant',
    level: 'medium',
    noise: 0.1,
    episodes: 2,
    largeEpisodes: 1_450,
    seed: 24,
    run: {
      preset: 'walker2d-online',
      sets: [
        'env.id=ant-v1',
        'agent.gradientPenalty=0',
        'agent.huberDelta=1000000',
        'agent.targetEntropyScale=1',
        'seed=0',
      ],
      envSteps: 125_000,
    },
  },
];

function locomotionRandom(large: boolean): RolloutRecipe[] {
  return LOCOMOTION.map(({ task, envId }): RolloutRecipe => {
    const { episodes, largeEpisodes, seed } = LOCOMOTION_RANDOM[envId];
    const count = large ? largeEpisodes : episodes;
    return {
      file: `${task}-random-v1.arrow`,
      envId,
      policy: 'random',
      episodes: count,
      seed,
      ...V1_COLUMNS,
      description: `D4RL-style random data for ${envId}: every action component uniform in [−1, 1], ${count} episodes${large ? ' (about D4RL’s 10⁶ steps)' : ` (a sample; the large recipe makes about D4RL’s 10⁶ steps with the same seed)`}.`,
    };
  });
}

function trainedRecipes(large: boolean): Recipe[] {
  const recipes: Recipe[] = [];
  for (const trained of TRAINED) {
    const count = large ? trained.largeEpisodes : trained.episodes;
    recipes.push({
      file: `${trained.task}-${trained.level}-v1.arrow`,
      envId: trained.envId,
      policy: 'checkpoint',
      policyFile: `policies/${trained.task}-${trained.level}.policy.json.gz`,
      episodes: count,
      seed: trained.seed,
      noise: trained.noise,
      description: `D4RL-style ${trained.level} data for ${trained.envId}: a checkpoint of SAC trained here from scratch (datasets/README.md, "Behaviour policies") acting with Gaussian action noise σ ${trained.noise}, ${count} episodes${large ? '' : ' (a sample of the large recipe, same seed)'}.`,
    });
  }
  for (const { task, envId } of LOCOMOTION) {
    const levels = TRAINED.filter((trained) => trained.envId === envId).map((trained) => trained.level);
    if (!levels.includes('medium') || !levels.includes('expert')) continue;
    recipes.push({
      file: `${task}-medium-expert-v1.arrow`,
      envId,
      concat: [`${task}-medium-v1.arrow`, `${task}-expert-v1.arrow`],
      description: `D4RL-style medium-expert data for ${envId}: the episodes of ${task}-medium-v1 followed by those of ${task}-expert-v1.`,
    });
  }
  return recipes;
}

/** D4RL-style medium-replay: the replay buffer of each medium policy's own training run (large only). */
function mediumReplayRecipes(): ReplayRecipe[] {
  return TRAINED.filter((trained) => trained.run !== undefined).map((trained) => {
    const run = trained.run!;
    return {
      file: `${trained.task}-medium-replay-v1.arrow`,
      envId: trained.envId,
      train: run,
      description: `D4RL-style medium-replay data for ${trained.envId}: every transition the SAC run behind ${trained.task}-medium saw until its medium checkpoint (\`o2o train --preset ${run.preset} ${run.sets.map((set) => `--set ${set}`).join(' ')}\` to ${run.envSteps} environment steps), oldest first.`,
    };
  });
}

/** The shipped datasets (datasets/*.arrow), ≤ 30 MiB with everything else in this folder. */
export const RECIPES: Recipe[] = [
  {
    file: 'pointmaze-umaze-diverse-v1.arrow',
    envId: 'pointmaze-umaze-v1',
    policy: 'scripted',
    episodes: 300,
    seed: 1,
    noise: 0.3,
    ...V1_COLUMNS,
    description: DIVERSE_MAZE_DESCRIPTION,
  },
  {
    file: 'pointmaze-medium-diverse-v1.arrow',
    envId: 'pointmaze-medium-v1',
    policy: 'scripted',
    episodes: 200,
    seed: 2,
    noise: 0.3,
    ...V1_COLUMNS,
    description: DIVERSE_MAZE_DESCRIPTION,
  },
  {
    file: 'pointmaze-large-diverse-v1.arrow',
    envId: 'pointmaze-large-v1',
    policy: 'scripted',
    episodes: 250,
    seed: 4,
    noise: 0.3,
    ...V1_COLUMNS,
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
    ...V1_COLUMNS,
    description:
      'Medium-quality pendulum data: the energy-pumping swing-up controller with Gaussian noise, replaced by a uniform random torque at 65% of steps.',
  },
  ...locomotionRandom(false),
  ...trainedRecipes(false).filter((recipe) => !recipe.file.includes('medium-expert')),
  ...antMazeDiverse(false),
];

/** The D4RL-size datasets: regenerated on demand into datasets/large/ (not shipped). */
export const LARGE_RECIPES: Recipe[] = [
  ...locomotionRandom(true),
  ...trainedRecipes(true),
  ...mediumReplayRecipes(),
  ...antMazeDiverse(true),
];

function readPolicy(recipe: RolloutRecipe): ExportedPolicy {
  const policy = policyFromJson(readPolicyJson(join(here, recipe.policyFile!)), recipe.policyFile);
  if (policy.metadata.envId !== recipe.envId) {
    throw new Error(
      `${recipe.policyFile}: the policy was trained on ${policy.metadata.envId}, not ${recipe.envId}`,
    );
  }
  return policy;
}

/** The acting function and card name of a recipe's policy file. */
function recipePolicy(recipe: RolloutRecipe): Pick<GenerateOptions, 'policyFn' | 'policyName'> {
  if (recipe.policyFile === undefined) return {};
  const policy = readPolicy(recipe);
  return {
    policyFn: (observation) => policyActions(policy, observation, 1),
    policyName: `checkpoint:${policy.metadata.runId}@${policy.metadata.envSteps}`,
  };
}

/** Concatenate the episodes of `parts` (same environment) into one file with its own card. */
export async function concatenate(
  recipe: ConcatRecipe,
  directory: string,
  out: string,
): Promise<DatasetSummary> {
  const loaded: LoadedDataset[] = [];
  for (const part of recipe.concat) {
    const dataset = await loadDataset(join(directory, part), { envId: recipe.envId });
    if (dataset.card?.envId !== recipe.envId)
      throw new Error(
        `${part}: recorded for ${dataset.card?.envId ?? 'an unknown environment'}, not ${recipe.envId}`,
      );
    loaded.push(dataset);
  }
  const joined = <T extends Float32Array | Uint8Array>(pick: (columns: TransitionColumns) => T): T => {
    const arrays = loaded.map((dataset) => pick(dataset.columns));
    const total = arrays.reduce((sum, array) => sum + array.length, 0);
    const out = new (arrays[0].constructor as new (length: number) => T)(total);
    let at = 0;
    for (const array of arrays) {
      out.set(array, at);
      at += array.length;
    }
    return out;
  };
  const first = loaded[0].columns;
  const columns: TransitionColumns = {
    length: loaded.reduce((total, dataset) => total + dataset.columns.length, 0),
    observationWidth: first.observationWidth,
    actionWidth: first.actionWidth,
    observations: joined((c) => c.observations),
    actions: joined((c) => c.actions),
    rewards: joined((c) => c.rewards),
    nextObservations: joined((c) => c.nextObservations),
    terminals: joined((c) => c.terminals),
    timeouts: joined((c) => c.timeouts),
  };
  const cards = loaded.map((dataset) => dataset.card!);
  const card: DatasetCard = {
    formatVersion: CARD_FORMAT_VERSION,
    envId: recipe.envId,
    behaviorPolicy: cards.map((c) => c.behaviorPolicy).join(' + '),
    seed: null,
    episodes: cards.reduce((total, c) => total + c.episodes, 0),
    steps: columns.length,
    referenceMinScore: cards[0].referenceMinScore,
    referenceMaxScore: cards[0].referenceMaxScore,
    author: AUTHOR,
    createdAt: RECIPE_DATE,
    description: recipe.description,
  };
  await writeDataset(out, columns, card);
  return inspectDataset(out);
}

/** A progress bar on stderr when it is a terminal, else one line per dataset. */
function progress(
  label: string,
  unit = 'episodes',
): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) {
    process.stderr.write(`${label} …\n`);
    return { update() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label.padEnd(34)} [{bar}] {value}/{total} ${unit} | {eta_formatted} left`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * Train the recipe's run in `runDirectory` up to its environment step (resuming it when an earlier
 * build was interrupted, extending it when it stopped short), then dump its replay buffer to `out`.
 */
export async function makeReplayDataset(
  recipe: ReplayRecipe,
  out: string,
  runDirectory: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<DatasetSummary> {
  const { preset, sets, envSteps } = recipe.train;
  let run: TrainingRun | undefined;
  if (!existsSync(join(runDirectory, RUN_FILES.status))) {
    rmSync(runDirectory, { recursive: true, force: true });
    const config = applyOverrides(presetConfig(preset), [...sets, `online.envSteps=${envSteps}`]);
    run = await startTrainingRun({ config, directory: runDirectory });
  } else {
    const budget = (readRunConfig(runDirectory) as { online?: { envSteps?: number } }).online?.envSteps;
    if (budget !== undefined && budget > envSteps)
      throw new Error(
        `${recipe.file}: the run in ${runDirectory} trains to ${budget} environment steps, past the recipe's ${envSteps}; remove the folder to start over`,
      );
    if (budget !== envSteps) run = await resumeTrainingRun(runDirectory, { envSteps });
    else if (readRunStatus(runDirectory).state !== 'finished') run = await resumeTrainingRun(runDirectory);
  }
  if (run) {
    run.bus.subscribe((event) => {
      if ('envStep' in event && typeof event.envStep === 'number') onProgress(event.envStep, envSteps);
    });
    const outcome = await run.done;
    if (outcome !== 'finished')
      throw new Error(`${recipe.file}: the training run in ${runDirectory} ended ${outcome}`);
  }
  await dumpReplay(runDirectory, out, {
    author: AUTHOR,
    createdAt: RECIPE_DATE,
    behaviorPolicy: `replay of ${preset} ${sets.join(' ')} to ${envSteps} env steps`,
    description: recipe.description,
  });
  return inspectDataset(out);
}

async function buildRecipe(recipe: Recipe, directory: string, showProgress: boolean): Promise<void> {
  const out = join(directory, recipe.file);
  let summary: DatasetSummary;
  if (isConcat(recipe)) summary = await concatenate(recipe, directory, out);
  else if (isReplay(recipe)) {
    const bar = showProgress ? progress(recipe.file, 'env steps') : { update() {}, stop() {} };
    try {
      const runDirectory = join(directory, 'runs', recipe.file.replace(/\.arrow$/, ''));
      summary = await makeReplayDataset(recipe, out, runDirectory, (done, total) => bar.update(done, total));
    } finally {
      bar.stop();
    }
  } else {
    const { file: _file, policyFile: _policyFile, ...options } = recipe;
    const bar = showProgress ? progress(recipe.file) : { update() {}, stop() {} };
    try {
      summary = await generateDataset({
        ...options,
        ...recipePolicy(recipe),
        out,
        createdAt: RECIPE_DATE,
        author: AUTHOR,
        onProgress: (done, total) => bar.update(done, total),
      });
    } finally {
      bar.stop();
    }
  }
  const bytes = readFileSync(out);
  const sidecar = {
    file: recipe.file,
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
    join(directory, recipe.file.replace(/\.arrow$/, '.card.json')),
    `${JSON.stringify(sidecar, null, 2)}\n`,
  );
  process.stdout.write(
    `${recipe.file}: ${summary.rows} transitions, ${summary.episodes} episodes, mean return ${summary.episodeReturns.mean.toFixed(3)}, normalised ${summary.episodeReturns.normalizedMean?.toFixed(1)}, ${(bytes.length / 1048576).toFixed(2)} MiB\n`,
  );
}

/**
 * Mean return of the noise-free expert policy over `episodes` episodes from the evaluation start:
 * the reference maximum of a locomotion task whose expert was trained here.
 */
async function measureExpertReturn(envId: string, episodes = 100, seed = 0): Promise<number | undefined> {
  const trained = TRAINED.find((entry) => entry.envId === envId && entry.level === 'expert');
  if (!trained) return undefined;
  const policy = readPolicy({
    file: '',
    envId,
    policy: 'checkpoint',
    episodes,
    seed,
    policyFile: `policies/${trained.task}-expert.policy.json.gz`,
  });
  const rollouts = await collectRollouts({
    envId,
    policy: 'checkpoint',
    episodes,
    seed,
    noise: 0,
    policyFn: (observation) => policyActions(policy, observation, 1),
  });
  return rollouts.returns.reduce((total, value) => total + value, 0) / episodes;
}

/**
 * reference-scores.json: per environment, what was measured here (the random policy's mean return
 * and, where an expert was trained here, the noise-free expert's) beside the range the environment
 * uses. The locomotion tasks keep D4RL's expert return as their maximum, so normalised scores stay
 * comparable with published ones; the expert trained here is listed, not substituted.
 */
type MeasuredScores = { min: number; max?: number; expert?: number };

async function writeReferenceScores(directory: string): Promise<void> {
  const references: Record<
    string,
    { measured: MeasuredScores | null; inEnvironment: { min: number; max: number } | null }
  > = {};
  const round = (value: number) => Math.round(value * 100) / 100;
  for (const { id } of listEnvs()) {
    await prepareEnv(id);
    const env = makeEnv(id);
    const inEnvironment = env.referenceScores ?? null;
    const goalTask = env.goalConditioned;
    env.close?.();
    let measured: MeasuredScores | null;
    if (!envSpec(id).runtime) {
      const scores = measureReferenceScores(id, 100, 0);
      measured = { min: round(scores.min), max: round(scores.max) };
    } else if (goalTask) {
      measured = null; // the ant mazes: success rate, 0…1 by definition (D4RL)
    } else {
      const expert = await measureExpertReturn(id);
      measured = {
        min: round(measureRandomReturn(id, 100, 0)),
        ...(expert !== undefined ? { expert: round(expert) } : {}),
      };
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

export async function build(directory: string): Promise<void> {
  for (const recipe of RECIPES) await buildRecipe(recipe, directory, false);
  await writeReferenceScores(directory);
}

/** The large recipes whose file names start with one of `names` (all when none), with what they need. */
export function selectLarge(names: string[]): Recipe[] {
  if (names.length === 0) return LARGE_RECIPES;
  const chosen = new Set<string>();
  const add = (file: string) => {
    const recipe = LARGE_RECIPES.find((candidate) => candidate.file === file)!;
    if (isConcat(recipe)) recipe.concat.forEach(add);
    chosen.add(file);
  };
  for (const name of names) {
    const matches = LARGE_RECIPES.filter((recipe) => recipe.file.startsWith(name));
    if (matches.length === 0) {
      throw new Error(
        `no large dataset named ${name}; large datasets: ${LARGE_RECIPES.map((recipe) => recipe.file.replace(/\.arrow$/, '')).join(', ')}`,
      );
    }
    matches.forEach((recipe) => add(recipe.file));
  }
  return LARGE_RECIPES.filter((recipe) => chosen.has(recipe.file));
}

export async function buildLarge(names: string[]): Promise<void> {
  const recipes = selectLarge(names);
  const directory = join(here, 'large');
  mkdirSync(directory, { recursive: true });
  for (const recipe of recipes) {
    const sidecar = join(directory, recipe.file.replace(/\.arrow$/, '.card.json'));
    if (existsSync(sidecar) && existsSync(join(directory, recipe.file))) {
      const recorded = JSON.parse(readFileSync(sidecar, 'utf8')) as { sha256: string };
      const bytes = readFileSync(join(directory, recipe.file));
      if (createHash('sha256').update(bytes).digest('hex') === recorded.sha256) {
        process.stdout.write(`${recipe.file}: already made (checksum matches its card), kept\n`);
        continue;
      }
    }
    await buildRecipe(recipe, directory, true);
  }
}

export const outputs = () =>
  RECIPES.flatMap((recipe) => [recipe.file, recipe.file.replace(/\.arrow$/, '.card.json')]).concat(
    'reference-scores.json',
  );
