import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttleLatest } from '../../../client/src/api/throttle-latest.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('throttleLatest', () => {
  it('applies everything at once with no interval', () => {
    const seen: number[] = [];
    const t = throttleLatest<number>(0, (v) => seen.push(v));
    t.push(1);
    t.push(2);
    expect(seen).toEqual([1, 2]);
  });

  it('applies the first value at once, then only the latest one per interval', () => {
    const seen: number[] = [];
    const t = throttleLatest<number>(10_000, (v) => seen.push(v));
    t.push(1);
    vi.advanceTimersByTime(2_000);
    t.push(2);
    vi.advanceTimersByTime(2_000);
    t.push(3);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(6_000);
    expect(seen).toEqual([1, 3]);
    vi.advanceTimersByTime(20_000);
    expect(seen).toEqual([1, 3]);
    t.push(4);
    expect(seen).toEqual([1, 3, 4]);
  });

  it('drops what is held when cancelled', () => {
    const seen: number[] = [];
    const t = throttleLatest<number>(5_000, (v) => seen.push(v));
    t.push(1);
    t.push(2);
    t.cancel();
    vi.advanceTimersByTime(10_000);
    expect(seen).toEqual([1]);
  });
});
