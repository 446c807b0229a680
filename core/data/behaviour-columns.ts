/**
 * The behaviour policy's statistics a dataset may carry, one row per transition, for learners that
 * correct for the policy that collected the data (ACER's importance weights ρ = π(a|x)/μ(a|x), its
 * traces and bias correction). Written by `o2o datasets generate` whenever the behaviour's law is
 * known exactly, read and validated by the loader:
 *
 *   infos/action_log_probs  [N]        log μ(a_t|x_t) of the recorded action (D4RL's column): a log
 *                                      probability for a discrete space, a log density for a Box;
 *                                      for a Gaussian clipped to the bounds, a clipped dimension
 *                                      counts with the log probability mass beyond the bound.
 *   infos/action_probs      [N × |A|]  μ(·|x_t) over every discrete action.
 *   infos/action_mean       [N × d]    a Gaussian behaviour's mean, in the environment's action
 *   infos/action_log_std    [N × d]    units, before clipping to the bounds; and its log σ.
 *
 * In memory the columns travel as `extras` of the transition columns under the names learners
 * store (`behaviourProbs`, `behaviourMean`, `behaviourLogStd`; `behaviourLogProb` for the log
 * probabilities, which no learner stores: they are there for inspection and other tools).
 */
import type { Table } from 'apache-arrow';
import { readMatrix } from './columns.js';
import { DatasetError } from './types.js';
import { checkFinite } from './validate.js';

/** The file column of each in-memory behaviour column, in the order files and checksums list them. */
export const BEHAVIOUR_FILE_COLUMNS = {
  behaviourLogProb: 'infos/action_log_probs',
  behaviourProbs: 'infos/action_probs',
  behaviourMean: 'infos/action_mean',
  behaviourLogStd: 'infos/action_log_std',
} as const;

export type BehaviourColumnName = keyof typeof BEHAVIOUR_FILE_COLUMNS;

export const BEHAVIOUR_COLUMN_NAMES = Object.keys(BEHAVIOUR_FILE_COLUMNS) as BehaviourColumnName[];

/** Behaviour columns by in-memory name, [N × width] float32 each. */
export type BehaviourColumns = Partial<Record<BehaviourColumnName, Float32Array>>;

/** |Σ_a μ(a|x) − 1| allowed in a row of `infos/action_probs` (float32 rounding of a normalised row). */
const PROBABILITY_SUM_TOLERANCE = 1e-3;
/** |log μ(a_t|x_t) − log infos/action_probs[t, a_t]| allowed between the two columns. */
const LOG_PROB_TOLERANCE = 1e-3;

/** The behaviour columns of `columns.extras`, in file order (for the writer and the checksum). */
export function behaviourColumnsOf(
  extras: Record<string, Float32Array> | undefined,
): [BehaviourColumnName, Float32Array][] {
  if (!extras) return [];
  return BEHAVIOUR_COLUMN_NAMES.filter((name) => extras[name] !== undefined).map((name) => [
    name,
    extras[name],
  ]);
}

/** What the reader checks the columns against. */
export interface BehaviourShape {
  rows: number;
  /** Recorded actions [N × actionWidth] (indices as floats for a discrete space). */
  actions: Float32Array;
  actionWidth: number;
  /** |A| when the environment is known to be discrete; the probabilities' width must match it. */
  actionCount?: number;
  /** True when the environment is known to have Box actions (then `infos/action_probs` is refused). */
  box?: boolean;
}

/**
 * Read and check the behaviour columns a D4RL-layout table has (none, some or all). Throws a
 * DatasetError naming the file, column and row for a wrong width, a non-finite value, a
 * probability row that is not a distribution, a recorded action the behaviour could not have taken,
 * a mean without its log σ (or the reverse), or log probabilities that contradict the probabilities.
 */
export function readBehaviourColumns(file: string, table: Table, shape: BehaviourShape): BehaviourColumns {
  const out: BehaviourColumns = {};
  for (const name of BEHAVIOUR_COLUMN_NAMES) {
    const column = BEHAVIOUR_FILE_COLUMNS[name];
    if (!table.getChild(column)) continue;
    const matrix = readMatrix(file, table, column);
    const width = expectedWidth(file, name, shape, matrix.width);
    if (matrix.width !== width) {
      throw new DatasetError(
        file,
        `wrong width: ${matrix.width} values per row; expected ${width} (${widthReason(name, shape)})`,
        column,
      );
    }
    checkFinite(file, column, matrix.values, width);
    out[name] = matrix.values;
  }
  if ((out.behaviourMean === undefined) !== (out.behaviourLogStd === undefined)) {
    const [present, missing] =
      out.behaviourMean !== undefined
        ? [BEHAVIOUR_FILE_COLUMNS.behaviourMean, BEHAVIOUR_FILE_COLUMNS.behaviourLogStd]
        : [BEHAVIOUR_FILE_COLUMNS.behaviourLogStd, BEHAVIOUR_FILE_COLUMNS.behaviourMean];
    throw new DatasetError(
      file,
      `missing column: "${present}" describes a Gaussian behaviour only together with "${missing}"`,
      missing,
    );
  }
  if (out.behaviourProbs) checkProbabilities(file, out.behaviourProbs, shape, out.behaviourLogProb);
  return out;
}

