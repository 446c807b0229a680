/** Contracts of the β controllers and the batch shift statistics. */

export type BetaControllerKind = 'fixed' | 'seed' | 'track' | 'solve';

export interface BetaControllerOptions {
  kind: BetaControllerKind;
  initialBeta: number;
  /** Target ESS as a fraction a of the batch: E* = a·n. */
  targetEssFraction: number;
  /** Gain η of the multiplicative update. */
  rate: number;
  /** EMA rate ρ of the smoothed ESS (and of log β for `solve`). */
  smoothing: number;
  betaMin: number;
  betaMax: number;
  /** Moves the target fraction from `low` (large shift) to `high` (on-policy) with a β-independent signal in [0, 1]. */
  targetSchedule?: { signal: 'onlineShare' | 'tdDispersion'; low: number; high: number };
}

export interface BetaControllerState {
  kind: BetaControllerKind;
  beta: number;
  smoothedEss: number | null;
  targetFraction: number;
  shiftSignal: number | null;
  /** With a `tdDispersion` schedule: the smoothed TD-error standard deviation and its running peak. */
  tdStdSmoothed?: number | null;
  tdStdPeak?: number | null;
}

export interface BetaController {
  /** β for the next update. */
  readonly beta: number;
  /** The current target ESS fraction (moves when a target schedule is set). */
  readonly targetFraction: number;
  /** Feed the β-independent shift signal in [0, 1] (e.g. the online share of the buffer). */
  setShiftSignal(value: number): void;
  /** Take the TD errors of the batch just used; return β for the next update. */
  update(tdErrors: ArrayLike<number>): number;
  getState(): BetaControllerState;
  setState(state: BetaControllerState): void;
}
