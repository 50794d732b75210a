// The traffic policies one sidecar applies towards one of its upstream clusters, with the figures
// that show them acting, and how the policies of several clusters or replicas add up on one edge.
// Configuration comes from the config dump (config-dump-policies.ts), gauges from the scrape
// (cluster-gauges.ts), counter rates from the traffic source (policy-rates.ts), and the overflow rate
// from the edge's own 503 causes (UO).
import type { Traffic } from '../../shared/api/graph.ts';
import type { Policies } from '../../shared/api/policies.ts';
import type { PolicyFigures, RoutePolicyConfig } from '../model/policy-config.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';

/** Routes by the clusters they send to, per scrape (a scrape's config is read by every graph build). */
const routesByCluster = new WeakMap<SidecarScrape, Map<string, RoutePolicyConfig[]>>();

function routesOf(scrape: SidecarScrape, cluster: string): RoutePolicyConfig[] {
  let index = routesByCluster.get(scrape);
  if (index === undefined) {
    index = new Map();
    for (const r of scrape.policies?.routes ?? []) {
      for (const c of r.clusters) {
        const list = index.get(c);
        if (list === undefined) index.set(c, [r]);
        else list.push(r);
      }
    }
    routesByCluster.set(scrape, index);
  }
  return index.get(cluster) ?? [];
}

/**
 * Clusters this sidecar only mirrors to (shadows): their traffic is drawn as mirror edges. A cluster
 * that some route also sends its own requests to stays an ordinary edge: its stats cannot tell the
 * copies from the primaries.
 */
export function shadowClusters(scrape: SidecarScrape): ReadonlySet<string> {
  let shadows = shadowsOf.get(scrape);
  if (shadows === undefined) {
    shadows = new Set<string>();
    for (const r of scrape.policies?.routes ?? []) for (const m of r.mirrors) shadows.add(m.cluster);
    for (const r of scrape.policies?.routes ?? []) for (const c of r.clusters) shadows.delete(c);
    shadowsOf.set(scrape, shadows);
  }
  return shadows;
}

const shadowsOf = new WeakMap<SidecarScrape, Set<string>>();

/** A cluster's policies, with the traffic and figures they were made from. */
interface Made {
  traffic: Traffic | undefined;
  figures: PolicyFigures | undefined;
  policies: Policies | undefined;
}

const made = new WeakMap<SidecarScrape, Map<string, Made>>();

/**
 * The policies one sidecar applies towards one cluster (undefined: none to show), made once per
 * scrape, cluster and figures: every graph type built from the same traffic source between two scrapes
 * reads the same object (shared: never change it).
 */
export function clusterPolicies(
  scrape: SidecarScrape,
  cluster: string,
  traffic: Traffic | undefined,
  figures: PolicyFigures | undefined,
): Policies | undefined {
  let byCluster = made.get(scrape);
  if (byCluster === undefined) {
    byCluster = new Map();
    made.set(scrape, byCluster);
  }
  const kept = byCluster.get(cluster);
  if (kept !== undefined && kept.traffic === traffic && kept.figures === figures) return kept.policies;
  const policies = makeClusterPolicies(scrape, cluster, traffic, figures);
  byCluster.set(cluster, { traffic, figures, policies });
  return policies;
}

