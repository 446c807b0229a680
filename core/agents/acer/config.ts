/**
 * Configuration of the ACER learner (Wang, Bapst, Heess, Mnih, Munos, Kavukcuoglu, de Freitas,
 * "Sample efficient actor-critic with experience replay", ICLR 2017). Defaults follow OpenAI
 * baselines' acer (discrete actions: `acer.py`, `learn()` defaults), which follows the paper; the
 * `gym-continuous` preset follows ChainerRL's `train_acer_gym.py` for Box actions. One schema, the
 * single source of every range and default; errors name the key path.
 */
import { z } from 'zod';
import { formatIssues, issuesOf } from '../../common/validation.js';

const learningRate = z.number().positive().max(1);

export const acerConfigSchema = z
  .object({
    /** Widths of the hidden ReLU layers: the shared trunk (discrete) or the policy and V nets (continuous). baselines' mlp: 64×64. */
    hiddenSizes: z.array(z.number().int().positive()).min(1).default([64, 64]),
    /** Continuous only: hidden widths of the advantage net A(x, a) of the stochastic dueling network (ChainerRL: a quarter of the others). */
    advantageHiddenSizes: z.array(z.number().int().positive()).min(1).default([16, 16]),
    /** Discount γ. */
    discount: z.number().min(0).max(1).default(0.99),
    /** Steps k per segment: the on-policy update's window and the longest replayed window (baselines `nsteps` 20; paper k = 20; MuJoCo 50). */
    sequenceLength: z.number().int().min(1).max(1000).default(20),
    /** Windows per replay update (baselines: one per environment, `nenvs`). */
    batchSequences: z.number().int().min(1).default(16),
    /** Mean number of replay updates after each on-policy update, drawn Poisson (paper: 4; baselines `replay_ratio` 4). 0 = on-policy A2C-like ACER. */
    replayRatio: z.number().min(0).max(64).default(4),
    /** Stored steps before replay updates start (baselines `replay_start` 10 000; ChainerRL gym 1000). */
    replayStart: z.number().int().min(0).default(10_000),
    /** Truncation c of the importance weight min(c, ρ) in the policy gradient (paper, baselines: 10; MuJoCo 5). */
    truncation: z.number().positive().default(10),
    /** Use the efficient trust region (paper, baselines: true). */
    trustRegion: z.boolean().default(true),
    /** Trust-region bound δ on kᵀz (paper, baselines: 1; ChainerRL gym: 0.1). */
    trustRegionDelta: z.number().positive().default(1),
    /** Decay α of the average policy network, θ_avg ← α·θ_avg + (1 − α)·θ (paper, baselines: 0.99; MuJoCo 0.995). */
    averageDecay: z.number().min(0).lt(1).default(0.99),
    /** Entropy bonus weight (baselines `ent_coef` 0.01; paper Atari 0.001). */
    entropyCoefficient: z.number().min(0).default(0.01),
    /** Weight of the critic loss ½(Q_ret − Q)² (and of the V loss, continuous) against the policy loss (baselines `q_coef` 0.5). */
    qCoefficient: z.number().positive().default(0.5),
    /** RMSProp learning rate (baselines: 7e-4). */
    learningRate: learningRate.default(7e-4),
    /** 'linear': the rate falls linearly to 0 with the progress the training loop reports (baselines' `lrschedule`); 'constant': fixed. */
    learningRateSchedule: z.enum(['linear', 'constant']).default('linear'),
    /** RMSProp decay of the mean square (baselines `rprop_alpha` 0.99). */
    rmspropDecay: z.number().gt(0).lt(1).default(0.99),
    /** RMSProp ε under the square root (baselines `rprop_epsilon` 1e-5; ChainerRL gym 1e-2). */
    rmspropEpsilon: z.number().positive().default(1e-5),
    /** Starting mean square: 1 as TensorFlow 1's RMSProp under baselines, 0 as ChainerRL's RMSpropAsync. */
    rmspropInitialMeanSquare: z.number().min(0).default(1),
    /** Clip of the global gradient norm (baselines `max_grad_norm` 10; ChainerRL gym 40). */
    maxGradientNorm: z.number().positive().default(10),
    /**
     * Policy loss of the offline phase (updates on the dataset alone). 'behaviour-cloning': KL(μ ‖ π)
     * to the dataset's behaviour μ (recorded, or estimated by behaviour cloning), while the critic
     * learns π's values by Retrace, as online; the online phase then starts from μ and its values.
     * 'acer': ACER's own policy gradient, which nothing ties to the data: on a dataset alone π
     * collapses onto actions the data rarely takes and Q diverges (docs/acer.md).
     */
    offlinePolicyLoss: z.enum(['behaviour-cloning', 'acer']).default('behaviour-cloning'),
    /** Continuous only: samples n of the stochastic dueling network's baseline (1/n)Σ A(x, uᵢ) (paper: 5). */
    duelingSamples: z.number().int().min(1).max(64).default(5),
    /** Continuous only: bounds of the policy's log σ, log σ = min + (max − min)·sigmoid(head) (in the learner's [−1, 1] action units). */
    logStdMin: z.number().default(-3),
    logStdMax: z.number().default(1),
  })
  .strict();

