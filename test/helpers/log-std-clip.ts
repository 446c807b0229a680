import { expect } from 'vitest';

/**
 * Asserts that a Gaussian actor loss passes no gradient to a raw log σ outside its clip: every
 * log σ output of [μ | raw log σ] rows (width each) is set to `above` (beyond logStdMax), and
 * `gradientAt` (the loss's dL/d[μ | raw log σ] at given outputs) must be 0 on all of them.
 */
export function expectNoGradientOutsideLogStdClip(
  gradientAt: (outputs: Float64Array) => ArrayLike<number>,
  outputs: Float64Array,
  rows: number,
  width: number,
  above = 3,
): void {
  const gradient = gradientAt(outputs.map((o, i) => (i % (2 * width) >= width ? above : o)));
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) expect(gradient[r * 2 * width + width + j]).toBe(0);
  }
}
