/**
 * Controllers of the ROER loss temperature β. Each takes the TD errors of the batch just used and
 * returns β for the next update; all share one interface and a serialisable state.
 *
 * - `fixed`: β never moves (the official ROER code: one hand-tuned β per task).
 * - `seed`: the seed design's rule exactly as written, Ê ← (1−ρ)Ê + ρ·ESS,
 *   β ← clip(β·exp(η(Ê − E*)/E*), β_min, β_max). Kept for fidelity; it runs away (see below).
 * - `track`: the sign-corrected rule β ← clip(β·exp(η(1 − Ê/E*)), β_min, β_max).
 * - `solve`: per batch, the β* with ESS(β*) = a·n found by bisection on log β, then
 *   log β ← (1−ρ)·log β + ρ·log β*.
 *
 * Why the seed sign runs away. For unclipped weights w_i ∝ exp(δ_i/β) with t = 1/β,
 * log ESS = 2·LSE(tδ) − LSE(2tδ), so d log ESS/dt = 2(E_{p_t}[δ] − E_{p_{2t}}[δ]) ≤ 0 because the
 * tilted mean E_{p_s}[δ] grows with s. ESS therefore rises monotonically with β. Under the seed
 * rule, Ê < E* makes the exponent negative and lowers β, which lowers ESS further: positive
 * feedback, and β runs to β_min (or, from Ê > E*, to β_max). Flipping the sign gives negative
 * feedback (`track`), and monotonicity is also what makes the bisection of `solve` well posed.
 *
 * Target schedule. E* = a·n can move with a β-independent shift signal s ∈ [0, 1]:
 * a = low + (high − low)·s. With `onlineShare` the training loop feeds s (the online share of the
 * buffer); with `tdDispersion` the controller derives s = 1 − σ̂/σ̂_peak from the smoothed standard
 * deviation σ̂ of the TD errors it receives and its running peak. Either way β stays small while
 * the shift is large and grows as the data becomes on-policy, which is the seed's intent, while the
 * feedback itself keeps the corrected sign.
 */
import { essAtTemperature, solveTemperatureForEss } from '../common/tempered-ess.js';
import type { BetaController, BetaControllerOptions, BetaControllerState } from './types.js';

import { validateBetaControllerOptions } from './options.js';

export { BetaOptionsError, validateBetaControllerOptions } from './options.js';

