/**
 * Evaluation: deterministic episodes of a policy, run in lockstep on one environment instance per
 * episode so that the policy acts on a whole batch of observations at once. Reports the return,
 * the D4RL normalised score where the task has reference scores, the success rate for goal tasks,
 * and the value bias Q(s₀, a₀) − Σ_t γ^t r_t at the start state when the policy has a critic.
 */
import { actionWidthOf } from '../common/spaces.js';
import type { Env } from '../envs/types.js';
import { valueBias } from './diagnostics.js';
import { normalizedScore } from '../envs/normalized-score.js';

export interface EvaluationPolicy {
  /** Environment actions [count × width] for `count` raw observations: Box actions within the bounds, or Discrete indices (width 1). */
  act(observations: Float32Array, count: number): Float32Array | Promise<Float32Array>;
  /** The critic's estimate at the start states for the actions taken there, when there is a critic. */
  startValues?(observations: Float32Array, actions: Float32Array, count: number): Float32Array;
}

export interface EvaluationOptions {
  episodes: number;
  /** Reset seed of episode i; a fixed list makes evaluations comparable over a run. */
  seedOf: (episode: number) => number;
  /** Discount for the Monte-Carlo return in the value bias. */
  gamma: number;
  /** Called between steps so a long evaluation does not block the event loop. */
  yieldEvery?: () => Promise<void>;
}

export interface EvaluationResult {
  episodes: number;
  returns: number[];
  lengths: number[];
  successes: boolean[];
  meanReturn: number;
  stdReturn: number;
  /** Mean over episodes of the normalised score, NaN without reference scores. */
  normalizedScore: number;
  /** NaN for tasks that are not goal-conditioned. */
  successRate: number;
  /** Mean over episodes, NaN when the policy has no critic. */
  valueBias: number;
}

export function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Population standard deviation √((1/n)Σ(x − x̄)²). */
export function standardDeviation(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((total, x) => total + (x - m) * (x - m), 0) / values.length);
}

/** Run `options.episodes` deterministic episodes; `makeEnv` builds one environment per episode. */
export async function evaluatePolicy(
  makeEnv: () => Env,
  policy: EvaluationPolicy,
  options: EvaluationOptions,
): Promise<EvaluationResult> {
  const count = options.episodes;
  const envs = Array.from({ length: count }, makeEnv);
  try {
    return await evaluateEpisodes(envs, policy, options);
  } finally {
    for (const env of envs) env.close?.();
  }
}

async function evaluateEpisodes(
  envs: Env[],
  policy: EvaluationPolicy,
  options: EvaluationOptions,
): Promise<EvaluationResult> {
  const count = envs.length;
  const env0 = envs[0];
  const discrete = env0.actionSpace.kind === 'discrete';
  const observationWidth = env0.observationSpace.size;
  const actionWidth = actionWidthOf(env0.actionSpace);
  const observations = new Float32Array(count * observationWidth);
  envs.forEach((env, i) => observations.set(env.reset(options.seedOf(i)), i * observationWidth));
  const rewards: number[][] = envs.map(() => []);
  const successes = envs.map(() => false);
  const open = envs.map(() => true);
  let startValues: Float32Array | undefined;

  let remaining = count;
  while (remaining > 0) {
    const actions = await policy.act(observations, count);
    if (startValues === undefined && policy.startValues)
      startValues = policy.startValues(observations, actions, count);
    for (let i = 0; i < count; i++) {
      if (!open[i]) continue;
      const result = envs[i].step(
        discrete ? actions[i] : actions.subarray(i * actionWidth, (i + 1) * actionWidth),
      );
      rewards[i].push(result.reward);
      if (result.info.success === true) successes[i] = true;
      observations.set(result.observation, i * observationWidth);
      if (result.terminated || result.truncated) {
        open[i] = false;
        remaining--;
      }
    }
    if (options.yieldEvery) await options.yieldEvery();
  }

  const returns = rewards.map((episode) => episode.reduce((a, b) => a + b, 0));
  const reference = env0.referenceScores;
  return {
    episodes: count,
    returns,
    lengths: rewards.map((episode) => episode.length),
    successes,
    meanReturn: mean(returns),
    stdReturn: standardDeviation(returns),
    normalizedScore: reference ? mean(returns.map((r) => normalizedScore(r, reference))) : Number.NaN,
    successRate: env0.goalConditioned ? successes.filter(Boolean).length / count : Number.NaN,
    valueBias: startValues
      ? mean(rewards.map((episode, i) => valueBias(startValues![i], episode, options.gamma)))
      : Number.NaN,
  };
}
