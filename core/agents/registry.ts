/**
 * The agent registry, keyed by `agent.kind`. Each entry declares everything the rest of the engine
 * needs to know about a learner family, so that a new family is one entry and not a switch spread
 * over files: its config schema, the action spaces it can drive, what the replay stores per step,
 * how batches are sampled and scheduled, the metrics it reports, and how it is built.
 */
import { z } from 'zod';
import type { MetricDescriptor } from '../common/metrics.js';
import type { Space } from '../envs/types.js';
import type { ExtraColumn } from '../replay/types.js';
import type { Kernels } from '../tensor/kernels.js';
import {
  acerConfigSchema,
  acerMetricDescriptors,
  AcerContinuousLearner,
  AcerDiscreteLearner,
  continuousStoredColumns,
  discreteStoredColumns,
  type AcerConfig,
} from './acer/index.js';
import { SAC_METRICS, SacLearner } from './sac.js';
import { sacConfigSchema, type SacConfig } from './sac-config.js';
import type { AgentKind, Learner, SequencePolicyLoss } from './types.js';

/** How the training loop feeds a learner. */
export type Schedule =
  /** Each environment step stores one transition and runs `updatesPerStep` updates on a sampled batch. */
  | { kind: 'transitions'; batchSize: number }
  /**
   * Every `length` environment steps store one segment; one on-policy update on it, then
   * Poisson(`replayRatio`) updates on `batchSequences` windows replayed from the buffer once it
   * holds `replayStart` steps.
   */
  | {
      kind: 'sequences';
      length: number;
      batchSequences: number;
      replayRatio: number;
      replayStart: number;
      /** The policy loss of updates on the dataset alone (the offline phase). */
      offlinePolicyLoss: SequencePolicyLoss;
    };

export interface AgentDefinition<Config> {
  kind: AgentKind;
  /** One line for the New-run form and the docs. */
  label: string;
  /** The `agent` section for this kind (its `kind` literal included). */
  schema: z.ZodType<Config & { kind: AgentKind }>;
  /** Why this agent cannot drive `space`, or undefined when it can. */
  unsupported(space: Space): string | undefined;
  /** The columns the replay stores per step for this agent (beyond the transition itself). */
  storedColumns(config: Config, space: Space): ExtraColumn[];
  schedule(config: Config): Schedule;
  /** The keys of the metrics record its updates return, with how to draw them. */
  metrics(space: Space): readonly MetricDescriptor[];
  create(config: Config, observationWidth: number, space: Space, seed: number, kernels: Kernels): Learner;
}

const sac: AgentDefinition<SacConfig> = {
  kind: 'sac',
  label: 'SAC with ROER’s value network (continuous actions)',
  schema: sacConfigSchema.extend({ kind: z.literal('sac').describe('Learner family: SAC.') }) as never,
  unsupported: (space) =>
    space.kind === 'box'
      ? [...space.low, ...space.high].some((bound) => !Number.isFinite(bound))
        ? 'SAC needs finite Box bounds (its tanh policy is scaled to them)'
        : undefined
      : `SAC drives Box action spaces; this one is Discrete with ${space.n} actions (use agent.kind "acer")`,
  storedColumns: () => [],
  schedule: (config) => ({ kind: 'transitions', batchSize: config.batchSize }),
  metrics: () => SAC_METRICS,
  create: (config, observationWidth, space, seed, kernels) =>
    new SacLearner(config, observationWidth, (space as Extract<Space, { kind: 'box' }>).size, seed, kernels),
};

const acer: AgentDefinition<AcerConfig> = {
  kind: 'acer',
  label: 'ACER with Retrace(λ) (discrete or continuous actions)',
  schema: acerConfigSchema.extend({ kind: z.literal('acer').describe('Learner family: ACER.') }) as never,
  unsupported: (space) =>
    space.kind === 'box' && [...space.low, ...space.high].some((bound) => !Number.isFinite(bound))
      ? 'ACER needs finite Box bounds (its actions are scaled to them)'
      : undefined,
  storedColumns: (_config, space) =>
    space.kind === 'discrete' ? discreteStoredColumns(space.n) : continuousStoredColumns(space.size),
  schedule: (config) => ({
    kind: 'sequences',
    length: config.sequenceLength,
    batchSequences: config.batchSequences,
    replayRatio: config.replayRatio,
    replayStart: config.replayStart,
    offlinePolicyLoss: config.offlinePolicyLoss,
  }),
  metrics: (space) => acerMetricDescriptors(space.kind === 'discrete' ? 'discrete' : 'continuous'),
  create: (config, observationWidth, space, seed, kernels) =>
    space.kind === 'discrete'
      ? new AcerDiscreteLearner(config, observationWidth, space.n, seed, kernels)
      : new AcerContinuousLearner(config, observationWidth, space.size, seed, kernels),
};

/** The registry. */
export const AGENTS = { sac, acer } as const;

/** The entry of `kind` (typed loosely: the caller holds a config validated by that entry's schema). */
export function agentOf(kind: AgentKind): AgentDefinition<unknown> {
  return AGENTS[kind] as unknown as AgentDefinition<unknown>;
}

/**
 * The `agent` section of the run configuration: one of the registry's schemas, chosen by `kind`
 * (default `sac`, so configs written before ACER existed still mean what they meant).
 */
export const agentSectionSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !('kind' in value)
      ? { kind: 'sac', ...value }
      : value,
  z.discriminatedUnion('kind', [sac.schema as never, acer.schema as never]),
) as unknown as z.ZodType<(SacConfig & { kind: 'sac' }) | (AcerConfig & { kind: 'acer' })>;

export type AgentSection = z.output<typeof agentSectionSchema>;
