/** Pure transforms of metric series for the charts: smoothing and aggregation across runs. */

/**
 * Debiased exponential moving average, as TensorBoard's smoothing slider computes it:
 *   m_t = w·m_{t−1} + (1 − w)·y_t,  m_0 = 0,  s_t = m_t / (1 − w^k)
 * with k the number of finite values seen so far (Kingma & Ba 2015, §3: bias correction of a
 * zero-initialised average). w = 0 returns the input; NaN values stay NaN and are skipped.
 */
export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  if (!(weight > 0)) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  const w = Math.min(weight, 0.9999);
  let average = 0;
  let correction = 1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) {
      out[i] = Number.NaN;
      continue;
    }
    average = w * average + (1 - w) * value;
    correction *= w;
    out[i] = average / (1 - correction);
  }
  return out;
}

/** Linear interpolation of the sorted series (x, y) at `at`; NaN outside [x_0, x_last] or over a gap. */
export function interpolateAt(x: ArrayLike<number>, y: ArrayLike<number>, at: number): number {
  const n = x.length;
  if (n === 0 || at < x[0] || at > x[n - 1]) return Number.NaN;
  let low = 0;
  let high = n - 1;
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if (x[mid] <= at) low = mid;
    else high = mid;
  }
  if (x[low] === at) return y[low];
  if (x[high] === at) return y[high];
  const t = (at - x[low]) / (x[high] - x[low]);
  return y[low] + t * (y[high] - y[low]);
}

export interface AlignedSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** The sorted union of the runs' finite steps. */
function unionOfSteps(runs: readonly AlignedSeries[]): Float64Array {
  const steps = new Set<number>();
  for (const run of runs)
    for (let i = 0; i < run.x.length; i++) if (Number.isFinite(run.x[i])) steps.add(run.x[i]);
  return Float64Array.from(steps).sort();
}

export interface MeanStd {
  x: Float64Array;
  mean: Float64Array;
  /** Sample standard deviation (n − 1 in the denominator); 0 where a single run covers the step. */
  std: Float64Array;
  /** Number of runs that cover each step. */
  count: Float64Array;
}

/**
 * Mean ± standard deviation across runs aligned by step. The grid is the union of every run's
 * steps when that is at most `maxPoints` long, else `maxPoints` evenly spaced steps over the
 * union's range. Each run is linearly interpolated on the grid and contributes only inside its own
 * step range (a shorter run does not drag the mean at steps it never reached).
 *   mean = (1/m) Σ_r y_r,  std = sqrt(Σ_r (y_r − mean)² / (m − 1)),  m = runs covering the step.
 */
export function meanStdAcrossRuns(runs: readonly AlignedSeries[], maxPoints = 2000): MeanStd {
  let grid = unionOfSteps(runs);
  if (grid.length > maxPoints) {
    const first = grid[0];
    const last = grid[grid.length - 1];
    grid = Float64Array.from({ length: maxPoints }, (_, i) => first + ((last - first) * i) / (maxPoints - 1));
  }
  const mean = new Float64Array(grid.length);
  const std = new Float64Array(grid.length);
  const count = new Float64Array(grid.length);
  const samples = new Float64Array(runs.length);
  for (let g = 0; g < grid.length; g++) {
    let m = 0;
    for (const run of runs) {
      const value = interpolateAt(run.x, run.y, grid[g]);
      if (Number.isFinite(value)) samples[m++] = value;
    }
    count[g] = m;
    if (m === 0) {
      mean[g] = Number.NaN;
      std[g] = Number.NaN;
      continue;
    }
    let sum = 0;
    for (let k = 0; k < m; k++) sum += samples[k];
    const average = sum / m;
    let squares = 0;
    for (let k = 0; k < m; k++) squares += (samples[k] - average) ** 2;
    mean[g] = average;
    std[g] = m > 1 ? Math.sqrt(squares / (m - 1)) : 0;
  }
  return { x: grid, mean, std, count };
}

