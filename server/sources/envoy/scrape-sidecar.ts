// One scrape of one sidecar: `/stats/prometheus`, `/clusters?format=json`, `/config_dump` and
// `/runtime` fetched in parallel under one deadline, then parsed into a SidecarScrape. The stats are
// the point of a scrape: if they fail, the scrape fails (and the other requests are cancelled). The
// other three describe structure (hosts, routes, runtime weights); when one of them fails, the previous
// scrape's value is kept and the failure is reported as a warning. That is the normal case for an
// istio-proxy scraped on :15090, whose admin port only listens on the pod's loopback.

import { parsePrometheusText } from '../../metrics/prom-text-parser.ts';
import type { SidecarTarget } from '../../model/inventory.ts';
import type { SidecarScrape } from '../../model/sidecar-data.ts';
import { type AdminResponse, adminGet } from './admin-client.ts';
import { CLUSTERS_PATH, CONFIG_DUMP_PATH, RUNTIME_PATH, statsRequestPath } from './admin-paths.ts';
import { parseClustersJson } from './clusters-json.ts';
import { clusterAddressesFromConfigDump } from './config-dump-cluster-addresses.ts';
import { panicThresholdsFromConfigDump } from './config-dump-panic-thresholds.ts';
import { policiesFromParts } from './config-dump-policies.ts';
import { weightedRoutesFromRouteConfigs } from './config-dump-routes.ts';
import { configDumpParts, routeConfigsWithListeners } from './config-dump-walk.ts';
import type { InboundHcmPredicate } from './downstream-stats.ts';
import { parseAdminJson } from './proto-json.ts';
import { runtimeDiskLayerFromConfigDump } from './runtime-disk-layer.ts';
import { parseRuntimeJson } from './runtime-json.ts';
import { extractStats } from './stats-extract.ts';

/** Default cap per admin response: a large istio-proxy config dump is a few MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface ScrapeOptions {
  /** Deadline for the whole scrape (all four requests run in parallel under it). */
  timeoutMs: number;
  maxResponseBytes?: number;
  signal?: AbortSignal;
  /** Clock for `at` (epoch ms). */
  now?: () => number;
  /** The last good scrape, whose hosts/routes/runtime stand in when their endpoint fails. */
  previous?: SidecarScrape;
  isInboundHcm?: InboundHcmPredicate;
}

export interface ScrapedSidecar extends SidecarScrape {
  /** Body bytes received, all endpoints together. */
  bytes: number;
  durationMs: number;
  /** Endpoints that failed without failing the scrape, and stats lines that did not parse. */
  warnings: string[];
}

export async function scrapeSidecar(target: SidecarTarget, opts: ScrapeOptions): Promise<ScrapedSidecar> {
  const started = performance.now();
  const cancel = new AbortController();
  const signal = opts.signal === undefined ? cancel.signal : AbortSignal.any([opts.signal, cancel.signal]);
  const request = {
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    target: target.id,
    signal,
  };
  const get = (path: string) => adminGet(target.admin, path, request);
  const statsP = get(statsRequestPath(target));
  // Once the stats have failed the scrape has failed: stop waiting for the rest.
  statsP.catch(() => cancel.abort());
  const [stats, clusters, configDump, runtime] = await Promise.allSettled([
    statsP,
    get(CLUSTERS_PATH),
    get(CONFIG_DUMP_PATH),
    get(RUNTIME_PATH),
  ]);
  if (stats.status === 'rejected') throw stats.reason;

  const warnings: string[] = [];
  let bytes = stats.value.bytes;
  const structure = <T>(
    res: PromiseSettledResult<AdminResponse>,
    parse: (doc: unknown) => T,
    fallback: T,
  ): T => {
    if (res.status === 'rejected') {
      warnings.push(res.reason instanceof Error ? res.reason.message : String(res.reason));
      return fallback;
    }
    bytes += res.value.bytes;
    try {
      return parse(parseAdminJson(res.value.body, `${target.id}: GET ${res.value.url}`));
    } catch (e) {
      warnings.push(e instanceof Error ? e.message : String(e));
      return fallback;
    }
  };
  const previous = opts.previous;
  const hosts = structure(clusters, parseClustersJson, previous?.hosts ?? new Map());
  // One parse of the config dump for both: it is the largest document of a scrape.
  const { routes, runtimeDiskLayer, policies, configuredAddresses, panicThresholds } = structure(
    configDump,
    (doc) => {
      // Routes and policies read the same route configurations: found once.
      const parts = configDumpParts(doc);
      const routeConfigs = routeConfigsWithListeners(parts);
      return {
        routes: weightedRoutesFromRouteConfigs(routeConfigs),
        runtimeDiskLayer: runtimeDiskLayerFromConfigDump(doc),
        policies: policiesFromParts(parts, routeConfigs),
        configuredAddresses: clusterAddressesFromConfigDump(doc),
        panicThresholds: panicThresholdsFromConfigDump(doc),
      };
    },
    {
      routes: previous?.routes ?? [],
      runtimeDiskLayer: previous?.runtimeDiskLayer,
      policies: previous?.policies,
      configuredAddresses: previous?.configuredAddresses,
      panicThresholds: previous?.panicThresholds,
    },
  );
  const runtimeValues = structure(runtime, parseRuntimeJson, previous?.runtime ?? new Map());

  const parsed = parsePrometheusText(stats.value.body);
  if (parsed.errorCount > 0) {
    const first = parsed.errors[0];
    const where = first === undefined ? '' : ` (first: line ${first.line}: ${first.reason})`;
    const message = `${target.id}: GET ${stats.value.url}: ${parsed.errorCount} invalid lines${where}`;
    // A body with no valid sample at all is not a Prometheus endpoint (a login page, a proxy error).
    if (parsed.samples.length === 0) throw new Error(`${message}; not Prometheus text`);
    warnings.push(message);
  }
  const extracted = extractStats(parsed, {
    clusterNames: [...hosts.keys()],
    ...(opts.isInboundHcm !== undefined && { isInboundHcm: opts.isInboundHcm }),
  });

  return {
    targetId: target.id,
    at: (opts.now ?? Date.now)(),
    clusters: extracted.clusters,
    gauges: extracted.gauges,
    istio: extracted.istio,
    hosts,
    ...(configuredAddresses !== undefined && { configuredAddresses }),
    ...(panicThresholds !== undefined && { panicThresholds }),
    routes,
    runtime: runtimeValues,
    ...(runtimeDiskLayer !== undefined && { runtimeDiskLayer }),
    downstream: extracted.downstream,
    ...(policies !== undefined && { policies }),
    policyCounters: extracted.policyCounters,
    bytes,
    durationMs: performance.now() - started,
    warnings,
  };
}
