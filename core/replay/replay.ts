/**
 * The replay buffer: columnar typed-array storage of a fixed capacity holding an offline segment
 * (the dataset) and an online ring (transitions collected during fine-tuning), with the samplers
 * and priority rules of the engine.
 *
 * Rows. The dataset is bulk-loaded into rows 0..n−1. Online inserts go to rows n..capacity−1 and
 * wrap around within them, so the dataset is never overwritten unless `overwriteOffline` is set;
 * then the whole buffer is one FIFO ring and online rows replace the dataset oldest-first. Either
 * way the surviving offline rows form one contiguous range [offlineStart, offlineEnd), and the
 * online rows are the rest of [0, size).
 *
 * Sampling.
 * - Uniform (priority `uniform`, or any rule in `weight` mode): every stored row equally likely.
 *   In `weight` mode the batch weights are the stored priorities, used as per-sample critic-loss
 *   weights (the official ROER code).
 * - Proportional (`sample` mode with PER or ROER): P(i) = p_i / Σp through a sum tree with
 *   stratified draws — the mass is cut into B equal strata and one draw falls in each (Schaul et
 *   al. 2016, appendix B.2.1) — and importance weights (P(i)/P_min)^(−β_IS) normalised by the
 *   largest possible weight (the tree also tracks the minimum priority).
 * - Mixing `fixed`: round(offlineFraction·B) rows come from the offline segment and the rest from
 *   online rows (Cal-QL / RLPD's symmetric sampling); all offline while there is no online data
 *   and all online once no offline row is left. Proportional sampling then runs within each
 *   segment, and importance weights correct only the priorities within the segment, not the mix.
 *
 * - Sequences (`sampleSequences`, `gatherSequences`): windows of up to k consecutive steps of one
 *   episode (core/replay/sequences.ts), starts uniform over the stored steps, for multi-step
 *   off-policy targets (ACER). The offline segment is in dataset order, so it serves windows too.
 *
 * Actions are float32 rows for a Box space, or int32 indices for a Discrete one
 * (`actionCount`), which batches return both as `actionIndices` and as floats in `actions`.
 *
 * All randomness comes from the seeded generator passed in, whose state is part of `getState()`.
 * `sample`, `updatePriorities` and `batchPriorities` allocate nothing once warmed up.
 */
import { annealedImportanceExponent } from '../priority/importance.js';
import { perPriority, type PerOptions } from '../priority/per.js';
import { roerPriorityUpdate, type RoerOptions } from '../priority/roer.js';
import { Rng } from '../util/random.js';
import {
  assertReplayFits,
  estimateReplayBytes,
  formatBytes,
  usesPriorityTrees,
  validateReplayOptions,
} from './options.js';
import type { SequenceBatch } from './sequences.js';
import { SumTree } from './sum-tree.js';
import {
  allocateColumns,
  TransitionSource,
  type TransitionBatch,
  type TransitionColumns,
} from './transitions.js';
import type { ReplayOptions, ReplayState } from './types.js';

const OFFLINE = TransitionSource.offline;
const ONLINE = TransitionSource.online;
const UINT32_TO_UNIT = 2 ** -32;

/** One online transition as the environment loop produces it. */
export interface OnlineTransition {
  observation: Float32Array;
  /** [actionWidth]; for a discrete replay one entry holding the index (or give `actionIndex`). */
  action: Float32Array;
  /** The action's index, for a discrete replay (takes precedence over `action`). */
  actionIndex?: number;
  reward: number;
  nextObservation: Float32Array;
  terminal: boolean;
  timeout: boolean;
  episodeId: number;
  /** Values of the buffer's extra columns for this row (missing ones get the column's fill). */
  extras?: Record<string, ArrayLike<number>>;
}

/** One extra column's storage. */
interface ExtraStorage {
  width: number;
  fill: number;
  data: Float32Array;
}

/** Episode ids derived from episode ends: the id increases after every terminal or timeout row. */
export function episodeIdsFromEnds(
  terminals: Uint8Array,
  timeouts: Uint8Array,
  out?: Int32Array,
): Int32Array {
  const n = terminals.length;
  const ids = out ?? new Int32Array(n);
  let episode = 0;
  for (let i = 0; i < n; i++) {
    ids[i] = episode;
    if (terminals[i] !== 0 || timeouts[i] !== 0) episode++;
  }
  return ids;
}

export class Replay {
  readonly options: ReplayOptions;

  private observations: Float32Array;
  private nextObservations: Float32Array;
  /** Box actions [capacity × actionWidth]; empty for a discrete replay. */
  private actions: Float32Array;
  /** Discrete action indices [capacity]; empty for a Box replay. */
  private actionIndices: Int32Array;
  private rewards: Float32Array;
  private terminals: Uint8Array;
  private timeouts: Uint8Array;
  private episodeIds: Int32Array;
  private readonly sources: Uint8Array;
  private readonly extras = new Map<string, ExtraStorage>();
  private readonly priorities: Float32Array;
  private readonly sumTree: SumTree | null;
  private readonly rng: Rng;

  private stored = 0;
  private offlineStart = 0;
  private offlineEnd = 0;
  private cursor = 0;
  private maxPriority = 1;
  private importanceProgress = 0;
  /** Receives the values read by the gather's prefetch pass, so that the reads are not optimised away. */
  private prefetchSink = 0;

