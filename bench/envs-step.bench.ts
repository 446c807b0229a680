/**
 * Environment steps per second for every registered environment, under uniform random actions
 * (resets included when an episode ends). Single thread, one environment instance. The MuJoCo
 * tasks run fewer steps per repeat (they are 10–100× slower); an environment that cannot run
 * here (MuJoCo failed to load) prints its figure with value null and the reason.
 */
import { envSpec, listEnvsChecked, makeEnv } from '../core/envs/registry.js';
import { Rng } from '../core/util/random.js';
import { loadAverage, median, report } from './util.js';

const STEPS = 200_000;
const MUJOCO_STEPS = 10_000;
const REPEATS = 3;

for (const { id, available, unavailableReason } of await listEnvsChecked()) {
  if (available === false) {
    report({ name: `envs-step.${id}`, unit: 'steps/s', value: null, unavailable: unavailableReason });
    continue;
  }
  const steps = envSpec(id).runtime ? MUJOCO_STEPS : STEPS;
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
    for (let i = 0; i < steps; i++) {
      const step = env.step(actions[i & 4095]);
      if (step.terminated || step.truncated) env.reset();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r > 0) rates.push(steps / seconds);
  }
  env.close?.();
  report({
    name: `envs-step.${id}`,
    unit: 'steps/s',
    value: Math.round(median(rates)),
    load1: loadAverage(),
  });
}
