/**
 * The run configuration: one JSON object, validated once at the edge (CLI, app, resume) with
 * errors that name the key path. Defaults come from the ROER paper's official code where it has
 * one, and from the adaptive-β design otherwise. Sections: env, dataset, seed, backend, agent,
 * replay, beta, offline, online, eval, checkpoint.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { agentSectionSchema } from '../agents/registry.js';
import { betaOptionsSchema } from '../beta/options.js';
import { issuesOf, type ValidationIssue } from '../common/validation.js';
import { offlineObjectiveSettingsSchema } from '../objectives/settings.js';
import { replaySectionSchema as replaySettingsSection } from '../replay/options.js';
import { BACKEND_CANDIDATES } from '../tensor/backend.js';
import { resolveUserPath } from '../util/paths.js';
import { readRegularTextFileSync } from '../util/regular-file.js';
import { applyOverrides, OverrideError } from './overrides.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const envSectionSchema = z
  .object({
    id: z.string().min(1).describe('Registered environment id, e.g. "pointmaze-medium-v1".'),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Environment options, e.g. {"reward": "dense"} for the point mazes.'),
  })
  .strict();

export const datasetSectionSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .describe(
        "Path of the offline dataset (Arrow IPC or Parquet); ~ is the home folder; a relative path resolves against the config file's folder (CLI) or the app's base folder.",
      ),
    normalizeObservations: z
      .boolean()
      .default(true)
      .describe(
        "Normalise observations with the dataset's per-dimension mean and standard deviation (baked into exports).",
      ),
  })
  .strict();

/** The replay section: the replay module's own settings schema (core/replay/options.ts). */
export const replaySectionSchema = replaySettingsSection;

/** The β section: the controller's own settings schema (core/beta/options.ts). */
export const betaSectionSchema = betaOptionsSchema;

export const offlineSectionSchema = z
  .object({
    steps: nonNegativeInt
      .default(10_000)
      .describe(
        'Gradient updates on the dataset alone before any environment step (0 = official code: dataset only fills the buffer).',
      ),
    evalInterval: nonNegativeInt
      .default(5_000)
      .describe('Evaluate every this many offline updates (0 = only at the phase boundary).'),
    // The offline objective and its settings (core/objectives/settings.ts).
    ...offlineObjectiveSettingsSchema.shape,
  })
  .strict();

export const onlineSectionSchema = z
  .object({
    envSteps: nonNegativeInt.default(100_000).describe('Environment steps of online fine-tuning.'),
    updatesPerStep: z
      .number()
      .positive()
      .default(1)
      .describe('Updates per environment step (update-to-data ratio; official code: 1).'),
    warmupSteps: nonNegativeInt
      .default(0)
      .describe(
        'Environment steps with uniformly random actions at the start of fine-tuning (official code: 10k from scratch; 0 after pretraining).',
      ),
    objective: z
      .enum(['auto', 'sac', 'offline'])
      .default('auto')
      .describe(
        "Online update: 'sac' (SAC + ROER: soft critic target through a′ ∼ π, reparameterised actor, learned α), 'offline' (keep the offline objective online: with xql or iql in-sample V, critic onto r + γ·mask·V(s′), AWR actor; with cql SAC with the conservative regulariser, Cal-QL's fine-tuning), or 'auto': 'offline' after an offline phase (SAC's hand-off dips: docs/training.md), 'sac' without one.",
      ),
    criticWarmupSteps: nonNegativeInt
      .default(0)
      .describe(
        'WSRL warm-up (Zhou et al. 2025): environment steps at the start of fine-tuning collected with the frozen pretrained policy (sampled, as in fine-tuning) while only the critics and V update.',
      ),
    calibrate: z
      .boolean()
      .default(false)
      .describe(
        'Cal-QL (Nakamoto et al. 2023): floor the critic targets of offline rows at their discounted Monte-Carlo return-to-go.',
      ),
  })
  .strict();

export const rewardSectionSchema = z
  .object({
    scale: z
      .number()
      .positive()
      .default(1)
      .describe(
        "Stored rewards are scale·r + shift (dataset and online alike); evaluation returns stay in the environment's units.",
      ),
    shift: z
      .number()
      .default(0)
      .describe(
        'See scale; e.g. −1 turns a 0/1 goal reward into −1 per step until the goal (the AntMaze convention of offline learners).',
      ),
  })
  .strict();

