import fc from 'fast-check';
import { SAC_METRICS } from '../../../core/agents/sac.js';
import { scheduledLearningRate } from '../../../core/agents/sac-math.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../../core/data/generate.js';
import { makeEnv } from '../../../core/envs/registry.js';
import type { BoxSpace } from '../../../core/envs/types.js';
import { readLatestCheckpoint } from '../../../core/train/checkpoint.js';
import { ConfigError } from '../../../core/train/config.js';
import type { RunEvent, UpdateRecord } from '../../../core/common/events.js';
import { listRuns, readRunHistory } from '../../../core/train/history.js';
import { readCsvLog } from '../../../core/train/metrics-log.js';
import { identityNormaliser } from '../../../core/train/normaliser.js';
import { forkRun } from '../../../core/train/fork.js';
import { readRunEvents, readRunMeta, readRunStatus } from '../../../core/train/run-directory.js';
import { environmentColumns } from '../../../core/train/setup.js';
import {
  prepareOfflineColumns,
  resumeTrainingRun,
  startTrainingRun,
  truncateRunLogs,
  type CheckpointState,
} from '../../../core/train/run.js';

import { nativeKernelsOrReason } from '../../helpers/kernel-providers.js';
import { withoutColumn } from '../../helpers/curves.js';

let root: string;
let dataset: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'o2o-run-'));
  dataset = join(root, 'pendulum.arrow');
  await generateDataset({
    envId: 'pendulum-v1',
    policy: 'scripted',
    episodes: 3,
    seed: 5,
    out: dataset,
    randomActionRate: 0.3,
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A tiny run: 40 offline updates, 90 online steps of which 10 warm-up (an episode is 200 steps, so it ends mid-episode). */
function tinyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    env: { id: 'pendulum-v1' },
    dataset: { path: dataset },
    seed: 3,
    agent: { hiddenSizes: [16, 16], batchSize: 16 },
    replay: { priority: 'roer' },
    beta: { kind: 'track', initialBeta: 1 },
    offline: { steps: 40, evalInterval: 20 },
    online: { envSteps: 90, updatesPerStep: 1, warmupSteps: 10 },
    eval: { episodes: 2, interval: 45 },
    checkpoint: { interval: 25 },
    ...overrides,
  };
}

function collect(events: RunEvent[]) {
  return (event: RunEvent) => events.push(event);
}

function logMessages(events: RunEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'log' ? [event.message] : []));
}

function updates(events: RunEvent[]): UpdateRecord[] {
  return events.filter((event): event is RunEvent & UpdateRecord => event.type === 'update');
}

