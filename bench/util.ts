/** Helpers shared by the benchmarks: one JSON line per figure, medians of repeated timings. */
import { loadavg } from 'node:os';
import type { TransitionColumns } from '../core/replay/transitions.js';
import type { Rng } from '../core/util/random.js';

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

/** Wall-clock and CPU seconds of one measurement; CPU is user + system time of this process. */
export interface WallAndCpu {
  wall: number;
  cpu: number;
}

/** Start a measurement; the returned function gives the wall-clock and CPU seconds since. */
function startClock(): () => WallAndCpu {
  const cpuStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  return () => {
    const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
  };
}

/**
 * Wall-clock and CPU seconds of one awaited call of `fn`. The CPU time shows the cost of the code
 * itself when the machine is shared; the wall time is what a user waits.
 */
export async function timeOnce(fn: () => Promise<unknown> | unknown): Promise<WallAndCpu> {
  const stop = startClock();
  await fn();
  return stop();
}

/**
 * Median wall-clock and median CPU seconds of `fn` over `repeats` runs after `warmup` calls
 * (see {@link timeOnce} for what the two figures mean).
 */
export function timeWallAndCpu(fn: () => void, repeats: number, warmup = 1): WallAndCpu {
  for (let i = 0; i < warmup; i++) fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const stop = startClock();
    fn();
    const { wall, cpu } = stop();
    walls.push(wall);
    cpus.push(cpu);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/** The machine's one-minute load average, to two decimals: how shared the CPU was during a figure. */
export function loadAverage(): number {
  return Number(loadavg()[0].toFixed(2));
}

/**
 * Offline transitions for the replay benchmarks: standard-normal observations and next
 * observations (and actions, when `randomActions`), drawn from `rng` in that order; zero rewards,
 * no episode ends.
 */
export function normalColumns(
  rng: Rng,
  length: number,
  observationWidth: number,
  actionWidth: number,
  randomActions: boolean,
): TransitionColumns {
  const observations = rng.fillNormal(new Float32Array(length * observationWidth));
  const actions = new Float32Array(length * actionWidth);
  if (randomActions) rng.fillNormal(actions);
  return {
    length,
    observationWidth,
    actionWidth,
    observations,
    actions,
    rewards: new Float32Array(length),
    nextObservations: rng.fillNormal(new Float32Array(length * observationWidth)),
    terminals: new Uint8Array(length),
    timeouts: new Uint8Array(length),
  };
}