function expectedWidth(
  file: string,
  name: BehaviourColumnName,
  shape: BehaviourShape,
  found: number,
): number {
  switch (name) {
    case 'behaviourLogProb':
      return 1;
    case 'behaviourMean':
    case 'behaviourLogStd':
      return shape.actionWidth;
    case 'behaviourProbs': {
      if (shape.box) {
        throw new DatasetError(
          file,
          'action probabilities are recorded, but the environment has continuous (Box) actions; expected "infos/action_mean" and "infos/action_log_std" for a Gaussian behaviour',
          BEHAVIOUR_FILE_COLUMNS.behaviourProbs,
        );
      }
      if (shape.actionWidth !== 1) {
        throw new DatasetError(
          file,
          `action probabilities need one discrete action per row, but "actions" has width ${shape.actionWidth}`,
          BEHAVIOUR_FILE_COLUMNS.behaviourProbs,
        );
      }
      return shape.actionCount ?? Math.max(2, found);
    }
  }
}

function widthReason(name: BehaviourColumnName, shape: BehaviourShape): string {
  if (name === 'behaviourLogProb') return 'one log probability per row';
  if (name === 'behaviourProbs') return `one probability per action of the ${shape.actionCount}-action space`;
  return `one value per action dimension, like "actions"`;
}

function checkProbabilities(
  file: string,
  probs: Float32Array,
  shape: BehaviourShape,
  logProbs: Float32Array | undefined,
): void {
  const column = BEHAVIOUR_FILE_COLUMNS.behaviourProbs;
  const n = probs.length / shape.rows;
  for (let row = 0; row < shape.rows; row++) {
    let sum = 0;
    for (let a = 0; a < n; a++) {
      const p = probs[row * n + a];
      if (!(p >= 0 && p <= 1)) {
        throw new DatasetError(file, `${p} for action ${a}; expected probabilities in [0, 1]`, column, row);
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new DatasetError(
        file,
        `the probabilities sum to ${Number(sum.toPrecision(6))}; expected 1 (a distribution over the ${n} actions)`,
        column,
        row,
      );
    }
    const action = shape.actions[row];
    if (!(Number.isInteger(action) && action >= 0 && action < n)) {
      throw new DatasetError(
        file,
        `action ${action} is not one of the ${n} actions the probabilities cover (0 … ${n - 1})`,
        'actions',
        row,
      );
    }
    const taken = probs[row * n + action];
    if (taken === 0) {
      throw new DatasetError(
        file,
        `the recorded action ${action} has probability 0 under the recorded behaviour; expected μ(a_t|x_t) > 0`,
        column,
        row,
      );
    }
    if (logProbs && Math.abs(logProbs[row] - Math.log(taken)) > LOG_PROB_TOLERANCE) {
      throw new DatasetError(
        file,
        `${logProbs[row]} contradicts "${column}", where the recorded action ${action} has probability ${taken} (log ${Math.log(taken).toFixed(6)})`,
        BEHAVIOUR_FILE_COLUMNS.behaviourLogProb,
        row,
      );
    }
  }
}

/** Copy the rows of `columns` where `keep` is 1 (the loader drops rows whose successor is unknown). */
export function selectBehaviourRows(
  columns: BehaviourColumns,
  keep: Uint8Array,
  kept: number,
): BehaviourColumns {
  const out: BehaviourColumns = {};
  for (const name of BEHAVIOUR_COLUMN_NAMES) {
    const values = columns[name];
    if (!values) continue;
    const width = values.length / keep.length;
    const selected = new Float32Array(kept * width);
    let at = 0;
    for (let i = 0; i < keep.length; i++) {
      if (!keep[i]) continue;
      selected.set(values.subarray(i * width, (i + 1) * width), at * width);
      at++;
    }
    out[name] = selected;
  }
  return out;
}
