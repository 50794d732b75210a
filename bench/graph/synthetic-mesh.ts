// A large synthetic mesh for the graph benchmark: the inventory discovery would produce, and for every
// sidecar the four admin payloads one scrape fetches, shaped as Envoy writes them:
// - `/stats/prometheus?usedonly&filter=…` (what `statsRequestPath` asks for): per cluster the request
//   total, per-class and per-code counters, the `upstream_rq_time` histogram with Envoy's default
//   buckets, 503-cause counters only where they are non-zero (usedonly), and the inbound HCM's
//   `downstream_rq_*`, families in Envoy's order (family, then cluster), tags as plain Envoy prints them;
// - `/clusters?format=json` with per-host stats, `/config_dump` with one listener whose inline route
//   config has a weighted route and one plain route per other cluster, and `/runtime`.
// Counter values are what one 5 s cycle adds; the bench multiplies them by the cycle number.
import type { Inventory, ServiceInfo, SidecarTarget, WorkloadInfo } from '../../server/model/inventory.ts';

export interface SyntheticMeshOptions {
  workloads: number;
  replicasPerWorkload: number;
  clustersPerSidecar: number;
  namespaces: number;
  seed: number;
}

export interface SidecarPayloads {
  stats: string;
  clustersJson: string;
  configDumpJson: string;
  runtimeJson: string;
}

export interface SyntheticMesh {
  inventory: Inventory;
  payloads: Map<string, SidecarPayloads>;
  /** Upstream clusters configured over all sidecars. */
  clusterCount: number;
  /** Of which in a weighted route (two per sidecar). */
  weightedClusterCount: number;
}

/** Envoy's default histogram bucket bounds (ms), `+Inf` added by the Prometheus writer. */
const ENVOY_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];
const INBOUND_HCM = 'inbound_0.0.0.0_15006';
const PORT = 8080;

/** Deterministic pseudo-random numbers (an LCG), so every run measures the same mesh. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface ClusterPlan {
  name: string;
  hosts: { address: string; hostname: string | undefined }[];
  /** Requests one cycle adds, and how many of them are 5xx (503s) and 4xx. */
  requests: number;
  fiveXx: number;
  fourXx: number;
  overflow: number;
  /** Median latency (ms) of the cluster's requests. */
  latencyMs: number;
}

