/**
 * The deterministic policy of a two-headed MLP as dense layers for export: the hidden ReLU layers
 * as they are, then the output layer cut to its first head. The learners' policy networks end in
 * 2·h columns per row (SAC: mean and log σ; continuous ACER: mean and log σ; discrete ACER: logits
 * and Q), and the exported policy keeps the first h of them, followed by `activation`.
 */
import type { MlpViews } from '../tensor/mlp.js';
import type { PolicyLayer } from './types.js';

export function firstHeadPolicyLayers(
  views: MlpViews,
  widths: readonly number[],
  headWidth: number,
  activation: PolicyLayer['activation'],
): PolicyLayer[] {
  const { weights, biases } = views;
  const layers: PolicyLayer[] = [];
  for (let l = 0; l < widths.length - 1; l++) {
    layers.push({
      inputSize: widths[l],
      outputSize: widths[l + 1],
      weight: weights[l].slice(),
      bias: biases[l].slice(),
      activation: 'relu',
    });
  }
  const hidden = widths[widths.length - 1];
  const kernel = weights[weights.length - 1];
  const weight = new Float32Array(hidden * headWidth);
  for (let r = 0; r < hidden; r++) {
    weight.set(kernel.subarray(r * 2 * headWidth, r * 2 * headWidth + headWidth), r * headWidth);
  }
  layers.push({
    inputSize: hidden,
    outputSize: headWidth,
    weight,
    bias: biases[biases.length - 1].slice(0, headWidth),
    activation,
  });
  return layers;
}