function makeClusterPolicies(
  scrape: SidecarScrape,
  cluster: string,
  traffic: Traffic | undefined,
  figures: PolicyFigures | undefined,
): Policies | undefined {
  const config = scrape.policies?.clusters.get(cluster);
  const gauges = scrape.gauges?.get(cluster);
  const routes = routesOf(scrape, cluster);
  const rates = figures?.clusters.get(cluster);
  const overflowRps = traffic?.causes503.overflow ?? 0;
  if (
    config === undefined &&
    routes.length === 0 &&
    gauges === undefined &&
    rates === undefined &&
    !(overflowRps > 0)
  ) {
    return undefined;
  }
  const p: Policies = {};
  const open = gauges?.openBreakers ?? [];
  // Every Envoy cluster has breakers (1,024 of each resource by default): shown when configured, or
  // when the defaults are what refused requests.
  if (config?.circuitBreakers !== undefined || open.length > 0 || overflowRps > 0) {
    p.circuitBreaker = {
      thresholds: config?.circuitBreakers ?? [],
      open: [...open],
      overflowRps,
      retryOverflowRps: rates?.retryOverflowRps ?? 0,
    };
  }
  if (config?.outlierDetection !== undefined) {
    const flagged = scrape.hosts.get(cluster)?.filter((h) => h.flags.includes('failed_outlier_check')).length;
    p.outlierDetection = {
      ...config.outlierDetection,
      ejectedHosts: gauges?.ejectionsActive ?? flagged ?? 0,
    };
  }
  if (config?.healthCheck !== undefined) {
    const hosts = scrape.hosts.get(cluster);
    p.healthCheck = {
      ...config.healthCheck,
      healthyHosts: gauges?.membershipHealthy ?? hosts?.filter((h) => h.healthy).length ?? null,
      totalHosts: gauges?.membershipTotal ?? hosts?.length ?? null,
    };
  }
  if (config?.hashLbPolicy !== undefined) {
    p.hash = { lbPolicy: config.hashLbPolicy, hashOn: unique(routes.flatMap((r) => r.hashOn)) };
  }
  const retry = routes.find((r) => r.retries !== undefined)?.retries;
  if (retry !== undefined) p.retries = { ...retry, rps: rates?.retryRps ?? 0 };
  const timed = routes.find((r) => r.timeoutMs !== undefined || r.idleTimeoutMs !== undefined);
  const timeoutRps = rates?.timeoutRps ?? 0;
  if (timed !== undefined || timeoutRps > 0) {
    p.timeout = {
      // Envoy's route timeout when the route sets none: 15 s.
      timeoutMs: timed?.timeoutMs ?? 15_000,
      ...(timed?.idleTimeoutMs !== undefined && { idleTimeoutMs: timed.idleTimeoutMs }),
      rps: timeoutRps,
    };
  }
  const mirrors = routes.flatMap((r) => r.mirrors);
  if (mirrors.length > 0) p.mirrors = uniqueBy(mirrors, (m) => m.cluster);
  const faulty = routes.find((r) => r.fault !== undefined);
  if (faulty?.fault !== undefined) {
    const f = figures?.faults.get(faulty.statPrefix);
    p.fault = { ...faulty.fault, abortsRps: f?.abortsRps ?? 0, delaysRps: f?.delaysRps ?? 0 };
  }
  if (config?.tls !== undefined) p.tls = config.tls;
  if (Object.keys(p).length === 0) return undefined;
  p.sources = ['envoy'];
  return p;
}

/**
 * `b` added to `a` (either may be absent): configuration is the first one seen (replicas share
 * theirs), rates add up (each replica counts its own requests), gauges of hosts take the largest
 * (each replica sees the same hosts), open breakers and mirrors are the union. Neither argument is
 * changed, and the result may be one of them: policies are shared, never mutated.
 */
export function mergePolicies(a: Policies | undefined, b: Policies | undefined): Policies | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: Policies = { ...a };
  if (b.circuitBreaker !== undefined) {
    const x = a.circuitBreaker;
    out.circuitBreaker =
      x === undefined
        ? b.circuitBreaker
        : {
            thresholds: x.thresholds.length > 0 ? x.thresholds : b.circuitBreaker.thresholds,
            open: unique([...x.open, ...b.circuitBreaker.open]),
            overflowRps: x.overflowRps + b.circuitBreaker.overflowRps,
            retryOverflowRps: x.retryOverflowRps + b.circuitBreaker.retryOverflowRps,
          };
  }
  if (b.outlierDetection !== undefined) {
    const x = a.outlierDetection;
    out.outlierDetection =
      x === undefined
        ? b.outlierDetection
        : { ...x, ejectedHosts: Math.max(x.ejectedHosts, b.outlierDetection.ejectedHosts) };
  }
  if (b.healthCheck !== undefined) {
    const x = a.healthCheck;
    out.healthCheck =
      x === undefined
        ? b.healthCheck
        : {
            ...x,
            healthyHosts: maxOrNull(x.healthyHosts, b.healthCheck.healthyHosts),
            totalHosts: maxOrNull(x.totalHosts, b.healthCheck.totalHosts),
          };
  }
  out.hash ??= b.hash;
  if (b.retries !== undefined) {
    out.retries = a.retries === undefined ? b.retries : { ...a.retries, rps: a.retries.rps + b.retries.rps };
  }
  if (b.timeout !== undefined) {
    out.timeout = a.timeout === undefined ? b.timeout : { ...a.timeout, rps: a.timeout.rps + b.timeout.rps };
  }
  if (b.mirrors !== undefined) out.mirrors = uniqueBy([...(a.mirrors ?? []), ...b.mirrors], (m) => m.cluster);
  if (b.fault !== undefined) {
    out.fault =
      a.fault === undefined
        ? b.fault
        : {
            ...a.fault,
            abortsRps: a.fault.abortsRps + b.fault.abortsRps,
            delaysRps: a.fault.delaysRps + b.fault.delaysRps,
          };
  }
  out.tls ??= b.tls;
  const sources = unique([...(a.sources ?? []), ...(b.sources ?? [])]);
  if (sources.length > 0) out.sources = sources;
  return out;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

function unique<T>(list: T[]): T[] {
  return [...new Set(list)];
}

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
