/**
 * The acting side of a learner, in the environment's units: raw observations in, environment
 * actions out (Box actions scaled from [−1, 1] to the bounds; Discrete actions as indices).
 */
import type { Learner } from '../agents/types.js';
import { actionWidthOf, scaleAction, unscaleAction, type Space } from '../common/spaces.js';
import type { EvaluationPolicy } from './evaluate.js';
import { normaliseObservations, type ObservationNormaliser } from './normaliser.js';

/** Environment actions [count × width] for the learner's actions (Box: scaled to the bounds; Discrete: the indices). */
export function environmentActions(space: Space, actions: Float32Array, count: number): Float32Array {
  if (space.kind === 'discrete') return actions.slice(0, count);
  const width = space.size;
  const out = new Float32Array(count * width);
  for (let i = 0; i < count; i++) {
    scaleAction(
      actions.subarray(i * width, (i + 1) * width),
      space.low,
      space.high,
      out.subarray(i * width, (i + 1) * width),
    );
  }
  return out;
}

/** The deterministic policy of a trained learner, for evaluation and rollouts. */
export function learnerPolicy(
  learner: Learner,
  normaliser: ObservationNormaliser,
  space: Space,
): EvaluationPolicy {
  const width = actionWidthOf(space);
  return {
    act(observations, count) {
      const { actions } = learner.act(normaliseObservations(normaliser, observations), count, true);
      return environmentActions(space, actions, count);
    },
    startValues(observations, actions, count) {
      let unit = actions;
      if (space.kind === 'box') {
        unit = new Float32Array(count * width);
        for (let i = 0; i < count; i++) {
          unscaleAction(
            actions.subarray(i * width, (i + 1) * width),
            space.low,
            space.high,
            unit.subarray(i * width, (i + 1) * width),
          );
        }
      }
      return learner.qValues(normaliseObservations(normaliser, observations), unit, count);
    },
  };
}
