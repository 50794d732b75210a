// A TrafficSource over plain data, for graph tests: each sidecar's per-cluster traffic, upstream
// hosts, weighted routes, runtime values, Istio series and inbound listener traffic, given directly.

import type { PolicyFigures, SidecarPolicyConfig } from '../../../server/model/policy-config.ts';
import type {
  ClusterCounters,
  ClusterGauges,
  SidecarScrape,
  UpstreamHost,
  WeightedRouteConfig,
} from '../../../server/model/sidecar-data.ts';
import type { IstioDestinationKey, TrafficSource } from '../../../server/model/traffic-source.ts';
import type { Traffic } from '../../../shared/api/graph.ts';

export interface FakeSidecar {
  clusters?: Record<string, Traffic>;
  hosts?: Record<string, UpstreamHost[]>;
  /** Per cluster, the config_dump's load_assignment addresses (SidecarScrape.configuredAddresses). */
  configuredAddresses?: Record<string, string[]>;
  routes?: WeightedRouteConfig[];
  runtime?: Record<string, string>;
  istio?: { key: IstioDestinationKey; traffic: Traffic }[];
  inbound?: Traffic;
  policies?: SidecarPolicyConfig;
  gauges?: Record<string, ClusterGauges>;
  policyFigures?: PolicyFigures;
}

/** `rps` requests per second: the given 3xx/4xx/5xx, 2xx for the rest; latency `[p50, p95, p99]`. */
export function traffic(
  rps: number,
  opts: {
    '3xx'?: number;
    '4xx'?: number;
    '5xx'?: number;
    rate503?: number;
    causes503?: Partial<Traffic['causes503']>;
    latency?: [number, number, number];
  } = {},
): Traffic {
  const s3 = opts['3xx'] ?? 0;
  const s4 = opts['4xx'] ?? 0;
  const s5 = opts['5xx'] ?? 0;
  return {
    rps,
    status: { '2xx': rps - s3 - s4 - s5, '3xx': s3, '4xx': s4, '5xx': s5 },
    rate503: opts.rate503 ?? 0,
    causes503: { overflow: 0, noHealthyUpstream: 0, connectFailure: 0, upstream: 0, ...opts.causes503 },
    latencyMs:
      opts.latency === undefined
        ? null
        : { p50: opts.latency[0], p95: opts.latency[1], p99: opts.latency[2] },
  };
}

export function host(
  address: string,
  port: number,
  opts: { hostname?: string; healthy?: boolean; weight?: number } = {},
): UpstreamHost {
  return {
    address,
    port,
    hostname: opts.hostname,
    healthy: opts.healthy ?? true,
    flags: opts.healthy === false ? ['failed_active_hc'] : [],
    weight: opts.weight ?? 1,
  };
}

function zeroCounters(): ClusterCounters {
  return {
    upstream_rq_total: 0,
    upstream_rq_xx: [0, 0, 0, 0, 0],
    upstream_rq_503: 0,
    upstream_rq_pending_overflow: 0,
    upstream_cx_overflow: 0,
    upstream_cx_none_healthy: 0,
    upstream_cx_connect_fail: 0,
    rqTime: undefined,
  };
}

export class FakeTrafficSource implements TrafficSource {
  readonly windowSeconds: number;
  readonly updatedAt: number;
  readonly sidecars: Record<string, FakeSidecar>;

  constructor(
    sidecars: Record<string, FakeSidecar>,
    opts: { windowSeconds?: number; updatedAt?: number } = {},
  ) {
    this.sidecars = sidecars;
    this.windowSeconds = opts.windowSeconds ?? 60;
    this.updatedAt = opts.updatedAt ?? 1_700_000_000_000;
  }

  latest(targetId: string): SidecarScrape | undefined {
    const s = this.sidecars[targetId];
    if (s === undefined) return undefined;
    const names = new Set([...Object.keys(s.clusters ?? {}), ...Object.keys(s.hosts ?? {})]);
    return {
      targetId,
      at: this.updatedAt,
      clusters: new Map([...names].map((n) => [n, zeroCounters()])),
      istio: [],
      hosts: new Map(Object.entries(s.hosts ?? {})),
      ...(s.configuredAddresses !== undefined && {
        configuredAddresses: new Map(Object.entries(s.configuredAddresses)),
      }),
      routes: s.routes ?? [],
      runtime: new Map(Object.entries(s.runtime ?? {})),
      downstream: undefined,
      ...(s.policies !== undefined && { policies: s.policies }),
      ...(s.gauges !== undefined && { gauges: new Map(Object.entries(s.gauges)) }),
    };
  }

  policyFigures(targetId: string): PolicyFigures | undefined {
    return this.sidecars[targetId]?.policyFigures;
  }

  clusterTraffic(targetId: string, cluster: string): Traffic | undefined {
    const s = this.sidecars[targetId];
    if (s === undefined) return undefined;
    return s.clusters?.[cluster] ?? (s.hosts?.[cluster] !== undefined ? traffic(0) : undefined);
  }

  istioTraffic(targetId: string): { key: IstioDestinationKey; traffic: Traffic }[] {
    return this.sidecars[targetId]?.istio ?? [];
  }

  inboundTraffic(targetId: string): Traffic | undefined {
    return this.sidecars[targetId]?.inbound;
  }
}
