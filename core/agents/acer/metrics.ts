/**
 * ACER's metrics: what each key of `update()`'s record means (a descriptor per key, for the live
 * charts and the run comparison), and the summaries of importance weights and traces they hold.
 */
import type { MetricDescriptor } from '../../common/metrics.js';
import { effectiveTraceLengths, quantileOfSorted } from './math.js';

const metric = (
  key: string,
  label: string,
  group: string,
  description: string,
  options: { unit?: string; logScale?: boolean; bandOf?: string } = {},
): MetricDescriptor => ({
  key,
  label,
  group,
  unit: options.unit ?? '',
  logScale: options.logScale ?? false,
  description,
  ...(options.bandOf ? { bandOf: options.bandOf } : {}),
});

const LOSSES = 'ACER losses';
const VALUES = 'Mean Q, V and Retrace target';
const WEIGHTS = 'Importance weights ρ = π/μ';
const TRACES = 'Retrace traces';
const TRUST = 'Trust region';
const OPTIMISER = 'Optimiser';

/** Keys of both variants, in display order. */
const SHARED: MetricDescriptor[] = [
  metric(
    'policyLoss',
    'policy loss',
    LOSSES,
    'minus the mean ACER policy gain (truncated importance term and bias correction) per step',
  ),
  metric('qLoss', 'critic loss', LOSSES, 'mean ½(Q_ret − Q(x, a))² over the valid steps', { logScale: true }),
  metric('entropy', 'policy entropy', 'Policy', 'mean entropy of π(·|x) over the batch', { unit: 'nats' }),
  metric('qMean', 'Q mean', VALUES, 'mean Q(x_t, a_t) of the batch', { unit: 'return' }),
  metric('vMean', 'V mean', VALUES, 'mean V(x_t) of the batch', { unit: 'return' }),
  metric('qRetMean', 'Q_ret mean', VALUES, 'mean Retrace target Q_ret of the batch', { unit: 'return' }),
  metric('advantageMean', 'Q_ret − V', VALUES, 'mean Q_ret − V(x_t), the advantage estimate', {
    unit: 'return',
  }),
  metric('rhoMean', 'ρ mean', WEIGHTS, 'mean importance weight π(a_t|x_t)/μ(a_t|x_t) of the steps', {
    logScale: true,
  }),
  metric('rhoMedian', 'ρ median', WEIGHTS, 'median importance weight of the steps', { logScale: true }),
  metric('rhoP90', 'ρ 90th percentile', WEIGHTS, '90th percentile of the importance weights', {
    logScale: true,
  }),
  metric('rhoMax', 'ρ max', WEIGHTS, 'largest importance weight of the batch', { logScale: true }),
  metric(
    'rhoTruncatedFraction',
    'share truncated at c',
    WEIGHTS,
    'share of the steps whose ρ exceeds the truncation c',
    { unit: 'fraction' },
  ),
  metric(
    'traceMean',
    'trace mean',
    TRACES,
    'mean Retrace trace c̄ = min(1, ρ) (discrete) or min(1, ρ^(1/d)) (continuous)',
    { unit: 'fraction' },
  ),
  metric(
    'traceProductMean',
    'trace product',
    TRACES,
    'mean over windows of the product of the traces after the first step',
    { unit: 'fraction' },
  ),
  metric(
    'traceLengthMean',
    'effective trace length',
    TRACES,
    'mean of 1 + Σ_j Π c̄: how many later TD errors reach a step (L − t on-policy)',
    { unit: 'steps' },
  ),
  metric('windowLengthMean', 'window length', TRACES, 'mean number of valid steps per window', {
    unit: 'steps',
  }),
  metric('klMean', 'KL(π_avg ‖ π)', TRUST, 'mean KL divergence from the average policy to the current one', {
    unit: 'nats',
    logScale: true,
  }),
  metric(
    'trustRegionActiveFraction',
    'share projected',
    TRUST,
    'share of the steps whose gradient the trust-region projection changed (kᵀg > δ)',
    { unit: 'fraction' },
  ),
  metric(
    'trustRegionActive',
    'projection acted',
    TRUST,
    '1 when the projection changed the gradient of any step of the update',
    { unit: 'fraction' },
  ),
  metric(
    'trustRegionAdjustmentMean',
    'projection multiplier',
    TRUST,
    'mean of max(0, (kᵀg − δ)/‖k‖²) over the steps',
  ),
  metric('gradientNorm', 'gradient norm', OPTIMISER, 'global gradient norm before clipping', {
    logScale: true,
  }),
  metric('gradientClipped', 'clipped', OPTIMISER, '1 when the gradient norm was clipped', {
    unit: 'fraction',
  }),
  metric('learningRate', 'learning rate', OPTIMISER, 'RMSProp learning rate of the update', {
    logScale: true,
  }),
  metric('batchSteps', 'valid steps', OPTIMISER, 'valid steps in the sequence batch', { unit: 'steps' }),
];

