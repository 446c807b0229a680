/**
 * Redraw scheduling for charts over large data. A redraw of a million-point chart costs tens of
 * milliseconds; event batches arrive several times a second for several charts. The throttle
 * keeps only the newest request and runs it once `costFactor × (duration of the last run)` has
 * passed since that run ended, so a chart spends at most about 1/costFactor of the main thread,
 * while small charts (runs of a millisecond) update at once. Requests are never starved: a
 * pending run is not postponed by newer requests, they replace its argument.
 */
export interface CostThrottle<T> {
  request(value: T): void;
  cancel(): void;
}

export interface ThrottleClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function costThrottle<T>(
  run: (value: T) => void,
  costFactor = 8,
  clock: ThrottleClock = realClock,
): CostThrottle<T> {
  let pending: { value: T } | null = null;
  let timer: unknown = null;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let lastCost = 0;

  const fire = (): void => {
    timer = null;
    const next = pending;
    pending = null;
    if (!next) return;
    const start = clock.now();
    try {
      run(next.value);
    } finally {
      lastEnd = clock.now();
      lastCost = lastEnd - start;
    }
  };

  return {
    request(value: T): void {
      pending = { value };
      if (timer !== null) return;
      const wait = Math.max(0, lastEnd + lastCost * costFactor - clock.now());
      timer = clock.setTimer(fire, wait);
    },
    cancel(): void {
      if (timer !== null) clock.clearTimer(timer);
      timer = null;
      pending = null;
    },
  };
}
