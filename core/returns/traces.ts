/**
 * Trace coefficients c_s of return-based off-policy learning (Munos, Stepleton, Harutyunyan,
 * Bellemare, "Safe and efficient off-policy reinforcement learning", NeurIPS 2016, Table 1 and
 * eq. 4). Each one feeds the general return of `general.ts`:
 *
 *   importance sampling   c_s = π(a_s|x_s) / μ(a_s|x_s)          unbiased, variance unbounded
 *   Q^π(λ)                c_s = λ                                unsafe when π and μ differ much
 *   tree-backup TB(λ)     c_s = λ·π(a_s|x_s)                     safe, cuts traces even on-policy
 *   Retrace(λ)            c_s = λ·min(1, π(a_s|x_s) / μ(a_s|x_s)) safe and efficient
 *
 * π is the target policy, μ the behaviour policy that chose a_s. The scalar functions do no
 * checks (they sit in inner loops); `offPolicyTraces` checks its arrays.
 */
import { ReturnsInputError, requireInRange, requireLength, requireScalarInRange } from './checks.js';

/** Importance sampling: c = π(a|x) / μ(a|x) (Munos et al. 2016, Table 1). Needs μ > 0. */
export function importanceSamplingTrace(targetProb: number, behaviourProb: number): number {
  return targetProb / behaviourProb;
}

/** Q^π(λ) (Harutyunyan et al. 2016): c = λ, whatever the policies. */
export function qLambdaTrace(lambda: number): number {
  return lambda;
}

/** Tree-backup TB(λ) (Precup et al. 2000): c = λ·π(a|x). */
export function treeBackupTrace(targetProb: number, lambda: number): number {
  return lambda * targetProb;
}

/**
 * Retrace(λ) (Munos et al. 2016, eq. 4): c = λ·min(1, π(a|x) / μ(a|x)). Needs μ > 0. Written as a
 * comparison first so that π ≥ μ gives exactly λ.
 */
export function retraceTrace(targetProb: number, behaviourProb: number, lambda: number): number {
  return targetProb >= behaviourProb ? lambda : (lambda * targetProb) / behaviourProb;
}

/** The four trace rules of Munos et al. (2016), Table 1. */
export type TraceRule = 'retrace' | 'tree-backup' | 'importance-sampling' | 'q-lambda';

export const TRACE_RULES: readonly TraceRule[] = [
  'retrace',
  'tree-backup',
  'importance-sampling',
  'q-lambda',
];

/**
 * Fill `out[i]` with the trace c of `rule` for the probabilities π(a|x) = targetProbs[i] and
 * μ(a|x) = behaviourProbs[i] of one taken action each. λ is not used by importance sampling.
 * Probabilities must lie in [0, 1], and μ > 0 for the rules that divide by it.
 */
export function offPolicyTraces<Out extends Float32Array | Float64Array>(
  rule: TraceRule,
  targetProbs: ArrayLike<number>,
  behaviourProbs: ArrayLike<number>,
  lambda: number,
  out: Out,
): Out {
  if (!TRACE_RULES.includes(rule)) {
    throw new ReturnsInputError('rule', `must be one of ${TRACE_RULES.join(', ')}, got ${String(rule)}`);
  }
  const n = targetProbs.length;
  requireLength('behaviourProbs', behaviourProbs, n, 'one μ(a|x) per entry of targetProbs');
  requireLength('out', out, n, 'one trace per entry of targetProbs');
  requireInRange('targetProbs', targetProbs, 0, 1, 'a probability');
  requireInRange('behaviourProbs', behaviourProbs, 0, 1, 'a probability');
  if (rule !== 'importance-sampling') requireScalarInRange('lambda', lambda, 0, 1);
  const divides = rule === 'retrace' || rule === 'importance-sampling';
  for (let i = 0; i < n; i++) {
    const pi = targetProbs[i];
    const mu = behaviourProbs[i];
    if (divides && !(mu > 0)) {
      throw new ReturnsInputError(
        `behaviourProbs[${i}]`,
        `must be > 0: the ${rule} trace divides by μ(a|x) of the action taken`,
      );
    }
    switch (rule) {
      case 'retrace':
        out[i] = retraceTrace(pi, mu, lambda);
        break;
      case 'tree-backup':
        out[i] = treeBackupTrace(pi, lambda);
        break;
      case 'importance-sampling':
        out[i] = importanceSamplingTrace(pi, mu);
        break;
      case 'q-lambda':
        out[i] = qLambdaTrace(lambda);
        break;
    }
  }
  return out;
}