/** x shifted so that 0 is the first step of online fine-tuning (negative during pretraining). */
export function stepsSinceOnline(x: ArrayLike<number>, onlineStart: number | null): Float64Array {
  const shift = onlineStart ?? 0;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - shift;
  return out;
}

/** How many values are ≤ 0 (what a log axis cannot draw); NaN does not count. */
export function nonPositiveCount(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] <= 0) count++;
  return count;
}

/** For a log-scaled axis: values ≤ 0 cannot be drawn and become NaN (gaps). */
export function positiveOnly(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] > 0 ? values[i] : Number.NaN;
  return out;
}

/**
 * The columns a chart draws when its left y-axis is logarithmic: series on the left axis keep only
 * positive values (positiveOnly), series on the linear right axis (`onRightAxis[i]`) pass unchanged,
 * so a negative actor loss beside log-scaled critic losses stays visible.
 */
export function forLogLeftAxis(
  columns: readonly ArrayLike<number>[],
  onRightAxis: readonly boolean[],
): ArrayLike<number>[] {
  return columns.map((values, i) => (onRightAxis[i] ? values : positiveOnly(values)));
}

/**
 * Several runs on one shared x column (what a multi-series chart needs): the sorted union of their
 * steps, each run's values at its own steps and NaN elsewhere (draw with gaps spanned). A run
 * that logs a step twice keeps the last value.
 */
export function alignOnUnion(runs: readonly AlignedSeries[]): { x: Float64Array; ys: Float64Array[] } {
  const x = unionOfSteps(runs);
  const position = new Map<number, number>();
  x.forEach((step, i) => position.set(step, i));
  const ys = runs.map((run) => {
    const y = new Float64Array(x.length).fill(Number.NaN);
    for (let i = 0; i < run.x.length; i++) {
      const at = position.get(run.x[i]);
      if (at !== undefined) y[at] = run.y[i];
    }
    return y;
  });
  return { x, ys };
}

/** What a chart's x-axis counts. */
export type XAxis = 'step' | 'envStep' | 'time' | 'sinceOnline';

export const X_AXES: readonly { value: XAxis; label: string }[] = [
  { value: 'step', label: 'update step' },
  { value: 'envStep', label: 'env step' },
  { value: 'time', label: 'wall time (min)' },
  { value: 'sinceOnline', label: 'updates since fine-tuning began' },
];

export function xAxisLabel(axis: XAxis): string {
  return X_AXES.find((entry) => entry.value === axis)?.label ?? axis;
}

/** A table of records with step, envStep and time columns (the run store's ColumnTable). */
export interface RecordColumns {
  column(name: string): Float64Array;
  readonly length: number;
}

/** Where the run's axes start: the first step of fine-tuning and the wall time of the first record. */
export interface AxisOrigin {
  onlineStartStep: number | null;
  /** Seconds since 1970 of the run's first record; NaN when its records carry no time (older runs). */
  startTime: number;
}

/** The earliest `time` of the tables' first rows (records are in time order), NaN if none has one. */
export function firstTime(tables: readonly RecordColumns[]): number {
  let first = Number.NaN;
  for (const table of tables) {
    if (table.length === 0) continue;
    const value = table.column('time')[0];
    if (Number.isFinite(value) && !(value >= first)) first = value;
  }
  return first;
}

/**
 * The x values of a table's rows on `axis`: update step, environment step, minutes of wall time
 * since the run's first record, or update steps since fine-tuning began (negative before it).
 */
export function xValues(table: RecordColumns, axis: XAxis, origin: AxisOrigin): Float64Array {
  if (axis === 'envStep') return table.column('envStep');
  if (axis === 'sinceOnline') return stepsSinceOnline(table.column('step'), origin.onlineStartStep);
  if (axis === 'time') {
    const time = table.column('time');
    const out = new Float64Array(time.length);
    for (let i = 0; i < time.length; i++) out[i] = (time[i] - origin.startTime) / 60;
    return out;
  }
  return table.column('step');
}

/** 75 → "1m 15s", 4000 → "1h 06m"; "–" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
