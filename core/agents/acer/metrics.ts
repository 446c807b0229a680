/**
 * ACER's metrics: what each key of `update()`'s record means (a descriptor per key, for the live
 * charts and the run comparison), and the summaries of importance weights and traces they hold.
 */
import { effectiveTraceLengths, quantileOfSorted } from './math.js';

/** How the UI shows one metric key. */
export interface MetricDescriptor {
  key: string;
  label: string;
  /** Chart group the key is drawn in. */
  group: string;
  /** Unit shown on the axis ('' for a plain number). */
  unit: string;
  /** Draw on a logarithmic axis (positive quantities spanning decades). */
  logScale: boolean;
}

const descriptor = (
  key: string,
  label: string,
  group: string,
  unit = '',
  logScale = false,
): MetricDescriptor => ({
  key,
  label,
  group,
  unit,
  logScale,
});

/** Keys of both variants, in display order. */
const SHARED: MetricDescriptor[] = [
  descriptor('policyLoss', 'Policy loss', 'Losses'),
  descriptor('qLoss', 'Critic loss ½(Q_ret − Q)²', 'Losses', '', true),
  descriptor('entropy', 'Policy entropy', 'Policy', 'nats'),
  descriptor('qMean', 'Mean Q(x, a)', 'Values'),
  descriptor('vMean', 'Mean V(x)', 'Values'),
  descriptor('qRetMean', 'Mean Retrace target Q_ret', 'Values'),
  descriptor('advantageMean', 'Mean Q_ret − V', 'Values'),
  descriptor('rhoMean', 'Mean ρ = π/μ', 'Importance weights', '', true),
  descriptor('rhoMedian', 'Median ρ', 'Importance weights', '', true),
  descriptor('rhoP90', '90th percentile of ρ', 'Importance weights', '', true),
  descriptor('rhoMax', 'Largest ρ', 'Importance weights', '', true),
  descriptor(
    'rhoTruncatedFraction',
    'Share of steps with ρ > c (truncated)',
    'Importance weights',
    'fraction',
  ),
  descriptor('traceMean', 'Mean trace c̄ = min(1, ρ)', 'Traces', 'fraction'),
  descriptor('traceProductMean', 'Mean trace product over a window', 'Traces', 'fraction'),
  descriptor('traceLengthMean', 'Effective trace length', 'Traces', 'steps'),
  descriptor('windowLengthMean', 'Mean window length', 'Traces', 'steps'),
  descriptor('klMean', 'KL(π_avg ‖ π)', 'Trust region', 'nats', true),
  descriptor(
    'trustRegionActiveFraction',
    'Share of steps where the projection acted',
    'Trust region',
    'fraction',
  ),
  descriptor('trustRegionActive', 'Projection acted in the update', 'Trust region', 'fraction'),
  descriptor('trustRegionAdjustmentMean', 'Mean projection multiplier', 'Trust region', '', true),
  descriptor('gradientNorm', 'Gradient norm before clipping', 'Optimiser', '', true),
  descriptor('gradientClipped', 'Gradient clipped', 'Optimiser', 'fraction'),
  descriptor('learningRate', 'Learning rate', 'Optimiser', '', true),
  descriptor('steps', 'Valid steps in the batch', 'Optimiser', 'steps'),
];

/** The metric keys of `update()` for a discrete (categorical) or continuous (Gaussian) ACER. */
export function acerMetricDescriptors(variant: 'discrete' | 'continuous'): MetricDescriptor[] {
  if (variant === 'discrete') {
    return [
      ...SHARED,
      descriptor(
        'biasCorrectionMass',
        'Policy mass in the bias correction Σ[π − cμ]₊',
        'Importance weights',
        'fraction',
      ),
    ];
  }
  return [
    ...SHARED,
    descriptor('vLoss', 'Value loss ½(V_target − V)²', 'Losses', '', true),
    descriptor('qOpcMean', 'Mean Q_opc', 'Values'),
    descriptor('policyStd', 'Mean policy σ', 'Policy', 'action units', true),
    descriptor(
      'biasCorrectionRate',
      'Share of steps whose sampled a′ has ρ(a′) > c',
      'Importance weights',
      'fraction',
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
