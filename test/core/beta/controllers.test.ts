import { describe, expect, it } from 'vitest';
import {
  BetaOptionsError,
  createBetaController,
  seedBetaStep,
  trackBetaStep,
} from '../../../core/beta/controllers.js';
import { essAtTemperature } from '../../../core/beta/statistics.js';
import type { BetaControllerKind, BetaControllerOptions } from '../../../core/beta/types.js';
import { Rng } from '../../../core/util/random.js';

const base: BetaControllerOptions = {
  kind: 'track',
  initialBeta: 1,
  targetEssFraction: 0.5,
  rate: 0.1,
  smoothing: 0.03,
  betaMin: 1e-3,
  betaMax: 10,
};

const BATCH = 256;

/**
 * Run a controller on a stationary stream: every batch is 256 fresh draws of δ ~ N(0, σ²).
 * Returns β before each update and the batch ESS/n at that β.
 */
function runStationary(options: BetaControllerOptions, steps: number, sigma = 1, seed = 1) {
  const controller = createBetaController(options);
  const rng = new Rng(seed);
  const deltas = new Float64Array(BATCH);
  const betas: number[] = [];
  const fractions: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < BATCH; i++) deltas[i] = sigma * rng.normal();
    betas.push(controller.beta);
    fractions.push(essAtTemperature(deltas, controller.beta) / BATCH);
    controller.update(deltas);
  }
  return { controller, betas, fractions };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('β controller steps', () => {
  it('seed and track move β in opposite directions for the same ESS gap', () => {
    // ESS below target: the seed rule lowers β, the corrected rule raises it.
    expect(seedBetaStep(1, 64, 128, 0.1)).toBeCloseTo(Math.exp(-0.05), 14);
    expect(trackBetaStep(1, 64, 128, 0.1)).toBeCloseTo(Math.exp(0.05), 14);
    expect(seedBetaStep(2, 128, 128, 0.1)).toBe(2);
    expect(trackBetaStep(2, 128, 128, 0.1)).toBe(2);
  });
});

describe('β controllers on a stationary δ stream', () => {
  it('the seed rule runs to a bound from either side of the target', () => {
    // σ = 1, β = 1: ESS/n ≈ e^{-1} ≈ 0.37 < 0.5, so the seed rule lowers β, which lowers ESS further.
    const below = runStationary({ ...base, kind: 'seed', initialBeta: 1 }, 600);
    expect(below.controller.beta).toBe(base.betaMin);
    // β = 3: ESS/n ≈ 0.9 > 0.5, so it raises β until the upper bound.
    const above = runStationary({ ...base, kind: 'seed', initialBeta: 3 }, 600);
    expect(above.controller.beta).toBe(base.betaMax);
  });

  for (const kind of ['track', 'solve'] as const) {
    it(`${kind} holds ESS/n within ±0.05 of the target from either side`, () => {
      for (const initialBeta of [0.05, 1, 8]) {
        const { betas, fractions } = runStationary({ ...base, kind, initialBeta }, 1500);
        // After a burn-in, every window of 250 batches averages within ±0.05 of the target.
        for (let start = 500; start < 1500; start += 250) {
          expect(Math.abs(mean(fractions.slice(start, start + 250)) - 0.5)).toBeLessThan(0.05);
        }
        const settled = betas.slice(500);
        expect(Math.min(...settled)).toBeGreaterThan(base.betaMin);
        expect(Math.max(...settled)).toBeLessThan(base.betaMax);
      }
    });
  }

  it('fixed never moves', () => {
    const { betas } = runStationary({ ...base, kind: 'fixed', initialBeta: 0.4 }, 50);
    expect(new Set(betas)).toEqual(new Set([0.4]));
  });

  it('track and solve scale β with the TD-error scale', () => {
    for (const kind of ['track', 'solve'] as const) {
      const small = runStationary({ ...base, kind }, 800, 0.5).controller.beta;
      const large = runStationary({ ...base, kind }, 800, 2).controller.beta;
      expect(large / small).toBeGreaterThan(3);
      expect(large / small).toBeLessThan(5.5);
    }
  });
});

