// Applies at most one value per interval, always the latest: the graph page's refresh interval. Live
// events keep arriving every scrape cycle; with an interval picked, the graph changes only that often
// (easier to read on a wall screen) and never shows data older than the newest event at each tick.
export interface ThrottleLatest<T> {
  push(value: T): void;
  cancel(): void;
}

export function throttleLatest<T>(
  minIntervalMs: number,
  apply: (value: T) => void,
  now: () => number = Date.now,
): ThrottleLatest<T> {
  let last = Number.NEGATIVE_INFINITY;
  let held: { value: T } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (!held) return;
    const { value } = held;
    held = undefined;
    last = now();
    apply(value);
  };
  return {
    push(value) {
      const since = now() - last;
      if (minIntervalMs <= 0 || since >= minIntervalMs) {
        held = { value };
        flush();
        return;
      }
      held = { value };
      timer ??= setTimeout(flush, minIntervalMs - since);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      held = undefined;
    },
  };
}
