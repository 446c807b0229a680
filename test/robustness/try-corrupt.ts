import { runCorruptionProbes } from './checkpoint-corruptions.js';
const started = Date.now();
const results = await runCorruptionProbes('/tmp/k14/corrupt', { log: (l) => console.log(l) });
console.log(results.filter((r) => r.handled).length, '/', results.length, (Date.now() - started) / 1000);