export const evalSectionSchema = z
  .object({
    episodes: positiveInt.default(10).describe('Deterministic evaluation episodes per evaluation.'),
    interval: positiveInt
      .default(5_000)
      .describe('Evaluate every this many environment steps during fine-tuning.'),
  })
  .strict();

export const checkpointSectionSchema = z
  .object({
    interval: positiveInt
      .default(10_000)
      .describe('Write a checkpoint every this many updates (and always at the end and on stop).'),
    keep: positiveInt
      .max(100)
      .default(2)
      .describe(
        'Checkpoints kept on disk, newest first: a damaged newest one falls back to the one before it.',
      ),
  })
  .strict();

/** The run configuration as a user writes it (every field but env.id has a default). */
export const runConfigSchema = z
  .object({
    env: envSectionSchema.describe(
      'The simulator the agent fine-tunes in (and the dataset was recorded in).',
    ),
    dataset: datasetSectionSchema
      .optional()
      .describe('Offline dataset; absent = online learning from scratch (then offline.steps must be 0).'),
    seed: nonNegativeInt
      .default(0)
      .describe(
        'Seed of every random choice in the run (network init, sampling, exploration, environment resets).',
      ),
    backend: z
      .enum(['auto', ...BACKEND_CANDIDATES])
      .default('auto')
      .describe(
        'Compute backend preference (native BLAS kernels, else TF.js); the O2O_BACKEND environment variable overrides it.',
      ),
    threads: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(1)
      .describe(
        'BLAS threads of the native kernels (O2O_THREADS overrides). One by default: the environment, the app and its server share the machine with training.',
      ),
    agent: agentSectionSchema
      .prefault({})
      .describe(
        'The learner: agent.kind "sac" (SAC with ROER’s value network; continuous actions) or "acer" (ACER with Retrace; discrete or continuous), with its network sizes, learning rates, γ, batch size, …',
      ),
    replay: replaySectionSchema
      .prefault({})
      .describe('The replay buffer: capacity, priority rule (uniform, PER, ROER) and batch mixing.'),
    reward: rewardSectionSchema.prefault({}).describe('Reward transform of the learning signal.'),
    beta: betaSectionSchema
      .prefault({})
      .describe('The temperature β of the ROER weights exp(δ/β) and its controller.'),
    offline: offlineSectionSchema
      .prefault({})
      .describe('Offline pretraining on the dataset alone, and its objective.'),
    online: onlineSectionSchema.prefault({}).describe('Online fine-tuning in the simulator.'),
    eval: evalSectionSchema.prefault({}).describe('Deterministic evaluation episodes.'),
    checkpoint: checkpointSectionSchema.prefault({}).describe('Checkpoints (a run resumes from its newest).'),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.agent.logStdMin >= config.agent.logStdMax) {
      context.addIssue({
        code: 'custom',
        path: ['agent', 'logStdMin'],
        message: 'must be below agent.logStdMax',
      });
    }
    if (config.agent.kind === 'acer' && config.replay.priority !== 'uniform') {
      context.addIssue({
        code: 'custom',
        path: ['replay', 'priority'],
        message: `ACER replays windows uniformly (${config.replay.priority === 'roer' ? 'ROER' : 'PER'} needs per-row TD errors, which ACER's Retrace update does not give): set replay.priority to "uniform"`,
      });
    }
    if (config.offline.steps > 0 && config.dataset === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['offline', 'steps'],
        message: 'offline pretraining needs a dataset: set dataset.path or offline.steps = 0',
      });
    }
    if (config.offline.steps === 0 && config.online.envSteps === 0) {
      context.addIssue({
        code: 'custom',
        path: ['online', 'envSteps'],
        message: 'nothing to train: offline.steps and online.envSteps are both 0',
      });
    }
    if (config.online.calibrate && config.dataset === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['online', 'calibrate'],
        message: 'calibration floors offline rows at their return-to-go: it needs a dataset',
      });
    }
    if (config.online.warmupSteps > 0 && config.online.criticWarmupSteps > 0) {
      context.addIssue({
        code: 'custom',
        path: ['online', 'criticWarmupSteps'],
        message:
          'a critic warm-up collects with the pretrained policy, a random warm-up with random actions: choose one (set online.warmupSteps or online.criticWarmupSteps to 0)',
      });
    }
    if (
      config.agent.kind === 'sac' &&
      config.dataset === undefined &&
      config.online.warmupSteps < config.agent.batchSize
    ) {
      context.addIssue({
        code: 'custom',
        path: ['online', 'warmupSteps'],
        message: `without a dataset, warm-up must collect at least one batch (agent.batchSize = ${config.agent.batchSize}) before the first update`,
      });
    }
  });

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;

