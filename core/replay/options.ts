/**
 * Validation and memory accounting of replay options. Validation runs once, when a buffer is
 * built, and names the key path of the offending option (`replay.<key>`) as the run config does.
 */
import { totalmem } from 'node:os';
import { z } from 'zod';
import { formatIssues, issuesOf } from '../common/validation.js';
import { SumTree } from './sum-tree.js';
import type { ReplayOptions } from './types.js';

/**
 * The replay settings a user writes: one zod schema, the single source of their ranges and
 * defaults. The run configuration's `replay` section is this schema; the buffer checks its options
 * with it (extended with the widths the training loop fills in).
 */
export const replaySettingsSchema = z
  .object({
    capacity: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .optional()
      .describe('Transitions the buffer holds in all; default: the dataset plus every online step.'),
    overwriteOffline: z
      .boolean()
      .default(false)
      .describe('Let online data overwrite offline data once the buffer is full (FIFO over everything).'),
    priority: z
      .enum(['uniform', 'per', 'roer'])
      .default('roer')
      .describe('Priority rule: uniform replay, PER (Schaul et al. 2016) or ROER (Li et al. 2024).'),
    mode: z
      .enum(['weight', 'sample'])
      .default('weight')
      .describe(
        "How priorities act: as critic-loss weights under uniform sampling (ROER's official mode) or as sampling probabilities.",
      ),
    mixing: z
      .enum(['union', 'fixed'])
      .default('union')
      .describe(
        'Batch composition: uniform over offline ∪ online (official code), or a fixed offline share per batch (Cal-QL/RLPD 50/50).',
      ),
    offlineFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Offline share of each batch when mixing is "fixed".'),
    perAlpha: z.number().min(0).default(0.6).describe('PER exponent α on (|δ| + ε).'),
    perImportanceStart: z
      .number()
      .min(0)
      .max(1)
      .default(0.4)
      .describe('PER importance-sampling exponent at the start, annealed linearly to 1.'),
    perEpsilon: z.number().positive().default(1e-6).describe('PER ε added to |δ|.'),
    roerMaxClip: z
      .number()
      .min(1)
      .default(50)
      .describe(
        'ROER upper clip on exp(δ/β), ≥ 1 since the lower clip of exp(δ/β) is 1 (official code: 50 or 100 by task).',
      ),
    roerMinClip: z
      .number()
      .positive()
      .default(1)
      .describe('ROER floor on the priority after the EMA (official code: 10 on MuJoCo, 1 on DMC/AntMaze).'),
    roerLambda: z
      .number()
      .gt(0)
      .max(1)
      .default(0.01)
      .describe('ROER EMA rate λ toward the self-normalised target.'),
    roerDivergence: z
      .enum(['kl', 'pearson'])
      .default('kl')
      .describe('ROER divergence: KL gives exp(δ/β), Pearson χ² gives 1 + δ/β.'),
    weightNormalisation: z
      .enum(['none', 'mean'])
      .default('none')
      .describe(
        "Critic-loss weights in weight mode: 'none' uses the stored priorities as they are (official code; ROER's MuJoCo floor of 10 then scales the TD loss tenfold against the gradient penalty), 'mean' divides them by the batch's mean, so the loss keeps uniform replay's scale and the priorities only reweight rows within the batch.",
      ),
  })
  .strict();

export type ReplaySettings = z.output<typeof replaySettingsSchema>;

/** The floor must not exceed the clip, or every ROER priority would sit at the floor (uniform replay in disguise). */
const clipOrder: [
  (settings: { roerMinClip: number; roerMaxClip: number }) => boolean,
  z.core.$ZodCustomParams,
] = [
  (settings) => settings.roerMinClip <= settings.roerMaxClip,
  {
    message: 'roerMinClip must not exceed roerMaxClip (every priority would sit at the floor)',
    path: ['roerMinClip'],
  },
];

/** The replay section of a run config: the settings, with the checks that span several keys. */
export const replaySectionSchema = replaySettingsSchema.refine(...clipOrder);

