/**
 * The β controller's settings: one zod schema, the single source of their ranges and defaults. The
 * run configuration's `beta` section is this schema; createBetaController checks its options with it.
 */
import { z } from 'zod';
import { formatIssues, issuesOf } from '../common/validation.js';
import type { BetaControllerOptions } from './types.js';

export const betaOptionsSchema = z
  .object({
    kind: z
      .enum(['fixed', 'seed', 'track', 'solve'])
      .default('track')
      .describe(
        "Controller: fixed β, the seed design's rule (runs away; kept for fidelity), the sign-corrected tracker, or an exact per-batch solve.",
      ),
    initialBeta: z
      .number()
      .positive()
      .default(1)
      .describe('β at the start (ROER loss temperature; official per-task values span 0.4 … 4).'),
    targetEssFraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.5)
      .describe('Target ESS as a fraction a of the batch, E* = a·n (seed design: a ∈ [0.3, 0.8]).'),
    rate: z
      .number()
      .positive()
      .default(0.1)
      .describe('Gain η of the multiplicative update (seed design: 0.05 … 0.2).'),
    smoothing: z
      .number()
      .gt(0)
      .max(1)
      .default(0.03)
      .describe('EMA rate ρ of the smoothed ESS (seed design: 0.01 … 0.05).'),
    betaMin: z.number().positive().default(1e-3).describe('Lower bound on β.'),
    betaMax: z.number().positive().default(10).describe('Upper bound on β.'),
    targetSchedule: z
      .object({
        signal: z
          .enum(['onlineShare', 'tdDispersion'])
          .describe(
            'β-independent shift signal in [0, 1]: online share of the buffer, or the TD-error spread.',
          ),
        low: z.number().gt(0).lt(1).describe('Target ESS fraction under a large shift (signal 0).'),
        high: z.number().gt(0).lt(1).describe('Target ESS fraction on-policy (signal 1).'),
      })
      .strict()
      .optional()
      .describe(
        'Optional shift schedule: the target fraction moves from `low` (large shift) to `high` (on-policy) with a β-independent signal.',
      ),
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

/** Raised for invalid controller options; the message names the option's key path. */
export class BetaOptionsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'BetaOptionsError';
  }
}

/** Validate controller options with the schema; throws BetaOptionsError naming every bad `beta.<key>`. */
export function validateBetaControllerOptions(options: BetaControllerOptions): void {
  const result = betaOptionsSchema.safeParse(options);
  if (!result.success) throw new BetaOptionsError(formatIssues(issuesOf(result.error, ['beta'])));
}
