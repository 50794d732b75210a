// The scraper's scheduling with a stand-in scrape function (no sockets): cycles on time, concurrency
// cap, deadlines, stragglers skipped, suspects kept from crowding out healthy targets, statuses,
// removed targets, stop().
import { afterEach, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import { type CycleSummary, type ScrapeFunction, Scraper } from '../../../server/scrape/scraper.ts';
import type { ScrapedSidecar } from '../../../server/sources/envoy/scrape-sidecar.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function target(id: string): SidecarTarget {
  return {
    id,
    namespace: 'default',
    workload: id,
    pod: undefined,
    kind: 'envoy',
    admin: { baseUrl: `http://${id}.invalid:15000` },
    statsPath: '/stats/prometheus',
  };
}

function scraped(id: string, warnings: string[] = []): ScrapedSidecar {
  return {
    targetId: id,
    at: Date.now(),
    clusters: new Map(),
    istio: [],
    hosts: new Map(),
    routes: [],
    runtime: new Map(),
    downstream: undefined,
    bytes: 100,
    durationMs: 1,
    warnings,
  };
}

type Behaviour = 'ok' | 'fail' | 'hang' | 'warn';

/** A scrape function whose answer per target is set by `behaviour`; hangs end at the deadline like the real one. */
function fakeScrape(behaviour: Record<string, Behaviour>, delayMs = 5) {
  const calls: { id: string; at: number }[] = [];
  let active = 0;
  let maxActive = 0;
  const fn: ScrapeFunction = (t, opts) => {
    calls.push({ id: t.id, at: performance.now() });
    active++;
    maxActive = Math.max(maxActive, active);
    return new Promise<ScrapedSidecar>((resolve, reject) => {
      const b = behaviour[t.id] ?? 'ok';
      const done = () => {
        active--;
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        clearTimeout(timer);
        reject(new Error(`${t.id}: aborted`));
      };
      opts.signal?.addEventListener('abort', onAbort);
      const timer =
        b === 'hang'
          ? setTimeout(() => {
              done();
              reject(new Error(`${t.id}: timed out after ${opts.timeoutMs} ms`));
            }, opts.timeoutMs)
          : setTimeout(() => {
              done();
              if (b === 'fail') reject(new Error(`${t.id}: connection refused (ECONNREFUSED)`));
              else resolve(scraped(t.id, b === 'warn' ? [`${t.id}: GET /runtime failed: HTTP 404`] : []));
            }, delayMs);
    });
  };
  return { fn, calls, maxActive: () => maxActive };
}

let scraper: Scraper | undefined;
afterEach(async () => {
  await scraper?.stop();
  scraper = undefined;
});

