// Policies on the graph with real processes: the sidecar lab's bootstrap run by meshscope-proxy with
// circuit breakers (backend_v1: max_connections 1, max_pending_requests 1, as in the lab's load test;
// backend_v2: the lab's 100 / 50 / 100) and a mirror of the route to a shadow backend
// (test/support/policy-lab.ts), scraped by bin/meshscope over a targets file.
// /api/graph shows the configured breaker and the mirror as badge data, the mirrored copies as their own
// edge; then 3 concurrent clients against a slow backend trip the breaker, and the UO 503s appear on
// the edge (as overflow, with the open-breaker badge) within one scrape.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Graph, type GraphEdge, GraphSchema } from '../../../shared/api/graph.ts';
import { policyBadges } from '../../../shared/api/policies.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { startPolicyLab } from '../../support/policy-lab.ts';
import { type ProxyProcess, stopAll } from '../../support/processes.ts';
import { closedLoop, get } from '../policies/lab-bootstrap.ts';

const FRONTEND = 'workload:default:frontend';
const V1 = 'workload:default:backend-v1';
const V2 = 'workload:default:backend-v2';
const SHADOW = 'workload:default:backend-shadow';
const SCRAPE_S = 0.5;

let dir: string;
let proxy: ProxyProcess;
let dash: DashboardProcess;

const graph = () => dash.get('/api/graph?graphType=workload', GraphSchema);
const primary = (g: Graph, target: string): GraphEdge | undefined =>
  g.edges.find((e) => e.source === FRONTEND && e.target === target && e.mirror !== true);

