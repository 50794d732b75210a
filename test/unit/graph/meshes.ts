// Small realistic meshes for graph tests: the seed lab (frontend's Envoy sidecar splitting 80/20 over
// two STRICT_DNS clusters), bookinfo behind plain Envoy sidecars, and bookinfo behind istio-proxy with
// Istio telemetry in the shapes of the shared istio-proxy fixtures.

import type { Inventory, ServiceInfo, SidecarTarget, WorkloadInfo } from '../../../server/model/inventory.ts';
import type { IstioDestinationKey } from '../../../server/model/traffic-source.ts';
import type { SidecarKind } from '../../../shared/api/sidecars.ts';
import { type FakeSidecar, host, traffic } from './fake-traffic-source.ts';

export function workload(
  namespace: string,
  name: string,
  app: string,
  version: string | undefined,
  addresses: string[],
  hasSidecar: boolean,
): WorkloadInfo {
  return { namespace, name, app, version, addresses, pods: [`${name}-0`], hasSidecar };
}

export function service(
  namespace: string,
  name: string,
  endpointIps: string[],
  selector: Record<string, string>,
  clusterIps: string[] = [],
): ServiceInfo {
  return { namespace, name, clusterIps, endpointIps, selector };
}

export function sidecar(
  id: string,
  namespace: string,
  workloadName: string,
  kind: SidecarKind = 'envoy',
): SidecarTarget {
  return {
    id,
    namespace,
    workload: workloadName,
    pod: id.split('/')[1],
    kind,
    admin: { baseUrl: `http://admin.invalid/${id}` },
    statsPath: '/stats/prometheus',
  };
}

/**
 * envoy-sidecar-lab.md: pod `app-with-envoy` (app=frontend) whose Envoy splits `prefix /` over
 * backend_v1 (80) and backend_v2 (20), STRICT_DNS on `backend-vN.default.svc.cluster.local:80`; the
 * backends are plain pods exposed by `kubectl expose pod`. A load generator without a sidecar calls
 * frontend, so frontend's listener traffic has no known caller.
 */
export function seedLab(rps = { v1: 8, v2: 2 }): {
  inventory: Inventory;
  sidecars: Record<string, FakeSidecar>;
} {
  const inventory: Inventory = {
    workloads: [
      workload('default', 'frontend', 'frontend', undefined, ['10.244.0.10'], true),
      workload('default', 'backend-v1', 'backend', 'v1', ['10.244.0.21'], false),
      workload('default', 'backend-v2', 'backend', 'v2', ['10.244.0.22'], false),
    ],
    services: [
      service('default', 'backend-v1', ['10.244.0.21'], { app: 'backend', version: 'v1' }, ['10.96.0.21']),
      service('default', 'backend-v2', ['10.244.0.22'], { app: 'backend', version: 'v2' }, ['10.96.0.22']),
    ],
    sidecars: [sidecar('default/app-with-envoy', 'default', 'frontend')],
  };
  const sidecars: Record<string, FakeSidecar> = {
    'default/app-with-envoy': {
      clusters: {
        backend_v1: traffic(rps.v1, { latency: [2, 8, 12] }),
        backend_v2: traffic(rps.v2, { latency: [3, 10, 20] }),
      },
      hosts: {
        backend_v1: [host('10.244.0.21', 80, { hostname: 'backend-v1.default.svc.cluster.local' })],
        backend_v2: [host('10.244.0.22', 80, { hostname: 'backend-v2.default.svc.cluster.local' })],
      },
      routes: [
        {
          listener: 'listener_0',
          routeConfig: 'local_route',
          virtualHost: 'backend',
          routeIndex: 0,
          routeName: undefined,
          match: 'prefix /',
          runtimeKeyPrefix: 'routing.backend',
          totalWeight: undefined,
          clusters: [
            { name: 'backend_v1', weight: 80 },
            { name: 'backend_v2', weight: 20 },
          ],
        },
      ],
      inbound: traffic(rps.v1 + rps.v2),
    },
  };
  return { inventory, sidecars };
}

const BOOKINFO_IPS = {
  productpage: '10.1.0.10',
  details: '10.1.0.20',
  'reviews-v1': '10.1.0.31',
  'reviews-v2': '10.1.0.32',
  'reviews-v3': '10.1.0.33',
  ratings: '10.1.0.40',
};

