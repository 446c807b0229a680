/**
 * Settings of the offline objectives (the run configuration's `offline` section beyond its
 * budget): one zod schema, the single source of their ranges and defaults.
 */
import { z } from 'zod';
import { AWR_LIKELIHOODS } from './awr.js';
import { OFFLINE_OBJECTIVE_NAMES } from './names.js';

export const offlineObjectiveSettingsSchema = z.object({
  objective: z
    .enum(OFFLINE_OBJECTIVE_NAMES)
    .default('xql')
    .describe(
      'The offline objective: `xql` (in-sample extreme Q-learning: Gumbel V over dataset actions at the ROER temperature β, Q ← r + γ·mask·V(s′), actor by AWR), `iql` (expectile V, otherwise the same), `cql` (SAC + ROER updates with the conservative regulariser of CQL on the critics), or `sac` (plain SAC + ROER updates on the dataset; fails on sparse goal tasks).',
    ),
  expectile: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.9)
    .describe("IQL's expectile τ ∈ (0, 1) of the value loss (IQL: 0.7 locomotion, 0.9 AntMaze)."),
  awrTemperature: z
    .union([z.literal('beta'), z.literal('ess'), z.number().positive()])
    .default('beta')
    .describe(
      "AWR temperature T in the weights exp((Q − V)/T): `beta` uses the ROER temperature β of the update (with XQL's V = β·log E exp(Q/β) the weights are then the density ratio of the KL-regularised optimum π* to the data μ, mean 1 over the data); `ess` self-normalises the weights to n·softmax(A/T) over the batch and picks T per batch so that their effective sample size is `awrTargetEss`·n, which makes the actor's update independent of the reward's scale and offset; a number fixes T (IQL's inverse temperature is 1/T: 10 on AntMaze is T = 0.1).",
    ),
  awrTargetEss: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.9)
    .describe(
      "With `awrTemperature: 'ess'`: the effective sample size of the AWR weights as a share of the batch, in (0, 1); lower is more selective (1 would be behaviour cloning).",
    ),
  awrWeightClip: z.number().gt(1).default(100).describe('Upper clip of the AWR weights (> 1; IQL: 100).'),
  awrLikelihood: z
    .enum(AWR_LIKELIHOODS)
    .default('squashed')
    .describe(
      "Where AWR takes the policy's likelihood of a dataset action: `squashed` (the tanh-Gaussian's own, in the pre-squash space, with dataset actions clipped to ±0.999 before atanh) or `action-space` (a Gaussian on the action itself centred on tanh μ, as the official IQL code fits it; saturated actions then cost no more than others).",
    ),
  policyExtraction: z
    .enum(['awr', 'ddpg-bc'])
    .default('awr')
    .describe(
      "How `xql` and `iql` extract the actor from their in-sample critic: `awr` (advantage-weighted regression onto the dataset's actions, IQL's and XQL's choice) or `ddpg-bc` (TD3+BC's behaviour-regularised policy gradient: climb min Q at the mode, normalised by mean |Q|, against bcWeight·½‖a − mode‖²; Park et al. 2024).",
    ),
  bcWeight: z
    .number()
    .positive()
    .default(0.8)
    .describe(
      'DDPG+BC: weight α > 0 of the behaviour-cloning term ½‖a_data − mode‖² against the value normalised by mean |Q| (0.8 is TD3+BC’s λ = 2.5; OGBench uses 0.3, and 0.003 on point mazes).',
    ),
  cqlWeight: z
    .number()
    .positive()
    .default(5)
    .describe(
      "CQL: weight w > 0 of the conservative regulariser log ∫ exp Q(s, a) da − Q(s, a_data) in each critic head's loss (CQL's and Cal-QL's official runs: 5).",
    ),
  cqlSamples: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe(
      'CQL: uniform and policy action samples per state for the importance-sampled log ∫ exp Q da (N of each; CQL: 10).',
    ),
});

export type OfflineObjectiveSettings = z.output<typeof offlineObjectiveSettingsSchema>;