describe('training run', () => {
  it('runs both phases and fills the run directory', async () => {
    const directory = join(root, 'fresh');
    const run = await startTrainingRun({ config: tinyConfig(), directory });
    const events: RunEvent[] = [];
    run.bus.subscribe(collect(events));
    expect(await run.done).toBe('finished');

    // every update once, in order, across the phase boundary
    const logged = readCsvLog(join(directory, 'updates.csv'));
    expect(logged.columns.step).toEqual(Array.from({ length: 40 + 81 }, (_, i) => i + 1));
    expect(logged.columns.phase.slice(39, 41)).toEqual(['offline', 'online']);
    expect(logged.header).toContain('priorityHistogram_17');
    // the learner's open metrics record: its keys are columns, its descriptors are in meta.json
    const meta = JSON.parse(readFileSync(join(directory, 'meta.json'), 'utf8')) as {
      metrics: { key: string }[];
    };
    expect(meta.metrics.map((m) => m.key)).toEqual(SAC_METRICS.map((m) => m.key));
    for (const { key } of SAC_METRICS) expect(logged.header).toContain(key);
    expect(logged.header).not.toContain('metrics');
    expect(logged.header).toContain('batchWeightHistogram_17');
    // ROER's stored priorities start at the floor of 1 and, after one update (EMA rate 0.01),
    // rows with a below-average target sit at it again: most of the first batch is at the floor
    const floor = logged.columns.priorityFloorShare as number[];
    expect(floor[0]).toBeGreaterThan(0.5);
    expect(floor.every((share) => share >= 0 && share <= 1)).toBe(true);
    const weightCounts = updates(events).map((record) =>
      record.batchWeightHistogram.reduce((a, b) => a + b, 0),
    );
    expect(new Set(weightCounts)).toEqual(new Set([16]));
    const online = updates(events).filter((record) => record.phase === 'online');
    expect(online[0].envStep).toBe(10); // warm-up: the first online update after 10 random steps
    expect(
      updates(events).every((record) => record.beta > 0 && Number.isFinite(record.metrics.criticLoss)),
    ).toBe(true);
    expect(
      updates(events).every((record) => record.priorityHistogram.reduce((a, b) => a + b, 0) === 16),
    ).toBe(true);
    expect(updates(events)[0].offlineShare).toBe(1);
    expect(online.at(-1)!.bufferOnlineShare).toBeCloseTo(90 / (600 + 90), 6);

    // evaluations: offline at 20, at the phase boundary (40), online at env steps 45 and 90
    const evaluations = readCsvLog(join(directory, 'evaluations.csv'));
    expect(evaluations.columns.step).toEqual([20, 40, 40 + 36, 40 + 81]);
    expect(evaluations.columns.envStep).toEqual([0, 0, 45, 90]);
    expect(evaluations.columns.normalizedScore.every((value) => Number.isFinite(value as number))).toBe(true);
    expect(evaluations.columns.valueBias.every((value) => Number.isFinite(value as number))).toBe(true);

    const phases = readRunEvents(directory).filter((event) => event.type === 'phase');
    expect(phases).toEqual([
      { type: 'phase', phase: 'offline', step: 0, envStep: 0 },
      { type: 'phase', phase: 'online', step: 40, envStep: 0 },
    ]);
    const checkpoint = (await readLatestCheckpoint<CheckpointState>(directory))!;
    expect(checkpoint.step).toBe(121);
    expect(checkpoint.state.counters.envStep).toBe(90);
    expect(checkpoint.state.replay.size).toBe(600 + 90);
    expect(checkpoint.state.episode?.length).toBe(90); // the episode in progress, for an exact resume
    expect(readRunStatus(directory)).toMatchObject({ state: 'finished', step: 121, envStep: 90 });

    const history = readRunHistory(directory);
    expect(history.updates.step).toHaveLength(121);
    expect(history.phases.map((phase) => phase.phase)).toEqual(['offline', 'online']);
    expect(listRuns(root).map((summary) => summary.directory)).toContain(directory);
  });

  it.each([
    ['', {}],
    [
      ' (Cal-QL floors and a WSRL critic warm-up)',
      {
        online: { envSteps: 90, updatesPerStep: 1, warmupSteps: 0, calibrate: true, criticWarmupSteps: 30 },
      },
    ],
  ])('resumes after a stop to exactly the curves of an uninterrupted run%s', async (label, overrides) => {
    const name = label === '' ? 'plain' : 'calibrated';
    const reference = await startTrainingRun({
      config: tinyConfig(overrides),
      directory: join(root, `reference-${name}`),
    });
    const referenceEvents: RunEvent[] = [];
    reference.bus.subscribe(collect(referenceEvents));
    expect(await reference.done).toBe('finished');

    // stop in the middle of the online phase (and of an episode)
    const directory = join(root, `interrupted-${name}`);
    const first = await startTrainingRun({ config: tinyConfig(overrides), directory });
    first.bus.subscribe((event) => {
      if (event.type === 'update' && event.step === 70) void first.stop();
    });
    expect(await first.done).toBe('stopped');
    const stoppedAt = (await readLatestCheckpoint<CheckpointState>(directory))!;
    expect(stoppedAt.step).toBeGreaterThanOrEqual(70);
    expect(stoppedAt.step).toBeLessThan(121);

    const second = await resumeTrainingRun(directory);
    const resumedEvents: RunEvent[] = [];
    second.bus.subscribe(collect(resumedEvents));
    expect(await second.done).toBe('finished');
    expect(updates(resumedEvents)[0].step).toBe(stoppedAt.step + 1);

    const expected = readCsvLog(join(root, `reference-${name}`, 'updates.csv'));
    const actual = readCsvLog(join(directory, 'updates.csv'));
    expect(actual.columns.step).toEqual(expected.columns.step);
    for (const column of [
      'envStep',
      'beta',
      'criticLoss',
      'actorLoss',
      'valueLoss',
      'alpha',
      'ess',
      'tdP50',
    ]) {
      expect(actual.columns[column], column).toEqual(expected.columns[column]);
    }
    const expectedEvaluations = readCsvLog(join(root, `reference-${name}`, 'evaluations.csv'));
    expect(readCsvLog(join(directory, 'evaluations.csv')).columns.meanReturn).toEqual(
      expectedEvaluations.columns.meanReturn,
    );
  });

  it.runIf(nativeKernelsOrReason().kernels !== undefined)(
    'a run started on the wasm backend resumes on the native kernels, saying so, and finishes',
    async () => {
      const directory = join(root, 'across-backends');
      const first = await startTrainingRun({ config: tinyConfig({ backend: 'wasm' }), directory });
      first.bus.subscribe((event) => {
        if (event.type === 'update' && event.step === 50) void first.stop();
      });
      expect(await first.done).toBe('stopped');
      const previous = process.env.O2O_BACKEND;
      process.env.O2O_BACKEND = 'native';
      try {
        const second = await resumeTrainingRun(directory);
        const events: RunEvent[] = [];
        second.bus.subscribe(collect(events));
        expect(await second.done).toBe('finished');
        const notes = logMessages(events);
        expect(
          notes.some((message) => /started on the wasm backend and resumes on native/.test(message)),
        ).toBe(true);
        // 40 offline updates, then one per online step from the 10th (warm-up) to the 90th.
        expect(updates(events).at(-1)!.step).toBe(40 + 81);
      } finally {
        if (previous === undefined) delete process.env.O2O_BACKEND;
        else process.env.O2O_BACKEND = previous;
      }
    },
  );

  it("decays the actor's learning rate over the run's planned updates with actorLearningRateSchedule 'cosine'", async () => {
    const directory = join(root, 'cosine');
    const agent = { hiddenSizes: [16, 16], batchSize: 16, actorLearningRateSchedule: 'cosine' };
    const run = await startTrainingRun({ config: tinyConfig({ agent }), directory });
    expect(await run.done).toBe('finished');
    const logged = readCsvLog(join(directory, 'updates.csv'));
    const steps = logged.columns.step as number[];
    const rates = logged.columns.actorLearningRate as number[];
    // 40 offline updates + 80 online steps after the 10 of random warm-up, one update each: the
    // schedule spans 120 updates and update k (1-based) runs at progress (k − 1)/120, across the
    // phase boundary.
    steps.forEach((step, i) =>
      expect(rates[i]).toBeCloseTo(scheduledLearningRate(3e-4, 'cosine', (step - 1) / 120), 10),
    );
    expect(rates[0]).toBeCloseTo(3e-4, 10);
    expect(rates[rates.length - 1]).toBeLessThan(0.01 * 3e-4);
    // A constant schedule logs no rate (the column is empty).
    const constant = readCsvLog(join(root, 'fresh', 'updates.csv'));
    expect((constant.columns.actorLearningRate as number[]).every(Number.isNaN)).toBe(true);
  });

  it('warns once when ROER weights sit at a floor above 1 unnormalised, and not when they are normalised', async () => {
    const warnings = async (weightNormalisation: 'none' | 'mean') => {
      const config = tinyConfig({
        replay: { priority: 'roer', roerMinClip: 10, roerMaxClip: 100, weightNormalisation },
        offline: { steps: 1200, evalInterval: 0 },
        online: { envSteps: 0 },
        checkpoint: { interval: 5000 },
      });
      const run = await startTrainingRun({ config, directory: join(root, `floor-${weightNormalisation}`) });
      const events: RunEvent[] = [];
      run.bus.subscribe(collect(events));
      expect(await run.done).toBe('finished');
      return events.filter(
        (event) => event.type === 'log' && event.level === 'warn' && /floor/.test(event.message),
      );
    };
    const raw = await warnings('none');
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatchObject({ message: expect.stringMatching(/replay\.roerMinClip = 10/) });
    expect(await warnings('mean')).toHaveLength(0);
  });

  it('resumes with the replay settings of an edited config.json, noting them, and refuses a layout change', async () => {
    const directory = join(root, 'edited-replay');
    const first = await startTrainingRun({ config: tinyConfig(), directory });
    expect(await first.done).toBe('finished');
    const configPath = join(directory, 'config.json');
    const stored = JSON.parse(readFileSync(configPath, 'utf8')) as { replay: Record<string, unknown> };

    writeFileSync(
      configPath,
      JSON.stringify({ ...stored, replay: { ...stored.replay, overwriteOffline: true } }),
    );
    await expect(resumeTrainingRun(directory, { envSteps: 130 })).rejects.toThrow(
      /replay\.overwriteOffline: the checkpointed buffer was laid out with false/,
    );
    writeFileSync(configPath, JSON.stringify({ ...stored, replay: { ...stored.replay, capacity: 10 } }));
    await expect(resumeTrainingRun(directory, { envSteps: 130 })).rejects.toThrow(
      /replay\.capacity: the checkpointed buffer has capacity \d+; on resume it can only grow, got 10/,
    );

    // Offline rows only from here on: every continued batch is all offline (with the stored union
    // mixing, 40 batches of 16 over 600 offline and 90 online rows would all but surely hold some).
    writeFileSync(
      configPath,
      JSON.stringify({ ...stored, replay: { ...stored.replay, mixing: 'fixed', offlineFraction: 1 } }),
    );
    const second = await resumeTrainingRun(directory, { envSteps: 130 });
    const events: RunEvent[] = [];
    second.bus.subscribe(collect(events));
    expect(await second.done).toBe('finished');
    const messages = logMessages(events);
    expect(messages).toContain(
      'replay settings changed since the checkpoint: replay.mixing: union → fixed; replay.offlineFraction: 0.5 → 1',
    );
    const continued = updates(events);
    expect(continued).toHaveLength(40);
    expect(continued.every((record) => record.offlineShare === 1)).toBe(true);
  });

  it('forks a finished run: the copy continues from the same checkpoint with its own settings and id', async () => {
    const source = join(root, 'fork-source');
    const first = await startTrainingRun({ config: tinyConfig(), directory: source });
    expect(await first.done).toBe('finished');
    const sourceUpdates = readFileSync(join(source, 'updates.csv'), 'utf8');
    const sourceMeta = readRunMeta(source);

    // Invalid overrides and a used destination are refused before anything is written.
    const bad = join(root, 'fork-bad');
    await expect(forkRun(source, bad, { set: ['replay.offlineFraction=2'] })).rejects.toThrow(
      /replay\.offlineFraction/,
    );
    expect(existsSync(bad)).toBe(false);
    await expect(forkRun(source, source)).rejects.toThrow(/already exists and is not empty/);

    const fork = await forkRun(source, join(root, 'fork-copy'), {
      set: ['replay.priority=uniform'],
      name: 'uniform fork',
    });
    const meta = readRunMeta(fork);
    expect(meta.name).toBe('uniform fork');
    expect(meta.runId).not.toBe(sourceMeta.runId);
    expect(meta.forkedFrom).toEqual({ runId: sourceMeta.runId, step: 40 + 81, envStep: 90 });
    const run = await resumeTrainingRun(fork, { envSteps: 130 });
    const events: RunEvent[] = [];
    run.bus.subscribe(collect(events));
    expect(await run.done).toBe('finished');
    expect(updates(events)[0].step).toBe(40 + 81 + 1);
    // Uniform replay from the fork on: every continued batch has unit loss weights.
    expect(updates(events).every((record) => record.metrics.lossWeightMax === 1)).toBe(true);
    expect(readCsvLog(join(fork, 'updates.csv')).columns.step.at(-1)).toBe(40 + 121);
    // The source is untouched.
    expect(readFileSync(join(source, 'updates.csv'), 'utf8')).toBe(sourceUpdates);
    expect(JSON.parse(readFileSync(join(source, 'config.json'), 'utf8')).replay.priority).toBe('roer');
  });

  it('extends a finished run: --env-steps raises the online budget and the curves go on without a gap', async () => {
    const directory = join(root, 'extended');
    const first = await startTrainingRun({ config: tinyConfig(), directory });
    expect(await first.done).toBe('finished');
    const before = readCsvLog(join(directory, 'updates.csv')).columns.step;
    expect(before.at(-1)).toBe(40 + 81);

    // A budget that does not grow is refused with its key path, and config.json is left alone.
    await expect(resumeTrainingRun(directory, { envSteps: 90 })).rejects.toThrow(
      /online\.envSteps: the run's budget is 90 environment steps; extending needs a larger whole number, got 90/,
    );
    await expect(resumeTrainingRun(directory, { envSteps: 100.5 })).rejects.toThrow(/online\.envSteps/);
    expect(JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')).online.envSteps).toBe(90);

    const second = await resumeTrainingRun(directory, { envSteps: 130 });
    const events: RunEvent[] = [];
    second.bus.subscribe(collect(events));
    expect(await second.done).toBe('finished');
    expect(updates(events)[0].step).toBe(40 + 81 + 1);
    const steps = readCsvLog(join(directory, 'updates.csv')).columns.step;
    expect(steps.at(-1)).toBe(40 + 121);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')).online.envSteps).toBe(130);
    expect(readRunStatus(directory).envStep).toBe(130);
    // The buffer grew with the budget: every online row of both parts is still held.
    const checkpoint = await readLatestCheckpoint<CheckpointState>(directory);
    const replay = checkpoint!.state.replay;
    expect(replay.size - replay.offlineCount).toBe(130);
    expect(replay.options.capacity).toBe(replay.offlineCount + 130);
  });

  it('resumes a run whose logs predate a metric: the file gains the column and the curves go on', async () => {
    const directory = join(root, 'older-columns');
    const first = await startTrainingRun({ config: tinyConfig(), directory });
    expect(await first.done).toBe('finished');
    // As a run written before `awrEssFraction` existed: drop that column from updates.csv.
    const path = join(directory, 'updates.csv');
    const text = readFileSync(path, 'utf8');
    const dropped = text.split('\n')[0].split(',').indexOf('awrEssFraction');
    expect(dropped).toBeGreaterThan(0);
    writeFileSync(path, withoutColumn(text, 'awrEssFraction'));
    const second = await resumeTrainingRun(directory, { envSteps: 130 });
    const events: RunEvent[] = [];
    second.bus.subscribe(collect(events));
    expect(await second.done).toBe('finished');
    expect(logMessages(events).some((message) => /event listener failed/.test(message))).toBe(false);
    const table = readCsvLog(path);
    expect(table.header).toContain('awrEssFraction');
    expect(table.columns.step).toEqual(Array.from({ length: 40 + 121 }, (_, i) => i + 1));
  });

  it('pauses between updates and stops with a final checkpoint', async () => {
    const directory = join(root, 'paused');
    const run = await startTrainingRun({
      config: tinyConfig({ offline: { steps: 10_000, evalInterval: 0 } }),
      directory,
    });
    let step = 0;
    const paused = new Promise<void>((resolvePaused) => {
      run.bus.subscribe((event) => {
        if (event.type === 'update') {
          step = event.step;
          if (event.step === 5) {
            run.pause();
            resolvePaused();
          }
        }
      });
    });
    await paused;
    expect(run.state).toBe('paused');
    for (let i = 0; i < 20; i++) await new Promise((resolveTick) => setImmediate(resolveTick));
    expect(step).toBe(5);
    run.resume();
    expect(run.state).toBe('running');
    await run.stop();
    expect(run.state).toBe('stopped');
    const checkpoint = (await readLatestCheckpoint(directory))!;
    expect(checkpoint.step).toBe(step);
    expect(readRunStatus(directory).state).toBe('stopped');
  });

  it('fails cleanly when the learner throws: state, message and stack (apart) are recorded', async () => {
    const directory = join(root, 'failing');
    const run = await startTrainingRun({ config: tinyConfig(), directory });
    // simulate a learner failure (e.g. a backend error) before the first update runs
    const parts = (run as unknown as { parts: { learner: { update: () => never } } }).parts;
    parts.learner.update = () => {
      throw new Error('backend exploded');
    };
    expect(await run.done).toBe('failed');
    expect(run.failureMessage).toBe(
      'training failed at update 0 (env step 0, offline phase): backend exploded',
    );
    expect(readRunStatus(directory)).toMatchObject({ state: 'failed', message: run.failureMessage });
    const logged = readRunEvents(directory).find((event) => event.type === 'log');
    expect(logged).toMatchObject({ level: 'error' });
    // the user reads one sentence; the stack is kept for a bug report
    expect(logged).toMatchObject({ message: run.failureMessage });
    expect((logged as { detail: string }).detail).toMatch(/backend exploded\n\s+at /);
  });

  it('rejects a bad config with key paths and a missing dataset with the file name', async () => {
    await expect(startTrainingRun({ config: tinyConfig({ replay: { priority: 'nope' } }) })).rejects.toThrow(
      ConfigError,
    );
    await expect(startTrainingRun({ config: tinyConfig({ env: { id: 'no-such-env' } }) })).rejects.toThrow(
      /env\.id: unknown environment "no-such-env"/,
    );
    await expect(startTrainingRun({ config: tinyConfig({ env: { id: 'cartpole-v1' } }) })).rejects.toThrow(
      /agent.kind: cartpole-v1: SAC drives Box action spaces; this one is Discrete with 2 actions/,
    );
    const missing = join(root, 'missing.arrow');
    await expect(
      startTrainingRun({
        config: tinyConfig({ dataset: { path: missing } }),
        directory: join(root, 'never'),
      }),
    ).rejects.toMatchObject({ exitCode: 3 });
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});

describe('run helpers', () => {
  it('maps dataset actions from the Box bounds to [−1, 1] and normalises observations', () => {
    const space = makeEnv('pendulum-v1').actionSpace as BoxSpace; // torque in [−2, 2]
    const columns = {
      length: 2,
      observationWidth: 3,
      actionWidth: 1,
      observations: Float32Array.of(1, 2, 3, 4, 5, 6),
      nextObservations: Float32Array.of(4, 5, 6, 7, 8, 9),
      actions: Float32Array.of(1, -3),
      rewards: new Float32Array(2),
      terminals: new Uint8Array(2),
      timeouts: new Uint8Array(2),
    };
    const normaliser = { mean: Float32Array.of(1, 1, 1), std: Float32Array.of(1, 2, 4) };
    const prepared = prepareOfflineColumns(columns, normaliser, space);
    expect(Array.from(prepared.actions)).toEqual([0.5, -1]);
    expect(Array.from(prepared.observations)).toEqual([0, 0.5, 0.5, 3, 2, 1.25]);
    expect(Array.from(prepareOfflineColumns(columns, identityNormaliser(3), space).nextObservations)).toEqual(
      [4, 5, 6, 7, 8, 9],
    );
  });

  it('environmentColumns undoes prepareOfflineColumns: units, rewards and a behaviour Gaussian', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.double({ min: -1.9, max: 1.9, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (observation, action, scale, shift) => {
          const space = makeEnv('pendulum-v1').actionSpace as BoxSpace;
          const columns = {
            length: 1,
            observationWidth: 3,
            actionWidth: 1,
            observations: Float32Array.from(observation),
            nextObservations: Float32Array.from(observation, (value) => value / 2),
            actions: Float32Array.of(action),
            rewards: Float32Array.of(-3),
            terminals: new Uint8Array(1),
            timeouts: new Uint8Array(1),
            extras: {
              behaviourMean: Float32Array.of(action),
              behaviourLogStd: Float32Array.of(Math.log(0.4)),
            },
          };
          const normaliser = { mean: Float32Array.of(0.5, -1, 2), std: Float32Array.of(2, 0.5, 4) };
          const reward = { scale, shift };
          const prepared = prepareOfflineColumns(columns, normaliser, space, reward);
          expect(prepared.extras!.behaviourLogStd[0]).toBeCloseTo(Math.log(0.2), 5);
          const back = environmentColumns(prepared, normaliser, space, reward);
          for (const key of ['observations', 'nextObservations', 'actions', 'rewards'] as const) {
            Array.from(back[key]).forEach((value, k) => expect(value).toBeCloseTo(columns[key][k], 4));
          }
          expect(back.extras!.behaviourMean[0]).toBeCloseTo(action, 5);
          expect(back.extras!.behaviourLogStd[0]).toBeCloseTo(Math.log(0.4), 5);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('truncates the logs to exactly what a checkpoint has seen', () => {
    const directory = join(root, 'truncate');
    const write = () => {
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory);
      writeFileSync(join(directory, 'updates.csv'), 'step,envStep\n1,0\n2,0\n3,1\n4,2\n5,2');
      writeFileSync(join(directory, 'episodes.csv'), 'envStep,step,return\n1,2,5\n2,4,6\n');
      // the evaluation at the phase boundary comes after the checkpoint at the same step
      writeFileSync(join(directory, 'evaluations.csv'), 'step,envStep,meanReturn\n2,0,1\n2,0,2\n3,1,3\n');
      writeFileSync(
        join(directory, 'events.jsonl'),
        [
          { type: 'phase', phase: 'offline', step: 0, envStep: 0 },
          { type: 'checkpoint', step: 2, envStep: 0, file: 'x' },
          { type: 'phase', phase: 'online', step: 2, envStep: 0 },
          { type: 'checkpoint', step: 4, envStep: 2, file: 'y' },
          { type: 'log', level: 'info', message: 'kept' },
        ]
          .map((event) => JSON.stringify(event))
          .join('\n') + '\n',
      );
    };
    write();
    truncateRunLogs(directory, {
      step: 3,
      envStep: 1,
      episodes: 1,
      evaluations: 3,
      phase: 'online',
      phaseAnnounced: true,
    });
    expect(readFileSync(join(directory, 'updates.csv'), 'utf8')).toBe('step,envStep\n1,0\n2,0\n3,1\n');
    expect(readCsvLog(join(directory, 'episodes.csv')).columns.envStep).toEqual([1]);
    expect(readCsvLog(join(directory, 'evaluations.csv')).columns.meanReturn).toEqual([1, 2, 3]);
    expect(readRunEvents(directory).map((event) => event.type)).toEqual([
      'phase',
      'checkpoint',
      'phase',
      'log',
    ]);

    // a checkpoint at the end of the offline phase, before the boundary evaluation and the online phase event
    write();
    truncateRunLogs(directory, {
      step: 2,
      envStep: 0,
      episodes: 0,
      evaluations: 1,
      phase: 'offline',
      phaseAnnounced: true,
    });
    expect(readCsvLog(join(directory, 'evaluations.csv')).columns.meanReturn).toEqual([1]);
    expect(readCsvLog(join(directory, 'episodes.csv')).rows).toBe(0);
    expect(readRunEvents(directory)).toEqual([
      { type: 'phase', phase: 'offline', step: 0, envStep: 0 },
      { type: 'checkpoint', step: 2, envStep: 0, file: 'x' },
      { type: 'log', level: 'info', message: 'kept' },
    ]);
  });
});
