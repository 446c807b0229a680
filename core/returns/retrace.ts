/**
 * Retrace(λ) TD errors for one time-major sequence of T steps (Munos, Stepleton, Harutyunyan,
 * Bellemare, "Safe and efficient off-policy reinforcement learning", NeurIPS 2016), in the
 * argument layout of the reference implementations so that it can be checked against them:
 *
 *   V(x)         = Σ_a π(a|x)·Q_target(x, a)
 *   c_s          = λ·min(1, π(a_s|x_s) / μ(a_s|x_s))
 *   Q_ret(T−1)   = r_{T−1} + γ_{T−1}·V(x_T)
 *   Q_ret(t)     = r_t + γ_t·[V(x_{t+1}) − c_{t+1}·Q_target(x_{t+1}, a_{t+1}) + c_{t+1}·Q_ret(t+1)]
 *   δ_t          = Q_ret(t) − Q(x_t, a_t)                      for t = 0…T−1
 *
 * The online Q enters only through Q(x_t, a_t); the return is built from the target network's
 * values. This is `generalOffPolicyReturns` with Retrace traces.
 */
import {
  ReturnsInputError,
  matrixEntry,
  requireFinite,
  requireInRange,
  requireLength,
  requireMatrix,
  requireScalarInRange,
  requireVector,
} from './checks.js';
import { generalOffPolicyReturns } from './general.js';
import { retraceTrace } from './traces.js';

/** T rows of A numbers, as nested arrays or one row-major array of T·A numbers. */
export type TimeMajorMatrix = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

export interface RetraceSequence {
  /** Q(x_t, ·) of the network being trained, for t = 0…T−1 (T×A). */
  q: TimeMajorMatrix;
  /** The target network's Q(x_t, ·) for t = 1…T (T×A). */
  qTarget: TimeMajorMatrix;
  /** a_0…a_T (T + 1 integers in [0, A)). a_T is checked but does not affect the result. */
  actions: ArrayLike<number>;
  /** r_t for t = 0…T−1. */
  rewards: ArrayLike<number>;
  /** γ_t = γ·(1 − terminal_t) in [0, 1] for t = 0…T−1. */
  discounts: ArrayLike<number>;
  /** π(·|x_t) for t = 1…T (T×A, each row a distribution). */
  targetProbs: TimeMajorMatrix;
  /** μ(a_t|x_t) for t = 1…T, in [0, 1]; > 0 for t < T (where c_t divides by it). */
  behaviourProbs: ArrayLike<number>;
  /** λ ∈ [0, 1]. */
  lambda: number;
}

/** How far a row of π(·|x) may sum from 1 (room for float32 softmax outputs). */
const PROBABILITY_SUM_TOLERANCE = 1e-3;

/**
 * The Retrace TD errors δ_t = Q_ret(t) − Q(x_t, a_t) for t = 0…T−1 (see the header). Every field
 * is validated; errors are `ReturnsInputError`s naming the field, the step and the action.
 */
export function retrace(sequence: RetraceSequence): Float64Array {
  if (typeof sequence !== 'object' || sequence === null) {
    throw new ReturnsInputError(
      'sequence',
      'must be an object {q, qTarget, actions, rewards, discounts, targetProbs, behaviourProbs, lambda}',
    );
  }
  const rewards = requireVector('rewards', sequence.rewards);
  const T = rewards.length;
  if (T === 0) throw new ReturnsInputError('rewards', 'is empty; a sequence needs at least one step');
  requireFinite('rewards', rewards);
  const discounts = requireVector('discounts', sequence.discounts);
  requireLength('discounts', discounts, T, `γ_t for t = 0…T−1, T = ${T} as rewards has`);
  requireInRange('discounts', discounts, 0, 1, 'a discount γ·(1 − terminal)');
  const lambda = requireScalarInRange('lambda', sequence.lambda, 0, 1);

  const q = requireMatrix('q', sequence.q, T, 'Q(x_t, ·) for t = 0…T−1');
  const A = q.columns;
  const qTarget = requireMatrix('qTarget', sequence.qTarget, T, 'Q_target(x_t, ·) for t = 1…T');
  const targetProbs = requireMatrix('targetProbs', sequence.targetProbs, T, 'π(·|x_t) for t = 1…T');
  for (const [field, matrix] of [
    ['qTarget', qTarget],
    ['targetProbs', targetProbs],
  ] as const) {
    if (matrix.columns !== A) {
      throw new ReturnsInputError(field, `has ${matrix.columns} actions per step but q has ${A}`);
    }
  }
  for (const [field, matrix] of [
    ['q', q],
    ['qTarget', qTarget],
  ] as const) {
    for (let i = 0; i < matrix.data.length; i++) {
      if (!Number.isFinite(matrix.data[i])) {
        throw new ReturnsInputError(
          matrixEntry(field, i, A),
          `must be a finite number, got ${String(matrix.data[i])}`,
        );
      }
    }
  }
  const pi = targetProbs.data;
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let a = 0; a < A; a++) {
      const p = pi[t * A + a];
      if (!(p >= 0 && p <= 1)) {
        throw new ReturnsInputError(
          `targetProbs[${t}][${a}]`,
          `must be a probability in [0, 1], got ${String(p)}`,
        );
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new ReturnsInputError(
        `targetProbs[${t}]`,
        `must sum to 1 (π(·|x_${t + 1}) is a distribution), got ${sum}`,
      );
    }
  }

  const actions = requireVector('actions', sequence.actions);
  requireLength('actions', actions, T + 1, `a_0…a_T, T + 1 = ${T + 1}`);
  for (let t = 0; t <= T; t++) {
    const a = actions[t];
    if (!(Number.isInteger(a) && a >= 0 && a < A)) {
      throw new ReturnsInputError(
        `actions[${t}]`,
        `must be an integer action in [0, ${A - 1}], got ${String(a)}`,
      );
    }
  }
  const behaviourProbs = requireVector('behaviourProbs', sequence.behaviourProbs);
  requireLength('behaviourProbs', behaviourProbs, T, `μ(a_t|x_t) for t = 1…T, T = ${T}`);
  requireInRange('behaviourProbs', behaviourProbs, 0, 1, 'a probability');

  // Entry i of each array below holds time s = i + 1.
  const expectedValues = new Float64Array(T);
  const actionValues = new Float64Array(T);
  const traces = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const row = i * A;
    let v = 0;
    for (let a = 0; a < A; a++) v += pi[row + a] * qTarget.data[row + a];
    expectedValues[i] = v;
    if (i === T - 1) break; // c_T and Q_target(x_T, a_T) are not used: the last return bootstraps on V(x_T).
    const action = actions[i + 1];
    const mu = behaviourProbs[i];
    if (!(mu > 0)) {
      throw new ReturnsInputError(
        `behaviourProbs[${i}]`,
        `must be > 0: it is μ(a_${i + 1}|x_${i + 1}) of an action that was taken, and c_${i + 1} divides by it`,
      );
    }
    actionValues[i] = qTarget.data[row + action];
    traces[i] = retraceTrace(pi[row + action], mu, lambda);
  }
  const returns = generalOffPolicyReturns({ rewards, discounts, expectedValues, actionValues, traces });
  for (let t = 0; t < T; t++) returns[t] -= q.data[t * A + actions[t]];
  return returns;
}
