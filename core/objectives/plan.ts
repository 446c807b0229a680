/**
 * What one learner update does, per phase: how the critic target bootstraps, which loss fits the
 * value net, how the actor and the temperature move. The SAC-family learner reads the plan top to
 * bottom (core/agents/sac.ts); the training loop picks the plan of each phase from the registry in
 * ./index.ts. A plan is plain data plus the value loss, so an objective is one small module.
 */
import type { AwrLikelihood } from './awr.js';
import type { ValueLoss } from './types.js';

export interface UpdatePlan {
  /** Registry name of the objective (for logs and metrics). */
  readonly objective: string;
  /**
   * How the critic target bootstraps s′: `policy` is SAC's soft target
   * y = r + γ·mask·(min Qᵗ(s′, a′) − α·log π(a′|s′)), a′ ∼ π(·|s′); `value` is the in-sample target
   * y = r + γ·mask·V(s′) of XQL and IQL, which never queries an action outside the data.
   */
  readonly bootstrap: 'policy' | 'value';
  /** The value net's loss against q̃ = min Qᵗ(s, ã) at temperature β. */
  readonly valueLoss: ValueLoss;
  /** ã = dataset action plus ROER's clipped Gaussian noise (true), or the dataset action itself (in-sample). */
  readonly valueActionNoise: boolean;
  /**
   * `reparameterised`: SAC's actor loss; `awr`: advantage-weighted regression onto dataset actions;
   * `ddpg-bc`: the behaviour-regularised policy gradient at the mode (behaviour-regularised.ts);
   * `frozen`: no actor step.
   */
  readonly actor: 'reparameterised' | 'awr' | 'ddpg-bc' | 'frozen';
  /** `learned`: SAC's temperature loss on log α; `frozen`: α stays. */
  readonly temperature: 'learned' | 'frozen';
  /**
   * Cal-QL: floor critic targets of rows with a known Monte-Carlo return-to-go at that return, and
   * (with the conservative regulariser) the regulariser's policy-sampled values at it.
   */
  readonly calibrate: boolean;
  /**
   * CQL's conservative regulariser on the critics (core/objectives/conservative.ts): weight w and
   * the number N of uniform and of policy action samples per state (2N in all); null = none.
   */
  readonly conservative: { readonly weight: number; readonly samples: number } | null;
  /**
   * AWR temperature T in exp(A/T), `beta` for the update's β, or `ess` for self-normalised weights
   * at the T that gives their ESS the share `awrTargetEss` of the batch (used when actor is `awr`).
   */
  readonly awrTemperature: number | 'beta' | 'ess';
  /** ESS share of the AWR weights with `awrTemperature` `ess`. */
  readonly awrTargetEss: number;
  /** AWR weight clip (used when actor is `awr`). */
  readonly awrWeightClip: number;
  /** Where AWR takes the likelihood (used when actor is `awr`; core/objectives/awr.ts). */
  readonly awrLikelihood: AwrLikelihood;
  /** Behaviour-cloning weight α (used when actor is `ddpg-bc`). */
  readonly bcWeight: number;
}
