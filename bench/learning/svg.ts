/**
 * Minimal SVG line plots for the benchmark reports: several series, each a mean line with an
 * optional shaded band (e.g. ± one standard deviation across seeds), labelled axes with "nice"
 * ticks, a legend, and vertical markers (e.g. the offline → online phase boundary).
 */

export interface PlotSeries {
  name: string;
  x: number[];
  y: number[];
  /** Optional band around y (same length as x). */
  lower?: number[];
  upper?: number[];
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  markers?: { x: number; label: string }[];
  /** Fixed y range; default from the data. */
  yRange?: [number, number];
  logY?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

/** Round steps 1, 2, 5 × 10^k giving about `count` ticks over [low, high]. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
  }
  return ticks;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatTick(value: number): string {
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) return value.toExponential(0);
  if (Math.abs(value) >= 1000) return `${value / 1000}k`;
  return String(Number(value.toPrecision(4)));
}

export function linePlot(options: PlotOptions): string {
  const width = options.width ?? 840;
  const height = options.height ?? 360;
  const margin = { left: 64, right: 290, top: 36, bottom: 48 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const transformY = (y: number) => (options.logY ? Math.log10(Math.max(y, 1e-12)) : y);
  const finite = (values: number[]) => values.filter((value) => Number.isFinite(value));
  const xs = finite(options.series.flatMap((series) => series.x));
  const ys = finite(
    options.series
      .flatMap((series) => [...series.y, ...(series.lower ?? []), ...(series.upper ?? [])])
      // on a log axis a value ≤ 0 (a mean − sd band below zero) is left out and drawn at the bottom
      .filter((y) => !options.logY || y > 0)
      .map(transformY),
  );
  const xMin = Math.min(...xs, ...(options.markers ?? []).map((marker) => marker.x));
  const xMax = Math.max(...xs, xMin + 1);
  let [yMin, yMax] = options.yRange ? options.yRange.map(transformY) : [Math.min(...ys), Math.max(...ys)];
  if (!Number.isFinite(yMin) || !Number.isFinite(yMax)) [yMin, yMax] = [0, 1];
  if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const px = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const py = (y: number) => {
    const t = options.logY && !(y > 0) ? yMin : Math.min(yMax, Math.max(yMin, transformY(y)));
    return margin.top + (1 - (t - yMin) / (yMax - yMin)) * plotHeight;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escape(options.title)}</text>`,
  ];
  for (const tick of niceTicks(xMin, xMax, 6)) {
    const x = px(tick);
    parts.push(
      `<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotHeight}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${x}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of niceTicks(yMin, yMax, 5)) {
    const y = margin.top + (1 - (tick - yMin) / (yMax - yMin)) * plotHeight;
    parts.push(
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotWidth}" y2="${y}" stroke="#eee"/>`,
    );
    const label = options.logY ? formatTick(Number((10 ** tick).toPrecision(2))) : formatTick(tick);
    parts.push(`<text x="${margin.left - 6}" y="${y + 4}" text-anchor="end">${label}</text>`);
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
  );
  for (const marker of options.markers ?? []) {
    const x = px(marker.x);
    parts.push(
      `<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotHeight}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<text x="${x + 4}" y="${margin.top + 12}" fill="#555">${escape(marker.label)}</text>`,
    );
  }
  options.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length];
    const points = series.x
      .map((x, i) => [x, series.y[i]] as const)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (series.lower && series.upper) {
      const upper = series.x.map((x, i) => `${px(x).toFixed(1)},${py(series.upper![i]).toFixed(1)}`);
      const lower = series.x
        .map((x, i) => `${px(x).toFixed(1)},${py(series.lower![i]).toFixed(1)}`)
        .reverse();
      if (upper.every((point) => !point.includes('NaN')) && lower.every((point) => !point.includes('NaN'))) {
        parts.push(
          `<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`,
        );
      }
    }
    if (points.length > 0) {
      const path = points
        .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
        .join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    }
    const legendY = margin.top + 8 + index * 18;
    parts.push(
      `<line x1="${margin.left + plotWidth + 12}" y1="${legendY}" x2="${margin.left + plotWidth + 32}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${margin.left + plotWidth + 38}" y="${legendY + 4}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
