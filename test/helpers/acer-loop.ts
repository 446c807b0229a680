/**
 * A small, honest training loop for ACER's learning tests until the engine's run loop drives it:
 * E environments act with the current stochastic policy for k steps each; each environment's
 * segment goes into the real Replay in one piece (so its steps are consecutive rows); one
 * on-policy update on those segments, then Poisson(replay ratio) updates on windows sampled from
 * the replay once it holds `replayStart` steps (Wang et al. 2017, Algorithm 1). Evaluation runs
 * the deterministic policy (argmax / mean) on separate environments.
 */
import type { AcerLearner } from '../../core/agents/acer/index.js';
import { makeEnv } from '../../core/envs/registry.js';
import type { Env } from '../../core/envs/types.js';
import { Replay, type OnlineTransition } from '../../core/replay/replay.js';
import { allocateSequenceBatch, segmentWindowStarts } from '../../core/replay/sequences.js';
import { Rng } from '../../core/util/random.js';
import { replayOptions } from './replay-options.js';

export interface AcerLoopOptions {
  envId: string;
  learner: AcerLearner;
  seed: number;
  /** Environment steps in all (over every environment). */
  envSteps: number;
  /** Environments stepped side by side (baselines: `nenvs`). */
  environments: number;
  /** Stored rewards are scale·r (evaluation returns stay in the environment's units). */
  rewardScale?: number;
  /** Replay capacity in steps. */
  capacity: number;
  /** Evaluate every this many environment steps (and at the end). */
  evaluateEvery: number;
  /** Deterministic episodes per evaluation. */
  evaluationEpisodes: number;
  /** Episodes of the last evaluation. */
  finalEpisodes: number;
}

export interface AcerLoopResult {
  /** Mean deterministic return at each evaluation. */
  curve: { envSteps: number; meanReturn: number }[];
  /** Returns of the final evaluation's episodes. */
  finalReturns: number[];
  updates: number;
  /** The last update's metrics. */
  lastMetrics: Record<string, number>;
  seconds: number;
}

/** A Poisson(λ) draw (Knuth's product of uniforms; λ is small here). */
export function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let count = 0;
  let product = rng.uniform();
  while (product > limit) {
    count++;
    product *= rng.uniform();
  }
  return count;
}

/** The environment's action for a learner action: an index, or [−1, 1] scaled to the Box bounds. */
function environmentAction(env: Env, actions: Float32Array, row: number): number | Float32Array {
  const space = env.actionSpace;
  if (space.kind === 'discrete') return actions[row];
  const out = new Float32Array(space.size);
  for (let j = 0; j < space.size; j++) {
    const a = actions[row * space.size + j];
    out[j] = space.low[j] + ((a + 1) / 2) * (space.high[j] - space.low[j]);
  }
  return out;
}

/** Mean return of `episodes` deterministic episodes on fixed seeds. */
export function evaluate(learner: AcerLearner, envId: string, episodes: number, seed: number): number[] {
  const env = makeEnv(envId);
  const returns: number[] = [];
  for (let e = 0; e < episodes; e++) {
    let observation = env.reset(seed + e);
    let total = 0;
    for (;;) {
      const { actions } = learner.act(observation, 1, true);
      const result = env.step(environmentAction(env, actions, 0));
      total += result.reward;
      observation = result.observation;
      if (result.terminated || result.truncated) break;
    }
    returns.push(total);
  }
  return returns;
}

export function runAcer(options: AcerLoopOptions): AcerLoopResult {
  const started = performance.now();
  const { learner, envId, environments: count } = options;
  const config = learner.config;
  const k = config.sequenceLength;
  const rewardScale = options.rewardScale ?? 1;
  const rng = new Rng(options.seed);
  const envs = Array.from({ length: count }, () => makeEnv(envId));
  const space = envs[0].actionSpace;
  const dO = envs[0].observationSpace.size;
  const dA = space.kind === 'discrete' ? 1 : space.size;
  const replay = new Replay(
    replayOptions(
      { capacity: options.capacity, observationWidth: dO, actionWidth: dA },
      {
        priority: 'uniform',
        extraColumns: learner.storedColumns,
        ...(space.kind === 'discrete' ? { actionCount: space.n } : {}),
      },
    ),
    rng.fork(),
  );
  const onPolicy = allocateSequenceBatch(count * k, k, dO, dA);
  const sampled = allocateSequenceBatch(config.batchSequences, k, dO, dA);
  let nextEpisode = 0;
  const episodeIds = envs.map(() => nextEpisode++);
  const observations = envs.map((env, e) => env.reset(options.seed * 1000 + e));
  const stacked = new Float32Array(count * dO);

  const curve: AcerLoopResult['curve'] = [];
  let steps = 0;
  let updates = 0;
  let lastMetrics: Record<string, number> = {};
  let nextEvaluation = options.evaluateEvery;
  while (steps < options.envSteps) {
    // Collect k steps in every environment with the current policy.
    const segments: OnlineTransition[][] = envs.map(() => []);
    for (let t = 0; t < k; t++) {
      for (let e = 0; e < count; e++) stacked.set(observations[e], e * dO);
      const acted = learner.act(stacked, count, false);
      for (let e = 0; e < count; e++) {
        const env = envs[e];
        const result = env.step(environmentAction(env, acted.actions, e));
        const extras: Record<string, Float32Array> = {};
        for (const column of learner.storedColumns) {
          extras[column.name] = acted.extras[column.name].slice(e * column.width, (e + 1) * column.width);
        }
        segments[e].push({
          observation: observations[e],
          action: acted.actions.slice(e * dA, (e + 1) * dA),
          ...(acted.actionIndices ? { actionIndex: acted.actionIndices[e] } : {}),
          reward: rewardScale * result.reward,
          nextObservation: result.observation,
          terminal: result.terminated,
          timeout: result.truncated,
          episodeId: episodeIds[e],
          extras,
        });
        if (result.terminated || result.truncated) {
          observations[e] = env.reset();
          episodeIds[e] = nextEpisode++;
        } else observations[e] = result.observation;
      }
      steps += count;
    }
    // Store each environment's segment in one piece; the on-policy windows start at its first step and after each episode end.
    const starts: number[] = [];
    for (const segment of segments) {
      const rows = segment.map((transition) => replay.addOnline(transition));
      starts.push(
        ...segmentWindowStarts(
          rows,
          segment.map((s) => s.terminal || s.timeout),
        ),
      );
    }
    learner.setProgress(Math.min(1, steps / options.envSteps));
    replay.gatherSequences(onPolicy, starts);
    lastMetrics = learner.update(onPolicy);
    updates++;
    if (replay.size >= config.replayStart) {
      const replays = poisson(rng, config.replayRatio);
      for (let r = 0; r < replays; r++) {
        replay.sampleSequences(sampled);
        lastMetrics = learner.update(sampled);
        updates++;
      }
    }
    if (steps >= nextEvaluation) {
      const returns = evaluate(learner, envId, options.evaluationEpisodes, 10_000 + curve.length * 100);
      curve.push({ envSteps: steps, meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length });
      nextEvaluation += options.evaluateEvery;
    }
  }
  const finalReturns = evaluate(learner, envId, options.finalEpisodes, 777_000);
  curve.push({ envSteps: steps, meanReturn: finalReturns.reduce((a, b) => a + b, 0) / finalReturns.length });
  return { curve, finalReturns, updates, lastMetrics, seconds: (performance.now() - started) / 1000 };
}
