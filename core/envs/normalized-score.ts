/** The score that puts returns of different tasks on one scale, from an environment's reference returns. */

/**
 * D4RL normalised score: 100·(R − R_min)/(R_max − R_min), where R_min and R_max are the returns
 * of a random and an expert policy (Fu et al. 2020). NaN when the environment has no reference.
 */
export function normalizedScore(episodeReturn: number, reference?: { min: number; max: number }): number {
  if (!reference || reference.max === reference.min) return Number.NaN;
  return (100 * (episodeReturn - reference.min)) / (reference.max - reference.min);
}
