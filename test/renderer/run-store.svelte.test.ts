/**
 * The run store (renderer/src/lib/run-store.svelte.ts, Svelte runes) fed with event batches and
 * stored histories. Runs in the `renderer` vitest project, which compiles runes with the Svelte
 * plugin; the module is imported by a computed path so the Node type-check does not parse runes.
 */
import { describe, expect, it } from 'vitest';
import type { RunHistory } from '../../core/common/protocol.js';
import type { RunEvent } from '../../core/common/events.js';
import { updateRecord } from '../helpers/run-events.js';

interface Table {
  length: number;
  column(name: string): Float64Array;
}
interface RunDataLike {
  state: string;
  step: number;
  phase: string | null;
  onlineStartStep: number | null;
  version: number;
  historyStatus: string;
  lastReturn: number | null;
  updates: Table;
  evaluations: Table;
  episodes: Table;
  ingest(events: RunEvent[]): void;
}
interface StoreModule {
  RunData: new (runId: string) => RunDataLike;
  runStore: {
    get(runId: string): RunDataLike;
    ingest(batch: unknown): void;
    loadHistory(runId: string, fetch: (runId: string) => Promise<RunHistory>): Promise<RunDataLike>;
  };
}

const modulePath = '../../renderer/src/lib/run-store.svelte.js';
const load = (): Promise<StoreModule> => import(/* @vite-ignore */ modulePath) as Promise<StoreModule>;

function update(step: number, phase: 'offline' | 'online' = 'offline'): RunEvent {
  return updateRecord(step, { phase, envStep: phase === 'online' ? step : 0, priorityHistogram: [1, 2, 3] });
}

describe('RunData', () => {
  it('fills columns from update events, tracks state, phase boundary and last return', async () => {
    const { RunData } = await load();
    const run = new RunData('r1');
    run.ingest([
      { type: 'run', runId: 'r1', directory: 'runs/r1', state: 'running' },
      { type: 'phase', phase: 'offline', step: 0, envStep: 0 },
      update(1),
      update(2),
      { type: 'phase', phase: 'online', step: 2, envStep: 0 },
      update(3, 'online'),
      { type: 'episode', step: 3, envStep: 3, time: 1, return: 12.5, length: 3, success: true },
    ]);
    expect(run.state).toBe('running');
    expect(run.step).toBe(3);
    expect(run.phase).toBe('online');
    expect(run.onlineStartStep).toBe(2);
    expect(run.lastReturn).toBe(12.5);
    expect(Array.from(run.updates.column('beta'))).toEqual([1.01, 1.02, 1.03]);
    expect(Array.from(run.updates.column('priorityHistogram_2'))).toEqual([3, 3, 3]);
    expect(Array.from(run.updates.column('phase'))).toEqual([0, 0, 1]);
    expect(run.version).toBeGreaterThan(0);
  });

  it('skips update records at steps it already holds (a batch delivered twice)', async () => {
    const { RunData } = await load();
    const run = new RunData('r2');
    run.ingest([update(1), update(2)]);
    run.ingest([update(2), update(3)]);
    expect(Array.from(run.updates.column('step'))).toEqual([1, 2, 3]);
  });

  it("keeps the learner's columns the Learner charts read, NaN where a record lacks the loss weights", async () => {
    const { RunData } = await load();
    const run = new RunData('r3');
    const older = updateRecord(1, {
      metrics: { criticLoss: 0.5, actorLoss: -2, alpha: 0.3, qMean: 4, vMean: 3.5 },
    });
    for (const field of ['lossWeightMean', 'lossWeightMin', 'lossWeightMax'])
      delete (older as unknown as { metrics: Record<string, unknown> }).metrics[field];
    run.ingest([
      older,
      updateRecord(2, {
        metrics: { lossWeightMean: 1.1, lossWeightMin: 0.2, lossWeightMax: 3, gradientPenalty: 0.01 },
      }),
    ]);
    expect(Array.from(run.updates.column('criticLoss'))).toEqual([0.5, 1]);
    expect(Array.from(run.updates.column('actorLoss'))).toEqual([-2, 1]);
    expect(Array.from(run.updates.column('alpha'))).toEqual([0.3, 0.2]);
    expect(Array.from(run.updates.column('qMean'))).toEqual([4, 0]);
    expect(Array.from(run.updates.column('vMean'))).toEqual([3.5, 0]);
    expect(Array.from(run.updates.column('policyEntropy'))).toEqual([-1, -1]);
    expect(Array.from(run.updates.column('gradientPenalty'))).toEqual([0, 0.01]);
    expect(Array.from(run.updates.column('lossWeightMean'))).toEqual([NaN, 1.1]);
    expect(Array.from(run.updates.column('lossWeightMin'))).toEqual([NaN, 0.2]);
    expect(Array.from(run.updates.column('lossWeightMax'))).toEqual([NaN, 3]);
  });
});

describe('runStore.loadHistory', () => {
  it('replaces the tables with the stored history and replays live events that arrived meanwhile', async () => {
    const { runStore } = await load();
    const run = runStore.get('r3');
    run.ingest([update(1)]);
    let release: (history: RunHistory) => void = () => {};
    const pending = runStore.loadHistory(
      'r3',
      () => new Promise<RunHistory>((resolve) => (release = resolve)),
    );
    // live events during the load: one the history also has (step 3) and one after it (step 4)
    runStore.ingest({ runId: 'r3', events: [update(3), update(4)] });
    release({
      runId: 'r3',
      metrics: [],
      updates: {
        step: [1, 2, 3],
        envStep: [0, 0, 0],
        phase: ['offline', 'offline', 'online'],
        beta: [0.5, 0.6, 0.7],
        priorityHistogram_0: [4, 5, 6],
      },
      evaluations: { step: [3], meanReturn: [10] },
      episodes: {},
      phases: [
        { phase: 'offline', step: 0, envStep: 0 },
        { phase: 'online', step: 2, envStep: 0 },
      ],
    });
    await pending;
    expect(run.historyStatus).toBe('loaded');
    expect(Array.from(run.updates.column('step'))).toEqual([1, 2, 3, 4]);
    expect(Array.from(run.updates.column('beta'))).toEqual([0.5, 0.6, 0.7, 1.04]);
    expect(run.onlineStartStep).toBe(2);
    expect(run.evaluations.length).toBe(1);
    expect(run.step).toBe(4);
  });

  it('keeps live data and reports the error when the history cannot be read', async () => {
    const { runStore } = await load();
    const run = runStore.get('r4');
    run.ingest([update(1)]);
    await runStore.loadHistory('r4', () => Promise.reject(new Error('runs/r4: missing (the run metadata)')));
    expect(run.historyStatus).toBe('failed');
    expect(Array.from(run.updates.column('step'))).toEqual([1]);
  });

  it('ignores malformed batches', async () => {
    const { runStore } = await load();
    runStore.ingest(null);
    runStore.ingest({ runId: 5, events: [] });
    runStore.ingest({ runId: 'r5', events: 'nope' });
  });
});
