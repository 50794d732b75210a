import { describe, expect, it } from 'vitest';
import { DEFAULT_WRITE_RATE, WriteRateLimiter } from '../../../server/api/write-rate-limiter.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('WriteRateLimiter', () => {
  it('lets a burst through, then refuses with the whole seconds until the next write', () => {
    const c = clock();
    const l = new WriteRateLimiter({ burst: 3, perSecond: 0.5 }, c.now);
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(l.take('a')).toEqual({ ok: false, retryAfterSeconds: 2 });
    c.advance(1500);
    expect(l.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    c.advance(500);
    expect(l.take('a')).toEqual({ ok: true });
    expect(l.take('a').ok).toBe(false);
  });

  it('keeps one bucket per client', () => {
    const c = clock();
    const l = new WriteRateLimiter({ burst: 1, perSecond: 1 }, c.now);
    expect(l.take('alice 10.0.0.1').ok).toBe(true);
    expect(l.take('alice 10.0.0.1').ok).toBe(false);
    expect(l.take('alice 10.0.0.2').ok).toBe(true);
    expect(l.take('bob 10.0.0.1').ok).toBe(true);
  });

  it('refills at the sustained rate, never above the burst', () => {
    const c = clock();
    const l = new WriteRateLimiter(DEFAULT_WRITE_RATE, c.now);
    for (let i = 0; i < 10; i++) expect(l.take('a').ok).toBe(true);
    expect(l.take('a').ok).toBe(false);
    c.advance(3000);
    for (let i = 0; i < 3; i++) expect(l.take('a').ok).toBe(true);
    expect(l.take('a').ok).toBe(false);
    c.advance(3_600_000);
    for (let i = 0; i < 10; i++) expect(l.take('a').ok).toBe(true);
    expect(l.take('a').ok).toBe(false);
  });

  it('takes back a write that changed nothing, up to the burst', () => {
    const c = clock();
    const l = new WriteRateLimiter({ burst: 2, perSecond: 0.001 }, c.now);
    l.take('a');
    l.take('a');
    expect(l.take('a').ok).toBe(false);
    l.giveBack('a');
    expect(l.take('a').ok).toBe(true);
    l.giveBack('a');
    l.giveBack('a');
    l.giveBack('a');
    expect([l.take('a').ok, l.take('a').ok, l.take('a').ok]).toEqual([true, true, false]);
    l.giveBack('unknown');
    expect(l.size).toBe(1);
  });

  it('forgets clients whose bucket is full again once it tracks too many', () => {
    const c = clock();
    const l = new WriteRateLimiter({ burst: 1, perSecond: 1 }, c.now, 3);
    for (const k of ['a', 'b', 'c']) l.take(k);
    c.advance(1000);
    l.take('d');
    l.take('e');
    expect(l.size).toBe(2);
    // A forgotten client starts again with a full bucket, as if it had waited.
    expect(l.take('a').ok).toBe(true);
  });

  it('refuses a limit that would never let anything through', () => {
    expect(() => new WriteRateLimiter({ burst: 0, perSecond: 1 })).toThrow(/burst/);
    expect(() => new WriteRateLimiter({ burst: 1, perSecond: 0 })).toThrow(/perSecond/);
  });
});
