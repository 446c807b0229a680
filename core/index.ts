/**
 * Public API of o2o-studio (see docs/api.md). Everything a script or the desktop app needs from
 * the engine is exported here; modules not listed are internal.
 */
export { Rng, type RngState } from './util/random.js';
// Replay engine: storage, samplers, priority rules, β controllers and shift statistics.
export { Replay, episodeIdsFromEnds, type OnlineTransition } from './replay/replay.js';
export { SumTree } from './replay/sum-tree.js';
export { allocateSequenceBatch, segmentWindowStarts, type SequenceBatch } from './replay/sequences.js';
export {
  allocateBatch,
  TransitionSource,
  type TransitionBatch,
  type TransitionColumns,
} from './replay/transitions.js';
export { ReplayOptionsError, validateReplayOptions, bytesPerTransition } from './replay/options.js';
export type { ReplayOptions, ReplayState, PriorityRule, PriorityMode, MixingRule } from './replay/types.js';
export {
  perPriority,
  perPriorities,
  roerRatio,
  roerTarget,
  roerPriority,
  roerPriorityUpdate,
  importanceWeight,
  normalizedImportanceWeight,
  annealedImportanceExponent,
  type PerOptions,
  type RoerOptions,
  type RoerDivergence,
} from './priority/index.js';
export {
  effectiveSampleSize,
  essAtTemperature,
  shiftStatistics,
  createBetaController,
  solveTemperatureForEss,
  BetaOptionsError,
  type BetaController,
  type BetaControllerKind,
  type BetaControllerOptions,
  type BetaControllerState,
  type ShiftStatistics,
} from './beta/index.js';
// Multi-step returns: the general off-policy return, its trace rules, Retrace(λ), ACER's Q_ret.
export {
  retrace,
  generalOffPolicyReturns,
  offPolicyTraces,
  retraceTrace,
  treeBackupTrace,
  importanceSamplingTrace,
  qLambdaTrace,
  TRACE_RULES,
  acerRetraceTargets,
  acerTrace,
  truncatedImportanceWeight,
  biasCorrectionWeight,
  biasCorrectionWeights,
  ReturnsInputError,
  type RetraceSequence,
  type TimeMajorMatrix,
  type OffPolicyReturnInputs,
  type TraceRule,
  type AcerSegment,
} from './returns/index.js';
// Training runs: config, presets, the run loop, run directories, history, evaluation.
export {
  runConfigSchema,
  parseRunConfig,
  validateRunConfig,
  loadRunConfigFile,
  ConfigError,
  type RunConfig,
  type RunConfigInput,
} from './train/config.js';
export { listPresets, presetConfig, presetNames, PresetError } from './train/presets.js';
export {
  startRun,
  resumeRun,
  startTrainingRun,
  resumeTrainingRun,
  TrainingRun,
  type RunCounters,
  type CheckpointState,
} from './train/run.js';
export type { RunHandle, StartRunOptions } from './train/types.js';
export {
  EventBus,
  EventBatcher,
  PRIORITY_HISTOGRAM_EDGES,
  BATCH_WEIGHT_HISTOGRAM_EDGES,
  UPDATE_RECORD_FIELDS,
  type RunEvent,
  type RunState,
  type Phase,
  type UpdateRecord,
  type EpisodeRecord,
  type EvaluationRecord,
} from './common/events.js';
export { readRunHistory, listRuns, summarizeRun } from './train/history.js';
export { loadRunPolicy, restoreRun, type RunPolicy, type RestoredRun } from './train/run-policy.js';
export { evaluatePolicy, type EvaluationPolicy, type EvaluationResult } from './train/evaluate.js';
export { readCsvLog } from './train/metrics-log.js';
// Policy export and import.
export { exportPolicy, runPolicyDescription, writePolicy, type ExportFormat } from './export/export-run.js';
export { loadPolicyFile, detectPolicyFormat, type LoadedPolicy } from './export/load.js';
export { policyActions, policyToJson, policyFromJson, type ExportedPolicy } from './export/policy.js';
export { policyToOnnx } from './export/onnx.js';
export { writeTfjsPolicy, loadTfjsPolicy } from './export/tfjs.js';
// Environments.
export { makeEnv, makeEnvAsync, prepareEnv, listEnvs, listEnvsChecked, envSpec } from './envs/registry.js';
export type { EnvListing } from './common/env-listing.js';
export { MUJOCO_VERSION, mujocoStatus, MjcfError, type MujocoStatus } from './envs/mujoco/runtime.js';
export { SimulationDivergedError } from './envs/mujoco/mujoco-env.js';
export { AntMazeEnv } from './envs/mujoco/ant-maze.js';
export type { Env, EnvSpec, Space, BoxSpace, DiscreteSpace, StepResult } from './envs/types.js';
export type { RenderSnapshot } from './common/render-snapshot.js';
export { PointMazeEnv, type PointMazeOptions } from './envs/point-maze.js';
export { MAZE_LAYOUTS, MazeGrid } from './envs/maze-layouts.js';
// Datasets: Arrow/Parquet loading and validation, writing, inspection, generation.
export { loadDataset, type LoadOptions, type LoadedDatasetDetails } from './data/load.js';
export { writeDataset, encodeDataset } from './data/write.js';
export { inspectDataset, summarize } from './data/inspect.js';
export {
  generateDataset,
  collectRollouts,
  type GenerateOptions,
  type GenerationPolicy,
} from './data/generate.js';
export { dumpReplay } from './train/dump-replay.js';
export { measureRandomReturn, measureReferenceScores } from './data/reference.js';
export { normalizedScore } from './envs/normalized-score.js';
export { CARD_METADATA_KEY, CARD_FORMAT_VERSION } from './data/card.js';
export {
  DatasetError,
  type DatasetSummary,
  type LoadedDataset,
  type ColumnStatistics,
  type Histogram,
} from './data/types.js';
export type { DatasetCard } from './common/dataset-card.js';
// Learners and the tensor backend.
export { createSacLearner, SacLearner, SAC_STATE_FORMAT, SAC_METRICS } from './agents/sac.js';
export {
  sacConfigSchema,
  parseSacConfig,
  defaultSacConfig,
  sacPresets,
  type SacConfig,
  type SacConfigInput,
} from './agents/sac-config.js';
export {
  createAcerLearner,
  AcerDiscreteLearner,
  AcerContinuousLearner,
  ACER_DISCRETE_STATE_FORMAT,
  ACER_CONTINUOUS_STATE_FORMAT,
  acerConfigSchema,
  parseAcerConfig,
  defaultAcerConfig,
  acerPresets,
  acerMetricDescriptors,
  discreteStoredColumns,
  continuousStoredColumns,
  estimateBehaviour,
  type AcerLearner,
  type AcerConfig,
  type AcerConfigInput,
  type AcerActResult,
  type AcerPolicyHead,
  type BehaviourEstimate,
  type BehaviourEstimateOptions,
} from './agents/acer/index.js';
export type { Learner, LearnerMetrics, PolicyLayer, UpdateResult } from './agents/types.js';
export {
  AGENTS,
  agentOf,
  agentSectionSchema,
  type AgentDefinition,
  type Schedule,
} from './agents/registry.js';
export {
  metricDescriptorProblems,
  orderedMetricRecord,
  groupMetricDescriptors,
  type MetricDescriptor,
  type MetricRecord,
} from './common/metrics.js';
export {
  initBackend,
  currentBackend,
  parseBackendPreference,
  BACKEND_CANDIDATES,
  BACKEND_ENV_VARIABLE,
  type BackendInfo,
  type BackendName,
  type BackendPreference,
} from './tensor/backend.js';
