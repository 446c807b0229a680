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
  trackBetaStep,
  validateBetaControllerOptions,
} from './controllers.js';
export { solveTemperatureForEss } from '../common/tempered-ess.js';
export type {
  BetaController,
  BetaControllerKind,
  BetaControllerOptions,
  BetaControllerState,
} from './types.js';
export type { ShiftStatistics } from '../common/shift-statistics.js';
