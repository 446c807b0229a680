/** β controllers and the batch shift statistics behind them. */
export {
  effectiveSampleSize,
  essAtTemperature,
  logSumExp,
  quantileSorted,
  shiftStatistics,
} from './statistics.js';
export {
  BetaOptionsError,
  createBetaController,
  seedBetaStep,
  solveBetaForEss,
  trackBetaStep,
  validateBetaControllerOptions,
} from './controllers.js';
export type {
  BetaController,
  BetaControllerKind,
  BetaControllerOptions,
  BetaControllerState,
  ShiftStatistics,
} from './types.js';
