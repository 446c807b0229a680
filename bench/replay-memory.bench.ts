/**
 * Memory per transition at 2M capacity (observation width 29, action width 8), measured as the
 * growth of array-buffer memory when the buffer is built (goal: within 10% of the raw float32
 * payload). The raw payload is observation, next observation, action and reward as float32:
 * 4·(2·29 + 8 + 1) = 268 bytes. The buffer also stores a float32 priority, an int32 episode id and
 * three uint8 flags (279 bytes in all), plus the sum and min trees when sampling proportionally.
 */
import { bytesPerTransition } from '../core/replay/options.js';
import { Replay } from '../core/replay/replay.js';
import { Rng } from '../core/util/random.js';
import { replayOptions } from '../test/helpers/replay-options.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { report } from './util.js';

// A full collection between figures, so that one buffer's memory is not counted in the next.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const CAPACITY = 2_000_000;
const OBS = 29;
const ACT = 8;
const RAW = 4 * (2 * OBS + ACT + 1);

function figure(mode: 'weight' | 'sample'): void {
  const options = replayOptions({ capacity: CAPACITY, observationWidth: OBS, actionWidth: ACT }, { mode });
  collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  const replay = new Replay(options, new Rng(1));
  collectGarbage(); // anything freed meanwhile is released before the second reading, too
  const measured = process.memoryUsage().arrayBuffers - before;
  const estimated = Replay.estimateBytes(options);
  report({
    name: 'replay-memory',
    capacity: CAPACITY,
    observationWidth: OBS,
    actionWidth: ACT,
    mode: `roer/${mode}`,
    bytesPerTransition: +(measured / CAPACITY).toFixed(2),
    estimatedBytesPerTransition: +(estimated / CAPACITY).toFixed(2),
    columnBytesPerTransition: bytesPerTransition(OBS, ACT),
    rawFloat32PayloadBytes: RAW,
    ratioToRawPayload: +(measured / CAPACITY / RAW).toFixed(4),
    goalRatio: 1.1,
  });
  keptAlive.push(replay); // no buffer is freed while another one is measured
}

const keptAlive: Replay[] = [];

figure('weight');
figure('sample');