  /** Scratch for priority updates and stratified draws, grown to the largest batch seen. */
  private oldPriorities = new Float64Array(0);
  private newPriorities = new Float64Array(0);
  private targets = new Float64Array(0);
  private treeScratch = new Int32Array(0);
  private masses = new Float64Array(0);
  /** Rule parameters, built once (ROER's β is set per update) so that updates allocate nothing. */
  private readonly perOptions: PerOptions;
  private readonly roerOptions: RoerOptions;

  /** Bytes the buffer will allocate for these options (columns + priorities + trees). */
  static estimateBytes(options: ReplayOptions): number {
    validateReplayOptions(options);
    return estimateReplayBytes(options);
  }

  /** Throws a clear RangeError naming capacity and the bytes needed when it cannot be allocated. */
  constructor(options: ReplayOptions, rng: Rng) {
    validateReplayOptions(options);
    assertReplayFits(options);
    this.options = { ...options };
    this.rng = rng;
    this.perOptions = { alpha: options.perAlpha, epsilon: options.perEpsilon };
    this.roerOptions = {
      beta: 1,
      maxClip: options.roerMaxClip,
      minClip: options.roerMinClip,
      lambda: options.roerLambda,
      divergence: options.roerDivergence,
    };
    const { capacity, observationWidth, actionWidth } = options;
    const discrete = options.actionCount !== undefined;
    try {
      this.observations = new Float32Array(capacity * observationWidth);
      this.nextObservations = new Float32Array(capacity * observationWidth);
      this.actions = new Float32Array(discrete ? 0 : capacity * actionWidth);
      this.actionIndices = new Int32Array(discrete ? capacity : 0);
      this.rewards = new Float32Array(capacity);
      this.terminals = new Uint8Array(capacity);
      this.timeouts = new Uint8Array(capacity);
      this.episodeIds = new Int32Array(capacity);
      this.sources = new Uint8Array(capacity);
      for (const column of options.extraColumns ?? []) {
        this.extras.set(column.name, {
          width: column.width,
          fill: column.fill ?? Number.NaN,
          data: new Float32Array(capacity * column.width),
        });
      }
      this.priorities = new Float32Array(capacity);
      const trees = usesPriorityTrees(options);
      this.sumTree = trees ? new SumTree(capacity, { trackMinimum: true }) : null;
    } catch (error) {
      if (error instanceof RangeError) {
        throw new RangeError(
          `replay capacity ${capacity} needs ${formatBytes(estimateReplayBytes(options))}, which could not be ` +
            `allocated (${error.message}). Lower replay.capacity.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  get size(): number {
    return this.stored;
  }

  get offlineCount(): number {
    return this.offlineEnd - this.offlineStart;
  }

  get onlineCount(): number {
    return this.stored - (this.offlineEnd - this.offlineStart);
  }

  get capacity(): number {
    return this.options.capacity;
  }

  /** True when the buffer stores discrete action indices (ReplayOptions.actionCount is set). */
  get discrete(): boolean {
    return this.options.actionCount !== undefined;
  }

  /** The importance exponent β_IS currently applied in `sample` mode. */
  get importanceExponent(): number {
    return annealedImportanceExponent(this.options.perImportanceStart, this.importanceProgress);
  }

  /**
   * Bulk-load the dataset into the offline segment (rows 0..n−1) of an empty buffer. Throws if
   * widths differ or it does not fit. Columns are copied with one block copy each; when the
   * dataset fills the whole capacity and may never be overwritten, its arrays are adopted as the
   * storage without any copy (the buffer never writes to them then).
   */
  loadOffline(columns: TransitionColumns): void {
    const { capacity, observationWidth, actionWidth } = this.options;
    const n = columns.length;
    if (this.stored > 0) {
      throw new Error(
        `loadOffline needs an empty replay buffer; it already holds ${this.stored} transitions`,
      );
    }
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`dataset length must be an integer ≥ 0, got ${n}`);
    if (columns.observationWidth !== observationWidth) {
      throw new RangeError(
        `dataset observations have width ${columns.observationWidth}, the replay buffer expects ${observationWidth}`,
      );
    }
    if (columns.actionWidth !== actionWidth) {
      throw new RangeError(
        `dataset actions have width ${columns.actionWidth}, the replay buffer expects ${actionWidth}`,
      );
    }
    const discrete = this.discrete;
    const indexColumn = discrete && columns.actionIndices !== undefined;
    const expected: [string, ArrayLike<number> | undefined, number][] = [
      ['observations', columns.observations, n * observationWidth],
      indexColumn
        ? ['action_indices', columns.actionIndices, n]
        : ['actions', columns.actions, n * actionWidth],
      ['rewards', columns.rewards, n],
      ['next_observations', columns.nextObservations, n * observationWidth],
      ['terminals', columns.terminals, n],
      ['timeouts', columns.timeouts, n],
    ];
    if (columns.episodeIds) expected.push(['episode_ids', columns.episodeIds, n]);
    for (const [name, array, length] of expected) {
      if (!array || array.length !== length) {
        throw new RangeError(
          `dataset column ${name} has ${array?.length ?? 0} values; ${n} transitions need ${length}`,
        );
      }
    }
    if (n > capacity) {
      throw new RangeError(
        `dataset of ${n} transitions does not fit the replay capacity ${capacity}; raise replay.capacity`,
      );
    }

    if (discrete) {
      const source = indexColumn ? columns.actionIndices! : columns.actions;
      const name = indexColumn ? 'action_indices' : 'actions';
      for (let i = 0; i < n; i++) this.checkActionIndex(source[i], `dataset column ${name} row ${i}`);
    }

    const adopt = n === capacity && !this.options.overwriteOffline;
    if (discrete) {
      if (adopt && indexColumn) this.actionIndices = columns.actionIndices!;
      else if (indexColumn) this.actionIndices.set(columns.actionIndices!);
      else for (let i = 0; i < n; i++) this.actionIndices[i] = columns.actions[i];
    }
    if (adopt) {
      this.observations = columns.observations;
      this.nextObservations = columns.nextObservations;
      if (!discrete) this.actions = columns.actions;
      this.rewards = columns.rewards;
      this.terminals = columns.terminals;
      this.timeouts = columns.timeouts;
      this.episodeIds = columns.episodeIds ?? episodeIdsFromEnds(columns.terminals, columns.timeouts);
    } else {
      this.observations.set(columns.observations);
      this.nextObservations.set(columns.nextObservations);
      if (!discrete) this.actions.set(columns.actions);
      this.rewards.set(columns.rewards);
      this.terminals.set(columns.terminals);
      this.timeouts.set(columns.timeouts);
      if (columns.episodeIds) this.episodeIds.set(columns.episodeIds);
      else episodeIdsFromEnds(columns.terminals, columns.timeouts, this.episodeIds.subarray(0, n));
    }
    for (const [name, extra] of this.extras) {
      const values = columns.extras?.[name];
      if (values === undefined) {
        extra.data.fill(extra.fill, 0, n * extra.width);
      } else if (values.length !== n * extra.width) {
        throw new RangeError(
          `dataset column ${name} has ${values.length} values; ${n} transitions need ${n * extra.width}`,
        );
      } else extra.data.set(values);
    }
    this.sources.fill(OFFLINE, 0, n);
    const initial = this.initialPriority();
    this.priorities.fill(initial, 0, n);
    this.sumTree?.assign(this.priorities, n);
    this.stored = n;
    this.offlineStart = 0;
    this.offlineEnd = n;
    this.cursor = n === capacity ? 0 : n;
  }

  /** Insert one online transition; returns its index. New rows get the initial priority of the rule. */
  addOnline(t: OnlineTransition): number {
    const { capacity, observationWidth, actionWidth, overwriteOffline } = this.options;
    if (t.observation.length !== observationWidth || t.nextObservation.length !== observationWidth) {
      throw new RangeError(
        `online transition observations have widths ${t.observation.length}/${t.nextObservation.length}, ` +
          `the replay buffer expects ${observationWidth}`,
      );
    }
    let actionIndex = -1;
    if (this.discrete) {
      actionIndex = this.checkActionIndex(t.actionIndex ?? t.action?.[0], 'online transition action');
    } else if (t.action.length !== actionWidth) {
      throw new RangeError(
        `online transition action has width ${t.action.length}, the replay buffer expects ${actionWidth}`,
      );
    }
    if (!overwriteOffline && this.offlineEnd === capacity) {
      throw new RangeError(
        `the offline segment fills the whole replay capacity (${capacity}) and replay.overwriteOffline is false: ` +
          'there is no room for online transitions; raise replay.capacity',
      );
    }
    const row = this.cursor;
    if (row >= this.offlineStart && row < this.offlineEnd) {
      // Only reachable with overwriteOffline: the ring has come round to the oldest offline row.
      this.offlineStart++;
      if (this.offlineStart === this.offlineEnd) this.offlineStart = this.offlineEnd = 0;
    }
    let next = row + 1;
    if (next === capacity) next = overwriteOffline ? 0 : this.offlineEnd;
    this.cursor = next;
    if (row === this.stored) this.stored++;

    this.observations.set(t.observation, row * observationWidth);
    this.nextObservations.set(t.nextObservation, row * observationWidth);
    if (actionIndex >= 0) this.actionIndices[row] = actionIndex;
    else this.actions.set(t.action, row * actionWidth);
    this.rewards[row] = t.reward;
    this.terminals[row] = t.terminal ? 1 : 0;
    this.timeouts[row] = t.timeout ? 1 : 0;
    this.episodeIds[row] = t.episodeId;
    for (const [name, extra] of this.extras) {
      const values = t.extras?.[name];
      if (values === undefined) extra.data.fill(extra.fill, row * extra.width, (row + 1) * extra.width);
      else if (values.length !== extra.width) {
        throw new RangeError(
          `online transition extra ${name} has ${values.length} values, the replay buffer expects ${extra.width}`,
        );
      } else extra.data.set(values, row * extra.width);
    }
    this.sources[row] = ONLINE;
    this.writePriority(row, this.initialPriority());
    return row;
  }

  /**
   * Fill `batch` (rows, indices, masks = 1 − terminal, sources, and weights: 1 for uniform, the
   * stored priority in weight mode (divided by the batch's mean with `weightNormalisation`
   * 'mean'), normalised importance weights in sample mode).
   */
  sample(batch: TransitionBatch): void {
    if (this.stored === 0) throw new Error('cannot sample from an empty replay buffer');
    if (
      batch.observationWidth !== this.options.observationWidth ||
      batch.actionWidth !== this.options.actionWidth
    ) {
      throw new RangeError(
        `batch widths ${batch.observationWidth}/${batch.actionWidth} do not match the replay buffer's ` +
          `${this.options.observationWidth}/${this.options.actionWidth}`,
      );
    }
    const size = batch.size;
    const offlineCount = this.offlineEnd - this.offlineStart;
    const onlineCount = this.stored - offlineCount;
    let offlineRows = -1; // -1: one draw over the union
    if (this.options.mixing === 'fixed') {
      if (onlineCount === 0) offlineRows = size;
      else if (offlineCount === 0) offlineRows = 0;
      else offlineRows = Math.round(this.options.offlineFraction * size);
    }
    if (this.sumTree) this.sampleProportional(batch, offlineRows);
    else this.sampleUniform(batch, offlineRows);
    this.gather(batch);
  }

  /**
   * Fill `batch` with `batch.size` windows (core/replay/sequences.ts) whose first steps are drawn
   * uniformly over the stored steps, so every step is equally likely to start a window; with
   * mixing `fixed`, round(offlineFraction·B) windows start in the offline segment and the rest in
   * the online rows (all offline while there is no online data, all online once no offline row
   * is left). Priorities play no part: a buffer that samples by priority (mode `sample` with PER
   * or ROER) is refused.
   */
  sampleSequences(batch: SequenceBatch): void {
    if (this.stored === 0) throw new Error('cannot sample sequences from an empty replay buffer');
    if (this.sumTree) {
      throw new Error(
        `sequence sampling is uniform over window starts; replay.mode "sample" with replay.priority ` +
          `"${this.options.priority}" samples by priority: use mode "weight" or priority "uniform"`,
      );
    }
    const size = batch.size;
    const starts = this.sequenceStarts(size);
    const offlineCount = this.offlineEnd - this.offlineStart;
    const onlineCount = this.stored - offlineCount;
    let offlineRows = -1;
    if (this.options.mixing === 'fixed') {
      if (onlineCount === 0) offlineRows = size;
      else if (offlineCount === 0) offlineRows = 0;
      else offlineRows = Math.round(this.options.offlineFraction * size);
    }
    const rng = this.rng;
    if (offlineRows < 0) {
      for (let b = 0; b < size; b++) starts[b] = rng.int(this.stored);
    } else {
      for (let b = 0; b < offlineRows; b++) starts[b] = this.offlineStart + rng.int(offlineCount);
      for (let b = offlineRows; b < size; b++) starts[b] = this.onlineRow(rng.int(onlineCount));
    }
    this.gatherSequences(batch, starts);
  }

  /**
   * Fill slots 0 … starts.length − 1 of `batch` with the windows that start at the storage rows
   * `starts` (e.g. the on-policy segment just stored, see `segmentWindowStarts`), and empty the
   * remaining slots. Each window runs for at most `batch.length` steps and stops as described in
   * core/replay/sequences.ts.
   */
  gatherSequences(batch: SequenceBatch, starts: ArrayLike<number>): void {
    const { observationWidth: dO, actionWidth: dA } = this.options;
    if (batch.observationWidth !== dO || batch.actionWidth !== dA) {
      throw new RangeError(
        `sequence batch widths ${batch.observationWidth}/${batch.actionWidth} do not match the replay buffer's ${dO}/${dA}`,
      );
    }
    if (starts.length > batch.size) {
      throw new RangeError(`gatherSequences: ${starts.length} windows for a batch of ${batch.size} slots`);
    }
    const k = batch.length;
    const discrete = this.discrete;
    if (discrete && (batch.actionIndices === undefined || batch.actionIndices.length !== batch.size * k)) {
      batch.actionIndices = new Int32Array(batch.size * k);
    }
    const extras = this.sequenceExtras(batch);
    for (let b = 0; b < batch.size; b++) {
      let row = -1;
      if (b < starts.length) {
        row = starts[b];
        if (!Number.isInteger(row) || row < 0 || row >= this.stored) {
          throw new RangeError(
            `gatherSequences: window start ${row} is not a stored row (0 … ${this.stored - 1})`,
          );
        }
      }
      let t = 0;
      let last = -1;
      for (; t < k && row >= 0; t++) {
        const at = b * k + t;
        batch.indices[at] = row;
        batch.valid[at] = 1;
        batch.observations.set(this.observations.subarray(row * dO, row * dO + dO), at * dO);
        if (discrete) {
          batch.actionIndices![at] = this.actionIndices[row];
          batch.actions[at] = this.actionIndices[row];
        } else batch.actions.set(this.actions.subarray(row * dA, row * dA + dA), at * dA);
        batch.rewards[at] = this.rewards[row];
        batch.masks[at] = 1 - this.terminals[row];
        batch.timeouts[at] = this.timeouts[row];
        for (const [extra, out] of extras) {
          const w = extra.width;
          out.set(extra.data.subarray(row * w, row * w + w), at * w);
        }
        last = row;
        row = this.nextInWindow(row);
      }
      batch.lengths[b] = t;
      // Invalid steps after the window: zero everything.
      const from = b * k + t;
      const to = (b + 1) * k;
      if (from < to) {
        batch.indices.fill(-1, from, to);
        batch.valid.fill(0, from, to);
        batch.observations.fill(0, from * dO, to * dO);
        batch.actions.fill(0, from * dA, to * dA);
        batch.actionIndices?.fill(0, from, to);
        batch.rewards.fill(0, from, to);
        batch.masks.fill(0, from, to);
        batch.timeouts.fill(0, from, to);
        for (const [extra, out] of extras) out.fill(0, from * extra.width, to * extra.width);
      }
      if (last >= 0) {
        batch.bootstrapObservations.set(this.nextObservations.subarray(last * dO, last * dO + dO), b * dO);
        batch.sources[b] = this.sources[last];
      } else {
        batch.bootstrapObservations.fill(0, b * dO, b * dO + dO);
        batch.sources[b] = 0;
      }
    }
  }

  /** Apply the priority rule to the rows of `batch` with the learner's TD errors at temperature β. */
  updatePriorities(batch: TransitionBatch, tdErrors: Float32Array, beta: number): void {
    const { priority } = this.options;
    if (priority === 'uniform') return;
    const size = batch.size;
    if (tdErrors.length < size) {
      throw new RangeError(`updatePriorities: ${tdErrors.length} TD errors for a batch of ${size} rows`);
    }
    for (let k = 0; k < size; k++) {
      if (!Number.isFinite(tdErrors[k])) {
        throw new RangeError(
          `updatePriorities: TD error of batch row ${k} (replay row ${batch.indices[k]}) is ${tdErrors[k]}; expected a finite number`,
        );
      }
    }
    const indices = batch.indices;
    this.ensureScratch(size);
    if (priority === 'per') {
      const options = this.perOptions;
      for (let k = 0; k < size; k++) this.newPriorities[k] = perPriority(tdErrors[k], options);
      this.writeBatchPriorities(indices, size);
      return;
    }
    if (!(beta > 0) || !Number.isFinite(beta)) {
      throw new RangeError(`updatePriorities: ROER needs a finite temperature β > 0, got ${beta}`);
    }
    const old = this.oldPriorities;
    for (let k = 0; k < size; k++) old[k] = this.priorities[indices[k]];
    const options = this.roerOptions;
    options.beta = beta;
    roerPriorityUpdate(
      size === tdErrors.length ? tdErrors : tdErrors.subarray(0, size),
      old,
      options,
      this.newPriorities,
      this.targets,
    );
    this.writeBatchPriorities(indices, size);
  }

  /** Copy the stored priorities of the batch rows into `out` (for the priority histogram). */
  batchPriorities(batch: TransitionBatch, out: Float32Array): void {
    if (out.length < batch.size) {
      throw new RangeError(`batchPriorities: output has ${out.length} slots for a batch of ${batch.size}`);
    }
    for (let k = 0; k < batch.size; k++) out[k] = this.priorities[batch.indices[k]];
  }

  /** PER importance exponent annealing: progress in [0,1] from perImportanceStart to 1. */
  setImportanceProgress(progress: number): void {
    if (Number.isNaN(progress))
      throw new RangeError('setImportanceProgress: progress must be a number in [0, 1]');
    this.importanceProgress = progress < 0 ? 0 : progress > 1 ? 1 : progress;
  }

  /** Online share of the stored transitions (a β-independent shift signal). */
  onlineShare(): number {
    return this.stored === 0 ? 0 : this.onlineCount / this.stored;
  }

  /** The stored priority of `row`. */
  priorityAt(row: number): number {
    if (!Number.isInteger(row) || row < 0 || row >= this.stored) {
      throw new RangeError(`replay row must be an integer in [0, ${this.stored}), got ${row}`);
    }
    return this.priorities[row];
  }

  /**
   * The probability that one proportional draw over the union picks `row` (p_row / Σp), or 1/size
   * under uniform sampling.
   */
  sampleProbability(row: number): number {
    const priority = this.priorityAt(row);
    return this.sumTree ? priority / this.sumTree.total() : 1 / this.stored;
  }

  /**
   * All stored rows as columns (for dumping a replay buffer as a dataset): the offline rows first,
   * then the online rows from oldest to newest. Episode ids are renumbered from 0 in that order.
   */
  exportColumns(): TransitionColumns {
    const { observationWidth: dO, actionWidth: dA } = this.options;
    const n = this.stored;
    const order = this.chronologicalRows();
    const out = allocateColumns(n, dO, dA);
    const discrete = this.discrete;
    if (discrete) out.actionIndices = new Int32Array(n);
    let episode = -1;
    let previousSource = -1;
    let previousId = 0;
    for (let i = 0; i < n; i++) {
      const row = order[i];
      out.observations.set(this.observations.subarray(row * dO, row * dO + dO), i * dO);
      out.nextObservations.set(this.nextObservations.subarray(row * dO, row * dO + dO), i * dO);
      if (discrete) {
        out.actionIndices![i] = this.actionIndices[row];
        out.actions[i] = this.actionIndices[row];
      } else out.actions.set(this.actions.subarray(row * dA, row * dA + dA), i * dA);
      out.rewards[i] = this.rewards[row];
      out.terminals[i] = this.terminals[row];
      out.timeouts[i] = this.timeouts[row];
      if (this.sources[row] !== previousSource || this.episodeIds[row] !== previousId) episode++;
      previousSource = this.sources[row];
      previousId = this.episodeIds[row];
      out.episodeIds[i] = episode;
    }
    if (this.extras.size > 0) {
      const extras: Record<string, Float32Array> = {};
      for (const [name, extra] of this.extras) {
        const column = new Float32Array(n * extra.width);
        for (let i = 0; i < n; i++) {
          column.set(
            extra.data.subarray(order[i] * extra.width, (order[i] + 1) * extra.width),
            i * extra.width,
          );
        }
        extras[name] = column;
      }
      return { ...out, extras };
    }
    return out;
  }

  /** Serialisable state; the typed arrays are views of the internal storage (rows 0..size−1). */
  getState(): ReplayState {
    const n = this.stored;
    const { observationWidth: dO, actionWidth: dA } = this.options;
    return {
      options: { ...this.options },
      size: n,
      offlineCount: this.offlineCount,
      cursor: this.cursor,
      columns: {
        observations: this.observations.subarray(0, n * dO),
        ...(this.discrete
          ? { actionIndices: this.actionIndices.subarray(0, n) }
          : { actions: this.actions.subarray(0, n * dA) }),
        rewards: this.rewards.subarray(0, n),
        nextObservations: this.nextObservations.subarray(0, n * dO),
        terminals: this.terminals.subarray(0, n),
        timeouts: this.timeouts.subarray(0, n),
        episodeIds: this.episodeIds.subarray(0, n),
        sources: this.sources.subarray(0, n),
        ...Object.fromEntries(
          [...this.extras].map(([name, extra]) => [`extra:${name}`, extra.data.subarray(0, n * extra.width)]),
        ),
      },
      priorities: this.priorities.subarray(0, n),
      maxPriority: this.maxPriority,
      importanceProgress: this.importanceProgress,
      rng: this.rng.getState(),
    };
  }

  /** Rebuild a buffer from `getState()` output (checked for consistency first). */
  static fromState(state: ReplayState): Replay {
    const replay = new Replay(state.options, Rng.fromState(state.rng));
    const { capacity, observationWidth: dO, actionWidth: dA } = replay.options;
    const n = state.size;
    if (!Number.isInteger(n) || n < 0 || n > capacity) {
      throw new RangeError(`replay state: size ${n} must be an integer in [0, ${capacity}]`);
    }
    const lengths: Record<string, number> = {
      observations: n * dO,
      ...(replay.discrete ? { actionIndices: n } : { actions: n * dA }),
      rewards: n,
      nextObservations: n * dO,
      terminals: n,
      timeouts: n,
      episodeIds: n,
      sources: n,
    };
    for (const [name, extra] of replay.extras) lengths[`extra:${name}`] = n * extra.width;
    for (const [name, length] of Object.entries(lengths)) {
      const column = state.columns[name];
      if (!column || column.length !== length) {
        throw new RangeError(
          `replay state: column ${name} has ${column?.length ?? 0} values, expected ${length}`,
        );
      }
    }
    if (state.priorities.length !== n) {
      throw new RangeError(`replay state: ${state.priorities.length} priorities for ${n} rows`);
    }
    if (!Number.isInteger(state.cursor) || state.cursor < 0 || state.cursor >= capacity) {
      throw new RangeError(`replay state: cursor ${state.cursor} must be an integer in [0, ${capacity})`);
    }
    const c = state.columns;
    replay.observations.set(c.observations);
    if (replay.discrete) {
      const indices = c.actionIndices;
      if (!(indices instanceof Int32Array))
        throw new RangeError('replay state: column actionIndices must be an Int32Array');
      for (let i = 0; i < n; i++) replay.checkActionIndex(indices[i], `replay state: actionIndices row ${i}`);
      replay.actionIndices.set(indices);
    } else replay.actions.set(c.actions);
    replay.rewards.set(c.rewards);
    replay.nextObservations.set(c.nextObservations);
    replay.terminals.set(c.terminals);
    replay.timeouts.set(c.timeouts);
    replay.episodeIds.set(c.episodeIds);
    replay.sources.set(c.sources);
    for (const [name, extra] of replay.extras) extra.data.set(c[`extra:${name}`] as Float32Array);
    replay.priorities.set(state.priorities);
    replay.sumTree?.assign(replay.priorities, n);

    // The offline rows are one contiguous range; find where it starts and check it.
    const offlineCount = state.offlineCount;
    let start = 0;
    if (offlineCount > 0) {
      while (start < n && replay.sources[start] !== OFFLINE) start++;
    }
    for (let i = 0; i < n; i++) {
      const inside = i >= start && i < start + offlineCount;
      if ((replay.sources[i] === OFFLINE) !== inside) {
        throw new RangeError(
          `replay state: the ${offlineCount} offline rows are not one contiguous range (row ${i} disagrees)`,
        );
      }
    }
    replay.stored = n;
    replay.offlineStart = offlineCount > 0 ? start : 0;
    replay.offlineEnd = offlineCount > 0 ? start + offlineCount : 0;
    replay.cursor = state.cursor;
    replay.maxPriority = state.maxPriority;
    replay.importanceProgress = state.importanceProgress;
    return replay;
  }

  // ——— internals ———

  /** `value` as an action index in [0, actionCount), or a RangeError naming `where`. */
  private checkActionIndex(value: number | undefined, where: string): number {
    const count = this.options.actionCount!;
    if (value === undefined || !Number.isInteger(value) || value < 0 || value >= count) {
      throw new RangeError(
        `${where}: expected a discrete action index, an integer in [0, ${count}), got ${String(value)}`,
      );
    }
    return value;
  }

  private initialPriority(): number {
    const configured = this.options.initialPriority ?? (this.options.priority === 'per' ? 'max' : 1);
    return configured === 'max' ? this.maxPriority : configured;
  }

  private writePriority(row: number, priority: number): void {
    const stored = Math.fround(priority);
    this.priorities[row] = stored;
    if (stored > this.maxPriority) this.maxPriority = stored;
    this.sumTree?.setUnchecked(row, stored);
  }

  /** Store `newPriorities[0..size)` (rounded to float32) at the batch rows, columns and tree alike. */
  private writeBatchPriorities(indices: Int32Array, size: number): void {
    const values = this.newPriorities;
    for (let k = 0; k < size; k++) {
      const stored = Math.fround(values[k]);
      values[k] = stored;
      this.priorities[indices[k]] = stored;
      if (stored > this.maxPriority) this.maxPriority = stored;
    }
    this.sumTree?.setManyUnchecked(indices, values, size, this.treeScratch);
  }

  private ensureScratch(size: number): void {
    if (this.oldPriorities.length >= size) return;
    this.oldPriorities = new Float64Array(size);
    this.newPriorities = new Float64Array(size);
    this.targets = new Float64Array(size);
    this.treeScratch = new Int32Array(size);
    this.masses = new Float64Array(size);
  }

  /**
   * The storage row of the step after `row` in its window, or −1: none after an episode end
   * (terminal or timeout), the end of the offline segment, the online ring's write position (the
   * next row then holds older data, or none), or a row of another episode or source.
   */
  private nextInWindow(row: number): number {
    if (this.terminals[row] !== 0 || this.timeouts[row] !== 0) return -1;
    let next = row + 1;
    if (this.sources[row] === OFFLINE) {
      if (next >= this.offlineEnd) return -1;
    } else {
      if (next === this.options.capacity) next = this.options.overwriteOffline ? 0 : this.offlineEnd;
      if (next === this.cursor || next >= this.stored) return -1;
    }
    if (this.sources[next] !== this.sources[row] || this.episodeIds[next] !== this.episodeIds[row]) return -1;
    return next;
  }

  private sequenceStartScratch = new Int32Array(0);
  private sequenceStarts(size: number): Int32Array {
    if (this.sequenceStartScratch.length < size) this.sequenceStartScratch = new Int32Array(size);
    return this.sequenceStartScratch.subarray(0, size);
  }

  /** The batch's per-step extra arrays, allocated on first use, paired with their storage. */
  private sequenceExtras(batch: SequenceBatch): [ExtraStorage, Float32Array][] {
    if (this.extras.size === 0) return [];
    batch.extras ??= {};
    const steps = batch.size * batch.length;
    const pairs: [ExtraStorage, Float32Array][] = [];
    for (const [name, extra] of this.extras) {
      let out = batch.extras[name];
      if (out === undefined || out.length !== steps * extra.width) {
        out = new Float32Array(steps * extra.width);
        batch.extras[name] = out;
      }
      pairs.push([extra, out]);
    }
    return pairs;
  }

  /** Row of the j-th online transition in storage order (online rows: [0, offlineStart) ∪ [offlineEnd, size)). */
  private onlineRow(j: number): number {
    return j < this.offlineStart ? j : j + (this.offlineEnd - this.offlineStart);
  }

  private sampleUniform(batch: TransitionBatch, offlineRows: number): void {
    const rng = this.rng;
    const indices = batch.indices;
    const size = batch.size;
    if (offlineRows < 0) {
      const n = this.stored;
      for (let k = 0; k < size; k++) indices[k] = rng.int(n);
    } else {
      const offlineCount = this.offlineEnd - this.offlineStart;
      const onlineCount = this.stored - offlineCount;
      for (let k = 0; k < offlineRows; k++) indices[k] = this.offlineStart + rng.int(offlineCount);
      for (let k = offlineRows; k < size; k++) indices[k] = this.onlineRow(rng.int(onlineCount));
    }
    const weights = batch.weights;
    if (this.options.priority === 'uniform') {
      weights.fill(1, 0, size);
    } else {
      let total = 0;
      for (let k = 0; k < size; k++) total += weights[k] = this.priorities[indices[k]];
      if (this.options.weightNormalisation === 'mean' && total > 0) {
        const scale = size / total;
        for (let k = 0; k < size; k++) weights[k] *= scale;
      }
    }
  }

  private sampleProportional(batch: TransitionBatch, offlineRows: number): void {
    const tree = this.sumTree as SumTree;
    const rng = this.rng;
    const indices = batch.indices;
    const weights = batch.weights;
    const size = batch.size;
    const exponent = this.importanceExponent;

    this.ensureScratch(size);
    const masses = this.masses;

    if (offlineRows < 0) {
      const total = tree.total();
      const stratum = total / size;
      for (let k = 0; k < size; k++) masses[k] = (k + rng.nextUint32() * UINT32_TO_UNIT) * stratum;
      tree.findManyUnchecked(masses, indices, size);
      // w_i / max w = ((N·p_i/Σp) / (N·p_min/Σp))^(−β) = (p_i / p_min)^(−β)
      const minimum = tree.min();
      for (let k = 0; k < size; k++) weights[k] = Math.pow(this.priorities[indices[k]] / minimum, -exponent);
      return;
    }

    // Fixed mix: stratified proportional draws within each segment.
    const start = this.offlineStart;
    const end = this.offlineEnd;
    const beforeOffline = tree.prefixSum(start);
    const offlineMass = tree.prefixSum(end) - beforeOffline;
    const onlineMass = tree.total() - offlineMass;
    const offlineCount = end - start;
    const onlineCount = this.stored - offlineCount;
    const onlineRows = size - offlineRows;

    // Masses: offline strata first, then online strata mapped around the offline range.
    const offlineStratum = offlineRows > 0 ? offlineMass / offlineRows : 0;
    for (let k = 0; k < offlineRows; k++) {
      masses[k] = beforeOffline + (k + rng.nextUint32() * UINT32_TO_UNIT) * offlineStratum;
    }
    const onlineStratum = onlineRows > 0 ? onlineMass / onlineRows : 0;
    for (let k = 0; k < onlineRows; k++) {
      const mass = (k + rng.nextUint32() * UINT32_TO_UNIT) * onlineStratum;
      masses[offlineRows + k] = mass < beforeOffline ? mass : mass + offlineMass;
    }
    tree.findManyUnchecked(masses, indices, size);
    // Rounding at a segment edge can land one row over the boundary: pull it back.
    for (let k = 0; k < size; k++) {
      const row = indices[k];
      const offline = row >= start && row < end;
      if (k < offlineRows && !offline) indices[k] = row < start ? start : end - 1;
      else if (k >= offlineRows && offline) indices[k] = end < this.stored ? end : start - 1;
    }

    // Importance weights within each segment: (n_s·p_i/mass_s)^(−β), divided by the largest
    // possible weight among the segments in the batch.
    const offlineMin = offlineRows > 0 ? tree.rangeMin(start, end) : Infinity;
    const onlineMin =
      onlineRows > 0 ? Math.min(tree.rangeMin(0, start), tree.rangeMin(end, this.stored)) : Infinity;
    const offlineScale = offlineRows > 0 ? offlineCount / offlineMass : 0;
    const onlineScale = onlineRows > 0 ? onlineCount / onlineMass : 0;
    let largest = 0;
    if (offlineRows > 0) largest = Math.max(largest, Math.pow(offlineScale * offlineMin, -exponent));
    if (onlineRows > 0) largest = Math.max(largest, Math.pow(onlineScale * onlineMin, -exponent));
    for (let k = 0; k < size; k++) {
      const scale = k < offlineRows ? offlineScale : onlineScale;
      weights[k] = Math.pow(scale * this.priorities[indices[k]], -exponent) / largest;
    }
  }

  /**
   * Copy the rows named in `batch.indices` into the batch arrays. A first pass reads one value
   * from each cache line a row will need: the loads are independent, so the processor overlaps
   * their misses, and the copy pass that follows finds the rows in cache. (Without it each row's
   * misses wait behind the previous row's copy loop.)
   */
  private gather(batch: TransitionBatch): void {
    const dO = this.options.observationWidth;
    const dA = this.options.actionWidth;
    const observations = this.observations;
    const nextObservations = this.nextObservations;
    const actions = this.actions;
    const actionIndices = this.actionIndices;
    const discrete = this.discrete;
    const rewards = this.rewards;
    const terminals = this.terminals;
    const sources = this.sources;
    const indices = batch.indices;
    const size = batch.size;
    let touched = 0;
    for (let k = 0; k < size; k++) {
      const row = indices[k];
      const first = row * dO;
      const last = first + dO - 1;
      touched +=
        observations[first] +
        observations[last] +
        nextObservations[first] +
        nextObservations[last] +
        (discrete ? actionIndices[row] : actions[row * dA]) +
        rewards[row] +
        terminals[row] +
        sources[row];
    }
    this.prefetchSink = touched;
    const outObservations = batch.observations;
    const outNextObservations = batch.nextObservations;
    const outActions = batch.actions;
    const outRewards = batch.rewards;
    const outMasks = batch.masks;
    const outSources = batch.sources;
    let outIndices: Int32Array | undefined;
    if (discrete) {
      if (batch.actionIndices === undefined || batch.actionIndices.length !== size)
        batch.actionIndices = new Int32Array(size);
      outIndices = batch.actionIndices;
    }
    for (let k = 0; k < size; k++) {
      const row = indices[k];
      const from = row * dO;
      const to = k * dO;
      for (let j = 0; j < dO; j++) {
        outObservations[to + j] = observations[from + j];
        outNextObservations[to + j] = nextObservations[from + j];
      }
      if (outIndices) {
        outIndices[k] = actionIndices[row];
        outActions[k] = actionIndices[row];
      } else {
        const fromAction = row * dA;
        const toAction = k * dA;
        for (let j = 0; j < dA; j++) outActions[toAction + j] = actions[fromAction + j];
      }
      outRewards[k] = rewards[row];
      outMasks[k] = 1 - terminals[row];
      outSources[k] = sources[row];
    }
    if (this.extras.size === 0) return;
    batch.extras ??= {};
    for (const [name, extra] of this.extras) {
      const width = extra.width;
      let out = batch.extras[name];
      if (out === undefined || out.length !== size * width) {
        out = new Float32Array(size * width);
        batch.extras[name] = out;
      }
      const data = extra.data;
      for (let k = 0; k < size; k++) {
        const from = indices[k] * width;
        for (let j = 0; j < width; j++) out[k * width + j] = data[from + j];
      }
    }
  }

  /** Stored rows in export order: offline rows, then online rows from oldest to newest. */
  private chronologicalRows(): Int32Array {
    const order = new Int32Array(this.stored);
    let i = 0;
    for (let row = this.offlineStart; row < this.offlineEnd; row++) order[i++] = row;
    const isOnline = (row: number) => row < this.offlineStart || row >= this.offlineEnd;
    for (let row = this.cursor; row < this.stored; row++) if (isOnline(row)) order[i++] = row;
    for (let row = 0; row < Math.min(this.cursor, this.stored); row++) if (isOnline(row)) order[i++] = row;
    return order;
  }
}
