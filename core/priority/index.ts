/** Priority rules as pure functions: uniform (no rule), PER, ROER, and the importance corrections. */
export { perPriority, perPriorities, type PerOptions } from './per.js';
export {
  roerRatio,
  roerTarget,
  roerPriority,
  roerPriorityUpdate,
  type RoerDivergence,
  type RoerOptions,
} from './roer.js';
export { importanceWeight, normalizedImportanceWeight, annealedImportanceExponent } from './importance.js';
