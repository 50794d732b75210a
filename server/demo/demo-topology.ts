// The demo mesh as plain data: which workloads exist, the loopback IP each one owns (Linux routes all of
// 127.0.0.0/8 to `lo`, so each workload gets its own address the way each pod gets its own IP, and
// upstream endpoints map to workloads by IP), and which Services each caller reaches through its sidecar.
// Pure: the bootstrap writer, the targets file, the hosts file and the app servers all read this.

/** What an app process answers like. */
export type AppKind = 'frontend' | 'backend' | 'productpage' | 'details' | 'reviews' | 'ratings';

export interface DemoPorts {
  /** Sidecar admin on `<workload IP>:admin` (Envoy's customary 9901). */
  admin: number;
  /** Sidecar inbound listener → the local app (Istio's 15006). */
  inbound: number;
  /** Sidecar outbound listener for bookinfo callers (Istio's 15001). */
  outbound: number;
  /** The seed lab's outbound listener: `listener_0` on 10000, as in the lab's envoy.yaml. */
  labOutbound: number;
}

export const DEFAULT_PORTS: DemoPorts = { admin: 9901, inbound: 15006, outbound: 15001, labOutbound: 10000 };

/** One upstream cluster of a caller's sidecar: a callee workload, reached at its sidecar's inbound listener. */
export interface DemoCluster {
  name: string;
  workload: string;
  weight: number;
  /** Envoy v3 `Cluster` fields set on it: `circuit_breakers`, `outlier_detection`, `lb_policy`. */
  policies?: Record<string, unknown>;
}

/** `route.request_mirror_policies[0]`: a copy of `percent` % of the route's requests goes to `cluster`. */
export interface DemoMirror {
  cluster: string;
  /** The shadow workload behind the mirror cluster. */
  workload: string;
  percent: number;
}

/**
 * How a demo app misbehaves so that the policies have something to act on. Deterministic: by the
 * app's own count of requests, never by chance, so a run can be reasoned about.
 */
export interface AppTrouble {
  /** Every `failEvery`-th request is answered 503 at once. */
  failEvery?: number;
  /** Every `slowEvery`-th request is answered after `slowMs`. */
  slowEvery?: number;
  slowMs?: number;
}

/** One destination Service of a caller: a virtual host on the caller's outbound listener. */
export interface DemoRoute {
  service: string;
  namespace: string;
  /** The Service port the app dials (the Host header carries it). */
  servicePort: number;
  /** One cluster: a plain route; several: `weighted_clusters`. */
  clusters: DemoCluster[];
  /** `weighted_clusters.runtime_key_prefix`: weights can be shifted live through the runtime. */
  runtimeKeyPrefix?: string;
  /** Envoy v3 `RouteAction` fields set on the route: `retry_policy`, `timeout`, `hash_policy`. */
  policies?: Record<string, unknown>;
  mirror?: DemoMirror;
}

export interface DemoOutbound {
  listener: string;
  statPrefix: string;
  port: number;
  /**
   * STRICT_DNS mirrors the seed lab (endpoints named `backend-v1.default.svc.cluster.local`, resolved
   * through the demo's hosts file); STATIC lists the callee IPs, as EDS hands pod IPs to Istio sidecars.
   */
  discovery: 'STRICT_DNS' | 'STATIC';
  connectTimeout: string;
  routes: DemoRoute[];
}

export interface DemoWorkload {
  namespace: string;
  /** The workload (Deployment) name. */
  name: string;
  app: string;
  version: string;
  kind: AppKind;
  /** The workload's own loopback IP: app, sidecar listeners and admin all bind it. */
  ip: string;
  appPort: number;
  adminPort: number;
  inboundPort: number;
  outbound: DemoOutbound | undefined;
  /**
   * `envoy.filters.http.fault` (HTTPFault fields) before the router of the inbound listener: the
   * fault applies to every request the workload receives, as Istio's fault on its VirtualService.
   */
  inboundFault?: Record<string, unknown>;
  trouble?: AppTrouble;
}

export interface DemoService {
  namespace: string;
  name: string;
  port: number;
  selector: Record<string, string>;
  /** The workloads behind it (their IPs are the Service's endpoints). */
  workloads: string[];
}

export interface DemoTopologyOptions {
  /** The first three octets with the trailing dot, e.g. "127.0.0.". */
  baseAddress: string;
  /** The last octet of the first workload; the others follow in order. */
  firstHost: number;
  ports: DemoPorts;
  /** The labs' traffic policies and the apps' trouble (below); false leaves plain configs. Default true. */
  policies?: boolean;
}

type Spec = Omit<DemoWorkload, 'ip' | 'adminPort' | 'inboundPort' | 'outbound'> & {
  outbound?: Omit<DemoOutbound, 'port' | 'statPrefix' | 'listener'> & { lab?: boolean };
};

