/**
 * The run configuration: one JSON object, validated once at the edge (CLI, app, resume) with
 * errors that name the key path. Defaults come from the ROER paper's official code where it has
 * one, and from the adaptive-β design otherwise. Sections: env, dataset, seed, backend, agent,
 * replay, beta, offline, online, eval, checkpoint.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { sacConfigSchema } from '../agents/sac-config.js';
import { betaOptionsSchema } from '../beta/options.js';
import { issuesOf, type ValidationIssue } from '../common/validation.js';
import { offlineObjectiveSettingsSchema } from '../objectives/settings.js';
import { replaySettingsSchema } from '../replay/options.js';
import { BACKEND_CANDIDATES } from '../tensor/backend.js';
import { applyOverrides, OverrideError } from './overrides.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const envSectionSchema = z
  .object({
    /** Registered environment id, e.g. "pointmaze-medium-v1". */
    id: z.string().min(1),
    /** Environment options, e.g. {"reward": "dense"} for the point mazes. */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const datasetSectionSchema = z
  .object({
    /** Path of the offline dataset (Arrow IPC or Parquet); relative paths resolve against the config file. */
    path: z.string().min(1),
    /** Normalise observations with the dataset's per-dimension mean and standard deviation (baked into exports). */
    normalizeObservations: z.boolean().default(true),
  })
  .strict();

/** The replay section: the replay module's own settings schema (core/replay/options.ts). */
export const replaySectionSchema = replaySettingsSchema;

/** The β section: the controller's own settings schema (core/beta/options.ts). */
export const betaSectionSchema = betaOptionsSchema;

export const offlineSectionSchema = z
  .object({
    /** Gradient updates on the dataset alone before any environment step (0 = official code: dataset only fills the buffer). */
    steps: nonNegativeInt.default(10_000),
    /** Evaluate every this many offline updates (0 = only at the phase boundary). */
    evalInterval: nonNegativeInt.default(5_000),
    /** The offline objective and its settings (core/objectives/settings.ts). */
    ...offlineObjectiveSettingsSchema.shape,
  })
  .strict();

export const onlineSectionSchema = z
  .object({
    /** Environment steps of online fine-tuning. */
    envSteps: nonNegativeInt.default(100_000),
    /** Updates per environment step (update-to-data ratio; official code: 1). */
    updatesPerStep: z.number().positive().default(1),
    /** Environment steps with uniformly random actions at the start of fine-tuning (official code: 10k from scratch; 0 after pretraining). */
    warmupSteps: nonNegativeInt.default(0),
    /**
     * WSRL warm-up (Zhou et al. 2025): environment steps at the start of fine-tuning collected with
     * the frozen pretrained policy (sampled, as in fine-tuning) while only the critics and V update.
     */
    criticWarmupSteps: nonNegativeInt.default(0),
    /** Cal-QL (Nakamoto et al. 2023): floor the critic targets of offline rows at their discounted Monte-Carlo return-to-go. */
    calibrate: z.boolean().default(false),
  })
  .strict();

export const rewardSectionSchema = z
  .object({
    /** Stored rewards are scale·r + shift (dataset and online alike); evaluation returns stay in the environment's units. */
    scale: z.number().positive().default(1),
    /** See scale; e.g. −1 turns a 0/1 goal reward into −1 per step until the goal (the AntMaze convention of offline learners). */
    shift: z.number().default(0),
  })
  .strict();

export const evalSectionSchema = z
  .object({
    /** Deterministic evaluation episodes per evaluation. */
    episodes: positiveInt.default(10),
    /** Evaluate every this many environment steps during fine-tuning. */
    interval: positiveInt.default(5_000),
  })
  .strict();

export const checkpointSectionSchema = z
  .object({
    /** Write a checkpoint every this many updates (and always at the end and on stop). */
    interval: positiveInt.default(10_000),
  })
  .strict();

/** The run configuration as a user writes it (every field but env.id has a default). */
export const runConfigSchema = z
  .object({
    env: envSectionSchema,
    /** Offline dataset; absent = online learning from scratch (then offline.steps must be 0). */
    dataset: datasetSectionSchema.optional(),
    /** Seed of every random choice in the run (network init, sampling, exploration, environment resets). */
    seed: nonNegativeInt.default(0),
    /** Compute backend preference (native BLAS kernels, else TF.js); the O2O_BACKEND environment variable overrides it. */
    backend: z.enum(['auto', ...BACKEND_CANDIDATES]).default('auto'),
    /**
     * BLAS threads of the native kernels (O2O_THREADS overrides). One by default: the environment,
     * the app and its server share the machine with training.
     */
    threads: z.number().int().min(1).max(256).default(1),
    /** The SAC learner (+ ROER value network): network sizes, learning rates, γ, batch size, … */
    agent: sacConfigSchema.prefault({}),
    replay: replaySectionSchema.prefault({}),
    /** Reward transform of the learning signal. */
    reward: rewardSectionSchema.prefault({}),
    beta: betaSectionSchema.prefault({}),
    offline: offlineSectionSchema.prefault({}),
    online: onlineSectionSchema.prefault({}),
    eval: evalSectionSchema.prefault({}),
    checkpoint: checkpointSectionSchema.prefault({}),
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
    if (config.dataset === undefined && config.online.warmupSteps < config.agent.batchSize) {
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

/** Validate and fill defaults; throws ConfigError naming every bad key path. */
export function parseRunConfig(input: unknown, source = 'config'): RunConfig {
  const result = validateRunConfig(input);
  if (!result.ok) throw new ConfigError(result.issues, source);
  return result.config!;
}

/**
 * Make the dataset path absolute (relative paths resolve against `baseDirectory`), so that the
 * config stored in the run directory works from any working directory on resume.
 */
export function resolveDatasetPath(config: RunConfig, baseDirectory: string): RunConfig {
  if (!config.dataset || isAbsolute(config.dataset.path)) return config;
  return { ...config, dataset: { ...config.dataset, path: resolve(baseDirectory, config.dataset.path) } };
}

/**
 * Read a JSON config file, apply `--set key.path=value` overrides and validate. Relative dataset
 * paths resolve against the config file's directory. Errors name the file and key path.
 */
export function loadRunConfigFile(path: string, overrides: string[] = []): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
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
