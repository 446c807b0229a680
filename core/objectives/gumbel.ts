/**
 * The extreme-value (Gumbel) value loss of extreme Q-learning (XQL; Garg, Hejna, Geist & Ermon,
 * ICLR 2023, "Extreme Q-Learning: MaxEnt RL without Entropy") as the ROER code uses it (Li et al.
 * 2024, arXiv 2407.03995, official critic.py `update_v`): over actions of the data, V(s) converges
 * to the soft maximum β·log E_a[exp(Q(s, a)/β)] at temperature β. Fitted on dataset actions it is
 * XQL's in-sample V; with the noisy dataset actions of the online phase it is ROER's value net, whose
 * TD errors give the priorities exp(δ/β).
 */
import type { ValueLossResult } from './types.js';

/** How the Gumbel loss continues beyond its clip; see `gumbelValueLoss`. */
export type ValueLossExtension = 'official' | 'c1';

/** Slope of the linear continuation above the clip c: (e^c − 1)/β (official code) or e^c − 1 (C¹). */
export function gumbelExtensionSlope(clip: number, beta: number, extension: ValueLossExtension): number {
  const slope = Math.exp(clip) - 1;
  return extension === 'official' ? slope / beta : slope;
}

/**
 * Extreme-Q (Gumbel) loss of one sample before normalisation, x = (Q − V)/β, z = min(x, c):
 *   ℓ(x) = e^z − z − 1 + (x − z)·slope.
 * Its minimiser over V is the soft maximum V = β·log E[exp(Q/β)] (Garg et al. 2023, Extreme
 * Q-learning). Below c it is e^x − x − 1; above, a line so that large errors cannot overflow.
 */
export function gumbelValueLoss(
  x: number,
  clip: number,
  beta: number,
  extension: ValueLossExtension,
): number {
  const z = Math.min(x, clip);
  return Math.exp(z) - z - 1 + (x - z) * gumbelExtensionSlope(clip, beta, extension);
}

/** dℓ/dx: e^x − 1 below the clip, the extension slope at and above it. */
export function gumbelValueLossGradient(
  x: number,
  clip: number,
  beta: number,
  extension: ValueLossExtension,
): number {
  return x < clip ? Math.exp(x) - 1 : gumbelExtensionSlope(clip, beta, extension);
}

/** The official batch normaliser, held constant for the gradient: mean(max(1, e^{min(x, c)})). */
export function gumbelNormaliser(xs: ArrayLike<number>, clip: number): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += Math.max(1, Math.exp(Math.min(xs[i], clip)));
  return total / xs.length;
}

/**
 * The Gumbel value loss over a batch as the ROER code normalises it: xᵢ = (Qᵢ − Vᵢ)/β,
 * loss = mean ℓ(xᵢ) / stopgrad(mean max(1, e^{zᵢ})), with dLoss/dVᵢ = −ℓ′(xᵢ)/(β·n·normaliser).
 */
export function gumbelBatchLoss(
  targetQ: ArrayLike<number>,
  value: ArrayLike<number>,
  beta: number,
  clip: number,
  extension: ValueLossExtension,
): ValueLossResult & { normaliser: number } {
  const n = value.length;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = (targetQ[i] - value[i]) / beta;
  const normaliser = gumbelNormaliser(xs, clip);
  let total = 0;
  const valueGradient = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    total += gumbelValueLoss(xs[i], clip, beta, extension);
    valueGradient[i] = -gumbelValueLossGradient(xs[i], clip, beta, extension) / (beta * n * normaliser);
  }
  return { loss: total / n / normaliser, normaliser, valueGradient };
}