/** A run configuration that failed validation; every issue names its key path. Exit code 2 (usage). */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly issues: ValidationIssue[],
    readonly source = 'config',
  ) {
    super(`${source} is invalid:\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Zod issues as key paths a user can act on; an unknown key is reported at its own path. */
export function configIssues(error: z.ZodError): ValidationIssue[] {
  return issuesOf(error);
}

/** Validate without throwing (the app's New-run form): issues name key paths; `config` is the resolved config when ok. */
export function validateRunConfig(input: unknown): {
  ok: boolean;
  issues: ValidationIssue[];
  config?: RunConfig;
} {
  const parsed = runConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, issues: [], config: parsed.data };
  return { ok: false, issues: configIssues(parsed.error) };
}

/**
 * The online update a config asks for, with `'auto'` resolved: after an offline phase the offline
 * objective goes on online (in-sample extraction never queries Q off the replayed actions, so the
 * hand-off does not dip; CQL keeps its regulariser, as Cal-QL fine-tunes); without one, SAC.
 */
export function onlineObjectiveOf(config: RunConfig): 'sac' | 'offline' {
  if (config.online.objective !== 'auto') return config.online.objective;
  return config.offline.steps > 0 ? 'offline' : 'sac';
}

/**
 * The updates a transition run plans to make: its offline updates, then `updatesPerStep` per online
 * step after the random warm-up (which makes none). The horizon of the schedules that follow the
 * run's progress (PER's importance exponent, the actor's learning rate).
 */
export function plannedUpdates(config: RunConfig): number {
  const { offline, online } = config;
  return offline.steps + Math.max(0, online.envSteps - online.warmupSteps) * online.updatesPerStep;
}

/** Validate and fill defaults; throws ConfigError naming every bad key path. */
export function parseRunConfig(input: unknown, source = 'config'): RunConfig {
  const result = validateRunConfig(input);
  if (!result.ok) throw new ConfigError(result.issues, source);
  return result.config!;
}

/**
 * Make the dataset path absolute (`~` expands to the home folder, relative paths resolve against
 * `baseDirectory`), so that the config stored in the run directory works from any working
 * directory on resume.
 */
export function resolveDatasetPath(config: RunConfig, baseDirectory: string): RunConfig {
  if (!config.dataset) return config;
  const path = resolveUserPath(config.dataset.path, baseDirectory);
  return path === config.dataset.path ? config : { ...config, dataset: { ...config.dataset, path } };
}

/**
 * Read a JSON config file, apply `--set key.path=value` overrides and validate. Relative dataset
 * paths resolve against the config file's directory. Errors name the file and key path.
 */
export function loadRunConfigFile(path: string, overrides: string[] = []): RunConfig {
  let text: string;
  try {
    text = readRegularTextFileSync(path);
  } catch (error) {
    throw new ConfigError([{ path: '(file)', message: `cannot read: ${(error as Error).message}` }], path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }], path);
  }
  return resolveDatasetPath(
    parseRunConfig(applyOverridesAsConfigError(json, overrides), path),
    dirname(resolve(path)),
  );
}

/** Apply overrides, turning a malformed `--set` into a ConfigError that names it. */
export function applyOverridesAsConfigError(config: unknown, overrides: string[]): unknown {
  try {
    return applyOverrides(config, overrides);
  } catch (error) {
    if (error instanceof OverrideError) throw new ConfigError([{ path: '--set', message: error.message }]);
    throw error;
  }
}

/**
 * The run config schema as JSON Schema (draft 2020-12, input side: defaults are filled in by the
 * engine): types, ranges, enums, defaults and a description per field. The app's New-run form is
 * built from it, so the schema above is the one source of every field's type, range and help text.
 */
export function runConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(runConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
