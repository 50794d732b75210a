import { describe, expect, it } from 'vitest';
import { KeyLock } from '../../../server/weights/key-lock.ts';
import { runtimeModifyPath } from '../../../server/weights/replica-runtime.ts';
import { normalizeIfMatch, runtimeValues, scrapeStartedAt } from '../../../server/weights/route-weights.ts';

describe('route weights helpers', () => {
  it('names the runtime keys after the prefix and the clusters', () => {
    expect(runtimeValues('routing.split', { b: 20, a: 80 })).toEqual({
      'routing.split.a': '80',
      'routing.split.b': '20',
    });
    // One runtime_modify carries every key, query-encoded (cluster names may hold `|`, as Istio's do).
    expect(runtimeModifyPath({ 'r.outbound|9080||reviews': '50', 'r.x': '50' })).toBe(
      '/runtime_modify?r.outbound%7C9080%7C%7Creviews=50&r.x=50',
    );
  });

  it('reads If-Match bare, quoted or weak', () => {
    expect(normalizeIfMatch('abc')).toBe('abc');
    expect(normalizeIfMatch(' "abc" ')).toBe('abc');
    expect(normalizeIfMatch('W/"abc"')).toBe('abc');
    expect(normalizeIfMatch(undefined)).toBeUndefined();
  });

  it('dates a scrape from when it began when it knows its duration', () => {
    const base = {
      targetId: 't',
      at: 1000,
      clusters: new Map(),
      istio: [],
      hosts: new Map(),
      routes: [],
      runtime: new Map(),
      downstream: undefined,
    };
    expect(scrapeStartedAt(base)).toBe(1000);
    expect(scrapeStartedAt({ ...base, durationMs: 40 } as typeof base)).toBe(960);
  });
});

describe('KeyLock', () => {
  it('runs one task at a time per key, in order, and lets other keys through', async () => {
    const lock = new KeyLock();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name}-`);
      return name;
    };
    const results = await Promise.all([
      lock.run('a', task('a1', 30)),
      lock.run('a', task('a2', 1)),
      lock.run('b', task('b1', 1)),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(events.indexOf('a1-')).toBeLessThan(events.indexOf('a2+'));
    expect(events.indexOf('b1-')).toBeLessThan(events.indexOf('a1-'));
  });

  it('a failed task does not block the next', async () => {
    const lock = new KeyLock();
    await expect(lock.run('k', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await lock.run('k', async () => 1)).toBe(1);
  });
});
