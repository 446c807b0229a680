/**
 * Multi-step targets as pure functions over time-major arrays: the general off-policy return with
 * traces c_s, its trace rules (Retrace(λ), tree-backup, importance sampling, Q^π(λ)), the Retrace
 * TD errors of one sequence, and ACER's Q_ret recursion with its importance-weight helpers.
 */
export { ReturnsInputError } from './checks.js';
export { discountedReturnsToGo } from './monte-carlo.js';
export { generalOffPolicyReturns, type OffPolicyReturnInputs } from './general.js';
export {
  importanceSamplingTrace,
  qLambdaTrace,
  treeBackupTrace,
  retraceTrace,
  offPolicyTraces,
  TRACE_RULES,
  type TraceRule,
} from './traces.js';
export { retrace, type RetraceSequence, type TimeMajorMatrix } from './retrace.js';
export {
  acerRetraceTargets,
  acerTrace,
  truncatedImportanceWeight,
  biasCorrectionWeight,
  biasCorrectionWeights,
  type AcerSegment,
} from './acer.js';