const LAB_PORT = 8080;
const BOOKINFO_PORT = 9080;

// The traffic policies of the labs, on bookinfo (the seed lab's frontend → backend stays as the lab
// has it: plain clusters, the 80/20 split shifted through the runtime).

/**
 * The sidecar lab's circuit breaker challenge (../shared/seeds/envoy-sidecar-lab.md): one connection and
 * one pending request, so a request arriving while ratings is slow and another one waits is refused
 * with 503 UO (`upstream_rq_pending_overflow`).
 */
const RATINGS_BREAKER = {
  circuit_breakers: { thresholds: [{ priority: 'DEFAULT', max_connections: 1, max_pending_requests: 1 }] },
};

/** The lab's retry and timeout challenges: 5xx retried twice, within a 3 s route timeout. */
const REVIEWS_RETRIES = { timeout: '3s', retry_policy: { retry_on: '5xx', num_retries: 2 } };

/** Envoy's outlier detection defaults made explicit, on the reviews version that fails now and then. */
const REVIEWS_OUTLIER_DETECTION = {
  outlier_detection: {
    consecutive_5xx: 5,
    interval: '10s',
    base_ejection_time: '30s',
    max_ejection_percent: 100,
  },
};

/**
 * The Istio lab's fault injection for user jason (istio-traffic-management-lab.md), shortened from 7 s
 * to 1 s so the demo stays lively: only requests with `end-user: jason` are delayed.
 */
const JASON_DELAY = {
  delay: { fixed_delay: '1s', percentage: { numerator: 100, denominator: 'HUNDRED' } },
  headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
};

/** The consistent hash of istio-service-mesh-notes.md (`consistentHash.httpHeaderName: x-user`). */
const HASH_ON_USER = { hash_policy: [{ header: { header_name: 'x-user' } }] };

/** The seed lab (../shared/seeds/envoy-sidecar-lab.md), then a bookinfo-like app in its own namespace. */
const SPECS: readonly Spec[] = [
  {
    namespace: 'default',
    name: 'frontend',
    app: 'frontend',
    version: 'v1',
    kind: 'frontend',
    appPort: LAB_PORT,
    outbound: {
      lab: true,
      discovery: 'STRICT_DNS',
      connectTimeout: '0.25s',
      routes: [
        {
          service: 'backend',
          namespace: 'default',
          servicePort: LAB_PORT,
          runtimeKeyPrefix: 'routing.traffic_split.backend',
          clusters: [
            { name: 'backend_v1', workload: 'backend-v1', weight: 80 },
            { name: 'backend_v2', workload: 'backend-v2', weight: 20 },
          ],
        },
      ],
    },
  },
  {
    namespace: 'default',
    name: 'backend-v1',
    app: 'backend',
    version: 'v1',
    kind: 'backend',
    appPort: LAB_PORT,
  },
  {
    namespace: 'default',
    name: 'backend-v2',
    app: 'backend',
    version: 'v2',
    kind: 'backend',
    appPort: LAB_PORT,
  },
  {
    namespace: 'bookinfo',
    name: 'productpage-v1',
    app: 'productpage',
    version: 'v1',
    kind: 'productpage',
    appPort: BOOKINFO_PORT,
    inboundFault: JASON_DELAY,
    outbound: {
      discovery: 'STATIC',
      connectTimeout: '1s',
      routes: [
        {
          service: 'details',
          namespace: 'bookinfo',
          servicePort: BOOKINFO_PORT,
          policies: HASH_ON_USER,
          // The Istio lab's mirroring (v1 serves, v2 gets copies whose answers nobody reads), at half.
          mirror: { cluster: 'details_v2', workload: 'details-v2', percent: 50 },
          clusters: [
            { name: 'details', workload: 'details-v1', weight: 100, policies: { lb_policy: 'RING_HASH' } },
          ],
        },
        {
          service: 'reviews',
          namespace: 'bookinfo',
          servicePort: BOOKINFO_PORT,
          runtimeKeyPrefix: 'routing.traffic_split.reviews',
          policies: REVIEWS_RETRIES,
          clusters: [
            { name: 'reviews_v1', workload: 'reviews-v1', weight: 50 },
            { name: 'reviews_v2', workload: 'reviews-v2', weight: 30, policies: REVIEWS_OUTLIER_DETECTION },
            { name: 'reviews_v3', workload: 'reviews-v3', weight: 20 },
          ],
        },
      ],
    },
  },
  {
    namespace: 'bookinfo',
    name: 'details-v1',
    app: 'details',
    version: 'v1',
    kind: 'details',
    appPort: BOOKINFO_PORT,
  },
  {
    namespace: 'bookinfo',
    name: 'ratings-v1',
    app: 'ratings',
    version: 'v1',
    kind: 'ratings',
    appPort: BOOKINFO_PORT,
    // Slow now and then: the breakers of its callers fill up meanwhile.
    trouble: { slowEvery: 10, slowMs: 400 },
  },
  ...(['v1', 'v2', 'v3'] as const).map(
    (version): Spec => ({
      namespace: 'bookinfo',
      name: `reviews-${version}`,
      app: 'reviews',
      version,
      kind: 'reviews',
      appPort: BOOKINFO_PORT,
      // v2 fails one request in 20 (503): productpage's retries turn them into 200s.
      ...(version === 'v2' ? { trouble: { failEvery: 20 } } : {}),
      // reviews v1 shows no stars, so only v2 and v3 call ratings (as in bookinfo).
      ...(version === 'v1'
        ? {}
        : {
            outbound: {
              discovery: 'STATIC' as const,
              connectTimeout: '1s',
              routes: [
                {
                  service: 'ratings',
                  namespace: 'bookinfo',
                  servicePort: BOOKINFO_PORT,
                  clusters: [
                    { name: 'ratings', workload: 'ratings-v1', weight: 100, policies: RATINGS_BREAKER },
                  ],
                },
              ],
            },
          }),
    }),
  ),
  // Last, so the addresses of the others stay what they were before it came: the mirror's shadow.
  {
    namespace: 'bookinfo',
    name: 'details-v2',
    app: 'details',
    version: 'v2',
    kind: 'details',
    appPort: BOOKINFO_PORT,
  },
];

