// The scraper against real sidecars: two bundled proxies, a target whose port refuses connections,
// and one whose server accepts and never answers. The live proxies keep their schedule throughout.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import { type CycleSummary, Scraper } from '../../../server/scrape/scraper.ts';
import type { ScrapedSidecar } from '../../../server/sources/envoy/scrape-sidecar.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import { freePort, type ProxyProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';

const INTERVAL_MS = 250;
const TIMEOUT_MS = 1500;
const RUN_MS = 3000;

let proxies: ProxyProcess[];
let refusedPort: number;
let hangServer: net.Server;
const hangSockets = new Set<net.Socket>();
let hangPort: number;

const scrapes: { id: string; at: number; scrape: ScrapedSidecar }[] = [];
const cycles: CycleSummary[] = [];
let statuses: ReturnType<Scraper['statuses']> = [];

function target(id: string, baseUrl: string): SidecarTarget {
  return {
    id,
    namespace: 'demo',
    workload: id,
    pod: undefined,
    kind: 'meshscope-proxy',
    admin: { baseUrl },
    statsPath: '/stats/prometheus',
  };
}

beforeAll(async () => {
  const backend = await startBackend();
  proxies = await Promise.all(
    [0, 1].map(() =>
      startProxy(staticBootstrap({ clusters: [{ name: 'backend', endpoints: [{ port: backend.port }] }] })),
    ),
  );
  refusedPort = await freePort();
  hangServer = net.createServer((s) => hangSockets.add(s));
  await new Promise<void>((r) => hangServer.listen(0, '127.0.0.1', r));
  hangPort = (hangServer.address() as net.AddressInfo).port;

  const targets = [
    target('hang', `http://127.0.0.1:${hangPort}`),
    target('refused', `http://127.0.0.1:${refusedPort}`),
    target('live-0', proxies[0]!.adminUrl),
    target('live-1', proxies[1]!.adminUrl),
  ];
  const scraper = new Scraper({
    source: () => targets,
    intervalMs: INTERVAL_MS,
    timeoutMs: TIMEOUT_MS,
    concurrency: 2,
    onScrape: (scrape) => scrapes.push({ id: scrape.targetId, at: performance.now(), scrape }),
    onCycle: (c) => cycles.push(c),
  }).start();
  // Traffic through live-0 while it is being scraped.
  const until = performance.now() + RUN_MS;
  while (performance.now() < until) {
    await fetch(`http://127.0.0.1:${proxies[0]!.listenerPort}/`).then((r) => r.arrayBuffer());
    await new Promise((r) => setTimeout(r, 20));
  }
  statuses = scraper.statuses();
  await scraper.stop();
}, 30_000);

afterAll(async () => {
  for (const s of hangSockets) s.destroy();
  await new Promise((r) => hangServer.close(r));
  await stopAll();
});

describe('Scraper on real sidecars with a dead and a hanging target', () => {
  it('scrapes each live proxy every cycle, never waiting for the hanging one', () => {
    for (const id of ['live-0', 'live-1']) {
      const times = scrapes.filter((s) => s.id === id).map((s) => s.at);
      // ~12 cycles in 3 s at 250 ms ± 10 %.
      expect(times.length, id).toBeGreaterThanOrEqual(9);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      const shown = `${id} gaps ${gaps.map((g) => g.toFixed(0)).join(',')}`;
      // One scrape per cycle (225–275 ms with the jitter)…
      const median = [...gaps].sort((a, b) => a - b)[gaps.length >> 1]!;
      expect(median, shown).toBeGreaterThan(0.8 * INTERVAL_MS);
      expect(median, shown).toBeLessThan(1.3 * INTERVAL_MS);
      // …and never a gap anywhere near the 1.5 s deadline of the hanging target (a cycle skipped
      // under load makes two intervals).
      expect(Math.max(...gaps), shown).toBeLessThan(3 * INTERVAL_MS);
    }
  });

  it('sees the traffic sent through a live proxy grow from scrape to scrape', () => {
    const totals = scrapes
      .filter((s) => s.id === 'live-0')
      .map((s) => s.scrape.clusters.get('backend')?.upstream_rq_total ?? 0);
    expect(totals.at(-1)!).toBeGreaterThan(totals[0]!);
    for (let i = 1; i < totals.length; i++) expect(totals[i]!).toBeGreaterThanOrEqual(totals[i - 1]!);
  });

  it('reports the refused and the hanging target down, saying why', () => {
    const byId = Object.fromEntries(statuses.map((s) => [s.id, s]));
    expect(byId['refused']).toMatchObject({ up: false, lastSuccess: null });
    expect(byId['refused']?.lastError).toMatch(
      new RegExp(
        `^refused: GET http://127\\.0\\.0\\.1:${refusedPort}/stats/prometheus.* failed: connection refused \\(ECONNREFUSED\\)$`,
      ),
    );
    expect(byId['hang']).toMatchObject({ up: false, lastSuccess: null });
    expect(byId['hang']?.lastError).toMatch(/^hang: GET .* failed: timed out after 1500 ms$/);
    expect(byId['hang']?.lastDurationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    for (const id of ['live-0', 'live-1']) {
      expect(byId[id]).toMatchObject({ up: true, lastError: null });
      expect(byId[id]?.lastBytes).toBeGreaterThan(0);
    }
  });

  it('closes cycles without the hanging scrape and skips its target while it runs', () => {
    expect(cycles.length).toBeGreaterThanOrEqual(9);
    expect(cycles.some((c) => c.stragglers >= 1)).toBe(true);
    expect(cycles.some((c) => c.skipped >= 1)).toBe(true);
    for (const c of cycles) expect(c.endedAt - c.startedAt).toBeLessThanOrEqual(TIMEOUT_MS + 100);
    // No scrape of the hanging target ever succeeded.
    expect(scrapes.some((s) => s.id === 'hang' || s.id === 'refused')).toBe(false);
  });
});
