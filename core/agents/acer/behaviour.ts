/**
 * The behaviour policy μ of a dataset recorded without it. ACER's importance weights
 * ρ = π(a|x)/μ(a|x), its traces and its bias correction need μ(·|x) at every stored step; steps
 * collected online carry it (the learner's `act` returns it), but a dataset written by another
 * program may not. Then μ is estimated by behaviour cloning: a network fitted by maximum
 * likelihood to the dataset's (x, a) pairs, whose output fills the dataset's behaviour columns
 * before the dataset enters the replay:
 *
 *   Discrete  μ̂(·|x) = (1 − ε)·softmax(net(x)) + ε/|A|, cross-entropy; ε keeps every μ̂ > 0, so
 *             ρ and the bias correction stay finite for actions the data never took at x.
 *   Box       μ̂ = N(m(x), σ(x)²) with the policy's head (tanh mean, bounded log σ), Gaussian
 *             negative log-likelihood. A deterministic behaviour gets a small σ: its ρ are then
 *             mostly below 1, traces are cut and Retrace falls back towards one-step targets, the
 *             safe reading of data whose μ is unknown.
 *
 * The estimate is the standard stand-in for μ when logging probabilities were not recorded
 * (e.g. behaviour-cloned μ̂ in off-policy evaluation); it is only as good as the fit, which the
 * returned log-likelihood lets a caller check.
 */
import type { Kernels } from '../../tensor/kernels.js';
import { initMlpArrays, Mlp, mlpShapes, mlpViews, type MlpSpec } from '../../tensor/mlp.js';
import { Adam, ParameterSet } from '../../tensor/parameters.js';
import { Scratch } from '../../tensor/scratch.js';
import { Rng } from '../../util/random.js';
import {
  addGaussianLogDensityGradient,
  gaussianHeadBackward,
  gaussianHeadForward,
  gaussianLogDensity,
  softmaxInto,
} from './math.js';

export interface BehaviourEstimateOptions {
  /** Hidden ReLU widths of the cloning network (default [64, 64]). */
  hiddenSizes?: number[];
  /** Adam steps (default 3000). */
  updates?: number;
  /** Rows per step (default 256). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Discrete: share ε of the uniform distribution mixed into μ̂ (default 0.01). */
  uniformMix?: number;
  /** Box: bounds of log σ (defaults −5 and 1, in the learner's action units). */
  logStdMin?: number;
  logStdMax?: number;
  seed?: number;
}

/** The dataset as the learner sees it (observations as normalised for the learner, actions in its units). */
export interface BehaviourData {
  length: number;
  observationWidth: number;
  /** [N × observationWidth]. */
  observations: Float32Array;
  /** [N × d] actions in [−1, 1] units (Box), or [N] action indices (Discrete, floats or int32). */
  actions: ArrayLike<number>;
}

export type BehaviourSpace = { kind: 'discrete'; n: number } | { kind: 'box'; size: number };

export interface BehaviourEstimate {
  /**
   * Values for the learner's stored columns at every dataset row: `behaviourProbs` [N × |A|]
   * (Discrete) or `behaviourMean`, `behaviourLogStd` [N × d] (Box).
   */
  columns: Record<string, Float32Array>;
  /** Mean log-likelihood of the dataset's actions under μ̂ (nats per step; for a discrete space ≤ 0). */
  meanLogLikelihood: number;
  updates: number;
}

