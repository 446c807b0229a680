import { expect } from 'vitest';
/**
 * A plain double-precision forward pass of core/tensor's MLP layout ([W₁, b₁, …, W_L, b_L],
 * row-major W_l [in × out], ReLU on hidden layers, linear output), independent of the kernels:
 * finite-difference checks evaluate their objectives with it, free of float32 rounding.
 */
import { mlpWidths, type MlpSpec } from '../../core/tensor/mlp.js';

/** Outputs [rows × outputSize] of the MLP whose parameters start at `offset` of `parameters`. */
export function forwardFloat64(
  spec: MlpSpec,
  parameters: ArrayLike<number>,
  input: ArrayLike<number>,
  rows: number,
  offset = 0,
): Float64Array {
  const widths = mlpWidths(spec);
  let h = Float64Array.from({ length: rows * widths[0] }, (_, i) => input[i]);
  let at = offset;
  for (let l = 1; l < widths.length; l++) {
    const inWidth = widths[l - 1];
    const outWidth = widths[l];
    const weights = at;
    const biases = at + inWidth * outWidth;
    at = biases + outWidth;
    const out = new Float64Array(rows * outWidth);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outWidth; j++) {
        let total = parameters[biases + j];
        for (let i = 0; i < inWidth; i++)
          total += h[r * inWidth + i] * parameters[weights + i * outWidth + j];
        out[r * outWidth + j] = l < widths.length - 1 && total < 0 ? 0 : total;
      }
    }
    h = out;
  }
  return h;
}

/**
 * Central differences of `objective` at `parameters` in the coordinates `indices` (step h), in
 * double precision; `parameters` is left as it was. `smooth[i]` is false where the forward and
 * backward differences disagree (a ReLU kink within ±h, where no derivative exists to check).
 */
export function finiteDifferences(
  objective: (parameters: Float64Array) => number,
  parameters: ArrayLike<number>,
  indices: readonly number[],
  h = 1e-5,
): number[] & { smooth: boolean[] } {
  const point = Float64Array.from(parameters as ArrayLike<number>);
  const centre = objective(point);
  const smooth: boolean[] = [];
  const differences = indices.map((index) => {
    const saved = point[index];
    point[index] = saved + h;
    const up = objective(point);
    point[index] = saved - h;
    const down = objective(point);
    point[index] = saved;
    const forward = (up - centre) / h;
    const backward = (centre - down) / h;
    smooth.push(
      Math.abs(forward - backward) <= 1e-3 * Math.max(1e-3, Math.abs(forward) + Math.abs(backward)),
    );
    return (up - down) / (2 * h);
  });
  return Object.assign(differences, { smooth });
}

/**
 * Expect `gradient` to match central differences of `objective` at `parameters` in every coordinate
 * where a derivative exists: to 1e-5 of the largest difference (float32 weights and activations
 * against a float64 objective), with that scale above 1e-3 (the check would otherwise be empty) and
 * coordinates with a ReLU kink within ±h rare (under 5%).
 */
export function expectGradientMatches(
  gradient: ArrayLike<number>,
  objective: (parameters: Float64Array) => number,
  parameters: ArrayLike<number>,
): void {
  const indices = Array.from({ length: parameters.length }, (_, i) => i);
  const numeric = finiteDifferences(objective, parameters, indices);
  let scale = 0;
  for (const value of numeric) scale = Math.max(scale, Math.abs(value));
  expect(scale).toBeGreaterThan(1e-3);
  expect(numeric.smooth.filter((smooth) => !smooth).length).toBeLessThan(indices.length / 20);
  for (const i of indices)
    if (numeric.smooth[i]) expect(Math.abs(gradient[i] - numeric[i])).toBeLessThan(1e-5 * scale);
}
