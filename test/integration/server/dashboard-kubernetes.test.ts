// The dashboard end to end in Kubernetes mode: the real `bin/meshscope --kubeconfig` on the simulated
// cluster (fake API server, pods on 127.0.0.x with real sidecars and backends), modelling the seed lab
// (../shared/seeds/envoy-k8s-traffic-splitting.md): a `frontend` Deployment whose meshscope-proxy
// sidecar splits 80/20 over two STRICT_DNS clusters naming the headless Services `backend-v1` and
// `backend-v2`, one per backend Deployment. The simulated cluster has no DNS server, so the frontend's
// sidecar resolves through its `--hosts-file`, which ClusterDns keeps as CoreDNS would answer (a
// headless Service's name → its ready pod IPs). The test is the frontend's app, sending paced load to
// its sidecar. Two dashboards run side by side on the same cluster: one reaching sidecars directly at
// podIP:9901 (`--in-cluster`), one through the API server's pods/proxy (the default from a laptop).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Graph, GraphSchema } from '../../../shared/api/graph.ts';
import { SidecarListSchema } from '../../../shared/api/sidecars.ts';
import { SourcesSchema } from '../../../shared/api/sources.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { listenerConfig } from '../../support/envoy-bootstrap.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import { stopAll } from '../../support/processes.ts';
import { type PrometheusProcess, startPrometheus } from '../../support/prometheus-server.ts';
import { ClusterDns } from '../../support/simulated/cluster-dns.ts';
import {
  inboundBootstrap,
  POD_APP_PORT,
  SimulatedCluster,
  type SimulatedPod,
} from '../../support/simulated-cluster.ts';

const WINDOW_S = 10;
const RATE = 40;
/** The lab's egress listener, where the frontend app sends its calls. */
const EGRESS_PORT = 10000;
const FE = 'versionedApp:default:frontend:v1';
const V1 = 'versionedApp:default:backend:v1';
const V2 = 'versionedApp:default:backend:v2';

let cluster: SimulatedCluster;
let dns: ClusterDns;
let dir: string;
let frontend: SimulatedPod;
const backends: SimulatedPod[] = [];
let load: PacedLoad;
let loadStarted = 0;
const dashboards: Record<'direct' | 'api-server', DashboardProcess> = {} as never;
/** Through pods/proxy for structure, with traffic from Prometheus. */
let withPrometheus: DashboardProcess;
let prom: PrometheusProcess;

/** STRICT_DNS on a headless Service's name: one host per ready pod, re-resolved every second. */
function strictDnsCluster(name: string, service: string) {
  return {
    name,
    connect_timeout: '0.25s',
    type: 'STRICT_DNS',
    dns_refresh_rate: '1s',
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: {
                address: {
                  socket_address: {
                    address: `${service}.default.svc.cluster.local`,
                    port_value: POD_APP_PORT,
                  },
                },
              },
            },
          ],
        },
      ],
    },
  };
}

/** The pod's inbound sidecar plus the lab's listener_0: weighted_clusters 80/20 over the two versions. */
function frontendBootstrap(pod: Parameters<typeof inboundBootstrap>[0]) {
  const b = inboundBootstrap(pod);
  const egress = listenerConfig(
    {
      name: 'listener_0',
      port: EGRESS_PORT,
      statPrefix: 'ingress_http',
      routes: [
        {
          prefix: '/',
          weightedClusters: [
            { name: 'backend_v1', weight: 80 },
            { name: 'backend_v2', weight: 20 },
          ],
        },
      ],
    },
    1,
    undefined,
  );
  egress.address.socket_address.address = pod.ip;
  return {
    ...b,
    static_resources: {
      listeners: [...b.static_resources.listeners, egress],
      clusters: [
        ...b.static_resources.clusters,
        strictDnsCluster('backend_v1', 'backend-v1'),
        strictDnsCluster('backend_v2', 'backend-v2'),
      ],
    },
  };
}

