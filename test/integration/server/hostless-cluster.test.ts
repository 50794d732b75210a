// A headless Service scaled to zero, end to end: the seed lab's bootstrap run by meshscope-proxy with
// backend_v1 kept STRICT_DNS on `backend-v1.default.svc.cluster.local` (answered by the proxy's
// --hosts-file, as CoreDNS answers a headless Service's A records) and backend_v2 STATIC, scraped by
// bin/meshscope over a targets file while paced load runs through the 80/20 route. First the name
// resolves to backend-v1's pod and the edge goes to that workload; then the pod goes and its record
// with it: the cluster has no host, the caller gets 503 UH, and /api/graph shows those 503s on an
// edge to the Service node its configured name designates, never on `unknown:<cluster>`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Graph, type GraphEdge, GraphSchema } from '../../../shared/api/graph.ts';
import { RouteListSchema } from '../../../shared/api/routes.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { seedLabWorkloads, writeLabTargets } from '../../support/lab-targets.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { labBootstrap } from '../policies/lab-bootstrap.ts';

const V1_NAME = 'backend-v1.default.svc.cluster.local';
const FRONTEND = 'workload:default:frontend';
const V1_WORKLOAD = 'workload:default:backend-v1';
const V1_SERVICE = 'service:default:backend-v1';
const RPS = 40;

let dir: string;
let hostsFile: string;
let v1: BackendProcess;
let v2: BackendProcess;
let proxy: ProxyProcess;
let dash: DashboardProcess;
let load: PacedLoad;

const graph = (type = 'workload') => dash.get(`/api/graph?graphType=${type}`, GraphSchema);
const edgeTo = (g: Graph, target: string): GraphEdge | undefined =>
  g.edges.find((e) => e.source === FRONTEND && e.target === target);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-hostless-'));
  hostsFile = join(dir, 'hosts');
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  writeFileSync(hostsFile, `127.0.0.1 ${V1_NAME}\n`);
  const lab = labBootstrap({ backend_v1: v1.port, backend_v2: v2.port });
  const c = lab.cluster('backend_v1');
  c['type'] = 'STRICT_DNS';
  c['dns_refresh_rate'] = '0.2s';
  c['load_assignment'] = {
    cluster_name: 'backend_v1',
    endpoints: [
      {
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: V1_NAME, port_value: v1.port } } } },
        ],
      },
    ],
  };
  proxy = await startProxy(lab.doc, { hostsFile });
  const targets = writeLabTargets(dir, proxy.adminUrl, seedLabWorkloads(v1.port, v2.port));
  load = pacedLoad(`http://127.0.0.1:${proxy.listenerPort}/`, RPS);
  dash = await startDashboard(['--targets', targets, '--scrape-interval', '0.5', '--window', '10']);
}, 60_000);

afterAll(async () => {
  load?.stop();
  await dash?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a STRICT_DNS cluster whose Service is scaled to zero (bin/meshscope, real proxy)', () => {
  it('maps the resolved host to the backend-v1 workload while its record exists', async () => {
    const g = await until(
      'traffic to backend-v1',
      graph,
      (x) => (edgeTo(x, V1_WORKLOAD)?.traffic.rps ?? 0) > 0,
    );
    expect(edgeTo(g, V1_SERVICE)).toBeUndefined();
    expect(g.nodes.filter((n) => n.kind === 'unknown')).toEqual([]);
  }, 30_000);

  it('shows the 503 UH on an edge to the Service node once the name resolves to nothing', async () => {
    await v1.stop();
    writeFileSync(hostsFile, '# backend-v1 scaled to zero: no A record\n');
    // The cluster's whole window is UH once the connect failures of the moment between the pod's
    // going and the DNS refresh have left it (10 s window).
    const g = await until(
      'the edge to the Service carrying 503 UH only',
      graph,
      (x) => {
        const t = edgeTo(x, V1_SERVICE)?.traffic;
        return t !== undefined && t.rps > 0 && t.causes503.noHealthyUpstream >= 0.98 * t.rps;
      },
      30_000,
      () => dash.stderr,
    );
    const stats = await proxy.admin('/stats?filter=backend_v1.upstream_cx_none_healthy');
    expect(stats.body).toMatch(/upstream_cx_none_healthy: [1-9]/);
    expect(load.byStatus.get(503) ?? 0).toBeGreaterThan(0);

    const edge = edgeTo(g, V1_SERVICE)!;
    expect(edge.clusters).toEqual(['backend_v1']);
    expect(edge.traffic.rate503 / edge.traffic.rps).toBeGreaterThanOrEqual(0.98);
    expect(edge.traffic.status['5xx'] / edge.traffic.rps).toBeGreaterThanOrEqual(0.98);
    expect(edge.traffic.causes503.upstream).toBeLessThanOrEqual(0.02 * edge.traffic.rps);
    // 80 % of the paced load (the split is random per request: a loose bound).
    expect(edge.traffic.rps).toBeGreaterThan(RPS * 0.8 * 0.6);
    expect(edge.traffic.rps).toBeLessThan(RPS * 0.8 * 1.4);
    expect(edge.health).toBe('failing');
    expect(edge.weights.map((w) => [w.cluster, w.configured])).toEqual([['backend_v1', 0.8]]);
    expect(edgeTo(g, V1_WORKLOAD)).toBeUndefined();
    expect(g.nodes.filter((n) => n.kind === 'unknown')).toEqual([]);
    expect(g.nodes.find((n) => n.id === V1_SERVICE)).toMatchObject({
      kind: 'service',
      service: 'backend-v1',
    });

    // The service graph and /api/routes name the same Service.
    const sg = await graph('service');
    expect(
      sg.edges.find((e) => e.target === V1_SERVICE)?.traffic.causes503.noHealthyUpstream,
    ).toBeGreaterThan(0);
    expect(sg.nodes.filter((n) => n.kind === 'unknown')).toEqual([]);
    const routes = await dash.get('/api/routes', RouteListSchema);
    const cluster = routes.routes[0]?.clusters.find((c) => c.name === 'backend_v1');
    expect(cluster?.destination).toBe(V1_SERVICE);
  }, 45_000);
});
