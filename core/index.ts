/**
 * Public API of o2o-studio (see docs/api.md). Everything a script or the desktop app needs from
 * the engine is exported here; modules not listed are internal.
 */
export { Rng, type RngState } from './util/random.js';
