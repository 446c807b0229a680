/**
 * Which of a run's evaluations is its best, the rule the engine keeps the best policy by (core/train)
 * and the app labels it with (renderer): the success rate where the task has a goal, else the
 * normalised score where the environment has reference scores, else the mean return; a tie goes to
 * the later evaluation, the policy trained longer. The evaluations of both phases compete.
 *
 * Selecting by the same evaluations that report the score overstates it (the maximum of noisy
 * estimates): the best policy is a safeguard against a late decline, not a figure to compare runs by.
 */
import type { Phase } from './events.js';

/** The score an evaluation is ranked by, most specific first. */
export const SELECTION_METRICS = ['successRate', 'normalizedScore', 'meanReturn'] as const;
export type SelectionMetric = (typeof SELECTION_METRICS)[number];

export interface EvaluationScores {
  successRate: number;
  normalizedScore: number;
  meanReturn: number;
}

export interface SelectionScore {
  metric: SelectionMetric;
  score: number;
}

/** What an evaluation scored and in which phase (an exported best policy records this). */
export interface ScoredEvaluation extends SelectionScore {
  phase: Phase;
}

/** Where a run's best evaluation happened and what it scored. */
export interface BestEvaluation extends ScoredEvaluation {
  /** Gradient updates when the policy was evaluated. */
  step: number;
  envStep: number;
}

/**
 * A score as people read it: "success rate 100%", "normalised score 95.9", "mean return −23.9";
 * `format` writes the number (the CLI and the app format numbers their own way).
 */
export function describeScore({ metric, score }: SelectionScore, format: (value: number) => string): string {
  if (metric === 'successRate') return `success rate ${format(100 * score)}%`;
  return `${metric === 'normalizedScore' ? 'normalised score' : 'mean return'} ${format(score)}`;
}

/** The first finite score of SELECTION_METRICS; null when none is finite. */
export function selectionScore(evaluation: EvaluationScores): SelectionScore | null {
  for (const metric of SELECTION_METRICS) {
    const score = evaluation[metric];
    if (Number.isFinite(score)) return { metric, score };
  }
  return null;
}

/**
 * Whether `candidate` (a later evaluation) replaces `best`: it scores at least as high on the same
 * metric, or it is scored by a more specific one (which happens only when an earlier evaluation had
 * no finite value of it).
 */
export function replacesBest(candidate: SelectionScore, best: SelectionScore | null): boolean {
  if (!best) return true;
  if (candidate.metric !== best.metric) {
    return SELECTION_METRICS.indexOf(candidate.metric) < SELECTION_METRICS.indexOf(best.metric);
  }
  return candidate.score >= best.score;
}

/** The best of a run's evaluations in the order they happened; null when none has a finite score. */
export function bestEvaluation(
  evaluations: Iterable<EvaluationScores & { step: number; envStep: number; phase: Phase }>,
): BestEvaluation | null {
  let best: BestEvaluation | null = null;
  for (const evaluation of evaluations) {
    const scored = selectionScore(evaluation);
    if (scored && replacesBest(scored, best)) {
      best = { ...scored, step: evaluation.step, envStep: evaluation.envStep, phase: evaluation.phase };
    }
  }
  return best;
}
