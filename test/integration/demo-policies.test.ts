// The labs' traffic policies on the demo mesh, as a user of `npm start` sees them: the real
// `bin/meshscope --demo` (its own sidecars, apps and load generator) and its /api/graph. Configured
// policies are checked exactly; what they do under the load generator within a bounded time, loosely
// (how often a breaker trips depends on how the machine schedules the slow ratings requests).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, demoTopology, workloadNamed } from '../../server/demo/demo-topology.ts';
import { type Graph, type GraphEdge, type GraphNode, GraphSchema } from '../../shared/api/graph.ts';
import { policyBadges } from '../../shared/api/policies.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { demoArgs } from '../support/ui-build.ts';

/** This file's own demo subnet (127.0.96.10–19). */
const SUBNET = '127.0.96';

const v = (ns: string, app: string, version: string) => `versionedApp:${ns}:${app}:${version}`;
const PRODUCTPAGE = v('bookinfo', 'productpage', 'v1');
const RATINGS = v('bookinfo', 'ratings', 'v1');
const REVIEWS = ['v1', 'v2', 'v3'].map((x) => v('bookinfo', 'reviews', x));
const TO_RATINGS = ['v2', 'v3'].map((x) => `${v('bookinfo', 'reviews', x)},${RATINGS}`);
const TO_DETAILS = `${PRODUCTPAGE},${v('bookinfo', 'details', 'v1')}`;
const MIRROR = `${PRODUCTPAGE},${v('bookinfo', 'details', 'v2')},mirror`;

let dash: DashboardProcess;
const graph = (): Promise<Graph> => dash.get('/api/graph?graphType=versionedApp', GraphSchema);

function edge(g: Graph, id: string): GraphEdge {
  const e = g.edges.find((x) => x.id === id);
  if (e === undefined) throw new Error(`no edge ${id} in ${g.edges.map((x) => x.id).join(' ')}`);
  return e;
}

function node(g: Graph, id: string): GraphNode {
  const n = g.nodes.find((x) => x.id === id);
  if (n === undefined) throw new Error(`no node ${id}`);
  return n;
}

/** GET on the product page's inbound listener as `user`: status and how long it took. */
function productPageAs(user: string): Promise<{ status: number; ms: number }> {
  const mesh = demoTopology({ baseAddress: `${SUBNET}.`, firstHost: 10, ports: DEFAULT_PORTS });
  const pp = workloadNamed(mesh, 'productpage-v1');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: pp.ip,
        port: pp.inboundPort,
        path: '/api/v1/products/0',
        agent: false,
        timeout: 10_000,
        headers: { 'end-user': user, 'x-user': user },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dash = await startDashboard(demoArgs(SUBNET), 60_000);
}, 70_000);

afterAll(async () => {
  await dash?.stop();
});

