/**
 * ACER (Wang et al. 2017): the learner for Discrete action spaces (categorical policy, shared
 * trunk with a Q head) and for Box action spaces (Gaussian policy, stochastic dueling network),
 * built on the kernel seam; configuration, metric descriptors, and the behaviour estimate for
 * datasets recorded without behaviour probabilities.
 */
import { currentBackend, currentKernels, initBackend } from '../../tensor/backend.js';
import type { Space } from '../../envs/types.js';
import { AcerContinuousLearner } from './continuous.js';
import type { AcerConfig } from './config.js';
import { AcerDiscreteLearner } from './discrete.js';

export { AcerContinuousLearner, ACER_CONTINUOUS_STATE_FORMAT } from './continuous.js';
export { AcerDiscreteLearner, ACER_DISCRETE_STATE_FORMAT } from './discrete.js';
export {
  acerConfigSchema,
  acerPresets,
  defaultAcerConfig,
  parseAcerConfig,
  type AcerConfig,
  type AcerConfigInput,
} from './config.js';
export {
  continuousStoredColumns,
  discreteStoredColumns,
  type AcerActResult,
  type AcerPolicyHead,
} from './common.js';
export { acerMetricDescriptors } from './metrics.js';
export { estimateBehaviour, type BehaviourEstimate, type BehaviourEstimateOptions } from './behaviour.js';

export type AcerLearner = AcerDiscreteLearner | AcerContinuousLearner;

/**
 * An ACER learner for an action space: categorical for Discrete, Gaussian for Box (whose actions
 * the learner sees in [−1, 1] per dimension; the training loop scales them to the bounds).
 * Initialises the compute backend when none is set yet (honouring O2O_BACKEND).
 */
export async function createAcerLearner(
  config: AcerConfig,
  observationWidth: number,
  actionSpace: Space,
  seed: number,
): Promise<AcerLearner> {
  if (currentBackend() === undefined) await initBackend();
  const kernels = currentKernels();
  return actionSpace.kind === 'discrete'
    ? new AcerDiscreteLearner(config, observationWidth, actionSpace.n, seed, kernels)
    : new AcerContinuousLearner(config, observationWidth, actionSpace.size, seed, kernels);
}
