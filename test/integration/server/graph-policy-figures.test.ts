// The figures of policies acting, end to end: one meshscope-proxy sidecar with a route per exercise of
// the labs (each to its own backend, so each is its own edge), scraped by bin/meshscope:
// - /flaky: retry_policy 5xx × 2 in front of a backend answering 503 → retries per second on the edge;
// - /slow: route timeout 0.2 s in front of a 1 s backend → timeouts per second (504 UT);
// - /ejecting: outlier_detection (2 consecutive 5xx) over a backend and a dead port → the dead host
//   ejected (outlier_detection.ejections_active) on the edge;
// - the listener's envoy.filters.http.fault aborts requests of user jason (headers restriction) →
//   aborts per second from `http.<prefix>.fault.aborts_injected`, as Envoy's tag extraction names it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Graph, type GraphEdge, GraphSchema } from '../../../shared/api/graph.ts';
import { policyBadges } from '../../../shared/api/policies.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { writeLabTargets } from '../../support/lab-targets.ts';
import {
  type BackendProcess,
  freePort,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { get } from '../policies/lab-bootstrap.ts';

const T = 'type.googleapis.com/';
const FRONTEND = 'workload:default:frontend';
const target = (name: string) => `workload:default:${name}`;

let dir: string;
let proxy: ProxyProcess;
let dash: DashboardProcess;
const backends: Record<string, BackendProcess> = {};
let stopLoad: () => Promise<void>;

function cluster(name: string, ports: number[], extra: Record<string, unknown> = {}) {
  return {
    name,
    connect_timeout: '0.25s',
    type: 'STATIC',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: ports.map((port) => ({
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } },
          })),
        },
      ],
    },
    ...extra,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-policy-figures-'));
  for (const name of ['flaky', 'slow', 'faulty', 'ejecting']) backends[name] = await startBackend({ name });
  const dead = await freePort();
  const route = (prefix: string, c: string, extra: Record<string, unknown> = {}) => ({
    match: { prefix },
    route: { cluster: c, ...extra },
  });
  proxy = await startProxy({
    static_resources: {
      listeners: [
        {
          name: 'listener_0',
          address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
                    stat_prefix: 'egress_http',
                    http_filters: [
                      {
                        name: 'envoy.filters.http.fault',
                        typed_config: {
                          '@type': `${T}envoy.extensions.filters.http.fault.v3.HTTPFault`,
                          abort: { http_status: 503, percentage: { numerator: 100 } },
                          headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
                        },
                      },
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` },
                      },
                    ],
                    route_config: {
                      name: 'local_route',
                      virtual_hosts: [
                        {
                          name: 'backends',
                          domains: ['*'],
                          routes: [
                            route('/flaky', 'flaky', { retry_policy: { retry_on: '5xx', num_retries: 2 } }),
                            route('/slow', 'slow', { timeout: '0.2s' }),
                            route('/ejecting', 'ejecting'),
                            route('/', 'faulty'),
                          ],
                        },
                      ],
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        cluster('flaky', [backends['flaky']!.port]),
        cluster('slow', [backends['slow']!.port]),
        cluster('faulty', [backends['faulty']!.port]),
        cluster('ejecting', [backends['ejecting']!.port, dead], {
          outlier_detection: {
            consecutive_5xx: 2,
            interval: '1s',
            base_ejection_time: '60s',
            max_ejection_percent: 100,
          },
        }),
      ],
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
  });
  const targets = writeLabTargets(
    dir,
    proxy.adminUrl,
    Object.entries(backends).map(([name, b]) => ({ workload: name, app: name, port: b.port })),
  );
  dash = await startDashboard(['--targets', targets, '--scrape-interval', '0.5', '--window', '10']);
  // Every exercise at once, a request at a time each, until the suite ends.
  let running = true;
  const base = `http://127.0.0.1:${proxy.listenerPort}`;
  const loop = async (path: string, headers: Record<string, string> = {}) => {
    while (running) {
      await get(`${base}${path}`, undefined, headers).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const loops = [
    loop('/flaky/status/503'),
    loop('/slow/delay/1000'),
    loop('/ejecting/'),
    loop('/'),
    loop('/', { 'end-user': 'jason' }),
  ];
  stopLoad = async () => {
    running = false;
    await Promise.all(loops);
  };
}, 60_000);

afterAll(async () => {
  await stopLoad?.();
  await dash?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const graph = () => dash.get('/api/graph?graphType=workload', GraphSchema);
const edgeTo = (g: Graph, name: string): GraphEdge | undefined =>
  g.edges.find((e) => e.source === FRONTEND && e.target === target(name));

describe('policy figures from a real sidecar', () => {
  it('counts retries on the edge in front of a failing backend', async () => {
    // Each request is tried three times, and Envoy counts every attempt's answer (upstream_rq_5xx):
    // two retries for three 503s. Polled, as the two series start a scrape apart at worst.
    const retriesPer5xx = (x: Graph) => {
      const e = edgeTo(x, 'flaky');
      return e === undefined || !(e.traffic.status['5xx'] > 0)
        ? 0
        : (e.policies?.retries?.rps ?? 0) / e.traffic.status['5xx'];
    };
    const g = await until(
      '2 retries per 3 attempts on the flaky edge',
      graph,
      (x) => Math.abs(retriesPer5xx(x) - 2 / 3) < 0.1,
    );
    const e = edgeTo(g, 'flaky')!;
    expect(e.policies?.retries).toMatchObject({ retryOn: ['5xx'], numRetries: 2 });
    expect(policyBadges(e.policies)).toContain('retries');
  }, 30_000);

  it('counts timeouts (504 UT) on the edge in front of a slow backend', async () => {
    const g = await until(
      'timeouts on the slow edge',
      graph,
      (x) => (edgeTo(x, 'slow')?.policies?.timeout?.rps ?? 0) > 0,
    );
    const e = edgeTo(g, 'slow')!;
    expect(e.policies?.timeout?.timeoutMs).toBe(200);
    expect(policyBadges(e.policies)).toContain('timeout');
  }, 30_000);

  it('shows the dead host ejected by outlier detection', async () => {
    const g = await until(
      'an ejection on the ejecting edge',
      graph,
      (x) => (edgeTo(x, 'ejecting')?.policies?.outlierDetection?.ejectedHosts ?? 0) > 0,
      20_000,
    );
    const e = edgeTo(g, 'ejecting')!;
    expect(e.policies?.outlierDetection).toEqual({
      consecutive5xx: 2,
      intervalMs: 1000,
      baseEjectionTimeMs: 60_000,
      maxEjectionPercent: 100,
      ejectedHosts: 1,
    });
    expect(policyBadges(e.policies)).toContain('ejected');
  }, 30_000);

  it("counts the listener's injected aborts for jason only", async () => {
    const g = await until(
      'aborts on the faulty edge',
      graph,
      (x) => (edgeTo(x, 'faulty')?.policies?.fault?.abortsRps ?? 0) > 0,
    );
    const e = edgeTo(g, 'faulty')!;
    expect(e.policies?.fault).toMatchObject({
      abort: { httpStatus: 503, percent: 100 },
      headers: ['end-user = jason'],
      delaysRps: 0,
    });
    // Aborted before routing: the backend's edge carries only the requests of other users, all 2xx.
    expect(e.traffic.status['5xx']).toBe(0);
    expect(policyBadges(e.policies)).toContain('fault');
    // Jason's requests do get the abort.
    const r = await get(`http://127.0.0.1:${proxy.listenerPort}/`, undefined, { 'end-user': 'jason' });
    expect(r.status).toBe(503);
  }, 30_000);
});