export function syntheticMesh(opts: SyntheticMeshOptions): SyntheticMesh {
  const rnd = random(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const namespaces = Array.from({ length: opts.namespaces }, (_, i) => `ns-${String(i).padStart(2, '0')}`);
  const workloads: WorkloadInfo[] = [];
  for (let i = 0; i < opts.workloads; i++) {
    // Two versions per app, so the app graph collapses pairs.
    const app = `app-${Math.floor(i / 2)}`;
    const version = `v${(i % 2) + 1}`;
    const namespace = namespaces[Math.floor(i / 2) % namespaces.length]!;
    const addresses = Array.from({ length: opts.replicasPerWorkload }, (_, r) => podIp(i, r));
    workloads.push({
      namespace,
      name: `${app}-${version}`,
      app,
      version,
      addresses,
      pods: addresses.map((_, r) => `${app}-${version}-${r}`),
      hasSidecar: true,
    });
  }
  const services: ServiceInfo[] = [];
  for (let i = 0; i < opts.workloads; i += 2) {
    const members = workloads.slice(i, i + 2);
    const first = members[0]!;
    services.push({
      namespace: first.namespace,
      name: first.app,
      clusterIps: [`10.96.${(i >> 8) & 255}.${i & 255}`],
      endpointIps: members.flatMap((w) => w.addresses),
      selector: { app: first.app },
    });
  }
  const sidecars: SidecarTarget[] = [];
  const payloads = new Map<string, SidecarPayloads>();
  let clusterCount = 0;
  let weightedClusterCount = 0;
  workloads.forEach((w, i) => {
    // Same plan for every replica of a workload (one configuration), traffic spread over them.
    const plan = planClusters(i, workloads, services, opts.clustersPerSidecar, rnd, pick);
    const runtime =
      rnd() < 0.3
        ? {
            [`routing.${w.name}.${plan.weighted[0]!.name}`]: '50',
            [`routing.${w.name}.${plan.weighted[1]!.name}`]: '50',
          }
        : {};
    for (let r = 0; r < opts.replicasPerWorkload; r++) {
      const id = `${w.namespace}/${w.pods[r]}`;
      sidecars.push({
        id,
        namespace: w.namespace,
        workload: w.name,
        pod: w.pods[r],
        kind: 'envoy',
        admin: { baseUrl: `http://${w.addresses[r]}:15000` },
        statsPath: '/stats/prometheus',
      });
      const clusters = [...plan.weighted, ...plan.plain];
      clusterCount += clusters.length;
      weightedClusterCount += plan.weighted.length;
      payloads.set(id, {
        stats: statsText(clusters, plan.inboundRequests),
        clustersJson: clustersJson(clusters),
        configDumpJson: configDumpJson(w.name, plan.weighted, plan.plain),
        runtimeJson: runtimeJson(runtime),
      });
    }
  });
  return { inventory: { workloads, services, sidecars }, payloads, clusterCount, weightedClusterCount };
}

function podIp(workload: number, replica: number): string {
  const n = workload * 8 + replica;
  return `10.${16 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${n & 255}`;
}

function planClusters(
  self: number,
  workloads: WorkloadInfo[],
  services: ServiceInfo[],
  count: number,
  rnd: () => number,
  pick: <T>(xs: readonly T[]) => T,
): { weighted: ClusterPlan[]; plain: ClusterPlan[]; inboundRequests: number } {
  const traffic = (): Omit<ClusterPlan, 'name' | 'hosts'> => {
    const requests = Math.round(5 + rnd() * 250);
    const failing = rnd() < 0.1;
    const fiveXx = failing ? Math.max(1, Math.round(requests * rnd() * 0.2)) : 0;
    return {
      requests,
      fiveXx,
      fourXx: rnd() < 0.2 ? Math.round(requests * 0.05) : 0,
      overflow: failing && rnd() < 0.3 ? Math.min(fiveXx, 3) : 0,
      latencyMs: 2 + rnd() * 200,
    };
  };
  const other = () => {
    let j = self;
    while (j === self) j = Math.floor(rnd() * workloads.length);
    return j;
  };
  // The weighted route splits over both versions of another app, 80/20.
  let target = other() & ~1;
  if (target === (self & ~1)) target = (target + 2) % workloads.length;
  const v1 = workloads[target]!;
  const v2 = workloads[target + 1] ?? v1;
  const hostsOf = (w: WorkloadInfo, named: boolean) =>
    w.addresses.map((address) => ({
      address,
      hostname: named ? `${w.app}.${w.namespace}.svc.cluster.local` : undefined,
    }));
  const t1 = traffic();
  const weighted: ClusterPlan[] = [
    { name: `${v1.name}_cluster`, hosts: hostsOf(v1, false), ...t1 },
    {
      name: `${v2.name}_cluster`,
      hosts: hostsOf(v2, false),
      ...traffic(),
      requests: Math.max(1, Math.round(t1.requests / 4)),
    },
  ];
  const plain: ClusterPlan[] = [];
  for (let k = 2; k < count; k++) {
    const name = `upstream_${k}`;
    const kind = rnd();
    if (kind < 0.1) {
      // Outside the mesh: an `unknown` node.
      plain.push({
        name: `external_${k}`,
        hosts: [{ address: `203.0.113.${k}`, hostname: `api-${k}.example.com` }],
        ...traffic(),
      });
    } else if (kind < 0.2) {
      // Through a ClusterIP: spread over the Service's workloads.
      const s = pick(services);
      plain.push({ name, hosts: [{ address: s.clusterIps[0]!, hostname: undefined }], ...traffic() });
    } else {
      const w = workloads[other()]!;
      plain.push({ name: `${w.name}_${k}`, hosts: hostsOf(w, kind < 0.6), ...traffic() });
    }
  }
  return { weighted, plain, inboundRequests: Math.round(50 + rnd() * 500) };
}

function statsText(clusters: ClusterPlan[], inboundRequests: number): string {
  const out: string[] = [];
  const family = (name: string, type: string, lines: (c: ClusterPlan) => string[]) => {
    const body = clusters.flatMap(lines);
    if (body.length > 0) out.push(`# TYPE ${name} ${type}`, ...body);
  };
  const tag = (c: ClusterPlan) => `envoy_cluster_name="${c.name}"`;
  const ok = (c: ClusterPlan) => c.requests - c.fiveXx - c.fourXx;
  // Alphabetical, as Envoy sorts families.
  family('envoy_cluster_upstream_cx_overflow', 'counter', (c) =>
    c.overflow > 0 ? [`envoy_cluster_upstream_cx_overflow{${tag(c)}} ${c.overflow}`] : [],
  );
  family('envoy_cluster_upstream_rq', 'counter', (c) => [
    `envoy_cluster_upstream_rq{envoy_response_code="200",${tag(c)}} ${ok(c)}`,
    ...(c.fourXx > 0 ? [`envoy_cluster_upstream_rq{envoy_response_code="404",${tag(c)}} ${c.fourXx}`] : []),
    ...(c.fiveXx > 0 ? [`envoy_cluster_upstream_rq{envoy_response_code="503",${tag(c)}} ${c.fiveXx}`] : []),
  ]);
  family('envoy_cluster_upstream_rq_pending_overflow', 'counter', (c) =>
    c.overflow > 0 ? [`envoy_cluster_upstream_rq_pending_overflow{${tag(c)}} ${c.overflow}`] : [],
  );
  family('envoy_cluster_upstream_rq_total', 'counter', (c) => [
    `envoy_cluster_upstream_rq_total{${tag(c)}} ${c.requests}`,
  ]);
  family('envoy_cluster_upstream_rq_xx', 'counter', (c) => [
    `envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",${tag(c)}} ${ok(c)}`,
    ...(c.fourXx > 0
      ? [`envoy_cluster_upstream_rq_xx{envoy_response_code_class="4",${tag(c)}} ${c.fourXx}`]
      : []),
    ...(c.fiveXx > 0
      ? [`envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",${tag(c)}} ${c.fiveXx}`]
      : []),
  ]);
  out.push(
    '# TYPE envoy_http_downstream_rq_total counter',
    `envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="${INBOUND_HCM}"} ${inboundRequests}`,
    '# TYPE envoy_http_downstream_rq_xx counter',
    `envoy_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="${INBOUND_HCM}"} ${inboundRequests}`,
  );
  family('envoy_cluster_upstream_rq_time', 'histogram', (c) => {
    const lines: string[] = [];
    for (const le of ENVOY_BUCKETS) {
      // A log-normal-ish spread around the median: share of requests at or below `le`.
      const share = 1 / (1 + (c.latencyMs / le) ** 2);
      lines.push(
        `envoy_cluster_upstream_rq_time_bucket{${tag(c)},le="${le}"} ${Math.round(c.requests * share)}`,
      );
    }
    lines.push(
      `envoy_cluster_upstream_rq_time_bucket{${tag(c)},le="+Inf"} ${c.requests}`,
      `envoy_cluster_upstream_rq_time_sum{${tag(c)}} ${(c.requests * c.latencyMs * 1.3).toFixed(1)}`,
      `envoy_cluster_upstream_rq_time_count{${tag(c)}} ${c.requests}`,
    );
    return lines;
  });
  return `${out.join('\n')}\n`;
}

function clustersJson(clusters: ClusterPlan[]): string {
  const stat = (name: string, value: number, gauge = false) =>
    value === 0
      ? { name, ...(gauge ? { type: 'GAUGE' } : {}) }
      : { name, value: String(value), ...(gauge ? { type: 'GAUGE' } : {}) };
  return JSON.stringify({
    cluster_statuses: clusters.map((c) => ({
      name: c.name,
      added_via_api: true,
      host_statuses: c.hosts.map((h) => ({
        address: { socket_address: { address: h.address, port_value: PORT } },
        stats: [
          stat('cx_connect_fail', 0),
          stat('cx_total', 12),
          stat('rq_error', c.fiveXx),
          stat('rq_success', c.requests - c.fiveXx),
          stat('rq_timeout', 0),
          stat('rq_total', c.requests),
          stat('cx_active', 2, true),
          stat('rq_active', 1, true),
        ],
        health_status: { eds_health_status: 'HEALTHY' },
        weight: 1,
        ...(h.hostname !== undefined ? { hostname: h.hostname } : {}),
        locality: {},
      })),
    })),
  });
}

function configDumpJson(workload: string, weighted: ClusterPlan[], plain: ClusterPlan[]): string {
  const virtualHosts = [
    {
      name: `${weighted[0]!.name}_vh`,
      domains: [`${weighted[0]!.name}.local`],
      routes: [
        {
          match: { prefix: '/' },
          route: {
            weighted_clusters: {
              clusters: [
                { name: weighted[0]!.name, weight: 80 },
                { name: weighted[1]!.name, weight: 20 },
              ],
              runtime_key_prefix: `routing.${workload}`,
            },
          },
        },
      ],
    },
    ...plain.map((c) => ({
      name: `${c.name}_vh`,
      domains: [`${c.name}.local`],
      routes: [{ match: { prefix: '/' }, route: { cluster: c.name } }],
    })),
  ];
  return JSON.stringify({
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
        bootstrap: { node: { id: workload } },
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        static_listeners: [
          {
            listener: {
              name: 'outbound_0.0.0.0_15001',
              address: { socket_address: { address: '0.0.0.0', port_value: 15001 } },
              filter_chains: [
                {
                  filters: [
                    {
                      name: 'envoy.filters.network.http_connection_manager',
                      typed_config: {
                        '@type':
                          'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                        stat_prefix: 'outbound',
                        route_config: { name: 'outbound_routes', virtual_hosts: virtualHosts },
                      },
                    },
                  ],
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

function runtimeJson(values: Record<string, string>): string {
  return JSON.stringify({
    layers: ['static_layer_0', 'admin'],
    entries: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, { final_value: v, layer_values: ['', v] }]),
    ),
  });
}
