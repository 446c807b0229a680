/**
 * End-to-end test of the `o2o` command on a tiny budget: generate a dataset → train both phases
 * in a child process → Ctrl-C (SIGINT) → resume → export (ONNX, TF.js, JSON) → evaluate the
 * exports; and a `kill -9` in the middle of training followed by a resume. The commands that do
 * not need a process of their own run in-process through the same `main(argv)` the binary calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../core/cli/program.js';
import { readLatestCheckpoint } from '../../core/train/checkpoint.js';
import type { RunEvent } from '../../core/common/events.js';
import { readCsvLog } from '../../core/train/metrics-log.js';
import { readRunEvents, readRunStatus } from '../../core/train/run-directory.js';
import { packageInfo } from '../../core/util/package-info.js';

const root = packageInfo().root;
let work: string;
let dataset: string;
let configPath: string;

/** Tiny budget: 32×32 nets, batch 32, 150 offline updates then 150 online steps, checkpoints every 40. */
const tinyFlags = ['--set', 'agent.hiddenSizes=[32,32]', '--set', 'agent.batchSize=32'];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'o2o-cli-'));
  dataset = join(work, 'umaze.arrow');
  configPath = join(work, 'run.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      env: { id: 'pointmaze-umaze-v1' },
      dataset: { path: 'umaze.arrow' },
      seed: 7,
      replay: { priority: 'roer' },
      beta: { kind: 'track', initialBeta: 0.4 },
      offline: { steps: 150, evalInterval: 75 },
      online: { envSteps: 150, updatesPerStep: 1, warmupSteps: 0 },
      eval: { episodes: 2, interval: 75 },
      checkpoint: { interval: 40 },
    }),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Run the CLI in-process; returns the exit code and what it printed. */
async function o2o(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const cwd = process.cwd();
  try {
    process.chdir(work);
    process.exitCode = undefined;
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = undefined;
    process.chdir(cwd);
    out.mockRestore();
    err.mockRestore();
  }
}

interface Child {
  process: ChildProcess;
  events: RunEvent[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Spawn the CLI as the binary runs (node + tsx loader), collecting its --json events. */
function spawnO2o(argv: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'core/cli/main.ts'), ...argv], {
    cwd: root, // where the tsx loader resolves; every path given is absolute
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: RunEvent[] = [];
  let buffer = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as RunEvent);
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { process: child, events, exit, stderr: () => errors };
}