const backendPod = (version: string) =>
  cluster.addPod({ deployment: `backend-${version}`, labels: { app: 'backend', version } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-k8s-e2e-'));
  cluster = await SimulatedCluster.start();
  dns = new ClusterDns(cluster.api, join(dir, 'hosts'));
  cluster.addService('backend-v1', { selector: { app: 'backend', version: 'v1' }, headless: true });
  cluster.addService('backend-v2', { selector: { app: 'backend', version: 'v2' }, headless: true });
  cluster.addService('frontend', { selector: { app: 'frontend' } });
  backends.push(...(await Promise.all([backendPod('v1'), backendPod('v1'), backendPod('v2')])));
  frontend = await cluster.addPod({
    deployment: 'frontend',
    labels: { app: 'frontend', version: 'v1' },
    hostsFile: dns.hostsFile,
    bootstrap: frontendBootstrap,
  });
  await cluster.settled();
  load = pacedLoad(`http://${frontend.ip}:${EGRESS_PORT}/`, RATE);
  loadStarted = Date.now();

  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.api.kubeconfig({ token: 'lab-token' }));
  const common = ['--kubeconfig', kubeconfig, '--scrape-interval', '1', '--window', String(WINDOW_S)];
  // Prometheus scrapes every sidecar's admin with the labels a kubernetes_sd relabelling adds.
  prom = await startPrometheus({
    jobs: [
      {
        name: 'sidecars',
        metricsPath: '/stats/prometheus',
        targets: [frontend, ...backends].map((p) => ({
          address: new URL(p.adminUrl).host,
          labels: { namespace: p.namespace, pod: p.name },
        })),
      },
    ],
  });
  const [direct, viaApi, fromProm] = await Promise.all([
    startDashboard([...common, '--in-cluster', '-l', 'warning']),
    startDashboard([...common, '-l', 'warning']),
    startDashboard([...common, '--prometheus', prom.url, '-l', 'warning']),
    prom.waitForTargetsUp(),
  ]);
  dashboards.direct = direct;
  dashboards['api-server'] = viaApi;
  withPrometheus = fromProm;
}, 60_000);