/** The metric keys of `update()` for a discrete (categorical) or continuous (Gaussian) ACER. */
export function acerMetricDescriptors(variant: 'discrete' | 'continuous'): MetricDescriptor[] {
  if (variant === 'discrete') {
    return [
      ...SHARED,
      metric(
        'biasCorrectionMass',
        'bias-correction mass',
        WEIGHTS,
        'mean Σ_a [π(a) − c·μ(a)]₊: the policy mass handled by the bias correction',
        { unit: 'fraction' },
      ),
    ];
  }
  return [
    ...SHARED,
    metric('vLoss', 'value loss', LOSSES, 'mean ½(V_target − V)², V_target = min(1, ρ)(Q_ret − Q̃) + V', {
      logScale: true,
    }),
    metric('qOpcMean', 'Q_opc mean', VALUES, "mean of the policy's target Q_opc (Retrace with traces 1)", {
      unit: 'return',
    }),
    metric('policyStd', 'policy σ', 'Policy', 'mean standard deviation of the Gaussian policy', {
      unit: 'action units',
      logScale: true,
    }),
    metric(
      'biasCorrectionRate',
      'bias-corrected share',
      WEIGHTS,
      'share of the steps whose sampled a′ has ρ(a′) > c',
      { unit: 'fraction' },
    ),
  ];
}

/** Summaries of a batch's importance weights and traces. */
export interface OffPolicySummary {
  rhoMean: number;
  rhoMedian: number;
  rhoP90: number;
  rhoMax: number;
  rhoTruncatedFraction: number;
  traceMean: number;
  traceProductMean: number;
  traceLengthMean: number;
  windowLengthMean: number;
}

/**
 * Summaries of ρ_t (all n steps), the traces c̄_t, and per window (slot starts and lengths) the
 * trace product Π_{t=1}^{L−1} c̄_t and the effective trace lengths (math.ts). `sorted` and
 * `lengths` are work buffers of n entries.
 */
export function summariseOffPolicy(
  rho: Float64Array,
  traces: Float64Array,
  windowStarts: ArrayLike<number>,
  windowLengths: ArrayLike<number>,
  truncation: number,
  sorted: Float64Array,
  lengths: Float64Array,
): OffPolicySummary {
  const n = rho.length;
  sorted.set(rho);
  sorted.sort();
  let rhoTotal = 0;
  let truncated = 0;
  let traceTotal = 0;
  for (let i = 0; i < n; i++) {
    rhoTotal += rho[i];
    if (rho[i] > truncation) truncated++;
    traceTotal += traces[i];
  }
  let productTotal = 0;
  let lengthTotal = 0;
  let windows = 0;
  let windowSteps = 0;
  for (let w = 0; w < windowStarts.length; w++) {
    const start = windowStarts[w];
    const length = windowLengths[w];
    if (start < 0 || length === 0) continue;
    windows++;
    windowSteps += length;
    let product = 1;
    for (let t = 1; t < length; t++) product *= traces[start + t];
    productTotal += product;
    const out = lengths.subarray(start, start + length);
    effectiveTraceLengths(traces.subarray(start, start + length), length, out);
    for (let t = 0; t < length; t++) lengthTotal += out[t];
  }
  return {
    rhoMean: rhoTotal / n,
    rhoMedian: quantileOfSorted(sorted, 0.5),
    rhoP90: quantileOfSorted(sorted, 0.9),
    rhoMax: sorted[n - 1],
    rhoTruncatedFraction: truncated / n,
    traceMean: traceTotal / n,
    traceProductMean: productTotal / windows,
    traceLengthMean: lengthTotal / n,
    windowLengthMean: windowSteps / windows,
  };
}