function bookinfoInventory(kind: SidecarKind): Inventory {
  const ns = 'bookinfo';
  const ip = BOOKINFO_IPS;
  return {
    workloads: [
      workload(ns, 'productpage-v1', 'productpage', 'v1', [ip.productpage], true),
      workload(ns, 'details-v1', 'details', 'v1', [ip.details], true),
      workload(ns, 'reviews-v1', 'reviews', 'v1', [ip['reviews-v1']], true),
      workload(ns, 'reviews-v2', 'reviews', 'v2', [ip['reviews-v2']], true),
      workload(ns, 'reviews-v3', 'reviews', 'v3', [ip['reviews-v3']], true),
      workload(ns, 'ratings-v1', 'ratings', 'v1', [ip.ratings], true),
    ],
    services: [
      service(ns, 'productpage', [ip.productpage], { app: 'productpage' }),
      service(ns, 'details', [ip.details], { app: 'details' }),
      service(ns, 'reviews', [ip['reviews-v1'], ip['reviews-v2'], ip['reviews-v3']], { app: 'reviews' }),
      service(ns, 'ratings', [ip.ratings], { app: 'ratings' }),
    ],
    sidecars: [
      sidecar('bookinfo/productpage-v1-abc', ns, 'productpage-v1', kind),
      sidecar('bookinfo/details-v1-abc', ns, 'details-v1', kind),
      sidecar('bookinfo/reviews-v1-abc', ns, 'reviews-v1', kind),
      sidecar('bookinfo/reviews-v2-abc', ns, 'reviews-v2', kind),
      sidecar('bookinfo/reviews-v3-abc', ns, 'reviews-v3', kind),
      sidecar('bookinfo/ratings-v1-abc', ns, 'ratings-v1', kind),
    ],
  };
}

/**
 * Bookinfo behind plain Envoy sidecars: productpage → `details` and `reviews` (one cluster over the
 * three versions' pods, 9 rps, so 3 each by host weight); reviews-v2 and v3 → `ratings`, v3 with 5xx.
 * productpage's callers have no sidecar (its listener sees 10 rps).
 */
export function bookinfo(): { inventory: Inventory; sidecars: Record<string, FakeSidecar> } {
  const ip = BOOKINFO_IPS;
  const ratingsHosts = {
    ratings: [host(ip.ratings, 9080, { hostname: 'ratings.bookinfo.svc.cluster.local' })],
  };
  return {
    inventory: bookinfoInventory('envoy'),
    sidecars: {
      'bookinfo/productpage-v1-abc': {
        clusters: {
          details: traffic(10, { latency: [4, 9, 15] }),
          reviews: traffic(9, { latency: [20, 40, 80] }),
        },
        hosts: {
          details: [host(ip.details, 9080)],
          reviews: [host(ip['reviews-v1'], 9080), host(ip['reviews-v2'], 9080), host(ip['reviews-v3'], 9080)],
        },
        inbound: traffic(10),
      },
      'bookinfo/details-v1-abc': { inbound: traffic(10) },
      'bookinfo/reviews-v1-abc': { hosts: ratingsHosts, inbound: traffic(3) },
      'bookinfo/reviews-v2-abc': {
        clusters: { ratings: traffic(3, { latency: [1, 2, 3] }) },
        hosts: ratingsHosts,
        inbound: traffic(3),
      },
      'bookinfo/reviews-v3-abc': {
        clusters: {
          ratings: traffic(3, { '5xx': 1, rate503: 1, causes503: { upstream: 1 }, latency: [1, 4, 9] }),
        },
        hosts: ratingsHosts,
        inbound: traffic(3),
      },
      'bookinfo/ratings-v1-abc': { inbound: traffic(6) },
    },
  };
}

/** One `istio_requests_total` series key, as the istio-proxy fixtures label them. */
export function istioKey(
  reporter: 'source' | 'destination',
  source: [namespace: string, workload: string],
  destination: [namespace: string, workload: string, app: string, version: string, service: string],
): IstioDestinationKey {
  return {
    reporter,
    sourceNamespace: source[0],
    sourceWorkload: source[1],
    destinationNamespace: destination[0],
    destinationWorkload: destination[1],
    destinationApp: destination[2],
    destinationVersion: destination[3],
    destinationService: destination[4],
  };
}

