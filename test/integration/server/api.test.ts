// The HTTP layer over real sockets: parameters validated into 400s with a JSON error, SSE framing,
// health and self metrics. The core behind it is built from plain data here; the end-to-end tests on the
// demo mesh exercise the real one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardCore, GraphRequest } from '../../../server/api/dashboard-core.ts';
import { createApp } from '../../../server/app.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import { emptyTraffic, type Graph, GraphSchema } from '../../../shared/api/graph.ts';

const cycleListeners = new Set<() => void>();
const requests: GraphRequest[] = [];
let isReady = false;

const core: DashboardCore = {
  windows: [60, 300],
  graph(req) {
    requests.push(req);
    const g: Graph = {
      timestamp: 1,
      windowSeconds: req.windowSeconds ?? 60,
      graphType: req.graphType,
      namespaces: req.namespaces,
      nodes: [
        {
          id: 'default/frontend',
          kind: 'workload',
          namespace: 'default',
          name: 'frontend',
          hasSidecar: true,
          health: 'healthy',
          inbound: emptyTraffic(),
          outbound: emptyTraffic(),
        },
      ],
      edges: [],
    };
    return g;
  },
  routes: () => [],
  sidecars: () => [],
  nodeSeries: (id) => (id === 'default/frontend' ? { id, points: [[1, 2, 0, 3]] } : undefined),
  edgeSeries: () => undefined,
  sidecarClusters: async () => undefined,
  sidecarConfigDump: async () => undefined,
  sources: () => ({ traffic: 'scrape', prometheus: null }),
  onCycle(l) {
    cycleListeners.add(l);
    return () => cycleListeners.delete(l);
  },
  ready: () => isReady,
};

let base = '';
let server: http.Server;

beforeAll(async () => {
  server = http.createServer(createApp(core));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
}

describe('GET /api/graph', () => {
  it('serves a graph that validates against the shared schema, with defaults', async () => {
    const r = await getJson('/api/graph');
    expect(r.status).toBe(200);
    const g = GraphSchema.parse(r.body);
    expect(g.graphType).toBe('versionedApp');
    expect(requests.at(-1)).toEqual({ graphType: 'versionedApp', namespaces: [], windowSeconds: undefined });
  });

  it('passes graph type, namespaces and window through', async () => {
    await getJson('/api/graph?graphType=workload&namespaces=default,bookinfo&window=300');
    expect(requests.at(-1)).toEqual({
      graphType: 'workload',
      namespaces: ['default', 'bookinfo'],
      windowSeconds: 300,
    });
  });

  it.each([
    ['graphType=pods', 'graphType'],
    ['namespaces=Not_Valid', 'namespaces.0'],
    ['window=abc', 'window'],
    ['window=5', 'window'],
    ['window=120', 'window'],
    ['bogus=1', 'bogus'],
  ])('?%s → 400 naming %s', async (qs, field) => {
    const r = await getJson(`/api/graph?${qs}`);
    expect(r.status).toBe(400);
    const e = ApiErrorSchema.parse(r.body);
    expect(e.error.code).toBe('invalid_parameter');
    expect(e.error.field).toBe(field);
    expect(e.error.message.length).toBeGreaterThan(5);
  });
});

describe('series, sidecars, routes', () => {
  it('serves known series and 404s unknown ones, 400 on malformed ids', async () => {
    expect((await getJson('/api/nodes/default%2Ffrontend/series')).body).toEqual({
      id: 'default/frontend',
      points: [[1, 2, 0, 3]],
    });
    expect((await getJson('/api/nodes/nope/series')).status).toBe(404);
    expect((await getJson('/api/edges/%3Cscript%3E/series')).status).toBe(400);
    expect((await getJson('/api/sidecars')).body).toEqual({ sidecars: [] });
    expect((await getJson('/api/routes')).body).toEqual({ routes: [] });
    expect((await getJson('/api/nothing')).status).toBe(404);
  });
});

describe('health, readiness, metrics', () => {
  it('healthz always, readyz only once ready, /metrics in Prometheus text', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    isReady = false;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    isReady = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const m = await (await fetch(`${base}/metrics`)).text();
    expect(m).toMatch(/^meshscope_http_requests_total\{route="\/api\/graph",status="400"\} \d+$/m);
    expect(m).toMatch(/^meshscope_sse_clients 0$/m);
  });
});

describe('GET /api/events', () => {
  it('streams one graph event at subscription and one per cycle, then cleans up', async () => {
    isReady = true;
    const events: string[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve) =>
      http.get(`${base}/api/events?graphType=app`, resolve),
    );
    expect(res.headers['content-type']).toBe('text/event-stream');
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (d: string) => {
      buf += d;
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        events.push(buf.slice(0, i));
        buf = buf.slice(i + 2);
        i = buf.indexOf('\n\n');
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(cycleListeners.size).toBe(1);
    for (const l of cycleListeners) l();
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toHaveLength(2);
    for (const e of events) {
      const [ev, data] = e.split('\n');
      expect(ev).toBe('event: graph');
      expect(GraphSchema.parse(JSON.parse(data!.slice('data: '.length))).graphType).toBe('app');
    }
    res.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(cycleListeners.size).toBe(0);
  });

  it('refuses bad parameters with 400 before opening a stream', async () => {
    const r = await getJson('/api/events?graphType=x');
    expect(r.status).toBe(400);
  });
});