afterAll(async () => {
  load?.stop();
  await Promise.all([...Object.values(dashboards), withPrometheus].map((d) => d?.stop()));
  await prom?.stop();
  dns?.stop();
  await cluster?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const graphOf = (d: DashboardProcess, graphType: string) =>
  d.get(`/api/graph?graphType=${graphType}`, GraphSchema);
const sidecarsOf = async (d: DashboardProcess) => (await d.get('/api/sidecars', SidecarListSchema)).sidecars;
const edge = (g: Graph, source: string, target: string) =>
  g.edges.find((e) => e.source === source && e.target === target);

describe.each(['direct', 'api-server'] as const)('Kubernetes mode, sidecars reached %s', (mode) => {
  const d = () => dashboards[mode];

  it('lists every pod’s sidecar, up, at the address this mode reaches it by', async () => {
    const sidecars = await until(
      'every sidecar scraped',
      () => sidecarsOf(d()),
      (s) => s.length === 4 && s.every((x) => x.up),
      10_000,
      () => d().stderr,
    );
    const pods = [frontend, ...backends];
    expect(sidecars.map((s) => s.id).sort()).toEqual(pods.map((p) => `default/${p.name}`).sort());
    for (const s of sidecars) {
      const pod = pods.find((p) => p.name === s.pod)!;
      expect(s).toMatchObject({ kind: 'meshscope-proxy', namespace: 'default', lastError: null });
      expect(s.workload).toBe(pod.name.split('-').slice(0, -2).join('-'));
      expect(s.adminUrl).toContain(
        mode === 'direct' ? `${pod.ip}:9901` : `/api/v1/namespaces/default/pods/${pod.name}:9901/proxy`,
      );
    }
    if (mode === 'api-server') {
      const proxied = cluster.api.requests.filter((r) =>
        r.url.includes(`/pods/${frontend.name}:9901/proxy/`),
      );
      expect(proxied.length).toBeGreaterThan(0);
      expect(proxied.every((r) => r.headers.authorization === 'Bearer lab-token')).toBe(true);
    }
  });

  it('draws frontend → backend v1/v2 with 80/20 configured beside ≈ 0.8/0.2 observed, at the load’s rate', async () => {
    // A full window of samples of steady load first.
    await new Promise((r) => setTimeout(r, Math.max(0, loadStarted + (WINDOW_S + 2) * 1000 - Date.now())));
    const g = await until(
      'steady rates on both edges',
      () => graphOf(d(), 'versionedApp'),
      (g) => {
        const sum = (edge(g, FE, V1)?.traffic.rps ?? 0) + (edge(g, FE, V2)?.traffic.rps ?? 0);
        return Math.abs(sum - RATE) < RATE * 0.15;
      },
      15_000,
      () => d().stderr,
    );
    const v1 = edge(g, FE, V1)!;
    const v2 = edge(g, FE, V2)!;
    expect(v1.clusters).toEqual(['backend_v1']);
    expect(v2.clusters).toEqual(['backend_v2']);
    expect(v1.weights).toEqual([expect.objectContaining({ cluster: 'backend_v1', configured: 0.8 })]);
    expect(v2.weights).toEqual([expect.objectContaining({ cluster: 'backend_v2', configured: 0.2 })]);
    // ≈ 400 requests in the window: the observed share's standard deviation is ≈ 0.02.
    expect(v1.weights[0]!.observed!).toBeGreaterThan(0.7);
    expect(v1.weights[0]!.observed!).toBeLessThan(0.9);
    expect(v2.weights[0]!.observed!).toBeCloseTo(1 - v1.weights[0]!.observed!, 5);
    // What the backends themselves answered (their x-backend header) splits the same way.
    const answered = (load.byBackend.get('v1') ?? 0) + (load.byBackend.get('v2') ?? 0);
    expect(Math.abs((load.byBackend.get('v1') ?? 0) / answered - 0.8)).toBeLessThan(0.06);
    expect(v1.traffic.status['5xx'] + v2.traffic.status['5xx']).toBe(0);
    expect(v1.health).toBe('healthy');
    expect(g.nodes.find((n) => n.id === V1)?.hasSidecar).toBe(true);

    const wl = await graphOf(d(), 'workload');
    const pairs = wl.edges.map((e) => `${e.source} -> ${e.target}`);
    expect(pairs).toContain('workload:default:frontend -> workload:default:backend-v1');
    expect(pairs).toContain('workload:default:frontend -> workload:default:backend-v2');
    expect(edge(wl, 'workload:default:frontend', 'workload:default:backend-v1')?.weights[0]?.configured).toBe(
      0.8,
    );
    // Services appear where the graph type calls for them: the service graph, each backend version
    // as the headless Service its DNS name addressed, the frontend as its ClusterIP Service.
    expect(wl.nodes.some((n) => n.kind === 'service')).toBe(false);
    const svc = await graphOf(d(), 'service');
    expect(svc.edges.map((e) => `${e.source} -> ${e.target}`).sort()).toEqual([
      'service:default:frontend -> service:default:backend-v1',
      'service:default:frontend -> service:default:backend-v2',
    ]);
  });
});

describe('Kubernetes mode with Prometheus as the traffic source', () => {
  it('maps series to pods by their namespace/pod labels, as pods/proxy URLs cannot be matched', async () => {
    const g = await until(
      'both edges at the load’s rate, from Prometheus',
      () => graphOf(withPrometheus, 'versionedApp'),
      (g) => {
        const sum = (edge(g, FE, V1)?.traffic.rps ?? 0) + (edge(g, FE, V2)?.traffic.rps ?? 0);
        return Math.abs(sum - RATE) < RATE * 0.15;
      },
      20_000,
      () => withPrometheus.stderr,
    );
    expect(edge(g, FE, V1)!.weights[0]!.observed!).toBeGreaterThan(0.7);
    expect(edge(g, FE, V1)!.weights[0]!.observed!).toBeLessThan(0.9);
    const sources = await withPrometheus.get('/api/sources', SourcesSchema);
    expect(sources).toMatchObject({ traffic: 'prometheus', prometheus: { up: true, lastError: null } });
    expect(g.timestamp).toBeLessThanOrEqual(sources.prometheus!.lastSuccess!);
  });
});

describe('pods coming and going', () => {
  it('drops a deleted pod from the sidecars and the graph, and shows a new one (scale up)', async () => {
    const gone = backends.find((p) => p.name.startsWith('backend-v2-'))!;
    await cluster.removePod(gone.namespace, gone.name);
    for (const d of Object.values(dashboards)) {
      await until(
        `${gone.name} to leave the sidecars`,
        () => sidecarsOf(d),
        (s) => s.length === 3 && !s.some((x) => x.pod === gone.name),
        10_000,
        () => d.stderr,
      );
      const g = await until(
        'the backend v2 workload to leave the graph',
        () => graphOf(d, 'workload'),
        (g) => !g.nodes.some((n) => n.id === 'workload:default:backend-v2'),
        10_000,
      );
      expect(g.nodes.map((n) => n.id)).toContain('workload:default:backend-v1');
    }

    const added = await backendPod('v2');
    await cluster.settled();
    for (const d of Object.values(dashboards)) {
      const sidecars = await until(
        `${added.name} to join the sidecars`,
        () => sidecarsOf(d),
        (s) => s.some((x) => x.pod === added.name && x.up),
        10_000,
        () => d.stderr,
      );
      expect(sidecars).toHaveLength(4);
      // Once the frontend's sidecar resolves the new pod, the v2 edge carries traffic again.
      await until(
        'traffic to the new backend v2 pod',
        () => graphOf(d, 'versionedApp'),
        (g) => (edge(g, FE, V2)?.traffic.status['2xx'] ?? 0) > 1,
        15_000,
      );
    }
    // The edge's window still holds the removed pod's 2xx (cluster stats are per cluster, and the
    // cluster now resolves to the new pod), so the new pod's own count says the traffic reached it.
    await until(
      'requests at the new backend v2 pod',
      async () => (await added.backend.stats()).requests,
      (n) => n > 0,
      15_000,
    );
  });
});
