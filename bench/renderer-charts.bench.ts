/**
 * The data work behind the renderer's charts at 10⁶ points (goal: a redraw's data work under
 * 50 ms, so a live chart stays responsive): M4 reduction of the visible window to one bucket per
 * pixel column for one and six series, priority-heatmap binning of 18 bins, EMA smoothing, and
 * appending update records to the run store's columnar table. Wall and CPU medians: the CPU time
 * shows the code's own cost when the machine is shared.
 */
import { ColumnTable } from '../renderer/src/lib/columns.js';
import { gather, m4Indices } from '../renderer/src/lib/downsample.js';
import { binHeatmap } from '../renderer/src/lib/heatmap.js';
import { smoothEma } from '../renderer/src/lib/series.js';
import { loadAverage, report, timeWallAndCpu } from './util.js';

const points = 1_000_000;
const pixels = 600;
const x = new Float64Array(points);
const series = Array.from({ length: 6 }, () => new Float64Array(points));
const histogram = Array.from({ length: 18 }, () => new Float64Array(points));
let state = 12345;
const random = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
for (let i = 0; i < points; i++) {
  x[i] = i + 1;
  for (let k = 0; k < series.length; k++) series[k][i] = Math.sin(i / (700 + 50 * k)) + 0.3 * random();
  for (let b = 0; b < histogram.length; b++) histogram[b][i] = Math.floor(30 * random());
}

const common = { points, loadAverage: loadAverage() };
const ms = (seconds: number) => Number((seconds * 1000).toFixed(2));

const one = timeWallAndCpu(() => {
  const indices = m4Indices(x, [series[0]], 1, points, pixels);
  gather(series[0], indices);
}, 7);
report({
  name: 'renderer-charts.m4-1-series',
  ...common,
  pixels,
  wallMs: ms(one.wall),
  cpuMs: ms(one.cpu),
  goalMs: 50,
});

const six = timeWallAndCpu(() => {
  const indices = m4Indices(x, series, 1, points, pixels);
  for (const y of series) gather(y, indices);
}, 5);
report({ name: 'renderer-charts.m4-6-series', ...common, pixels, wallMs: ms(six.wall), cpuMs: ms(six.cpu) });

const heat = timeWallAndCpu(() => binHeatmap(x, histogram, 1, points, 200), 5);
report({
  name: 'renderer-charts.heatmap-18-bins',
  ...common,
  columns: 200,
  wallMs: ms(heat.wall),
  cpuMs: ms(heat.cpu),
});

const ema = timeWallAndCpu(() => smoothEma(series[0], 0.6), 7);
report({ name: 'renderer-charts.ema', ...common, wallMs: ms(ema.wall), cpuMs: ms(ema.cpu) });

const records = 200_000;
const record = {
  type: 'update',
  step: 0,
  envStep: 0,
  phase: 'online',
  beta: 1,
  betaTarget: 0.5,
  ess: 128,
  essFraction: 0.5,
  tdP05: -1,
  tdP50: 0,
  tdP95: 1,
  priorityHistogram: Array.from({ length: 18 }, (_, i) => i),
};
const append = timeWallAndCpu(() => {
  const table = new ColumnTable();
  for (let i = 0; i < records; i++) {
    record.step = i;
    table.append(record);
  }
}, 3);
report({
  name: 'renderer-charts.store-append',
  records,
  loadAverage: common.loadAverage,
  recordsPerSecond: Math.round(records / append.wall),
  recordsPerCpuSecond: Math.round(records / append.cpu),
});
