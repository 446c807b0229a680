/**
 * Public API of o2o-studio (see docs/api.md). Everything a script or the desktop app needs from
 * the engine is exported here; modules not listed are internal.
 */
export { Rng, type RngState } from './util/random.js';
// Replay engine: storage, samplers, priority rules, β controllers and shift statistics.
export { Replay, episodeIdsFromEnds, type OnlineTransition } from './replay/replay.js';
export { SumTree, MinTree } from './replay/sum-tree.js';
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
  solveBetaForEss,
  BetaOptionsError,
  type BetaController,
  type BetaControllerKind,
  type BetaControllerOptions,
  type BetaControllerState,
  type ShiftStatistics,
} from './beta/index.js';
