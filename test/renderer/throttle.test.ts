import { describe, expect, it } from 'vitest';
import { costThrottle, type ThrottleClock } from '../../renderer/src/lib/throttle.js';

/** A manual clock: timers fire only when the test advances time. */
function manualClock() {
  let time = 0;
  let timers: { at: number; callback: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: ThrottleClock = {
    now: () => time,
    setTimer: (callback, delay) => {
      const id = nextId++;
      timers.push({ at: time + delay, callback, id });
      return id;
    },
    clearTimer: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  const advance = (ms: number) => {
    const end = time + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      time = Math.max(time, due.at);
      due.callback();
    }
    time = Math.max(time, end);
  };
  return {
    clock,
    advance,
    spendTime: (ms: number) => (time += ms),
    pendingTimers: () => timers.length,
  };
}

describe('costThrottle', () => {
  it('runs cheap work right away (next tick) with the newest value', () => {
    const { clock, advance } = manualClock();
    const seen: number[] = [];
    const throttle = costThrottle((v: number) => seen.push(v), 8, clock);
    throttle.request(1);
    throttle.request(2);
    advance(0);
    expect(seen).toEqual([2]);
  });

  it('waits costFactor times the last run before running again', () => {
    const { clock, advance, spendTime } = manualClock();
    const seen: number[] = [];
    const throttle = costThrottle(
      (v: number) => {
        seen.push(v);
        spendTime(10); // each run costs 10 ms
      },
      8,
      clock,
    );
    throttle.request(1);
    advance(0);
    expect(seen).toEqual([1]);
    throttle.request(2);
    advance(79);
    expect(seen).toEqual([1]);
    throttle.request(3); // replaces 2, does not postpone the run
    advance(1);
    expect(seen).toEqual([1, 3]);
  });

  it('is not starved by a steady stream of requests', () => {
    const { clock, advance, spendTime } = manualClock();
    const seen: number[] = [];
    const throttle = costThrottle(
      (v: number) => {
        seen.push(v);
        spendTime(5);
      },
      4,
      clock,
    );
    for (let i = 0; i < 100; i++) {
      throttle.request(i);
      advance(2);
    }
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.length).toBeLessThan(100);
    advance(100);
    expect(seen[seen.length - 1]).toBe(99);
  });

  it('drops pending work on cancel', () => {
    const { clock, advance, pendingTimers } = manualClock();
    const seen: number[] = [];
    const throttle = costThrottle((v: number) => seen.push(v), 8, clock);
    throttle.request(1);
    throttle.cancel();
    advance(10);
    expect(seen).toEqual([]);
    expect(pendingTimers()).toBe(0);
  });
});
