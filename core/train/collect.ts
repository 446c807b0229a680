/**
 * Online collection: one environment, one episode at a time. Each step acts (uniformly at random
 * during a random warm-up, else with the learner's stochastic policy), steps the environment,
 * stores the normalised transition in the replay (with the learner's per-step columns, e.g. ACER's
 * behaviour statistics) and keeps the open episode so that a resume can rebuild it exactly.
 */
import type { Learner } from '../agents/types.js';
import { actionWidthOf } from '../common/spaces.js';
import type { Env } from '../envs/types.js';
import type { Replay } from '../replay/replay.js';
import type { Rng } from '../util/random.js';
import { environmentActions } from './acting.js';
import type { EpisodeRecord } from '../common/events.js';
import { normaliseObservations, type ObservationNormaliser } from './normaliser.js';
import { transformReward, type OpenEpisode, type RewardTransform } from './setup.js';

/** What one collected step left behind. */
export interface CollectedStep {
  /** The replay row the transition went to. */
  row: number;
  /** The step ended its episode (terminal or timeout). */
  ended: boolean;
  /** The finished episode, when the step ended one. */
  episode?: EpisodeRecord;
}

export class Collector {
  episode: OpenEpisode | null;
  /** Raw observation of the open episode, null before its reset. */
  observation: Float32Array | null;

  constructor(
    private readonly env: Env,
    private readonly replay: Replay,
    private readonly normaliser: ObservationNormaliser,
    private readonly reward: RewardTransform,
    episode: OpenEpisode | null,
    observation: Float32Array | null,
  ) {
    this.episode = episode;
    this.observation = observation;
  }

  /**
   * One step: `random` acts uniformly (a random warm-up), else `learner` samples its policy.
   * `episodeId` numbers the episode in the replay; `envStep`/`step` stamp the episode record.
   */
  step(
    learner: Learner,
    rng: Rng,
    random: boolean,
    episodeId: number,
    stamp: { envStep: number; step: number },
  ): CollectedStep {
    const { env } = this;
    const space = env.actionSpace;
    if (this.episode === null || this.observation === null) {
      const seed = rng.int(2 ** 31);
      this.episode = { seed, actions: [], return: 0, length: 0, success: false };
      this.observation = env.reset(seed);
    }
    const episode = this.episode;
    const observation = normaliseObservations(this.normaliser, this.observation);
    const width = actionWidthOf(space);
    let actions: Float32Array;
    let actionIndex: number | undefined;
    let extras: Record<string, Float32Array> | undefined;
    if (random) {
      actions = new Float32Array(width);
      if (space.kind === 'discrete') actions[0] = actionIndex = rng.int(space.n);
      else for (let j = 0; j < width; j++) actions[j] = rng.uniformIn(-1, 1);
    } else {
      const acted = learner.act(observation, 1, false);
      actions = acted.actions;
      actionIndex = acted.actionIndices?.[0];
      extras = acted.extras;
    }
    const environmentAction = environmentActions(space, actions, 1);
    const result = env.step(space.kind === 'discrete' ? environmentAction[0] : environmentAction);
    const row = this.replay.addOnline({
      observation,
      action: actions,
      ...(actionIndex !== undefined ? { actionIndex } : {}),
      reward: transformReward(this.reward, result.reward),
      nextObservation: normaliseObservations(this.normaliser, result.observation),
      terminal: result.terminated,
      timeout: result.truncated,
      episodeId,
      ...(extras ? { extras } : {}),
    });
    for (const value of environmentAction) episode.actions.push(value);
    episode.return += result.reward;
    episode.length++;
    if (result.info.success === true) episode.success = true;
    const ended = result.terminated || result.truncated;
    if (!ended) {
      this.observation = result.observation;
      return { row, ended };
    }
    this.episode = null;
    this.observation = null;
    return {
      row,
      ended,
      episode: {
        envStep: stamp.envStep,
        step: stamp.step,
        time: Date.now() / 1000,
        return: episode.return,
        length: episode.length,
        success: episode.success,
      },
    };
  }
}

/**
 * Rebuild an open episode by resetting with its seed and replaying its actions (environments are
 * deterministic given the reset seed); returns the current raw observation, or null if the episode
 * cannot be rebuilt (then a fresh episode starts).
 */
export function rebuildEpisode(
  env: Env,
  episode: { seed: number; actions: ArrayLike<number>; length: number } | null,
): Float32Array | null {
  if (!episode) return null;
  const space = env.actionSpace;
  const width = actionWidthOf(space);
  let observation = env.reset(episode.seed);
  for (let t = 0; t < episode.length; t++) {
    const action =
      space.kind === 'discrete'
        ? episode.actions[t]
        : Float32Array.from({ length: width }, (_, j) => episode.actions[t * width + j]);
    const result = env.step(action);
    if ((result.terminated || result.truncated) && t < episode.length - 1) return null;
    observation = result.observation;
  }
  return observation;
}