/**
 * Bookinfo behind istio-proxy: every request reported by both sidecars (as the 1.7.1 fixture shows for
 * productpage-v1), the ingress gateway not in the inventory (no sidecar known: its destination
 * reports count), Prometheus scraping productpage's sidecar from outside the mesh
 * (`source_workload="unknown"`, InboundPassthroughClusterIpv4, one 503 UF), and a 503 UH to
 * `reviews` that reached no workload (`destination_workload="unknown"`). productpage's Envoy cluster
 * stats carry the same requests and must not be counted again.
 */
export function istioBookinfo(): { inventory: Inventory; sidecars: Record<string, FakeSidecar> } {
  const ns = 'bookinfo';
  const svc = (name: string) => `${name}.bookinfo.svc.cluster.local`;
  const pp: [string, string] = [ns, 'productpage-v1'];
  const details: [string, string, string, string, string] = [
    ns,
    'details-v1',
    'details',
    'v1',
    svc('details'),
  ];
  const rv = (v: string): [string, string, string, string, string] => [
    ns,
    `reviews-${v}`,
    'reviews',
    v,
    svc('reviews'),
  ];
  const ratings: [string, string, string, string, string] = [
    ns,
    'ratings-v1',
    'ratings',
    'v1',
    svc('ratings'),
  ];
  const productpage: [string, string, string, string, string] = [
    ns,
    'productpage-v1',
    'productpage',
    'v1',
    svc('productpage'),
  ];
  const ip = BOOKINFO_IPS;
  return {
    inventory: bookinfoInventory('istio-proxy'),
    sidecars: {
      'bookinfo/productpage-v1-abc': {
        // Envoy's own view of the same outbound requests (Istio cluster names).
        clusters: {
          [`outbound|9080||${svc('details')}`]: traffic(10),
          [`outbound|9080||${svc('reviews')}`]: traffic(9),
        },
        hosts: {
          [`outbound|9080||${svc('details')}`]: [host(ip.details, 9080)],
          [`outbound|9080||${svc('reviews')}`]: [
            host(ip['reviews-v1'], 9080),
            host(ip['reviews-v2'], 9080),
            host(ip['reviews-v3'], 9080),
          ],
        },
        istio: [
          { key: istioKey('source', pp, details), traffic: traffic(10, { latency: [4, 9, 15] }) },
          { key: istioKey('source', pp, rv('v1')), traffic: traffic(3) },
          { key: istioKey('source', pp, rv('v2')), traffic: traffic(3) },
          { key: istioKey('source', pp, rv('v3')), traffic: traffic(2) },
          {
            key: istioKey('source', pp, [ns, 'unknown', 'unknown', 'unknown', svc('reviews')]),
            traffic: traffic(1, { '5xx': 1, rate503: 1, causes503: { noHealthyUpstream: 1 } }),
          },
          {
            key: istioKey('destination', ['istio-system', 'istio-ingressgateway'], productpage),
            traffic: traffic(10),
          },
          {
            key: istioKey(
              'destination',
              ['unknown', 'unknown'],
              [ns, 'productpage-v1', 'productpage', 'v1', '172.17.0.12:15090'],
            ),
            traffic: traffic(0.5, { '5xx': 0.1, rate503: 0.1, causes503: { connectFailure: 0.1 } }),
          },
        ],
        inbound: traffic(10.5),
      },
      'bookinfo/details-v1-abc': {
        istio: [{ key: istioKey('destination', pp, details), traffic: traffic(10) }],
        inbound: traffic(10),
      },
      'bookinfo/reviews-v1-abc': {
        istio: [{ key: istioKey('destination', pp, rv('v1')), traffic: traffic(3) }],
      },
      'bookinfo/reviews-v2-abc': {
        istio: [
          { key: istioKey('destination', pp, rv('v2')), traffic: traffic(3) },
          { key: istioKey('source', [ns, 'reviews-v2'], ratings), traffic: traffic(3) },
        ],
      },
      'bookinfo/reviews-v3-abc': {
        istio: [
          { key: istioKey('destination', pp, rv('v3')), traffic: traffic(2) },
          { key: istioKey('source', [ns, 'reviews-v3'], ratings), traffic: traffic(2) },
        ],
      },
      'bookinfo/ratings-v1-abc': {
        istio: [
          { key: istioKey('destination', [ns, 'reviews-v2'], ratings), traffic: traffic(3) },
          { key: istioKey('destination', [ns, 'reviews-v3'], ratings), traffic: traffic(2) },
        ],
        inbound: traffic(5),
      },
    },
  };
}