describe('Scraper', () => {
  it('runs a cycle per interval and reports each one when its scrapes are done', async () => {
    const fake = fakeScrape({});
    const cycles: CycleSummary[] = [];
    const scrapes: string[] = [];
    scraper = new Scraper({
      source: () => [target('a'), target('b')],
      intervalMs: 60,
      jitter: 0,
      scrape: fake.fn,
      onScrape: (s) => scrapes.push(s.targetId),
      onCycle: (c) => cycles.push(c),
    }).start();
    await sleep(330);
    await scraper.stop();
    expect(cycles.length).toBeGreaterThanOrEqual(4);
    expect(cycles.length).toBeLessThanOrEqual(7);
    expect(cycles[0]).toMatchObject({
      cycle: 1,
      targets: 2,
      started: 2,
      succeeded: 2,
      failed: 0,
      stragglers: 0,
      skipped: 0,
      bytes: 200,
    });
    expect(scrapes.filter((id) => id === 'a').length).toBeGreaterThanOrEqual(cycles.length);
    // Each cycle closed once its two 5 ms scrapes were done, long before the next one.
    for (const c of cycles) expect(c.endedAt - c.startedAt).toBeLessThan(60);
  });

  it('never runs more scrapes at once than the concurrency', async () => {
    const fake = fakeScrape({}, 20);
    scraper = new Scraper({
      source: () => Array.from({ length: 10 }, (_, i) => target(`t${i}`)),
      intervalMs: 1000,
      concurrency: 3,
      scrape: fake.fn,
    }).start();
    await sleep(150);
    expect(fake.calls).toHaveLength(10);
    expect(fake.maxActive()).toBe(3);
  });

  it('closes a cycle at the deadline without waiting for a hanging target, and skips it while it hangs', async () => {
    const fake = fakeScrape({ slow: 'hang' });
    const cycles: CycleSummary[] = [];
    scraper = new Scraper({
      source: () => [target('a'), target('slow')],
      intervalMs: 50,
      timeoutMs: 120,
      jitter: 0,
      scrape: fake.fn,
      onCycle: (c) => cycles.push(c),
    }).start();
    await sleep(290);
    await scraper.stop();
    // Cycle 1 waited for `slow` until the next cycle began (at 50 ms), which closed it with a straggler.
    expect(cycles[0]).toMatchObject({ succeeded: 1, failed: 0, stragglers: 1 });
    expect(cycles[1]).toMatchObject({ started: 1, skipped: 1, succeeded: 1, stragglers: 0 });
    // `a` kept its schedule: one scrape per cycle.
    const aCalls = fake.calls.filter((c) => c.id === 'a');
    expect(aCalls.length).toBeGreaterThanOrEqual(5);
    // Never held up until the 120 ms deadline of the hanging scrape.
    for (let i = 1; i < aCalls.length; i++) expect(aCalls[i]!.at - aCalls[i - 1]!.at).toBeLessThan(100);
    // `slow` was asked again only after its first scrape timed out at 120 ms.
    const slowCalls = fake.calls.filter((c) => c.id === 'slow');
    expect(slowCalls.length).toBe(2);
    expect(slowCalls[1]!.at - slowCalls[0]!.at).toBeGreaterThanOrEqual(115);
  });

  it('keeps slots for healthy targets when more sidecars hang than there are slots', async () => {
    const behaviour: Record<string, Behaviour> = { h1: 'hang', h2: 'hang', h3: 'hang', h4: 'hang' };
    const fake = fakeScrape(behaviour);
    scraper = new Scraper({
      source: () => ['h1', 'h2', 'h3', 'h4', 'a', 'b'].map(target),
      intervalMs: 40,
      timeoutMs: 100,
      concurrency: 4,
      jitter: 0,
      scrape: fake.fn,
    }).start();
    await sleep(600);
    await scraper.stop();
    // In the first cycle nothing was known and the hanging four took every slot until their deadline;
    // once they failed they were suspects, limited to 2 of the 4 slots.
    const aCalls = fake.calls.filter((c) => c.id === 'a').map((c) => c.at);
    const afterFirstTimeout = aCalls.filter((t) => t > aCalls[0]! + 100);
    expect(afterFirstTimeout.length).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < afterFirstTimeout.length; i++) {
      expect(afterFirstTimeout[i]! - afterFirstTimeout[i - 1]!).toBeLessThan(90);
    }
    expect(fake.maxActive()).toBeLessThanOrEqual(4);
  });

  it('reports per-target status: up, down with the error, up with a warning', async () => {
    let clock = 1_000_000;
    const fake = fakeScrape({ down: 'fail', partial: 'warn' });
    scraper = new Scraper({
      source: () => [target('ok'), target('down'), { ...target('partial'), pod: 'partial-5d8f' }],
      intervalMs: 1000,
      scrape: fake.fn,
      now: () => clock++,
    });
    expect(scraper.statuses()).toEqual([]);
    scraper.start();
    const before = scraper.statuses();
    expect(before.map((s) => [s.id, s.up, s.lastAttempt !== null, s.lastSuccess])).toEqual([
      ['ok', false, true, null],
      ['down', false, true, null],
      ['partial', false, true, null],
    ]);
    await sleep(50);
    const [ok, down, partial] = scraper.statuses();
    expect(ok).toMatchObject({
      id: 'ok',
      up: true,
      lastBytes: 100,
      lastError: null,
      adminUrl: 'http://ok.invalid:15000/',
    });
    expect(ok?.lastSuccess).toBeGreaterThan(1_000_000);
    expect(ok?.lastDurationMs).toBeGreaterThanOrEqual(4);
    expect(ok).not.toHaveProperty('pod');
    expect(down).toMatchObject({
      up: false,
      lastSuccess: null,
      lastBytes: null,
      lastError: 'down: connection refused (ECONNREFUSED)',
    });
    expect(partial).toMatchObject({
      up: true,
      pod: 'partial-5d8f',
      lastError: 'partial: GET /runtime failed: HTTP 404',
    });
  });

  it('drops targets that leave the source and names them in the next cycle', async () => {
    let targets = [target('a'), target('b')];
    const cycles: CycleSummary[] = [];
    scraper = new Scraper({
      source: () => targets,
      intervalMs: 40,
      jitter: 0,
      scrape: fakeScrape({}).fn,
      onCycle: (c) => cycles.push(c),
    }).start();
    await sleep(20);
    targets = [target('b')];
    await sleep(40);
    expect(cycles[1]?.removed).toEqual(['a']);
    expect(scraper.statuses().map((s) => s.id)).toEqual(['b']);
  });

  it('passes the last good scrape to the next one', async () => {
    const previous: (string | undefined)[] = [];
    let n = 0;
    scraper = new Scraper({
      source: () => [target('a')],
      intervalMs: 30,
      jitter: 0,
      scrape: async (t, opts) => {
        previous.push(opts.previous === undefined ? undefined : String(opts.previous.at));
        const s = scraped(t.id);
        s.at = ++n;
        return s;
      },
    }).start();
    await sleep(80);
    expect(previous.slice(0, 3)).toEqual([undefined, '1', '2']);
  });

  it('stop() aborts running scrapes and no callback fires afterwards', async () => {
    const fake = fakeScrape({ slow: 'hang' });
    let callbacks = 0;
    scraper = new Scraper({
      source: () => [target('slow')],
      intervalMs: 1000,
      timeoutMs: 5000,
      scrape: fake.fn,
      onScrape: () => callbacks++,
      onCycle: () => callbacks++,
    }).start();
    await sleep(20);
    const t0 = performance.now();
    await scraper.stop();
    expect(performance.now() - t0).toBeLessThan(100);
    await sleep(30);
    expect(callbacks).toBe(0);
  });

  it('jitters the start of each cycle within ±jitter × interval', async () => {
    const cycles: number[] = [];
    let r = 0;
    const randoms = [0, 1]; // -10 %, then +10 %
    scraper = new Scraper({
      source: () => [],
      intervalMs: 100,
      jitter: 0.1,
      random: () => randoms[r++ % 2]!,
      scrape: fakeScrape({}).fn,
      onCycle: () => cycles.push(performance.now()),
    }).start();
    await sleep(420);
    await scraper.stop();
    const gaps = cycles.slice(1).map((t, i) => t - cycles[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // Nominal times 0, 90, 200, 290: gaps of 90 then 110 ms, and no drift (a late timer shortens the
    // next gap).
    expect(gaps[0]).toBeLessThan(gaps[1]!);
    expect(gaps[0]! + gaps[1]!).toBeGreaterThanOrEqual(195);
    expect(gaps[0]! + gaps[1]!).toBeLessThan(230);
  });
});