export type AcerConfigInput = z.input<typeof acerConfigSchema>;
export type AcerConfig = z.output<typeof acerConfigSchema>;

/** All defaults, as a complete config. */
export function defaultAcerConfig(): AcerConfig {
  return acerConfigSchema.parse({});
}

/**
 * Validate a partial config and fill defaults; errors name the key path, e.g.
 * `agent.truncation: Too small: expected number to be >0`.
 */
export function parseAcerConfig(input: unknown, path = 'agent'): AcerConfig {
  const result = acerConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new Error(formatIssues(issuesOf(result.error, [path])));
  if (result.data.logStdMin >= result.data.logStdMax) {
    throw new Error(`${path}.logStdMin: must be below logStdMax (${result.data.logStdMax})`);
  }
  return result.data;
}

/**
 * Presets over the defaults. `gym-continuous` is ChainerRL's train_acer_gym.py for Box actions
 * (t_max 50, replay ×4 from 1000 steps, 2×100 nets with a 25-wide advantage net, RMSProp 7e-4
 * with ε 1e-2 from a zero mean square, gradient clip 40, c 5, δ 0.1, entropy 0.01; its reward
 * scale 0.01 is the run's reward section). `cartpole` and `pendulum` are this project's settings
 * for the quick classic-control tasks, checked by the learning tests.
 */
const gymContinuous: Partial<AcerConfig> = {
  hiddenSizes: [100, 100],
  advantageHiddenSizes: [25, 25],
  sequenceLength: 50,
  replayStart: 1000,
  truncation: 5,
  trustRegionDelta: 0.1,
  rmspropEpsilon: 1e-2,
  rmspropInitialMeanSquare: 0,
  maxGradientNorm: 40,
  learningRateSchedule: 'constant',
};

export const acerPresets: Record<string, Partial<AcerConfig>> = {
  'gym-continuous': gymContinuous,
  /**
   * CartPole-v1: baselines' defaults with replay from 1000 steps. With 4 environments side by
   * side and 200k environment steps it reaches 500 (docs/acer.md).
   */
  cartpole: { replayStart: 1000 },
  /**
   * Pendulum-v1: the gym-continuous settings with 20-step windows, 8 per replay update, replay
   * ratio 8, entropy 0.001 and RMSProp ε 1e-5; with rewards scaled by 0.1 (ChainerRL's 0.01
   * leaves the entropy bonus dominant), 4 environments and 100k steps it reaches about −135
   * (docs/acer.md).
   */
  pendulum: {
    ...gymContinuous,
    sequenceLength: 20,
    batchSequences: 8,
    replayRatio: 8,
    entropyCoefficient: 0.001,
    rmspropEpsilon: 1e-5,
  },
};