async function waitFor(condition: () => boolean, what: string, child: Child): Promise<void> {
  let exited = false;
  void child.exit.then(() => (exited = true));
  while (!condition()) {
    if (exited) throw new Error(`the CLI exited before ${what}: ${child.stderr()}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

function checkpointsSeen(child: Child): number[] {
  return child.events.flatMap((event) => (event.type === 'checkpoint' ? [event.step] : []));
}

/** Steps logged in updates.csv must be 1, 2, …, n: no gap, no duplicate. */
function expectContiguousSteps(directory: string): number {
  const steps = readCsvLog(join(directory, 'updates.csv')).columns.step as number[];
  expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
  return steps.length;
}

describe('o2o CLI end to end', () => {
  it('generates, trains, stops on Ctrl-C, resumes, exports and evaluates the exports', async () => {
    const generated = await o2o(
      'datasets',
      'generate',
      '--env',
      'pointmaze-umaze-v1',
      '--policy',
      'scripted',
      '--episodes',
      '8',
      '--seed',
      '1',
      '--out',
      dataset,
    );
    expect(generated.code).toBe(0);
    expect(existsSync(dataset)).toBe(true);

    // train in a child process, Ctrl-C once it is in the online phase past a checkpoint
    const run = join(work, 'run');
    const training = spawnO2o(['train', '--config', configPath, '--out', run, '--json', ...tinyFlags]);
    await waitFor(
      () => checkpointsSeen(training).some((step) => step >= 160),
      'an online checkpoint',
      training,
    );
    training.process.kill('SIGINT');
    const { code } = await training.exit;
    expect(code, training.stderr()).toBe(130);
    expect(readRunStatus(run).state).toBe('stopped');
    const stoppedAt = (await readLatestCheckpoint(run))!.step;
    expect(stoppedAt).toBeGreaterThanOrEqual(160);
    expect(stoppedAt).toBeLessThan(300);
    expect(training.events.some((event) => event.type === 'phase' && event.phase === 'online')).toBe(true);
    expect(expectContiguousSteps(run)).toBe(stoppedAt);

    // resume to the end: the curves continue with no gap and no duplicate
    const resumed = await o2o('resume', run);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resumed from the checkpoint at step/);
    expect(readRunStatus(run)).toMatchObject({ state: 'finished', step: 300, envStep: 150 });
    expect(expectContiguousSteps(run)).toBe(300);
    const evaluations = readCsvLog(join(run, 'evaluations.csv'));
    expect(evaluations.columns.step).toEqual([75, 150, 225, 300]);
    expect(
      evaluations.columns.successRate.every((rate) => (rate as number) >= 0 && (rate as number) <= 1),
    ).toBe(true);
    expect(readRunEvents(run).filter((event) => event.type === 'phase')).toHaveLength(2);

    // export in every format
    const onnx = join(work, 'policy.onnx');
    const tfjs = join(work, 'policy-tfjs');
    const json = join(work, 'policy.json');
    for (const [format, out] of [
      ['onnx', onnx],
      ['tfjs', tfjs],
      ['json', json],
    ]) {
      const exported = await o2o('export', run, '--format', format, '--out', out, '--json');
      expect(exported.code, exported.stderr).toBe(0);
      expect(JSON.parse(exported.stdout)).toMatchObject({ format, path: out });
    }
    expect(JSON.parse(readFileSync(json, 'utf8')).metadata).toMatchObject({
      envId: 'pointmaze-umaze-v1',
      trainingSteps: 300,
      envSteps: 150,
    });
    // the best evaluation's policy: which one it is is in the output and in the file
    const best = join(work, 'best.json');
    const exportedBest = await o2o('export', run, '--format', 'json', '--out', best, '--policy', 'best');
    expect(exportedBest.code, exportedBest.stderr).toBe(0);
    expect(exportedBest.stdout).toMatch(
      /wrote json policy of the best evaluation \(success rate \d+(\.\d)?%, (offline|online), update \d+/,
    );
    const bestMetadata = JSON.parse(readFileSync(best, 'utf8')).metadata;
    expect(bestMetadata.evaluation).toMatchObject({ metric: 'successRate' });
    expect(evaluations.columns.step).toContain(bestMetadata.trainingSteps);

    // evaluate the run and each export on the same start states
    const fromRun = JSON.parse((await o2o('eval', run, '--episodes', '3', '--json')).stdout) as Record<
      string,
      number
    >;
    expect(fromRun.episodes).toBe(3);
    expect(Number.isFinite(fromRun.valueBias)).toBe(true);
    for (const policy of [onnx, tfjs, json]) {
      const evaluated = await o2o('eval', '--policy', policy, '--episodes', '3', '--seed', '7', '--json');
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const report = JSON.parse(evaluated.stdout) as Record<string, unknown>;
      expect(report).toMatchObject({ envId: 'pointmaze-umaze-v1', episodes: 3, trainingSteps: 300 });
      // the exported policy acts like the engine (1e-5), so the deterministic episodes agree
      expect(report.meanReturn as number).toBeCloseTo(fromRun.meanReturn, 3);
      expect(report.lengths).toEqual(fromRun.lengths);
    }
  });

  it('loses at most the steps since the last checkpoint after kill -9', async () => {
    const run = join(work, 'killed');
    const training = spawnO2o(['train', '--config', configPath, '--out', run, '--json', ...tinyFlags]);
    await waitFor(
      () => checkpointsSeen(training).some((step) => step >= 80),
      'the second checkpoint',
      training,
    );
    training.process.kill('SIGKILL');
    expect((await training.exit).signal).toBe('SIGKILL');
    const checkpoint = (await readLatestCheckpoint(run))!.step;
    expect(checkpoint).toBeGreaterThanOrEqual(80);
    expect(checkpoint % 40).toBe(0);

    const resumed = await o2o('resume', run, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const events = resumed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    const firstUpdate = events.find((event) => event.type === 'update') as RunEvent & { step: number };
    expect(firstUpdate.step).toBe(checkpoint + 1);
    expect(expectContiguousSteps(run)).toBe(300);
    expect(readRunStatus(run).state).toBe('finished');
  });

  it('reports config errors with the key path and exit code 2', async () => {
    const bad = await o2o(
      'train',
      '--config',
      configPath,
      '--set',
      'beta.targetEssFraction=2',
      '--set',
      'replay.bogus=1',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/beta\.targetEssFraction: /);
    expect(bad.stderr).toMatch(/replay\.bogus: unknown key/);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const neither = await o2o('train');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/--config FILE or --preset NAME/);
    const missingRun = await o2o('resume', join(work, 'nope'));
    expect(missingRun.code).toBe(4);
    expect(missingRun.stderr).toMatch(/nope.*missing/);
    const badBudget = await o2o('resume', join(work, 'nope'), '--env-steps', 'lots');
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toMatch(/--env-steps must be an integer ≥ 1, got "lots"/);
    const badFormat = await o2o('export', join(work, 'nope'), '--format', 'pickle', '--out', 'x');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format: expected one of onnx, tfjs, json/);
    const badPolicy = await o2o(
      'export',
      join(work, 'nope'),
      '--format',
      'json',
      '--out',
      'x',
      '--policy',
      'worst',
    );
    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr).toMatch(/--policy: expected one of latest, best, got "worst"/);
  });
});
