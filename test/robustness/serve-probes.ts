/**
 * The server probes against a real `o2o serve` process hosting a real training run: every
 * malformed input of server-probes.ts, then SIGTERM. The server must answer after each input, the
 * run must keep training through all of them, and SIGTERM must end the process promptly with the
 * run's last state recorded truthfully (stopped with a final checkpoint, or finished).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, openSocket, runServerProbes, type ProbeResult } from './server-probes.js';

const ROOT = join(import.meta.dirname, '..', '..');

export interface LiveServerReport {
  probes: ProbeResult[];
  /** Updates the hosted run made while the probes ran. */
  runProgress: number;
  /** How the process ended after SIGTERM, and how long it took. */
  exit: { code: number | null; signal: string | null; seconds: number };
  /** state in the run's status.json after the server ended. */
  finalRunState: string;
}

export async function probeLiveServer(
  runsDirectory: string,
  log: (line: string) => void = () => {},
): Promise<LiveServerReport> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'core/cli/main.ts'), 'serve', '--port', '0', '--runs', runsDirectory],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    const deadline = Date.now() + 120_000;
    let match: RegExpExecArray | null = null;
    while (!(match = /O2O Studio: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})/.exec(output))) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`o2o serve did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const target = { port: Number(match[1]), token: match[2] };
    const ws = await openSocket(target);
    const config = {
      env: { id: 'pendulum-v1' },
      dataset: { path: join(ROOT, 'datasets', 'pendulum-medium-v1.arrow') },
      agent: { hiddenSizes: [16, 16], batchSize: 32 },
      offline: { steps: 100_000, evalInterval: 0 },
      online: { envSteps: 0 },
      checkpoint: { interval: 200 },
    };
    const started = (await call(ws, 1, 'runs.start', { config, name: 'probed' })) as {
      result?: { runId: string; directory: string };
      error?: unknown;
    };
    if (!started.result) throw new Error(`the run did not start: ${JSON.stringify(started.error)}`);
    const { runId, directory } = started.result;
    const stepOf = async (id: number): Promise<number> => {
      const listed = (await call(ws, id, 'runs.list')) as { result: { runId: string; step: number }[] };
      return listed.result.find((run) => run.runId === runId)?.step ?? 0;
    };
    // let it get going (status.json is written about once a second)
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = await stepOf(2);
    ws.terminate();
    log(`serving on port ${target.port}; run ${runId} at update ${before}`);

    const probes = await runServerProbes(target);
    for (const probe of probes) log(`${probe.alive ? 'up' : 'DOWN'} after ${probe.name}: ${probe.outcome}`);

    const after = await (async () => {
      const socket = await openSocket(target);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      try {
        return await (async () => {
          const listed = (await call(socket, 3, 'runs.list')) as {
            result: { runId: string; step: number }[];
          };
          return listed.result.find((run) => run.runId === runId)?.step ?? 0;
        })();
      } finally {
        socket.terminate();
      }
    })();

    const stopping = Date.now();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    const exit = await exited;
    clearTimeout(timer);
    const seconds = (Date.now() - stopping) / 1000;
    const status = JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8')) as { state: string };
    return { probes, runProgress: after - before, exit: { ...exit, seconds }, finalRunState: status.state };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
