// envoy-sidecar-lab.md "Paso 3.2: Circuit Breaker" on the real proxy, and the lab's load test (fortio
// `load -c 2` / `-c 3` against one connection and one pending request, the istio-traffic-management-lab
// DestinationRule's limits): overflow answers 503 with UO, counted in upstream_rq_pending_overflow,
// upstream_cx_overflow and upstream_rq_503, with the circuit_breakers.default.*_open gauges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';
import {
  closedLoop,
  get,
  labBootstrap,
  labFragment,
  promValue,
  upstreamCode,
  withAccessLog,
} from './lab-bootstrap.ts';

let v1: BackendProcess;
let v2: BackendProcess;

beforeAll(async () => {
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
});

afterAll(stopAll);

describe('the lab circuit_breakers block', () => {
  it('loads unchanged into backend_v1 and leaves ordinary traffic alone', async () => {
    const lab = labBootstrap({ backend_v1: v1.port, backend_v2: v2.port });
    const fragment = labFragment('circuit_breakers');
    const cluster = (fragment['clusters'] as Record<string, unknown>[])[0]!;
    expect(cluster['name']).toBe('backend_v1');
    lab.cluster('backend_v1')['circuit_breakers'] = cluster['circuit_breakers'];
    const proxy = await startProxy(lab.doc);
    const statuses = await closedLoop(`http://127.0.0.1:${proxy.listenerPort}/`, 4, 40);
    expect(statuses).toEqual(new Map([[200, 40]]));
    const clusters = await proxy.admin('/clusters');
    expect(clusters.body).toContain('backend_v1::default_priority::max_connections::100');
    expect(clusters.body).toContain('backend_v1::default_priority::max_pending_requests::50');
    const stats = (await proxy.admin('/stats/prometheus')).body;
    expect(promValue(stats, 'envoy_cluster_upstream_rq_pending_overflow', 'backend_v1')).toBe(0);
    expect(promValue(stats, 'envoy_cluster_circuit_breakers_default_rq_pending_open', 'backend_v1')).toBe(0);
    await proxy.stop();
  });
});

