/**
 * Binning for the priority-distribution heatmap: x = update step, y = the fixed logarithmic
 * priority bins of PRIORITY_HISTOGRAM_EDGES (plus underflow and overflow). Every update record
 * carries the counts of its batch's priorities per bin; a heatmap column sums the counts of the
 * updates whose step falls in its time bin and shows each bin's share of that column.
 */
import { lowerBound, upperBound } from './downsample.js';

export interface HeatmapGrid {
  /** Number of time columns and of priority bins (rows). */
  columns: number;
  bins: number;
  /** Share of each bin in its column, column-major: cells[column·bins + bin]; NaN for empty columns. */
  cells: Float64Array;
  /** Step range of each column: [columnStart[c], columnStart[c] + columnWidth). */
  columnStart: Float64Array;
  columnWidth: number;
  /** Update records whose step fell in each column (estimated as used rows × stride when rows are strided). */
  updates: Uint32Array;
}

/**
 * Sum the histogram rows of updates with step in [xMin, xMax] into `columns` equal time bins and
 * normalise each column to shares: cell(c, b) = Σ_{t∈c} count_t(b) / Σ_{t∈c} Σ_b' count_t(b').
 * `steps` must be sorted ascending; `histogram[b]` is the column of counts of bin b.
 *
 * With more than `maxRowsPerColumn` rows per column on average, every k-th row is used
 * (k = ⌈rows / (columns · maxRowsPerColumn)⌉): a column's shares are then estimated from a few
 * hundred batches of 256 priorities each, which a colour cannot tell from the exact value, and a
 * million-row heatmap costs what a 100k-row one does.
 */
export function binHeatmap(
  steps: ArrayLike<number>,
  histogram: readonly ArrayLike<number>[],
  xMin: number,
  xMax: number,
  columns: number,
  maxRowsPerColumn = 512,
): HeatmapGrid {
  const bins = histogram.length;
  const cellCount = Math.max(0, Math.floor(columns));
  const cells = new Float64Array(cellCount * bins);
  const updates = new Uint32Array(cellCount);
  const span = xMax - xMin;
  const columnWidth = cellCount > 0 ? (span > 0 ? span / cellCount : 1) : 0;
  const columnStart = Float64Array.from({ length: cellCount }, (_, c) => xMin + c * columnWidth);
  if (cellCount === 0 || bins === 0)
    return { columns: cellCount, bins, cells, columnStart, columnWidth, updates };
  const start = lowerBound(steps, xMin);
  const end = upperBound(steps, xMax);
  const stride = Math.max(1, Math.ceil((end - start) / (cellCount * maxRowsPerColumn)));
  // Column of every used row once, then one sequential pass per bin (memory-friendly for 10⁶ rows).
  const columnOf = new Int32Array(Math.max(0, Math.ceil((end - start) / stride)));
  for (let i = start, k = 0; i < end; i += stride, k++) {
    const column = span > 0 ? Math.min(cellCount - 1, Math.floor((steps[i] - xMin) / columnWidth)) : 0;
    columnOf[k] = column;
    updates[column] += stride;
  }
  for (let b = 0; b < bins; b++) {
    const counts = histogram[b];
    for (let i = start, k = 0; i < end; i += stride, k++) {
      const count = counts[i];
      if (count > 0 && count !== Infinity) cells[columnOf[k] * bins + b] += count;
    }
  }
  for (let c = 0; c < cellCount; c++) {
    let total = 0;
    for (let b = 0; b < bins; b++) total += cells[c * bins + b];
    for (let b = 0; b < bins; b++) cells[c * bins + b] = total > 0 ? cells[c * bins + b] / total : Number.NaN;
  }
  return { columns: cellCount, bins, cells, columnStart, columnWidth, updates };
}

/** Anchor colours of the viridis colour map (van der Walt & Smith, matplotlib) at 0, 1/8, …, 1. */
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

/** Viridis colour of t ∈ [0, 1] (clamped), linearly interpolated between the anchors. */
export function viridis(t: number): [number, number, number] {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (VIRIDIS.length - 1);
  const low = Math.floor(position);
  const high = Math.min(VIRIDIS.length - 1, low + 1);
  const f = position - low;
  const a = VIRIDIS[low];
  const b = VIRIDIS[high];
  return [
    Math.round(a[0] + f * (b[0] - a[0])),
    Math.round(a[1] + f * (b[1] - a[1])),
    Math.round(a[2] + f * (b[2] - a[2])),
  ];
}

/**
 * Colour intensity of a share: √share, so that bins holding a few percent of the batch stay
 * visible next to a dominant bin (a perceptual gamma of 0.5).
 */
export function shareIntensity(share: number): number {
  return Number.isFinite(share) && share > 0 ? Math.sqrt(Math.min(1, share)) : 0;
}

/** Labels of the priority bins: "< e₀", "[e₀, e₁)", …, "≥ e_last". */
export function priorityBinLabels(edges: readonly number[]): string[] {
  const format = (value: number): string => Number(value.toPrecision(2)).toString();
  const labels = [`< ${format(edges[0])}`];
  for (let i = 1; i < edges.length; i++) labels.push(`${format(edges[i - 1])}–${format(edges[i])}`);
  labels.push(`≥ ${format(edges[edges.length - 1])}`);
  return labels;
}