describe('the demo mesh’s traffic policies on the graph', () => {
  it('shows each lab’s policy configured on its edge or node, and the mirror as its own edge', async () => {
    const g = await until(
      'the bookinfo edges and the mirror edge with traffic',
      graph,
      (g) =>
        [...TO_RATINGS, TO_DETAILS, MIRROR, ...REVIEWS.map((r) => `${PRODUCTPAGE},${r}`)].every(
          (id) => (g.edges.find((e) => e.id === id)?.traffic.rps ?? 0) > 0,
        ),
      40_000,
      () => dash.stderr,
    );
    // The sidecar lab's circuit breaker challenge, on both callers of ratings.
    for (const id of TO_RATINGS) {
      const p = edge(g, id).policies;
      expect(p?.circuitBreaker?.thresholds, id).toEqual([
        { priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 },
      ]);
      expect(
        policyBadges(p).some((b) => b === 'circuitBreaker' || b === 'circuitBreakerOpen'),
        id,
      ).toBe(true);
    }
    // Its retry and timeout challenges: the reviews route, so every reviews version's edge.
    for (const r of REVIEWS) {
      const p = edge(g, `${PRODUCTPAGE},${r}`).policies;
      expect(p?.retries, r).toMatchObject({ retryOn: ['5xx'], numRetries: 2 });
      expect(p?.timeout?.timeoutMs, r).toBe(3000);
      expect(policyBadges(p), r).toEqual(expect.arrayContaining(['retries', 'timeout']));
    }
    // Outlier detection on the reviews version that fails now and then only.
    expect(edge(g, `${PRODUCTPAGE},${REVIEWS[1]}`).policies?.outlierDetection).toMatchObject({
      consecutive5xx: 5,
      ejectedHosts: 0,
    });
    expect(edge(g, `${PRODUCTPAGE},${REVIEWS[0]}`).policies?.outlierDetection).toBeUndefined();
    // The consistent hash on x-user, and the mirror to details v2 drawn as its own (dashed) edge.
    const details = edge(g, TO_DETAILS);
    expect(details.policies?.hash).toEqual({ lbPolicy: 'RING_HASH', hashOn: ['header x-user'] });
    expect(details.policies?.mirrors).toEqual([{ cluster: 'details_v2', percent: 50 }]);
    expect(policyBadges(details.policies)).toEqual(expect.arrayContaining(['mirror', 'hash']));
    expect(details.mirror).toBeUndefined();
    expect(edge(g, MIRROR).mirror).toBe(true);
    expect(edge(g, MIRROR).clusters).toEqual(['details_v2']);
    // The Istio lab's delay for jason, on productpage's own inbound listener.
    const fault = node(g, PRODUCTPAGE).policies?.fault;
    expect(fault).toMatchObject({
      headers: ['end-user = jason'],
      delay: { fixedDelayMs: 1000, percent: 100 },
    });
    expect(policyBadges(node(g, PRODUCTPAGE).policies)).toContain('fault');
    // The seed lab's route stays as the lab has it: 80/20 through the runtime, no policy.
    for (const x of ['v1', 'v2']) {
      const lab = edge(g, `${v('default', 'frontend', 'v1')},${v('default', 'backend', x)}`);
      expect(lab.policies, x).toBeUndefined();
      expect(lab.weights[0]?.configured, x).toBe(x === 'v1' ? 0.8 : 0.2);
    }
  }, 50_000);

  it('shows them acting under the load generator: UO 503s, retries, jason’s delays, mirrored copies', async () => {
    const seen = { overflow: false, retries: false, delays: false };
    let last: Graph | undefined;
    await until(
      'a breaker overflow, a retry and a delay within the window',
      async () => {
        const g = await graph();
        last = g;
        const ratings = TO_RATINGS.map((id) => edge(g, id));
        // UO 503s from a breaker: the figure the edge shows and the breaker's own count agree.
        if (
          ratings.some(
            (e) => e.traffic.causes503.overflow > 0 && (e.policies?.circuitBreaker?.overflowRps ?? 0) > 0,
          )
        )
          seen.overflow = true;
        if ((edge(g, `${PRODUCTPAGE},${REVIEWS[1]}`).policies?.retries?.rps ?? 0) > 0) seen.retries = true;
        if ((node(g, PRODUCTPAGE).policies?.fault?.delaysRps ?? 0) > 0) seen.delays = true;
        return seen;
      },
      (s) => s.overflow && s.retries && s.delays,
      60_000,
      () => `seen ${JSON.stringify(seen)}\n${dash.stderr}`,
    );
    const g = last!;
    // A few 503s, not a sea of red: the breaker refuses a small share of what reaches ratings.
    const ratings = TO_RATINGS.map((id) => edge(g, id));
    const rps = ratings.reduce((a, e) => a + e.traffic.rps, 0);
    const uo = ratings.reduce((a, e) => a + e.traffic.causes503.overflow, 0);
    expect(uo / rps).toBeLessThan(0.25);
    // Retries turn reviews v2's failures into 200s: whatever the load generator asked of the product
    // page was answered below 500 (the edge from outside the mesh into productpage).
    const entry = g.edges.find((e) => e.target === PRODUCTPAGE && e.source.startsWith('inbound:'));
    expect(entry?.traffic.rps ?? 0).toBeGreaterThan(0);
    expect(entry?.traffic.status['5xx']).toBe(0);
    // The mirror gets about half of details' requests (runtime_fraction 50 %), drawn apart from them.
    const share = edge(g, MIRROR).traffic.rps / edge(g, TO_DETAILS).traffic.rps;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.8);
  }, 70_000);

  it('delays jason’s product page by the fault’s 1 s, and answers him all the same', async () => {
    const jason = await productPageAs('jason');
    expect(jason.status).toBe(200);
    expect(jason.ms).toBeGreaterThanOrEqual(950);
  }, 15_000);
});
