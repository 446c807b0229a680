/** The demo engine (used only with ?demo=1) must keep producing events shaped like the real engine's. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventBatch, RunHistory } from '../../core/server/protocol.js';
import type { RunEvent } from '../../core/train/events.js';
import { PRIORITY_HISTOGRAM_EDGES } from '../../core/train/events.js';
import { DemoEngine } from '../../renderer/src/lib/demo-engine.js';

describe('DemoEngine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a small configuration through both phases with well-formed update records', async () => {
    const engine = new DemoEngine();
    const events: RunEvent[] = [];
    engine.onEvents((batch: EventBatch) => events.push(...batch.events));
    const { runId } = (await engine.call('runs.start', {
      config: { offline: { steps: 200 }, online: { envSteps: 200 }, eval: { interval: 100 } },
      name: 'check',
    })) as { runId: string };
    await vi.advanceTimersByTimeAsync(2_000);
    const phases = events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase);
    expect(phases).toEqual(['offline', 'online']);
    const states = events.filter((e) => e.type === 'run').map((e) => (e as { state: string }).state);
    expect(states).toEqual(['running', 'finished']);
    const updates = events.filter((e) => e.type === 'update');
    expect(updates.length).toBeGreaterThan(0);
    for (const update of updates) {
      expect(update.beta).toBeGreaterThan(0);
      expect(update.essFraction).toBeGreaterThan(0);
      expect(update.essFraction).toBeLessThanOrEqual(1);
      expect(update.tdP05).toBeLessThanOrEqual(update.tdP95);
      expect(update.priorityHistogram).toHaveLength(PRIORITY_HISTOGRAM_EDGES.length + 1);
      expect(update.priorityHistogram.reduce((a, b) => a + b, 0)).toBe(256);
    }
    const history = (await engine.call('runs.history', { runId })) as RunHistory;
    expect(history.updates.step).toHaveLength(400);
    expect(history.updates.priorityHistogram_0).toHaveLength(400);
    expect(history.evaluations.meanReturn.length).toBeGreaterThan(0);
  });

  it('pauses, resumes and stops', async () => {
    const engine = new DemoEngine();
    const { runId } = (await engine.call('runs.start', { config: {} })) as { runId: string };
    await vi.advanceTimersByTimeAsync(300);
    expect(await engine.call('runs.pause', { runId })).toEqual({ state: 'paused' });
    expect(await engine.call('runs.resume', { runId })).toEqual({ state: 'running' });
    expect(await engine.call('runs.stop', { runId })).toEqual({ state: 'stopped' });
  });

  it('reports config issues by key path and dataset errors naming file, column and row', async () => {
    const engine = new DemoEngine();
    const result = (await engine.call('config.validate', {
      config: { beta: { targetEssFraction: 2, betaMin: 5, betaMax: 1 } },
    })) as { ok: boolean; issues: { path: string }[] };
    expect(result.ok).toBe(false);
    expect(result.issues.map((i) => i.path)).toEqual(['beta.targetEssFraction', 'beta.betaMin']);
    await expect(engine.call('datasets.inspect', { path: 'x/broken.arrow' })).rejects.toThrow(
      /column "terminals", row 17/,
    );
  });

  it('is deterministic: the stored demo runs are the same every time', async () => {
    const first = (await new DemoEngine().call('runs.list', {})) as { runId: string }[];
    const a = (await new DemoEngine().call('runs.history', { runId: first[0].runId })) as RunHistory;
    const b = (await new DemoEngine().call('runs.history', { runId: first[0].runId })) as RunHistory;
    expect(a.updates.beta).toEqual(b.updates.beta);
  });
});