/** Every workload of the demo, each with its own address. */
export function demoTopology(opts: DemoTopologyOptions): DemoWorkload[] {
  if (!/^127\.\d{1,3}\.\d{1,3}\.$/.test(opts.baseAddress)) {
    throw new RangeError(`baseAddress must look like "127.0.0." (loopback only), got "${opts.baseAddress}"`);
  }
  const last = opts.firstHost + SPECS.length - 1;
  if (!Number.isInteger(opts.firstHost) || opts.firstHost < 2 || last > 254) {
    throw new RangeError(`firstHost must leave room for ${SPECS.length} addresses in 2..254`);
  }
  const specs = opts.policies === false ? SPECS.map(withoutPolicies) : SPECS;
  return specs.map(({ outbound, ...w }, i) => ({
    ...w,
    ip: `${opts.baseAddress}${opts.firstHost + i}`,
    adminPort: opts.ports.admin,
    inboundPort: opts.ports.inbound,
    outbound:
      outbound === undefined
        ? undefined
        : {
            discovery: outbound.discovery,
            connectTimeout: outbound.connectTimeout,
            routes: outbound.routes,
            // The lab's names, so the frontend's sidecar reads like the lab's envoy.yaml.
            ...(outbound.lab
              ? { listener: 'listener_0', statPrefix: 'ingress_http', port: opts.ports.labOutbound }
              : { listener: 'virtualOutbound', statPrefix: 'outbound_http', port: opts.ports.outbound }),
          },
  }));
}

/** A spec with plain clusters and routes, no inbound fault and apps that always answer at once. */
function withoutPolicies({ inboundFault: _f, trouble: _t, outbound, ...w }: Spec): Spec {
  if (outbound === undefined) return w;
  const routes = outbound.routes.map(({ policies: _p, mirror: _m, clusters, ...r }) => ({
    ...r,
    clusters: clusters.map(({ policies: _c, ...c }) => c),
  }));
  return { ...w, outbound: { ...outbound, routes } };
}

/**
 * The Services of the demo: one per app, plus the lab's `backend-v1` and `backend-v2` (the lab runs
 * `kubectl expose pod backend-v1`, and its clusters dial those names).
 */
export function demoServices(workloads: readonly DemoWorkload[]): DemoService[] {
  const services = new Map<string, DemoService>();
  const add = (name: string, w: DemoWorkload, selector: Record<string, string>) => {
    const key = `${w.namespace}/${name}`;
    const s = services.get(key) ?? { namespace: w.namespace, name, port: w.appPort, selector, workloads: [] };
    s.workloads.push(w.name);
    services.set(key, s);
  };
  for (const w of workloads) {
    if (w.app === 'frontend') continue; // the lab's frontend is a bare pod nobody calls
    add(w.app, w, { app: w.app });
    if (w.app === 'backend') add(w.name, w, { app: w.app, version: w.version });
  }
  return [...services.values()];
}

/** The DNS name a Service has in a cluster. */
export function serviceDnsName(namespace: string, name: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** A workload by name; throws on a name the topology does not have (a bug in the tables above). */
export function workloadNamed(workloads: readonly DemoWorkload[], name: string): DemoWorkload {
  const w = workloads.find((x) => x.name === name);
  if (!w) throw new Error(`demo topology has no workload ${name}`);
  return w;
}
