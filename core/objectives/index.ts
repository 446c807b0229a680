/**
 * The offline objectives, keyed by `offline.objective`, and the plans of the online phase. Each
 * objective is a small module (gumbel.ts, expectile.ts, awr.ts) with its equations and sources;
 * this registry only composes them into update plans.
 *
 * - `xql` (extreme Q-learning, Garg et al. 2023): V by the Gumbel loss on min Qᵗ(s, a) over dataset
 *   actions at the ROER temperature β, so V is the soft maximum β·log E_{a∼D} exp(Q/β) (in-sample);
 *   Q ← r + γ·mask·V(s′); actor by AWR (or DDPG+BC, `policyExtraction`). The ROER priorities exp(δ/β) come from the same V and β.
 * - `iql` (implicit Q-learning, Kostrikov et al. 2022): V by the expectile loss (τ), otherwise as xql.
 * - `cql` (conservative Q-learning, Kumar et al. 2020): SAC + ROER updates whose critics also
 *   minimise w·(log ∫ exp Q(s, a) da − Q(s, a_data)) (conservative.ts), so actions outside the data
 *   get low values and SAC's actor, which maximises Q, stays near the data; online, with
 *   `online.objective: 'offline'`, the regulariser stays (and `online.calibrate` floors it as Cal-QL).
 * - `sac`: plain SAC + ROER updates on the dataset (the behaviour before in-sample objectives
 *   existed; on sparse goal tasks the entropy bonus drives the policy away from the goal, see
 *   docs/training.md).
 */
import { expectileBatchLoss } from './expectile.js';
import { gumbelBatchLoss, type ValueLossExtension } from './gumbel.js';
import type { UpdatePlan } from './plan.js';

export type { UpdatePlan } from './plan.js';
export type { ValueLoss, ValueLossResult } from './types.js';

export { OFFLINE_OBJECTIVE_NAMES, type OfflineObjectiveName } from './names.js';
export { offlineObjectiveSettingsSchema, type OfflineObjectiveSettings } from './settings.js';
import type { OfflineObjectiveSettings } from './settings.js';
import type { OfflineObjectiveName } from './names.js';

/**
 * The settings the plans read: the `offline` section's objective settings (./settings.ts) and the
 * agent's Gumbel-loss clip and extension.
 */
export type ObjectiveSettings = Omit<OfflineObjectiveSettings, 'objective'> & {
  /** Clip of z = (Q − V)/β in the Gumbel loss. */
  valueExpClip: number;
  valueLossExtension: ValueLossExtension;
};

function gumbel(settings: ObjectiveSettings): UpdatePlan['valueLoss'] {
  return (targets, values, beta) =>
    gumbelBatchLoss(targets, values, beta, settings.valueExpClip, settings.valueLossExtension);
}

/** SAC + ROER as the official code runs it (the online phase). */
export function sacPlan(settings: ObjectiveSettings, options: { calibrate?: boolean } = {}): UpdatePlan {
  return {
    objective: 'sac',
    bootstrap: 'policy',
    valueLoss: gumbel(settings),
    valueActionNoise: true,
    actor: 'reparameterised',
    temperature: 'learned',
    calibrate: options.calibrate ?? false,
    conservative: null,
    awrTemperature: settings.awrTemperature,
    awrTargetEss: settings.awrTargetEss,
    awrWeightClip: settings.awrWeightClip,
    awrLikelihood: settings.awrLikelihood,
    bcWeight: settings.bcWeight,
  };
}

/** CQL: SAC + ROER with the conservative regulariser on the critics. */
function conservativePlan(settings: ObjectiveSettings): UpdatePlan {
  return {
    ...sacPlan(settings),
    objective: 'cql',
    conservative: { weight: settings.cqlWeight, samples: settings.cqlSamples },
  };
}

/** WSRL's warm-up (Zhou et al. 2025): the online SAC updates of critics and V only; actor and α stay frozen. */
export function criticWarmupPlan(
  settings: ObjectiveSettings,
  options: { calibrate?: boolean } = {},
): UpdatePlan {
  return { ...sacPlan(settings, options), objective: 'sac-warmup', actor: 'frozen', temperature: 'frozen' };
}

function inSamplePlan(objective: 'xql' | 'iql', settings: ObjectiveSettings): UpdatePlan {
  return {
    objective,
    bootstrap: 'value',
    valueLoss:
      objective === 'xql'
        ? gumbel(settings)
        : (targets, values) => expectileBatchLoss(targets, values, settings.expectile),
    valueActionNoise: false,
    actor: settings.policyExtraction,
    temperature: 'frozen',
    calibrate: false,
    conservative: null,
    awrTemperature: settings.awrTemperature,
    awrTargetEss: settings.awrTargetEss,
    awrWeightClip: settings.awrWeightClip,
    awrLikelihood: settings.awrLikelihood,
    bcWeight: settings.bcWeight,
  };
}

/** The plan of the offline phase for `objective`. */
export function offlinePlan(objective: OfflineObjectiveName, settings: ObjectiveSettings): UpdatePlan {
  if (objective === 'sac') return sacPlan(settings);
  if (objective === 'cql') return conservativePlan(settings);
  return inSamplePlan(objective, settings);
}