describe('the load test: 1 connection, 1 pending request, a slow backend', () => {
  // The DestinationRule's connectionPool (maxConnections 1, http1MaxPendingRequests 1,
  // maxRequestsPerConnection 1) as the Envoy fields Istio writes for it, on the lab's backend_v1.
  async function limitedProxy(perConnection: number | undefined) {
    const lab = labBootstrap({ backend_v1: v1.port, backend_v2: v2.port });
    lab.routes.splice(0, lab.routes.length, { match: { prefix: '/' }, route: { cluster: 'backend_v1' } });
    const c = lab.cluster('backend_v1');
    c['circuit_breakers'] = {
      thresholds: [
        { priority: 'DEFAULT', max_connections: 1, max_pending_requests: 1, track_remaining: true },
      ],
    };
    if (perConnection !== undefined) c['max_requests_per_connection'] = perConnection;
    withAccessLog(lab.hcm);
    return startProxy(lab.doc);
  }

  it('3 concurrent clients: a mix of 200s and 503 UO, counted as overflow, with the open gauges while it lasts', async () => {
    const proxy = await limitedProxy(undefined);
    const url = `http://127.0.0.1:${proxy.listenerPort}/delay/40`;
    let sampled = '';
    const load = closedLoop(url, 3, 30);
    // Mid-load the one connection is busy and the one pending slot taken.
    for (let i = 0; i < 40 && !sampled.includes('rq_pending_open: 1'); i++) {
      await new Promise((r) => setTimeout(r, 15));
      sampled = (await proxy.admin('/stats?filter=circuit_breakers.default')).body;
    }
    const statuses = await load;
    expect(statuses.get(200)! + statuses.get(503)!).toBe(30);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect(sampled).toContain('cluster.backend_v1.circuit_breakers.default.cx_open: 1');
    expect(sampled).toContain('cluster.backend_v1.circuit_breakers.default.rq_pending_open: 1');
    expect(sampled).toContain('cluster.backend_v1.circuit_breakers.default.remaining_cx: 0');

    const stats = (await proxy.admin('/stats/prometheus')).body;
    const overflow = promValue(stats, 'envoy_cluster_upstream_rq_pending_overflow', 'backend_v1');
    expect(overflow).toBe(statuses.get(503));
    expect(upstreamCode(stats, 'backend_v1', 503)).toBe(statuses.get(503));
    expect(upstreamCode(stats, 'backend_v1', 200)).toBe(statuses.get(200));
    expect(
      promValue(stats, 'envoy_cluster_upstream_rq_xx', 'backend_v1', { envoy_response_code_class: '5' }),
    ).toBe(statuses.get(503));
    expect(promValue(stats, 'envoy_cluster_upstream_cx_overflow', 'backend_v1')).toBeGreaterThan(0);
    expect(promValue(stats, 'envoy_cluster_upstream_cx_total', 'backend_v1')).toBe(1);
    // After the load: nothing pending, the one idle connection still holds the only slot.
    expect(promValue(stats, 'envoy_cluster_circuit_breakers_default_rq_pending_open', 'backend_v1')).toBe(0);
    expect(promValue(stats, 'envoy_cluster_circuit_breakers_default_cx_open', 'backend_v1')).toBe(1);
    expect(promValue(stats, 'envoy_cluster_circuit_breakers_default_remaining_pending', 'backend_v1')).toBe(
      1,
    );

    // The access log is flushed every 100 ms.
    const logged = () => proxy.stdout.split('\n').filter((l) => l.startsWith('LOG /delay/40'));
    for (let i = 0; i < 50 && logged().length < 30; i++) await new Promise((r) => setTimeout(r, 50));
    const lines = logged();
    expect(lines.filter((l) => l.endsWith(' 503 UO backend_v1'))).toHaveLength(statuses.get(503)!);
    expect(lines.filter((l) => l.endsWith(' 200 - backend_v1'))).toHaveLength(statuses.get(200)!);
    const overflowReply = await Promise.all([get(url), get(url), get(url)]);
    const refused = overflowReply.find((r) => r.status === 503);
    expect(refused?.body).toBe(
      'upstream connect error or disconnect/reset before headers. reset reason: overflow',
    );
    await proxy.stop();
  });

  it('2 concurrent clients with one request per connection (maxRequestsPerConnection: 1): mostly 200s, some 503 UO', async () => {
    const proxy = await limitedProxy(1);
    const statuses = await closedLoop(`http://127.0.0.1:${proxy.listenerPort}/delay/20`, 2, 20);
    expect(statuses.get(200)! + (statuses.get(503) ?? 0)).toBe(20);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(503)).toBeGreaterThan(0);
    const stats = (await proxy.admin('/stats/prometheus')).body;
    expect(promValue(stats, 'envoy_cluster_upstream_rq_pending_overflow', 'backend_v1')).toBe(
      statuses.get(503),
    );
    expect(promValue(stats, 'envoy_cluster_upstream_cx_max_requests', 'backend_v1')).toBe(statuses.get(200));
    await proxy.stop();
  });

  it('1 client: every request succeeds (the lab’s verification step)', async () => {
    const proxy = await limitedProxy(1);
    const statuses = await closedLoop(`http://127.0.0.1:${proxy.listenerPort}/delay/5`, 1, 15);
    expect(statuses).toEqual(new Map([[200, 15]]));
    await proxy.stop();
  });
});

describe('routing priority', () => {
  it('a HIGH-priority route uses the HIGH thresholds and its own pool; DEFAULT traffic is untouched', async () => {
    const lab = labBootstrap({ backend_v1: v1.port, backend_v2: v2.port });
    lab.routes.splice(
      0,
      lab.routes.length,
      {
        match: { prefix: '/high/' },
        route: { cluster: 'backend_v1', priority: 'HIGH', prefix_rewrite: '/' },
      },
      { match: { prefix: '/' }, route: { cluster: 'backend_v1' } },
    );
    // HIGH may queue nothing: with no idle HIGH connection, every HIGH request overflows.
    lab.cluster('backend_v1')['circuit_breakers'] = {
      thresholds: [{ priority: 'HIGH', max_pending_requests: 0 }],
    };
    const proxy = await startProxy(lab.doc);
    const base = `http://127.0.0.1:${proxy.listenerPort}`;
    expect((await get(`${base}/`)).status).toBe(200);
    const high = await get(`${base}/high/`);
    expect(high.status).toBe(503);
    expect(high.body).toContain('reset reason: overflow');
    const stats = (await proxy.admin('/stats/prometheus')).body;
    expect(promValue(stats, 'envoy_cluster_circuit_breakers_high_rq_pending_open', 'backend_v1')).toBe(1);
    expect(promValue(stats, 'envoy_cluster_circuit_breakers_default_rq_pending_open', 'backend_v1')).toBe(0);
    expect(promValue(stats, 'envoy_cluster_upstream_rq_pending_overflow', 'backend_v1')).toBe(1);
    await proxy.stop();
  });
});
