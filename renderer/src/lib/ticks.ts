/** Axis ticks for the canvas charts (uPlot draws its own). */

/**
 * "Nice" tick positions in [min, max]: multiples of a step of 1, 2 or 5 × 10^k chosen so that
 * about `count` ticks fit (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990).
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(count >= 1)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) {
    // k·step instead of repeated addition keeps values exact (0.1 + 0.2 drift)
    ticks.push(Number((k * step).toPrecision(12)));
  }
  // A step as wide as a narrow range may miss it entirely: halve the spacing until a tick lands.
  if (ticks.length === 0 && count < 1e6) return niceTicks(min, max, count * 2);
  return ticks;
}

/** Compact tick label: 12k, 1.5M, 0.25. */
export function formatTick(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (magnitude >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}
