/**
 * Configuration of the SAC + ROER learner. Defaults follow the official ROER code (JAX, built on
 * jaxrl: `train_online.py` flags, `sac_learner.py`, `critic.py`, `policies.py`), which in turn
 * follows SAC with a learned temperature (Haarnoja et al. 2018, arXiv 1812.05905).
 */
import { z } from 'zod';

const learningRate = z.number().positive().max(1);

export const sacConfigSchema = z
  .object({
    hiddenSizes: z
      .array(z.number().int().positive())
      .min(1)
      .default([256, 256])
      .describe('Widths of the hidden ReLU layers of actor, twin critics and value net (official: 256×256).'),
    discount: z.number().min(0).max(1).default(0.99).describe('Discount γ of the TD backup.'),
    tau: z
      .number()
      .gt(0)
      .max(1)
      .default(0.005)
      .describe("Polyak rate τ of the target critics, applied after every critic step: θ' ← τθ + (1 − τ)θ'."),
    policyAveraging: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'Polyak rate of an averaged copy of the actor, θ̄ ← θ̄ + rate·(θ − θ̄) after every actor step; the deterministic policy (evaluation, export) acts with θ̄, exploration with θ. 0 = off: both use θ.',
      ),
    explorationActor: z
      .enum(['live', 'averaged'])
      .default('live')
      .describe(
        "Which actor samples the online actions when policyAveraging > 0: 'live' (θ, as SAC explores) or 'averaged' (θ̄, the evaluated policy, sampled with its own σ head), so online rows come from the policy that is evaluated.",
      ),
    explorationNoiseScale: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        "Scale c of the actor's σ when it samples online actions, a = tanh(μ + c·σ·ε): 1 samples the policy itself (SAC; IQL's fine-tuning), 0 acts with its mean. Below 1 the online rows stay closer to the evaluated policy, for a policy whose own σ (learned from noisy data) makes it fall where its mean does not.",
      ),
    actorLearningRate: learningRate.default(3e-4).describe('Adam learning rate of the actor.'),
    actorLearningRateSchedule: z
      .enum(['constant', 'cosine'])
      .default('constant')
      .describe(
        "How the actor's learning rate moves over the run: 'constant', or 'cosine' η·½(1 + cos(π·p)) with p the share of the run's updates done (offline updates, then online updates), which ends at 0 (IQL's official code decays its actor's rate so over its training steps).",
      ),
    criticLearningRate: learningRate.default(3e-4).describe('Adam learning rate of the twin critics.'),
    valueLearningRate: learningRate.default(3e-4).describe('Adam learning rate of the ROER value net V(s).'),
    alphaLearningRate: learningRate.default(3e-4).describe('Adam learning rate of log α.'),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(256)
      .describe("Rows per update (the sampler's batch size)."),
    initialAlpha: z.number().positive().default(1).describe('Initial entropy temperature α (official: 1).'),
    targetEntropyScale: z
      .number()
      .min(0)
      .default(0.5)
      .describe('Target entropy is −scale·|A| (official: |A|/2, i.e. scale 0.5).'),
    logStdMin: z.number().default(-10).describe("Lower clip of the actor's log σ (official code: −10)."),
    logStdMax: z.number().default(2).describe("Upper clip of the actor's log σ (official code: 2)."),
    huberDelta: z
      .number()
      .positive()
      .default(20)
      .describe('Huber threshold δ of the critic loss (official: 20 when priorities are on).'),
    gradientPenalty: z
      .number()
      .min(0)
      .default(1)
      .describe(
        'Weight λ_gp of the gradient penalty mean(max(‖∂Q/∂a‖ − 1, 0)²) per critic head; 0 turns it off.',
      ),
    valueActionNoise: z
      .number()
      .min(0)
      .default(0.1)
      .describe(
        'Std of the Gaussian noise added to dataset actions in the value target (official: 0.1; 0 = no noise).',
      ),
    valueNoiseClip: z
      .number()
      .positive()
      .default(0.5)
      .describe('The value-target action noise is clipped to ±this (official: 0.5).'),
    valueExpClip: z
      .number()
      .positive()
      .default(7)
      .describe(
        'Clip of z = (Q − V)/β in the Gumbel value loss, above which the loss continues linearly (official: 7).',
      ),
    valueLossExtension: z
      .enum(['official', 'c1'])
      .default('official')
      .describe(
        "Continuation of the Gumbel loss above the clip. 'official': slope (e^c − 1)/β as in the official code (C¹ only at β = 1); 'c1': slope (e^c − 1), continuous first derivative for all β.",
      ),
    tdSource: z
      .enum(['value', 'q'])
      .default('value')
      .describe(
        "Which TD error feeds the priorities: 'value' r + γ·mask·V(s') − V(s) (ROER) or 'q' y − min Q(s, a) (PER).",
      ),
  })
  .strict();

export type SacConfigInput = z.input<typeof sacConfigSchema>;
export type SacConfig = z.output<typeof sacConfigSchema>;

/** All defaults, as a complete config. */
export function defaultSacConfig(): SacConfig {
  return sacConfigSchema.parse({});
}

/**
 * Validate a partial config and fill defaults; errors name the key path, e.g.
 * `agent.tau: Too big: expected number to be <=1`.
 */
export function parseSacConfig(input: unknown, path = 'agent'): SacConfig {
  const result = sacConfigSchema.safeParse(input ?? {});
  if (result.success) {
    if (result.data.logStdMin >= result.data.logStdMax) {
      throw new Error(`${path}.logStdMin: must be below logStdMax (${result.data.logStdMax})`);
    }
    return result.data;
  }
  const messages = result.error.issues.map((issue) => {
    const key = [path, ...issue.path.map(String)].join('.');
    return `${key}: ${issue.message}`;
  });
  throw new Error(messages.join('; '));
}

/**
 * Presets per task family, applied over the defaults. Sources: the official ROER code's flags and
 * reproduce/*.sh scripts (β and clips live in the priority config, not here), and small-network
 * choices of this project for the quick 2-D tasks.
 */
export const sacPresets: Record<string, Partial<SacConfig>> = {
  /** MuJoCo locomotion (HalfCheetah, Hopper, Walker2d, Ant, Humanoid): the official defaults unchanged. */
  mujoco: {},
  /** Point mazes and AntMaze-like goal reaching: official settings (sparse reward, γ = 0.99). */
  pointmaze: { hiddenSizes: [256, 256], discount: 0.99 },
  /**
   * Pendulum and other classic control: small networks train fast on the CPU and suffice for
   * these 1–3-dimensional tasks (this project's choice; official SAC settings otherwise).
   */
  pendulum: { hiddenSizes: [64, 64], batchSize: 128 },
  /** Tiny 1-D/2-D tasks used in tests and tutorials: small nets, faster Polyak averaging. */
  toy: { hiddenSizes: [64, 64], batchSize: 64, tau: 0.01, gradientPenalty: 0 },
};
