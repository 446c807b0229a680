/**
 * Environment steps per second for every registered environment, under uniform random actions
 * (resets included when an episode ends). Single thread, one environment instance.
 */
import { listEnvs, makeEnv } from '../core/envs/registry.js';
import { Rng } from '../core/util/random.js';
import { loadAverage, median, report } from './util.js';

const STEPS = 200_000;
const REPEATS = 3;

for (const { id } of listEnvs()) {
  const env = makeEnv(id);
  const rng = new Rng(1);
  const space = env.actionSpace;
  // Pre-drawn actions so the figure measures the simulator, not the random numbers.
  const actions: (Float32Array | number)[] = Array.from({ length: 4096 }, () =>
    space.kind === 'discrete'
      ? rng.int(space.n)
      : Float32Array.from({ length: space.size }, (_, i) => rng.uniformIn(space.low[i], space.high[i])),
  );
  const rates: number[] = [];
  for (let r = 0; r <= REPEATS; r++) {
    env.reset(r);
    const start = process.hrtime.bigint();
    for (let i = 0; i < STEPS; i++) {
      const step = env.step(actions[i & 4095]);
      if (step.terminated || step.truncated) env.reset();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r > 0) rates.push(STEPS / seconds);
  }
  report({
    name: `envs-step.${id}`,
    unit: 'steps/s',
    value: Math.round(median(rates)),
    load1: loadAverage(),
  });
}