describe('target schedule', () => {
  it('moves the target fraction with the online share', () => {
    const controller = createBetaController({
      ...base,
      kind: 'solve',
      targetSchedule: { signal: 'onlineShare', low: 0.2, high: 0.8 },
    });
    expect(controller.targetFraction).toBeCloseTo(0.2, 15);
    controller.setShiftSignal(0.5);
    expect(controller.targetFraction).toBeCloseTo(0.5, 15);
    controller.setShiftSignal(3);
    expect(controller.targetFraction).toBeCloseTo(0.8, 15);
  });

  it('gives a larger β as the data becomes on-policy, without runaway', () => {
    const options: BetaControllerOptions = {
      ...base,
      kind: 'track',
      targetSchedule: { signal: 'onlineShare', low: 0.2, high: 0.8 },
    };
    const controller = createBetaController(options);
    const rng = new Rng(3);
    const deltas = new Float64Array(BATCH);
    const betaAt = (signal: number) => {
      controller.setShiftSignal(signal);
      for (let t = 0; t < 800; t++) {
        for (let i = 0; i < BATCH; i++) deltas[i] = rng.normal();
        controller.update(deltas);
      }
      return controller.beta;
    };
    const early = betaAt(0);
    const late = betaAt(1);
    expect(late).toBeGreaterThan(1.5 * early);
    expect(late).toBeLessThan(base.betaMax);
    expect(early).toBeGreaterThan(base.betaMin);
  });

  it('derives the signal from TD dispersion when asked to', () => {
    const controller = createBetaController({
      ...base,
      kind: 'fixed',
      targetSchedule: { signal: 'tdDispersion', low: 0.3, high: 0.7 },
    });
    const rng = new Rng(8);
    const deltas = new Float64Array(BATCH);
    for (let t = 0; t < 300; t++) {
      for (let i = 0; i < BATCH; i++) deltas[i] = 4 * rng.normal();
      controller.update(deltas);
    }
    expect(controller.targetFraction).toBeLessThan(0.35);
    controller.setShiftSignal(1); // ignored: the signal comes from the TD errors
    expect(controller.targetFraction).toBeLessThan(0.35);
    for (let t = 0; t < 300; t++) {
      for (let i = 0; i < BATCH; i++) deltas[i] = 0.5 * rng.normal();
      controller.update(deltas);
    }
    expect(controller.targetFraction).toBeGreaterThan(0.6);
  });
});

describe('controller state', () => {
  for (const kind of ['fixed', 'seed', 'track', 'solve'] as BetaControllerKind[]) {
    it(`${kind} round-trips through JSON and continues identically`, () => {
      const options: BetaControllerOptions = {
        ...base,
        kind,
        targetSchedule: { signal: 'tdDispersion', low: 0.3, high: 0.6 },
      };
      const original = createBetaController(options);
      const rng = new Rng(21);
      const batches = Array.from({ length: 150 }, () => Array.from({ length: 64 }, () => rng.normal()));
      for (const batch of batches.slice(0, 100)) original.update(batch);
      const restored = createBetaController(options);
      restored.setState(JSON.parse(JSON.stringify(original.getState())));
      expect(restored.getState()).toEqual(original.getState());
      for (const batch of batches.slice(100)) expect(restored.update(batch)).toBe(original.update(batch));
    });
  }

  it('refuses a state of another kind', () => {
    const state = createBetaController({ ...base, kind: 'seed' }).getState();
    expect(() => createBetaController(base).setState(state)).toThrow(/kind 'seed'/);
  });
});

describe('controller options', () => {
  it('are validated with the key path in the message', () => {
    const bad: [Partial<BetaControllerOptions>, RegExp][] = [
      [{ kind: 'wild' as BetaControllerKind }, /beta\.kind/],
      [{ initialBeta: 0 }, /beta\.initialBeta/],
      [{ initialBeta: 20 }, /beta\.initialBeta: initialBeta must lie in \[betaMin, betaMax\]/],
      [{ targetEssFraction: 1 }, /beta\.targetEssFraction/],
      [{ smoothing: 0 }, /beta\.smoothing/],
      [{ betaMin: 5, betaMax: 2, initialBeta: 3 }, /beta\.betaMin/],
      [{ targetSchedule: { signal: 'onlineShare', low: 0, high: 0.5 } }, /beta\.targetSchedule\.low/],
    ];
    for (const [override, message] of bad) {
      expect(() => createBetaController({ ...base, ...override })).toThrow(BetaOptionsError);
      expect(() => createBetaController({ ...base, ...override })).toThrow(message);
    }
  });

  it('reject non-finite TD errors with the row', () => {
    expect(() => createBetaController(base).update([0, Number.NaN])).toThrow(/TD error 1/);
  });
});
