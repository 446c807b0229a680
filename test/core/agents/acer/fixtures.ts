/**
 * Sequence batches for ACER's tests: a Replay filled with random episodes (terminals, timeouts,
 * episode changes) whose steps carry behaviour statistics of a random policy different from the
 * learner's, so that ρ ≠ 1 and every branch of the update runs.
 */
import { continuousStoredColumns, discreteStoredColumns } from '../../../../core/agents/acer/common.js';
import { Replay } from '../../../../core/replay/replay.js';
import { allocateSequenceBatch, type SequenceBatch } from '../../../../core/replay/sequences.js';
import { Rng } from '../../../../core/util/random.js';
import { replayOptions } from '../../../helpers/replay-options.js';

export interface RandomReplayOptions {
  observationWidth: number;
  /** Discrete: number of actions; Box: width. */
  actions: number;
  discrete: boolean;
  steps: number;
  seed: number;
  /** Discrete: μ(·|x) as a function of the observation (default: random logits at every step). */
  probabilitiesOf?: (observation: Float32Array) => Float32Array;
}

/** A replay of `steps` random steps with behaviour statistics in the learner's stored columns. */
export function randomReplay(options: RandomReplayOptions): Replay {
  const { observationWidth: dO, actions, discrete, steps, seed } = options;
  const rng = new Rng(seed);
  const dA = discrete ? 1 : actions;
  const replay = new Replay(
    replayOptions(
      { capacity: steps, observationWidth: dO, actionWidth: dA },
      {
        priority: 'uniform',
        extraColumns: discrete ? discreteStoredColumns(actions) : continuousStoredColumns(actions),
        ...(discrete ? { actionCount: actions } : {}),
      },
    ),
    rng.fork(),
  );
  let episode = 0;
  let observation = rng.fillNormal(new Float32Array(dO));
  for (let i = 0; i < steps; i++) {
    const next = rng.fillNormal(new Float32Array(dO));
    const draw = rng.uniform();
    const terminal = draw < 0.08;
    const timeout = !terminal && draw < 0.12;
    let action: Float32Array;
    let extras: Record<string, Float32Array>;
    if (discrete) {
      const logits = Float64Array.from({ length: actions }, () => rng.normal());
      const max = Math.max(...logits);
      const weights = logits.map((l) => Math.exp(l - max));
      const total = weights.reduce((a, b) => a + b, 0);
      const probs = options.probabilitiesOf?.(observation) ?? Float32Array.from(weights, (w) => w / total);
      let u = rng.uniform();
      let chosen = actions - 1;
      for (let j = 0; j < actions; j++) {
        u -= probs[j];
        if (u < 0) {
          chosen = j;
          break;
        }
      }
      action = Float32Array.of(chosen);
      extras = { behaviourProbs: probs };
    } else {
      const mean = Float32Array.from({ length: actions }, () => Math.tanh(rng.normal()));
      const logStd = Float32Array.from({ length: actions }, () => -1 + 0.5 * rng.normal());
      action = Float32Array.from(mean, (m, j) => m + Math.exp(logStd[j]) * rng.normal());
      extras = { behaviourMean: mean, behaviourLogStd: logStd };
    }
    replay.addOnline({
      observation,
      action,
      reward: rng.normal(),
      nextObservation: next,
      terminal,
      timeout,
      episodeId: episode,
      extras,
    });
    if (terminal || timeout) {
      episode++;
      observation = rng.fillNormal(new Float32Array(dO));
    } else observation = next;
  }
  return replay;
}

/** A batch of `size` windows of up to `length` steps sampled from `replay`. */
export function sampledBatch(replay: Replay, size: number, length: number): SequenceBatch {
  const batch = allocateSequenceBatch(
    size,
    length,
    replay.options.observationWidth,
    replay.options.actionWidth,
  );
  replay.sampleSequences(batch);
  return batch;
}