/** Clip to [low, high]. */
function clip(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/** One step of the seed rule: β·exp(η(Ê − E*)/E*), clipped. Positive feedback (see module doc). */
export function seedBetaStep(beta: number, smoothedEss: number, targetEss: number, rate: number): number {
  return beta * Math.exp((rate * (smoothedEss - targetEss)) / targetEss);
}

/** One step of the tracking rule: β·exp(η(1 − Ê/E*)), before clipping. Negative feedback. */
export function trackBetaStep(beta: number, smoothedEss: number, targetEss: number, rate: number): number {
  return beta * Math.exp(rate * (1 - smoothedEss / targetEss));
}

class Controller implements BetaController {
  private currentBeta: number;
  private smoothedEss: number | null = null;
  private shiftSignal: number | null = null;
  private tdStdSmoothed: number | null = null;
  private tdStdPeak: number | null = null;

  constructor(readonly options: BetaControllerOptions) {
    validateBetaControllerOptions(options);
    this.currentBeta = options.initialBeta;
  }

  get beta(): number {
    return this.currentBeta;
  }

  get targetFraction(): number {
    const schedule = this.options.targetSchedule;
    if (!schedule) return this.options.targetEssFraction;
    const signal = this.shiftSignal ?? 0;
    return schedule.low + (schedule.high - schedule.low) * signal;
  }

  setShiftSignal(value: number): void {
    if (this.options.targetSchedule?.signal === 'tdDispersion') return; // derived from TD errors instead
    if (!Number.isFinite(value))
      throw new RangeError(`β controller shift signal must be finite, got ${value}`);
    this.shiftSignal = clip(value, 0, 1);
  }

  update(tdErrors: ArrayLike<number>): number {
    const n = tdErrors.length;
    if (n === 0) return this.currentBeta;
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < n; i++) {
      const delta = tdErrors[i];
      if (!Number.isFinite(delta)) {
        throw new RangeError(
          `β controller: TD error ${i} of the batch is ${delta}; expected a finite number`,
        );
      }
      if (delta < low) low = delta;
      if (delta > high) high = delta;
    }
    const { kind, rate, smoothing, betaMin, betaMax } = this.options;
    if (this.options.targetSchedule?.signal === 'tdDispersion') this.observeDispersion(tdErrors);
    if (kind === 'fixed') return this.currentBeta;

    const targetFraction = this.targetFraction;
    if (kind === 'solve') {
      // Equal TD errors give equal weights at every β: the batch says nothing about β.
      if (high > low) {
        const solved = solveTemperatureForEss(
          tdErrors,
          targetFraction,
          betaMin,
          betaMax,
          1e-5,
          this.currentBeta,
        );
        const logBeta = (1 - smoothing) * Math.log(this.currentBeta) + smoothing * Math.log(solved);
        this.currentBeta = clip(Math.exp(logBeta), betaMin, betaMax);
      }
      return this.currentBeta;
    }

    const ess = essAtTemperature(tdErrors, this.currentBeta);
    this.smoothedEss = this.smoothedEss === null ? ess : (1 - smoothing) * this.smoothedEss + smoothing * ess;
    const targetEss = targetFraction * n;
    const next =
      kind === 'seed'
        ? seedBetaStep(this.currentBeta, this.smoothedEss, targetEss, rate)
        : trackBetaStep(this.currentBeta, this.smoothedEss, targetEss, rate);
    this.currentBeta = clip(next, betaMin, betaMax);
    return this.currentBeta;
  }

  /** Shift signal from TD dispersion: s = 1 − σ̂/σ̂_peak with σ̂ an EMA (rate ρ) of the batch std. */
  private observeDispersion(tdErrors: ArrayLike<number>): void {
    const n = tdErrors.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += tdErrors[i];
    mean /= n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (tdErrors[i] - mean) ** 2;
    const std = Math.sqrt(squares / n);
    const rho = this.options.smoothing;
    this.tdStdSmoothed = this.tdStdSmoothed === null ? std : (1 - rho) * this.tdStdSmoothed + rho * std;
    this.tdStdPeak = Math.max(this.tdStdPeak ?? 0, this.tdStdSmoothed);
    this.shiftSignal = this.tdStdPeak > 0 ? clip(1 - this.tdStdSmoothed / this.tdStdPeak, 0, 1) : 0;
  }

  getState(): BetaControllerState {
    return {
      kind: this.options.kind,
      beta: this.currentBeta,
      smoothedEss: this.smoothedEss,
      targetFraction: this.targetFraction,
      shiftSignal: this.shiftSignal,
      tdStdSmoothed: this.tdStdSmoothed,
      tdStdPeak: this.tdStdPeak,
    };
  }

  setState(state: BetaControllerState): void {
    if (state.kind !== this.options.kind) {
      throw new RangeError(
        `β controller state is for kind '${state.kind}', this controller is '${this.options.kind}'`,
      );
    }
    if (!(state.beta > 0 && Number.isFinite(state.beta))) {
      throw new RangeError(`β controller state: beta must be a finite number > 0, got ${state.beta}`);
    }
    this.currentBeta = state.beta;
    this.smoothedEss = state.smoothedEss;
    this.shiftSignal = state.shiftSignal;
    this.tdStdSmoothed = state.tdStdSmoothed ?? null;
    this.tdStdPeak = state.tdStdPeak ?? null;
  }
}

/** Create the β controller selected by `options.kind` (options are validated here). */
export function createBetaController(options: BetaControllerOptions): BetaController {
  return new Controller(options);
}
