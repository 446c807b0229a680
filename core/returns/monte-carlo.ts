/**
 * Discounted Monte-Carlo returns-to-go of logged episodes, the floor of Cal-QL's calibrated critic
 * targets (Nakamoto et al. 2023, "Cal-QL: Calibrated Offline RL Pre-Training for Efficient Online
 * Fine-Tuning", eq. 5: max(Q(s, a), V^μ(s)) with V^μ estimated by the return of the data):
 *   G_t = r_t + γ·(1 − terminal_t)·G_{t+1}  within an episode,
 * computed backwards. An episode ends at a terminal or a timeout row, and at the end of the data.
 * After a timeout the future is unknown and counted as 0, so G_t is the return of the logged
 * remainder only (a lower bound of the true return when rewards are non-negative).
 */
import { ReturnsInputError } from './checks.js';

export function discountedReturnsToGo(
  rewards: ArrayLike<number>,
  terminals: ArrayLike<number>,
  timeouts: ArrayLike<number>,
  discount: number,
  out: Float32Array = new Float32Array(rewards.length),
): Float32Array {
  const n = rewards.length;
  if (terminals.length !== n || timeouts.length !== n) {
    throw new ReturnsInputError(
      'terminals',
      `and timeouts need ${n} entries (one per reward), got ${terminals.length} and ${timeouts.length}`,
    );
  }
  if (!(discount >= 0 && discount <= 1)) {
    throw new ReturnsInputError('discount', `must be a number in [0, 1], got ${discount}`);
  }
  if (out.length < n) throw new ReturnsInputError('out', `needs ${n} entries, got ${out.length}`);
  let future = 0;
  for (let t = n - 1; t >= 0; t--) {
    const ends = terminals[t] !== 0 || timeouts[t] !== 0;
    // A terminal has no future; a timeout's future is not in the data.
    const next = ends ? 0 : future;
    future = rewards[t] + discount * next;
    out[t] = future;
  }
  return out;
}