/** Fit μ̂ to `data` by maximum likelihood and return its statistics for every row. */
export function estimateBehaviour(
  data: BehaviourData,
  space: BehaviourSpace,
  kernels: Kernels,
  options: BehaviourEstimateOptions = {},
): BehaviourEstimate {
  const { length: rows, observationWidth: dO } = data;
  if (!Number.isInteger(rows) || rows < 1)
    throw new RangeError(`behaviour estimate: the dataset has ${rows} rows`);
  if (data.observations.length !== rows * dO) {
    throw new RangeError(
      `behaviour estimate: observations have ${data.observations.length} values, ${rows} rows of width ${dO} need ${rows * dO}`,
    );
  }
  const discrete = space.kind === 'discrete';
  const actionWidth = discrete ? 1 : space.size;
  if (data.actions.length !== rows * actionWidth) {
    throw new RangeError(
      `behaviour estimate: actions have ${data.actions.length} values, ${rows} rows need ${rows * actionWidth}`,
    );
  }
  if (discrete) {
    for (let i = 0; i < rows; i++) {
      const a = data.actions[i];
      if (!Number.isInteger(a) || a < 0 || a >= space.n) {
        throw new RangeError(
          `behaviour estimate: action of row ${i} is ${a}, expected an index in [0, ${space.n})`,
        );
      }
    }
  }
  const hiddenSizes = options.hiddenSizes ?? [64, 64];
  const updates = options.updates ?? 3000;
  const batchSize = Math.min(options.batchSize ?? 256, rows);
  const uniformMix = options.uniformMix ?? 0.01;
  const logStdMin = options.logStdMin ?? -5;
  const logStdMax = options.logStdMax ?? 1;
  if (!(uniformMix >= 0 && uniformMix < 1))
    throw new RangeError(`behaviour estimate: uniformMix must be in [0, 1), got ${uniformMix}`);
  const outputs = discrete ? space.n : 2 * space.size;
  const spec: MlpSpec = { inputSize: dO, hiddenSizes, outputSize: outputs };
  const net = new Mlp(spec);
  const rng = new Rng(options.seed ?? 0);
  const parameters = ParameterSet.fromArrays(mlpShapes(spec), initMlpArrays(spec, rng, 0.01));
  const gradient = new Float32Array(parameters.totalSize);
  const views = mlpViews(spec, parameters.values);
  const gradientViews = mlpViews(spec, gradient);
  const adam = new Adam(parameters.totalSize, { learningRate: options.learningRate ?? 1e-3 });
  const scratch = new Scratch();
  const x = new Float32Array(batchSize * dO);
  const picked = new Int32Array(batchSize);
  const row = new Float64Array(outputs);
  const d = actionWidth;
  const mean = new Float64Array(d);
  const logStd = new Float64Array(d);
  const meanGradient = new Float64Array(d);
  const logStdGradient = new Float64Array(d);

  for (let step = 0; step < updates; step++) {
    for (let b = 0; b < batchSize; b++) {
      const i = rng.int(rows);
      picked[b] = i;
      x.set(data.observations.subarray(i * dO, (i + 1) * dO), b * dO);
    }
    const trace = net.forward(kernels, views, x, batchSize, scratch, 'fit');
    const dOut = scratch.get('fit/output-gradient', batchSize * outputs);
    for (let b = 0; b < batchSize; b++) {
      const i = picked[b];
      if (discrete) {
        // −log softmax(ℓ)(a): gradient softmax(ℓ) − onehot(a).
        softmaxInto(trace.output, b * outputs, outputs, row, 0);
        for (let j = 0; j < outputs; j++)
          dOut[b * outputs + j] = (row[j] - (j === data.actions[i] ? 1 : 0)) / batchSize;
      } else {
        gaussianHeadForward(trace.output, b * outputs, d, logStdMin, logStdMax, mean, logStd, 0);
        meanGradient.fill(0);
        logStdGradient.fill(0);
        addGaussianLogDensityGradient(
          data.actions,
          mean,
          logStd,
          d,
          -1 / batchSize,
          meanGradient,
          logStdGradient,
          i * d,
        );
        gaussianHeadBackward(
          mean,
          logStd,
          meanGradient,
          logStdGradient,
          d,
          logStdMin,
          logStdMax,
          dOut,
          b * outputs,
        );
      }
    }
    net.backward(kernels, views, trace, dOut, gradientViews, null, scratch, 'fit');
    if (!kernels.allFinite(gradient)) {
      throw new Error(
        `behaviour estimate: the cloning gradient is not finite at step ${step + 1}; check the dataset for NaN/Inf values`,
      );
    }
    adam.apply(kernels, parameters, gradient);
  }

  // Statistics for every row, and the mean log-likelihood of the dataset's actions.
  const columns: Record<string, Float32Array> = discrete
    ? { behaviourProbs: new Float32Array(rows * space.n) }
    : { behaviourMean: new Float32Array(rows * d), behaviourLogStd: new Float32Array(rows * d) };
  let logLikelihood = 0;
  const chunk = 4096;
  for (let start = 0; start < rows; start += chunk) {
    const count = Math.min(chunk, rows - start);
    const out = net.forward(
      kernels,
      views,
      data.observations.subarray(start * dO, (start + count) * dO),
      count,
      scratch,
      'apply',
    ).output;
    for (let b = 0; b < count; b++) {
      const i = start + b;
      if (discrete) {
        softmaxInto(out, b * outputs, outputs, row, 0);
        const probs = columns.behaviourProbs;
        for (let j = 0; j < outputs; j++)
          probs[i * outputs + j] = (1 - uniformMix) * row[j] + uniformMix / outputs;
        logLikelihood += Math.log(probs[i * outputs + data.actions[i]]);
      } else {
        gaussianHeadForward(out, b * outputs, d, logStdMin, logStdMax, mean, logStd, 0);
        columns.behaviourMean.set(mean, i * d);
        columns.behaviourLogStd.set(logStd, i * d);
        logLikelihood += gaussianLogDensity(data.actions, mean, logStd, d, i * d);
      }
    }
  }
  return { columns, meanLogLikelihood: logLikelihood / rows, updates };
}
