/**
 * Behaviour-regularised policy gradient (DDPG+BC) as an in-sample objective's policy extraction:
 * the TD3+BC actor (Fujimoto & Gu 2021, arXiv 2106.06860) on an in-sample critic, the extraction
 * that Park et al. (2024, "Is value learning really the main bottleneck in offline RL?", arXiv
 * 2406.09329) found to beat AWR, notably on goal-reaching mazes. With the mode a = tanh(μ(s)) of the
 * tanh-Gaussian actor, q = min Q(s, a), and the dataset action d,
 *   L(π) = −mean qᵢ / m + α·mean ½‖dᵢ − tanh μᵢ‖² + mean NLLσ,   m = stop-gradient(mean |qᵢ|),
 * so the first term is scale-free (TD3+BC's λ/mean|Q| normalisation; λ = 2.5 there is α = 0.8 here)
 * and α alone sets how far from the data the actor may climb Q. AWR can only reweight the data's
 * actions, and when advantages are small against their noise its mean is the average of the
 * directions the data takes; the gradient of Q moves the mean to where Q is highest next to the data.
 *
 * The log σ head is not part of the trade-off: it is the maximum-likelihood spread of the data
 * around the current mean, NLLσ = Σⱼ [½(uⱼ − μⱼ)²/σⱼ² + log σⱼ] with u = atanh(d) (d clipped to
 * ±ACTION_LIMIT) and μ held fixed, so online exploration samples with the data's spread.
 * Gradients with respect to the actor's outputs [μ | raw log σ], n rows, g = ∂q/∂a:
 *   ∂L/∂μⱼ   = (1 − tanh²μⱼ)·(−gⱼ/(n·m) − (α/n)·(dⱼ − tanh μⱼ)),
 *   ∂L/∂rawⱼ = (1/n)·(1 − (uⱼ − μⱼ)²/σⱼ²)·1[raw inside the clip].
 */
import { ACTION_LIMIT } from './awr.js';

/** Guards the normaliser m against an all-zero batch of values. */
export const Q_SCALE_EPSILON = 1e-6;

export interface BehaviourRegularisedOptions {
  /** α > 0: weight of the behaviour-cloning term against the normalised value. */
  bcWeight: number;
  logStdMin: number;
  logStdMax: number;
}

export interface BehaviourRegularisedResult {
  /** The loss L above (the σ term included). */
  loss: number;
  /** dL/d[μ | raw log σ], [rows × 2·width]. */
  outputGradient: Float32Array;
  /** mean ‖d − tanh μ‖² over rows (squared distance of the mode from the data's action). */
  bcSquaredError: number;
  /** The normaliser m = mean |q|. */
  qScale: number;
}

/** The modes tanh(μ) of the actor outputs [μ | raw log σ] ([rows × 2·width]), as [rows × width]. */
export function actorModes(
  outputs: ArrayLike<number>,
  rows: number,
  width: number,
  out: Float32Array,
): Float32Array {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) out[r * width + j] = Math.tanh(outputs[r * 2 * width + j]);
  }
  return out;
}

/**
 * The DDPG+BC loss and its gradient with respect to the actor's outputs, given per row the value
 * q = min Q(s, tanh μ) at the mode and its action gradient g = ∂q/∂a ([rows × width]).
 */
export function behaviourRegularisedActorGradient(
  outputs: ArrayLike<number>,
  actions: ArrayLike<number>,
  values: ArrayLike<number>,
  valueActionGradient: ArrayLike<number>,
  rows: number,
  width: number,
  options: BehaviourRegularisedOptions,
): BehaviourRegularisedResult {
  const { bcWeight, logStdMin, logStdMax } = options;
  if (!(bcWeight > 0)) throw new RangeError(`behaviour-cloning weight must be positive, got ${bcWeight}`);
  let qScale = 0;
  for (let r = 0; r < rows; r++) qScale += Math.abs(values[r]) / rows;
  const m = qScale + Q_SCALE_EPSILON;
  const outputGradient = new Float32Array(rows * 2 * width);
  let loss = 0;
  let squaredError = 0;
  for (let r = 0; r < rows; r++) {
    loss -= values[r] / (rows * m);
    for (let j = 0; j < width; j++) {
      const mean = outputs[r * 2 * width + j];
      const raw = outputs[r * 2 * width + width + j];
      const mode = Math.tanh(mean);
      const d = actions[r * width + j];
      const gap = d - mode;
      squaredError += (gap * gap) / rows;
      loss += (bcWeight * 0.5 * gap * gap) / rows;
      outputGradient[r * 2 * width + j] =
        (1 - mode * mode) * (-valueActionGradient[r * width + j] / (rows * m) - (bcWeight / rows) * gap);
      const logStd = Math.min(Math.max(raw, logStdMin), logStdMax);
      const variance = Math.exp(2 * logStd);
      const u = Math.atanh(Math.min(Math.max(d, -ACTION_LIMIT), ACTION_LIMIT));
      const standardised = ((u - mean) * (u - mean)) / variance;
      loss += (0.5 * standardised + logStd) / rows;
      outputGradient[r * 2 * width + width + j] =
        raw > logStdMin && raw < logStdMax ? (1 - standardised) / rows : 0;
    }
  }
  return { loss, outputGradient, bcSquaredError: squaredError, qScale };
}
