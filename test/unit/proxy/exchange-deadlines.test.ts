// The three request clocks on one timer: the earliest deadline fires first, activity postpones the idle
// timeout, cleared clocks never fire.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DeadlineKind, ExchangeDeadlines } from '../../../proxy/server/exchange-deadlines.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function clocks() {
  const fired: [DeadlineKind, number][] = [];
  const start = performance.now();
  const d = new ExchangeDeadlines((k) => fired.push([k, Math.round(performance.now() - start)]));
  return { d, fired };
}

describe('ExchangeDeadlines', () => {
  it('the route timeout fires at its time', () => {
    const { d, fired } = clocks();
    d.startIdle(300_000);
    d.startGlobal(3000);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([['global', 3000]]);
  });

  it('activity postpones the idle timeout', () => {
    const { d, fired } = clocks();
    d.startIdle(100);
    vi.advanceTimersByTime(80);
    d.touch();
    vi.advanceTimersByTime(80);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(40);
    expect(fired).toEqual([['idle', 180]]);
  });

  it('a per-try timeout fires before the route timeout and the next one can be armed', () => {
    const { d, fired } = clocks();
    d.startGlobal(1000);
    d.startPerTry(200);
    vi.advanceTimersByTime(250);
    d.startPerTry(200);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([
      ['per-try', 200],
      ['per-try', 450],
      ['global', 1000],
    ]);
  });

  it('cleared clocks do not fire; 0 disables the idle timeout and the route timeout', () => {
    const { d, fired } = clocks();
    d.startIdle(0);
    d.startGlobal(0);
    d.startPerTry(100);
    d.clearPerTry();
    vi.advanceTimersByTime(1000);
    d.startGlobal(50);
    d.clearAll();
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
  });
});
