import { describe, expect, it } from 'vitest';
import { discountedReturnsToGo } from '../../../core/returns/monte-carlo.js';

describe('discounted Monte-Carlo returns-to-go', () => {
  it('known answers across a terminal, a timeout and the end of the data', () => {
    // Episode 1: r = 1, 0, 1 ending in a terminal; episode 2: r = 2, 2 cut by a timeout; then a tail r = 3.
    const rewards = [1, 0, 1, 2, 2, 3];
    const terminals = [0, 0, 1, 0, 0, 0];
    const timeouts = [0, 0, 0, 0, 1, 0];
    const g = discountedReturnsToGo(rewards, terminals, timeouts, 0.5);
    // G2 = 1; G1 = 0 + 0.5·1 = 0.5; G0 = 1 + 0.5·0.5 = 1.25; G4 = 2 (timeout); G3 = 2 + 0.5·2 = 3; G5 = 3.
    expect(Array.from(g)).toEqual([1.25, 0.5, 1, 3, 2, 3]);
  });

  it('γ = 1 sums the rewards to the episode end; γ = 0 gives the rewards', () => {
    const rewards = [1, 2, 3, 4];
    const ends = [0, 0, 0, 1];
    expect(Array.from(discountedReturnsToGo(rewards, ends, [0, 0, 0, 0], 1))).toEqual([10, 9, 7, 4]);
    expect(Array.from(discountedReturnsToGo(rewards, ends, [0, 0, 0, 0], 0))).toEqual(rewards);
  });

  it('names the field of bad input', () => {
    expect(() => discountedReturnsToGo([1, 2], [0], [0, 0], 0.9)).toThrow(
      /terminals and timeouts need 2 entries/,
    );
    expect(() => discountedReturnsToGo([1], [0], [0], 1.5)).toThrow(/discount must be a number in \[0, 1\]/);
  });
});
