/** Helpers shared by the benchmarks: one JSON line per figure, medians of repeated timings. */

/** Print one figure as a JSON line on stdout. */
export function report(figure: Record<string, unknown> & { name: string }): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Peak resident set size of this process in MiB (Linux reports maxRSS in KiB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Time `fn` `repeats` times after `warmup` calls; returns seconds per call for each repeat. */
export function timeRepeats(fn: () => void, repeats: number, warmup = 1): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return times;
}
