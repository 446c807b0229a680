/**
 * Loading a 1M-transition dataset file into replay storage, against the time to read the file's
 * bytes from disk (goal: load ≤ 2× read). The file is generated into a temporary directory at
 * bench time (D4RL layout, our writer) and read from the page cache in every timing, so the
 * comparison is between parsing/validation/copying and a plain read of the same bytes.
 * Figures: read, loadDataset (read + parse + validate, zero-copy columns), and loadDataset plus
 * Replay.loadOffline into a buffer with room for as many online transitions (one block copy per column).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../core/data/load.js';
import { encodeDataset } from '../core/data/write.js';
import { Replay } from '../core/replay/replay.js';
import type { TransitionColumns } from '../core/replay/transitions.js';
import { Rng } from '../core/util/random.js';
import { replayOptions } from '../test/helpers/replay-options.js';
import { loadAverage, median, report, timeOnce, type WallAndCpu } from './util.js';

const ROWS = 1_000_000;
const REPEATS = 7;

function syntheticColumns(observationWidth: number, actionWidth: number): TransitionColumns {
  const rng = new Rng(11);
  const terminals = new Uint8Array(ROWS);
  const timeouts = new Uint8Array(ROWS);
  for (let i = 999; i < ROWS; i += 1000) timeouts[i] = 1;
  for (let i = 0; i < ROWS; i++) if (rng.uniform() < 0.001) terminals[i] = timeouts[i] ? 0 : 1;
  return {
    length: ROWS,
    observationWidth,
    actionWidth,
    observations: rng.fillNormal(new Float32Array(ROWS * observationWidth)),
    actions: Float32Array.from({ length: ROWS * actionWidth }, () => rng.uniformIn(-1, 1)),
    rewards: rng.fillNormal(new Float32Array(ROWS)),
    nextObservations: rng.fillNormal(new Float32Array(ROWS * observationWidth)),
    terminals,
    timeouts,
  };
}

/**
 * The figure fields of repeated timings: the fastest wall time as the value (the least disturbed
 * by other processes), the median wall time, and the fastest CPU time.
 */
function timingFigure(timings: WallAndCpu[]): { unit: 's'; value: number; median: number; cpu: number } {
  const walls = timings.map((t) => t.wall);
  return {
    unit: 's',
    value: Math.min(...walls),
    median: median(walls),
    cpu: Math.min(...timings.map((t) => t.cpu)),
  };
}

/** How many times the plain read of the same bytes a timing figure takes, in wall and in CPU time. */
function ratiosToRead(
  figure: { value: number; cpu: number },
  read: { value: number; cpu: number },
): { ratioToRead: number; cpuRatioToRead: number } {
  return { ratioToRead: figure.value / read.value, cpuRatioToRead: figure.cpu / read.cpu };
}

async function figure(label: string, observationWidth: number, actionWidth: number): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'o2o-bench-load-'));
  const path = join(directory, 'dataset.arrow');
  try {
    const bytes = encodeDataset(syntheticColumns(observationWidth, actionWidth), {
      formatVersion: 1,
      envId: 'synthetic',
      behaviorPolicy: 'synthetic',
      seed: 11,
      episodes: 0,
      steps: ROWS,
      referenceMinScore: null,
      referenceMaxScore: null,
      author: 'bench',
      createdAt: '2026-01-01T00:00:00Z',
    });
    writeFileSync(path, bytes);
    const reads: WallAndCpu[] = [];
    const loads: WallAndCpu[] = [];
    const loadsIntoReplay: WallAndCpu[] = [];
    let zeroCopy: string[] = [];
    // Warm-up (page cache, JIT), then interleave the three measurements.
    readFileSync(path);
    await loadDataset(path);
    for (let r = 0; r < REPEATS; r++) {
      reads.push(await timeOnce(() => readFileSync(path)));
      loads.push(
        await timeOnce(async () => {
          zeroCopy = (await loadDataset(path)).zeroCopyColumns;
        }),
      );
      const fresh = new Replay(
        replayOptions({ capacity: 2 * ROWS, observationWidth, actionWidth }),
        new Rng(1),
      );
      loadsIntoReplay.push(await timeOnce(async () => fresh.loadOffline((await loadDataset(path)).columns)));
    }
    const read = timingFigure(reads);
    const load = timingFigure(loads);
    const intoReplay = timingFigure(loadsIntoReplay);
    const mib = bytes.length / 1048576;
    report({ name: `dataset-load.read.${label}`, ...read, fileMiB: mib, mibPerSecond: mib / read.value });
    report({ name: `dataset-load.loadDataset.${label}`, ...load, ...ratiosToRead(load, read), zeroCopy });
    report({
      name: `dataset-load.intoReplay.${label}`,
      ...intoReplay,
      ...ratiosToRead(intoReplay, read),
      goalRatio: 2,
      transitions: ROWS,
      load1: loadAverage(),
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await figure('obs4-act2', 4, 2);
await figure('obs17-act6', 17, 6);
