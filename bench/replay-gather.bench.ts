/**
 * Batch gather: `Replay.sample` into a preallocated 256-row batch with observation width 29 and
 * action width 8 (goal: ≥ 20k batches per second), uniform sampling (ROER's official weighting
 * mode) from a 1M-transition buffer, with and without a 50/50 offline/online mix.
 */
import { Replay } from '../core/replay/replay.js';
import { allocateBatch } from '../core/replay/transitions.js';
import { Rng } from '../core/util/random.js';
import { replayOptions } from '../test/helpers/replay-options.js';
import { loadAverage, normalColumns, report, timeWallAndCpu } from './util.js';

const BATCH = 256;
const OBS = 29;
const ACT = 8;
const CAPACITY = 1_000_000;

function figure(mixing: 'union' | 'fixed'): void {
  const options = replayOptions({ capacity: CAPACITY, observationWidth: OBS, actionWidth: ACT }, { mixing });
  const rng = new Rng(5);
  const replay = new Replay(options, new Rng(6));
  const n = 800_000;
  const columns = normalColumns(rng, n, OBS, ACT, true);
  replay.loadOffline(columns);
  const step = {
    observation: new Float32Array(OBS),
    action: new Float32Array(ACT),
    reward: 0,
    nextObservation: new Float32Array(OBS),
    terminal: false,
    timeout: false,
    episodeId: 0,
  };
  for (let i = 0; i < CAPACITY - n; i++) {
    step.observation[0] = i;
    replay.addOnline(step);
  }
  const batch = allocateBatch(BATCH, OBS, ACT);
  const batches = 5000;
  const { wall, cpu } = timeWallAndCpu(() => {
    for (let b = 0; b < batches; b++) replay.sample(batch);
  }, 7);
  report({
    name: 'replay-gather',
    capacity: CAPACITY,
    batch: BATCH,
    observationWidth: OBS,
    actionWidth: ACT,
    mixing,
    batchesPerSecond: Math.round(batches / wall),
    batchesPerCpuSecond: Math.round(batches / cpu),
    goal: 20_000,
    loadAverage: loadAverage(),
  });
}

figure('union');
figure('fixed');
