/**
 * Observation normalisation. The training loop normalises every observation with the offline
 * dataset's per-dimension mean and standard deviation before it reaches the replay buffer or the
 * learner (as D4RL-era offline RL code does), and the exported policy bakes the same affine map in.
 */
import type { TransitionColumns } from '../replay/transitions.js';

export interface ObservationNormaliser {
  mean: Float32Array;
  std: Float32Array;
}

/** Floor on the standard deviation so that constant dimensions do not blow up (D4RL's eps = 1e-3). */
export const STD_FLOOR = 1e-3;

/** The identity map (no dataset, or normalisation turned off). */
export function identityNormaliser(width: number): ObservationNormaliser {
  return { mean: new Float32Array(width), std: new Float32Array(width).fill(1) };
}

/**
 * Per-dimension mean μ_i = (1/N)Σ_n o_ni and standard deviation σ_i = max(√((1/N)Σ_n (o_ni − μ_i)²), ε)
 * of the dataset's observations, accumulated in float64 (two passes for accuracy).
 */
export function normaliserFromColumns(columns: TransitionColumns, floor = STD_FLOOR): ObservationNormaliser {
  const { length, observationWidth: width, observations } = columns;
  if (length === 0) return identityNormaliser(width);
  const sum = new Float64Array(width);
  for (let n = 0; n < length; n++) for (let i = 0; i < width; i++) sum[i] += observations[n * width + i];
  const mean = sum.map((total) => total / length);
  const squares = new Float64Array(width);
  for (let n = 0; n < length; n++) {
    for (let i = 0; i < width; i++) {
      const deviation = observations[n * width + i] - mean[i];
      squares[i] += deviation * deviation;
    }
  }
  return {
    mean: Float32Array.from(mean),
    std: Float32Array.from(squares, (total) => Math.max(Math.sqrt(total / length), floor)),
  };
}

/** x = (o − μ)/σ for `count` rows, row-major; `out` may alias `observations`. */
export function normaliseObservations(
  normaliser: ObservationNormaliser,
  observations: Float32Array,
  out: Float32Array = new Float32Array(observations.length),
): Float32Array {
  const width = normaliser.mean.length;
  for (let k = 0; k < observations.length; k++) {
    const i = k % width;
    out[k] = (observations[k] - normaliser.mean[i]) / normaliser.std[i];
  }
  return out;
}

/** o = x·σ + μ for `count` rows, row-major: the inverse of normaliseObservations. */
export function denormaliseObservations(
  normaliser: ObservationNormaliser,
  normalised: Float32Array,
  out: Float32Array = new Float32Array(normalised.length),
): Float32Array {
  const width = normaliser.mean.length;
  for (let k = 0; k < normalised.length; k++) {
    const i = k % width;
    out[k] = normalised[k] * normaliser.std[i] + normaliser.mean[i];
  }
  return out;
}
