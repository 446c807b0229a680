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
import { BACKEND_CANDIDATES } from '../tensor/backend.js';
import type { ValidationIssue } from '../server/protocol.js';
import { applyOverrides, OverrideError } from './overrides.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const probability = z.number().min(0).max(1);

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

export const replaySectionSchema = z
  .object({
    /** Transitions the buffer holds in all; default: the dataset plus every online step. */
    capacity: positiveInt.optional(),
    /** Let online data overwrite offline data once the buffer is full (FIFO over everything). */
    overwriteOffline: z.boolean().default(false),
    /** Priority rule: uniform replay, PER (Schaul et al. 2016) or ROER (Li et al. 2024). */
    priority: z.enum(['uniform', 'per', 'roer']).default('roer'),
    /** How priorities act: as critic-loss weights under uniform sampling (ROER's official mode) or as sampling probabilities. */
    mode: z.enum(['weight', 'sample']).default('weight'),
    /** Batch composition: uniform over offline ∪ online (official code), or a fixed offline share per batch (Cal-QL/RLPD 50/50). */
    mixing: z.enum(['union', 'fixed']).default('union'),
    /** Offline share of each batch when mixing is "fixed". */
    offlineFraction: probability.default(0.5),
    /** PER exponent α on (|δ| + ε). */
    perAlpha: z.number().min(0).default(0.6),
    /** PER importance-sampling exponent at the start, annealed linearly to 1. */
    perImportanceStart: z.number().min(0).max(1).default(0.4),
    /** PER ε added to |δ|. */
    perEpsilon: z.number().positive().default(1e-6),
    /** ROER upper clip on exp(δ/β) (official code: 50 or 100 by task). */
    roerMaxClip: z.number().positive().default(50),
    /** ROER floor on the priority after the EMA (official code: 10 on MuJoCo, 1 on DMC/AntMaze). */
    roerMinClip: z.number().positive().default(1),
    /** ROER EMA rate λ toward the self-normalised target. */
    roerLambda: z.number().gt(0).max(1).default(0.01),
    /** ROER divergence: KL gives exp(δ/β), Pearson χ² gives 1 + δ/β. */
    roerDivergence: z.enum(['kl', 'pearson']).default('kl'),
  })
  .strict();

export const betaSectionSchema = z
  .object({
    /** Controller: fixed β, the seed design's rule (runs away; kept for fidelity), the sign-corrected tracker, or an exact per-batch solve. */
    kind: z.enum(['fixed', 'seed', 'track', 'solve']).default('track'),
    /** β at the start (ROER loss temperature; official per-task values span 0.4 … 4). */
    initialBeta: z.number().positive().default(1),
    /** Target ESS as a fraction a of the batch, E* = a·n (seed design: a ∈ [0.3, 0.8]). */
    targetEssFraction: z.number().gt(0).lt(1).default(0.5),
    /** Gain η of the multiplicative update (seed design: 0.05 … 0.2). */
    rate: z.number().positive().default(0.1),
    /** EMA rate ρ of the smoothed ESS (seed design: 0.01 … 0.05). */
    smoothing: z.number().gt(0).max(1).default(0.03),
    /** Lower bound on β. */
    betaMin: z.number().positive().default(1e-3),
    /** Upper bound on β. */
    betaMax: z.number().positive().default(10),
    /** Optional shift schedule: the target fraction moves from `low` (large shift) to `high` (on-policy) with a β-independent signal. */
    targetSchedule: z
      .object({
        signal: z.enum(['onlineShare', 'tdDispersion']),
        low: z.number().gt(0).lt(1),
        high: z.number().gt(0).lt(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((beta) => beta.betaMin < beta.betaMax, {
    message: 'betaMin must be below betaMax',
    path: ['betaMin'],
  })
  .refine((beta) => beta.initialBeta >= beta.betaMin && beta.initialBeta <= beta.betaMax, {
    message: 'initialBeta must lie in [betaMin, betaMax]',
    path: ['initialBeta'],
  });

export const offlineSectionSchema = z
  .object({
    /** Gradient updates on the dataset alone before any environment step (0 = official code: dataset only fills the buffer). */
    steps: nonNegativeInt.default(10_000),
    /** Evaluate every this many offline updates (0 = only at the phase boundary). */
    evalInterval: nonNegativeInt.default(5_000),
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
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const parent = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({
          path: [...parent, key].join('.'),
          message: `unknown key${parent.length > 0 ? ` in section "${parent.join('.')}"` : ''}`,
        });
      }
    } else {
      issues.push({ path: parent.join('.') || '(root)', message: issue.message });
    }
  }
  return issues;
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
