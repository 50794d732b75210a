// Plain-data MeshSnapshots for the alert rule tests: one builder per fact, defaults for the rest.

import type {
  ClusterFacts,
  MeshSnapshot,
  RouteFacts,
  SidecarFacts,
  UpstreamFacts,
} from '../../../server/alerts/mesh-snapshot.ts';
import { emptyTraffic, type Traffic } from '../../../shared/api/graph.ts';

export function traffic(over: {
  rps?: number;
  s5xx?: number;
  rate503?: number;
  uh?: number;
  uo?: number;
  p99?: number;
}): Traffic {
  const t = emptyTraffic();
  t.rps = over.rps ?? 0;
  t.status['5xx'] = over.s5xx ?? over.rate503 ?? 0;
  t.status['2xx'] = Math.max(0, t.rps - t.status['5xx']);
  t.rate503 = over.rate503 ?? 0;
  t.causes503.noHealthyUpstream = over.uh ?? 0;
  t.causes503.overflow = over.uo ?? 0;
  if (over.p99 !== undefined) t.latencyMs = { p50: over.p99 / 4, p95: over.p99 / 2, p99: over.p99 };
  return t;
}

export function upstream(over: Partial<UpstreamFacts> & { traffic: Traffic }): UpstreamFacts {
  const namespace = over.namespace ?? 'default';
  const workload = over.workload ?? 'frontend';
  const cluster = over.cluster ?? 'backend_v1';
  return {
    key: `${namespace}/${workload}/${cluster}`,
    namespace,
    workload,
    cluster,
    edge: 'edge' in over ? over.edge : `workload:${namespace}:${workload},workload:${namespace}:backend-v1`,
    target: over.target ?? 'backend-v1',
    traffic: over.traffic,
  };
}

export function cluster(over: Partial<ClusterFacts>): ClusterFacts {
  return {
    namespace: 'default',
    workload: 'frontend',
    sidecarId: 'default/frontend/0',
    cluster: 'backend_v1',
    edge: undefined,
    gauges: undefined,
    hosts: { total: 1, healthy: 1, ejected: 0 },
    overflowRate: 0,
    ...over,
  };
}

export function route(over: Partial<RouteFacts>): RouteFacts {
  return {
    id: 'default/frontend/listener/rc/vh/0',
    namespace: 'default',
    workload: 'frontend',
    requests: 0,
    clusters: [],
    replicas: [],
    ...over,
  };
}

export function sidecar(over: Partial<SidecarFacts>): SidecarFacts {
  return {
    id: 'default/backend-v1/0',
    namespace: 'default',
    workload: 'backend-v1',
    up: true,
    lastSuccess: 0,
    lastError: null,
    ...over,
  };
}

export function snapshot(at: number, over: Partial<MeshSnapshot> = {}): MeshSnapshot {
  return { at, windowSeconds: 60, upstreams: [], clusters: [], routes: [], sidecars: [], ...over };
}