/** A per-row column stored beside the transitions (e.g. a return-to-go or a behaviour log-probability). */
const extraColumnSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a column name: a letter, then letters, digits or _'),
    width: z.number().int().min(1),
    fill: z
      // Any number but NaN: −∞ is the neutral fill of a floor (a return-to-go no online row has).
      .custom<number>(
        (value) => typeof value === 'number' && !Number.isNaN(value),
        'a number (±Infinity allowed)',
      )
      .optional()
      .describe('Value of rows that did not provide one (online rows of an offline-only column).'),
  })
  .strict();

/** The options of a buffer: the settings plus what the training loop derives. */
export const replayOptionsSchema = replaySettingsSchema
  .extend({
    capacity: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    observationWidth: z.number().int().min(1),
    actionWidth: z.number().int().min(1),
    initialPriority: z.union([z.literal('max'), z.number().positive()]).optional(),
    extraColumns: z.array(extraColumnSchema).optional(),
    /** Number of discrete actions; unset for a Box action space. */
    actionCount: z.number().int().min(1).optional(),
  })
  .strict()
  .refine(...clipOrder)
  .refine((options) => options.actionCount === undefined || options.actionWidth === 1, {
    message:
      'a discrete action space (actionCount set) stores one action index per row: actionWidth must be 1',
    path: ['actionWidth'],
  })
  .refine(
    (options) =>
      new Set((options.extraColumns ?? []).map((column) => column.name)).size ===
      (options.extraColumns ?? []).length,
    {
      message: 'extra column names must be unique',
      path: ['extraColumns'],
    },
  );

/** Raised for invalid replay options; the message names the option's key path. */
export class ReplayOptionsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayOptionsError';
  }
}

/** Check `options` with the schema; throws ReplayOptionsError naming every bad `replay.<key>`. */
export function validateReplayOptions(options: ReplayOptions): void {
  const result = replayOptionsSchema.safeParse(options);
  if (!result.success) throw new ReplayOptionsError(formatIssues(issuesOf(result.error, ['replay'])));
}

/** Whether these options sample proportionally to priorities (and so need the trees). */
export function usesPriorityTrees(options: ReplayOptions): boolean {
  return options.mode === 'sample' && options.priority !== 'uniform';
}

/**
 * Bytes stored per transition in the columns: observation, next observation, action and reward
 * (float32), priority (float32), episode id (int32), terminal, timeout and source flags (uint8).
 */
export function bytesPerTransition(observationWidth: number, actionWidth: number): number {
  return 4 * (2 * observationWidth + actionWidth + 1) + 4 + 4 + 3;
}

/** Bytes the buffer allocates for `options`: columns plus, when sampling proportionally, the sum tree with its minima. */
export function estimateReplayBytes(options: ReplayOptions): number {
  const extraWidth = (options.extraColumns ?? []).reduce((total, column) => total + column.width, 0);
  const columns =
    options.capacity * (bytesPerTransition(options.observationWidth, options.actionWidth) + 4 * extraWidth);
  const trees = usesPriorityTrees(options) ? SumTree.bytesFor(options.capacity, true) : 0;
  return columns + trees;
}

/** Human-readable byte count (binary units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Largest element count of one typed array (V8 on 64-bit hosts). */
const MAX_TYPED_ARRAY_LENGTH = 2 ** 32 - 1;

/**
 * Throw a RangeError naming the capacity and the bytes needed when the buffer cannot be allocated:
 * a column longer than a typed array may be, or more bytes than the machine has.
 */
export function assertReplayFits(options: ReplayOptions, available = totalmem()): void {
  const bytes = estimateReplayBytes(options);
  const longest = options.capacity * options.observationWidth;
  const perRow = bytesPerTransition(options.observationWidth, options.actionWidth);
  const what = `replay capacity ${options.capacity} needs ${formatBytes(bytes)} (${perRow} bytes per transition${
    usesPriorityTrees(options) ? ' plus priority trees' : ''
  })`;
  if (longest > MAX_TYPED_ARRAY_LENGTH) {
    throw new RangeError(
      `${what}; its observation column would have ${longest} elements, more than a typed array can hold ` +
        `(${MAX_TYPED_ARRAY_LENGTH}). Lower replay.capacity.`,
    );
  }
  if (bytes > available) {
    throw new RangeError(
      `${what}, more than this machine's ${formatBytes(available)} of memory. Lower replay.capacity.`,
    );
  }
}
