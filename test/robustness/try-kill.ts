import { runKillProbes } from './kill-probes.js';
const started = Date.now();
const results = await runKillProbes({
  directory: '/tmp/k14/kills',
  trials: Number(process.argv[2] ?? 8),
  log: (l) => console.log(l),
});
console.log(
  JSON.stringify({
    trials: results.length,
    resumed: results.filter((r) => r.resumed).length,
    identical: results.filter((r) => r.identical).length,
    cut: results.filter((r) => r.cutCheckpointWrite).length,
  }),
  (Date.now() - started) / 1000,
);