/** The mirror edge's rate is the primaries' together, to within `tolerance` (relative). */
function mirrorMatchesPrimaries(g: Graph, tolerance: number): boolean {
  const mirror = g.edges.find((e) => e.mirror === true);
  const primaries = (primary(g, V1)?.traffic.rps ?? 0) + (primary(g, V2)?.traffic.rps ?? 0);
  if (mirror === undefined || !(primaries > 0)) return false;
  return Math.abs(mirror.traffic.rps - primaries) / primaries <= tolerance;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-graph-policies-'));
  const lab = await startPolicyLab(dir);
  proxy = lab.proxy;
  const targets = lab.targets;
  dash = await startDashboard([
    '--targets',
    targets,
    '--scrape-interval',
    String(SCRAPE_S),
    '--window',
    '10',
  ]);
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('policies on /api/graph from a real sidecar', () => {
  it('shows the configured circuit breaker and the mirror on the edges, and the mirrored copies as their own edge', async () => {
    // One client, one request at a time: nothing overflows. The load runs while the graph is polled:
    // a cluster's counters appear with its first request (`usedonly`), and a series' first reading is
    // its baseline, so requests before the first scrape that saw them are not in any rate.
    let stop = false;
    const statuses = new Map<number, number>();
    const load = (async () => {
      while (!stop) {
        const r = await get(`http://127.0.0.1:${proxy.listenerPort}/`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    let g: Graph;
    try {
      g = await until(
        'edges with policies and a mirror edge',
        graph,
        (x) =>
          primary(x, V1)?.policies?.circuitBreaker !== undefined &&
          primary(x, V2)?.policies?.circuitBreaker !== undefined &&
          mirrorMatchesPrimaries(x, 0.1),
        20_000,
        () => dash.stderr,
      );
    } finally {
      stop = true;
      await load;
    }
    expect([...statuses.keys()]).toEqual([200]);
    const edge = primary(g, V2)!;
    expect(edge.policies?.circuitBreaker).toEqual({
      thresholds: [{ priority: 'DEFAULT', maxConnections: 100, maxPendingRequests: 50, maxRequests: 100 }],
      open: [],
      overflowRps: 0,
      retryOverflowRps: 0,
    });
    expect(edge.policies?.mirrors).toEqual([{ cluster: 'backend_shadow', percent: 100 }]);
    expect(policyBadges(edge.policies)).toEqual(['circuitBreaker', 'mirror']);
    expect(edge.traffic.causes503.overflow).toBe(0);
    // backend_v1 allows one connection: once the pool holds it, Envoy's cx_open gauge says the
    // breaker is at capacity (open) even though nothing was refused yet; the badge follows the gauge.
    const gauges = await (await fetch(`${proxy.adminUrl}/stats?filter=backend_v1.circuit_breakers`)).text();
    const openNow = [...gauges.matchAll(/circuit_breakers\.(\w+)\.(\w+_open): 1$/gm)].map(
      (m) => `${m[1]}.${m[2]}`,
    );
    const v1Breaker = primary(g, V1)?.policies?.circuitBreaker;
    expect(v1Breaker?.thresholds).toEqual([
      { priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 },
    ]);
    expect(v1Breaker?.open).toEqual(openNow);
    expect(v1Breaker?.overflowRps).toBe(0);

    const mirror = g.edges.find((e) => e.mirror === true)!;
    expect(mirror).toMatchObject({ source: FRONTEND, target: SHADOW, clusters: ['backend_shadow'] });
    // Every request was mirrored: the shadow's rate is the two primaries' together (polled for above:
    // the shadow cluster's series starts a scrape later than the primaries' when its first copy lands
    // after that scrape, so the rates agree once the window holds the same span for all of them).
    const primaries = (primary(g, V1)?.traffic.rps ?? 0) + (primary(g, V2)?.traffic.rps ?? 0);
    expect(mirrorMatchesPrimaries(g, 0.1)).toBe(true);
    // The caller sent only the primaries' requests.
    expect(g.nodes.find((n) => n.id === FRONTEND)?.outbound.rps).toBeCloseTo(primaries, 5);
    expect(primary(g, SHADOW)).toBeUndefined();
  }, 40_000);

  it('trips the breaker with 3 concurrent clients on a slow backend: UO 503s on the edge within one scrape', async () => {
    const statuses = await closedLoop(`http://127.0.0.1:${proxy.listenerPort}/delay/300`, 3, 30);
    const done = Date.now();
    // The lab's observable result: a mix of 200s and 503s.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    // The 503s are Envoy's own overflow (the proxy says so in its stats).
    const stats = await (await fetch(`${proxy.adminUrl}/stats?filter=overflow`)).text();
    expect(stats).toMatch(/upstream_rq_pending_overflow: [1-9]/);

    const g = await until(
      'the overflow on the edges',
      graph,
      (x) =>
        (primary(x, V1)?.traffic.causes503.overflow ?? 0) +
          (primary(x, V2)?.traffic.causes503.overflow ?? 0) >
        0,
      10_000,
      () => dash.stderr,
    );
    const seenAfterMs = Date.now() - done;
    // One scrape interval, plus a scrape's duration and the graph request.
    expect(seenAfterMs).toBeLessThan(SCRAPE_S * 1000 + 1500);
    const tripped = [primary(g, V1), primary(g, V2)].filter((e) => (e?.traffic.causes503.overflow ?? 0) > 0);
    // backend_v1 (1 connection, 1 pending) refused requests; backend_v2's limits were never reached.
    expect(tripped.map((e) => e!.target)).toEqual([V1]);
    for (const e of tripped) {
      expect(e!.traffic.rate503).toBeGreaterThan(0);
      // Every 503 of this run is an overflow: none came from the backend.
      expect(e!.traffic.causes503.upstream).toBe(0);
      expect(e!.policies?.circuitBreaker?.overflowRps).toBe(e!.traffic.causes503.overflow);
      expect(policyBadges(e!.policies)).toContain('circuitBreakerOpen');
    }
    // The destination node carries the badge too.
    const target = g.nodes.find((n) => n.id === tripped[0]!.target);
    expect(policyBadges(target?.policies)).toContain('circuitBreakerOpen');
    // A plain request still passes once the load is gone.
    expect((await get(`http://127.0.0.1:${proxy.listenerPort}/`)).status).toBe(200);
  }, 40_000);
});
