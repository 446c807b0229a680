/**
 * Responsiveness of the browser-mode server while the engine trains: command round-trip latency
 * over the WebSocket (through the engine worker) idle and during a training run, the event-loop
 * delay of the server's own thread during training (the worker keeps it free), and the rate and
 * size of the event batches the UI receives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { startBrowserServer } from '../core/server/browser-server.js';
import { EngineWorkerHost } from '../core/server/engine-host.js';
import type { CommandResponse, EventsPush } from '../core/common/protocol.js';
import { median, report } from './util.js';

const scratch = mkdtempSync(join(tmpdir(), 'o2o-bench-server-'));
writeFileSync(join(scratch, 'index.html'), '<!doctype html><title>bench</title>');

const engine = await EngineWorkerHost.start({
  service: {
    runsDirectory: join(scratch, 'runs'),
    datasetsDirectory: join(scratch, 'datasets'),
    baseDirectory: scratch,
    mode: 'browser',
    version: 'bench',
  },
});
const server = await startBrowserServer({ engine, rendererDirectory: scratch, port: 0 });
const origin = `http://127.0.0.1:${server.port}`;
const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin });
await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

const waiting = new Map<number, (response: CommandResponse) => void>();
const batches: { at: number; updates: number }[] = [];
socket.on('message', (data) => {
  const message = JSON.parse(data.toString()) as CommandResponse | EventsPush;
  if ('type' in message) {
    batches.push({
      at: performance.now(),
      updates: message.batch.events.filter((e) => e.type === 'update').length,
    });
  } else waiting.get(message.id)?.(message);
});
let nextId = 1;
function call(method: string, params: unknown): Promise<CommandResponse> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    socket.send(JSON.stringify({ id, method, params }));
  });
}

async function roundTrips(count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call('app.info', {});
    times.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return times;
}

const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))];

await roundTrips(20); // warm-up (backend initialisation on the first app.info)
const idle = await roundTrips(100);
report({ name: 'server.roundtrip.idle', unit: 'ms', median: median(idle), p95: percentile(idle, 0.95) });

const started = await call('runs.start', {
  config: {
    env: { id: 'pendulum-v1' },
    agent: { hiddenSizes: [64, 64], batchSize: 128 },
    offline: { steps: 0, evalInterval: 0 },
    online: { envSteps: 1_000_000, warmupSteps: 256 },
    eval: { episodes: 1, interval: 1_000_000 },
    checkpoint: { interval: 1_000_000 },
  },
  name: 'bench',
});
if (!('result' in started)) throw new Error(`could not start the run: ${JSON.stringify(started)}`);
const { runId } = started.result as { runId: string };
// Let the warm-up pass so that gradient updates are running.
while (!batches.some((batch) => batch.updates > 0)) await new Promise((resolve) => setTimeout(resolve, 100));

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const firstBatch = batches.length;
const windowStart = performance.now();
const training = await roundTrips(100);
const windowSeconds = (performance.now() - windowStart) / 1000;
loopDelay.disable();
report({
  name: 'server.roundtrip.training',
  unit: 'ms',
  median: median(training),
  p95: percentile(training, 0.95),
});
report({
  name: 'server.eventloop.delay.training',
  unit: 'ms',
  mean: loopDelay.mean / 1e6,
  p99: loopDelay.percentile(99) / 1e6,
  max: loopDelay.max / 1e6,
});
const during = batches.slice(firstBatch);
report({
  name: 'server.event.batches',
  unit: 'per s',
  rate: during.length / windowSeconds,
  medianUpdatesPerBatch: median(during.map((batch) => batch.updates)),
});

await call('runs.stop', { runId });
socket.close();
await server.close();
await engine.close();
rmSync(scratch, { recursive: true, force: true });
