/**
 * Weight initialisation, computed in plain JavaScript from the project's seeded Rng so that a seed
 * fixes every initial weight on every backend.
 */
import type { Rng } from '../util/random.js';

/**
 * Orthogonal initialisation (Saxe et al. 2014), as flax's `initializers.orthogonal(scale)` used by
 * the official ROER/jaxrl code: draw a Gaussian matrix of shape (max(r, c), min(r, c)), take the Q
 * of its QR decomposition with sign(diag R) folded in, transpose when r < c, multiply by `gain`.
 * Hidden layers use gain √2 (ReLU), policy heads gain 1. Returns a row-major [rows × cols] matrix.
 */
export function orthogonalMatrix(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const tall = Math.max(rows, cols);
  const wide = Math.min(rows, cols);
  // Columns of the tall matrix, orthonormalised in place by modified Gram–Schmidt (equivalent to QR with diag R > 0).
  const columns: Float64Array[] = [];
  for (let j = 0; j < wide; j++) {
    const column = new Float64Array(tall);
    for (let i = 0; i < tall; i++) column[i] = rng.normal();
    for (const previous of columns) {
      let dot = 0;
      for (let i = 0; i < tall; i++) dot += previous[i] * column[i];
      for (let i = 0; i < tall; i++) column[i] -= dot * previous[i];
    }
    let norm = 0;
    for (let i = 0; i < tall; i++) norm += column[i] * column[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < tall; i++) column[i] /= norm;
    columns.push(column);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // Q is tall × wide; the result is Q when rows ≥ cols, else Qᵀ.
      out[r * cols + c] = gain * (rows >= cols ? columns[c][r] : columns[r][c]);
    }
  }
  return out;
}
