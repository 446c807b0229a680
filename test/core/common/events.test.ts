import { describe, expect, it, vi } from 'vitest';
import { EventBatcher, EventBus, thinUpdates, type RunEvent } from '../../../core/common/events.js';

function update(step: number): RunEvent {
  return { type: 'update', step } as unknown as RunEvent;
}

describe('EventBus', () => {
  it('delivers to every subscriber and isolates a throwing one', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('closed socket');
    });
    bus.subscribe((event) => seen.push(event.type));
    bus.emit({ type: 'phase', phase: 'online', step: 5, envStep: 0 });
    expect(seen).toEqual(['phase', 'log']);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new EventBus();
    const listener = vi.fn();
    const unsubscribe = bus.subscribe(listener);
    unsubscribe();
    bus.emit({ type: 'log', level: 'info', message: 'x' });
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('thinUpdates', () => {
  it('keeps every non-update event and at most the cap of updates, including the last', () => {
    const events: RunEvent[] = [];
    for (let i = 1; i <= 1000; i++) {
      events.push(update(i));
      if (i % 100 === 0) events.push({ type: 'log', level: 'info', message: String(i) });
    }
    const kept = thinUpdates(events, 1000, 50);
    const updates = kept.filter((e) => e.type === 'update') as unknown as { step: number }[];
    expect(kept.filter((e) => e.type === 'log')).toHaveLength(10);
    expect(updates.length).toBeLessThanOrEqual(51);
    expect(updates.length).toBeGreaterThanOrEqual(50);
    expect(updates.at(-1)!.step).toBe(1000);
    const gaps = updates.slice(1).map((u, i) => u.step - updates[i].step);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(21);
  });

  it('returns the events unchanged under the cap', () => {
    const events = [update(1), update(2)];
    expect(thinUpdates(events, 2, 10)).toBe(events);
  });
});

describe('EventBatcher', () => {
  it('batches events until the interval passes and flushes on demand', () => {
    vi.useFakeTimers();
    const batches: RunEvent[][] = [];
    const batcher = new EventBatcher((events) => batches.push(events), {
      intervalMs: 250,
      maxUpdatesPerBatch: 10,
    });
    for (let i = 1; i <= 5; i++) batcher.push(update(i));
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(250);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(5);
    batcher.push(update(6));
    batcher.flush();
    expect(batches).toHaveLength(2);
    vi.useRealTimers();
  });
});
