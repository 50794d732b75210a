// TrafficSource over PromQL (`meshscope --prometheus URL`): for meshes too large to scrape from one
// process, Prometheus already holds the same Envoy and Istio series. Each refresh runs the instant
// queries of traffic-queries.ts at one evaluation time and swaps in the folded snapshot; lookups read
// that snapshot. Structural data (hosts, routes, runtime) is not in Prometheus: `latest()` delegates
// to an optional fallback (a light admin scrape of /clusters, /config_dump, /runtime).
import { PrometheusDriver } from 'prometheus-query';
import type { Traffic } from '../../../shared/api/graph.ts';
import type { PrometheusSourceStatus } from '../../../shared/api/sources.ts';
import type { SidecarTarget } from '../../model/inventory.ts';
import type { PolicyFigures } from '../../model/policy-config.ts';
import type { SidecarScrape } from '../../model/sidecar-data.ts';
import type { IstioDestinationKey, TrafficSource } from '../../model/traffic-source.ts';
import { DEFAULT_MATCHING, type SeriesTargetMatching, seriesKeyOfTarget } from './series-target-mapping.ts';
import { type TrafficQueries, type TrafficQueryName, trafficQueries } from './traffic-queries.ts';
import {
  buildSnapshot,
  type PromSample,
  type QueryResults,
  type TrafficSnapshot,
} from './traffic-snapshot.ts';

export interface PrometheusTrafficSourceOptions {
  /** Prometheus base URL, e.g. http://prometheus.istio-system:9090 (the API is under /api/v1). */
  url: string;
  /** The sidecars to report on (the inventory's `sidecars`), read at each refresh. */
  targets: () => readonly SidecarTarget[];
  /** How series map to sidecars (default: the `instance` label equals the admin URL's host:port). */
  matching?: SeriesTargetMatching;
  /** Rate window, whole seconds (default 60: `rate(…[1m])`). */
  windowSeconds?: number;
  /** Interval of `start()`'s refreshes (default 5 s). */
  refreshIntervalMs?: number;
  /** Per-query HTTP timeout (default 4 s, below the refresh interval). */
  timeoutMs?: number;
  /** Raw matchers added to every selector, e.g. `job="envoy-stats"`. */
  extraMatchers?: string;
  /** Regex of HCM stat prefixes left out of inbound traffic (default DEFAULT_INBOUND_EXCLUDE). */
  inboundExclude?: string;
  /** Headers sent with every query (e.g. Authorization for a managed Prometheus). */
  headers?: Record<string, string>;
  /** Structural data per sidecar, from elsewhere; without it `latest()` returns undefined. */
  fallback?: (targetId: string) => SidecarScrape | undefined;
  /**
   * Rates of the policy counters (retries, timeouts, injected faults) from elsewhere: the sidecars'
   * own scrapes, which the structure needs anyway; without it the graph's policies carry no rates.
   */
  fallbackPolicyFigures?: (targetId: string) => PolicyFigures | undefined;
  /**
   * Called once each refresh has completed, failed or not (the status says which): the dashboard's
   * cycle follows it, so the graph is rebuilt on the snapshot just taken rather than on a timer of
   * its own that could read the previous one.
   */
  onRefresh?: (status: PrometheusSourceStatus) => void;
}

/** The message of what prometheus-query rejects with: a plain `{ errorType, error }` object, or an Error. */
export function describeQueryError(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null) {
    const o = e as { errorType?: unknown; error?: unknown; httpStatus?: unknown };
    const status = typeof o.httpStatus === 'number' ? ` (HTTP ${o.httpStatus})` : '';
    if (typeof o.error === 'string') return `${String(o.errorType ?? 'error')}${status}: ${o.error}`;
  }
  return String(e);
}

function samplesOf(result: { result: unknown[] }): PromSample[] {
  // Instant queries answer vectors: InstantVector { metric: { labels }, value: { value } }.
  return result.result.map((el) => {
    const iv = el as { metric: { labels: object } | null; value: { value: number } };
    return { labels: (iv.metric?.labels ?? {}) as Record<string, string>, value: iv.value.value };
  });
}

export class PrometheusTrafficSource implements TrafficSource {
  readonly windowSeconds: number;
  readonly url: string;
  /** The PromQL each refresh runs, by name (exposed for diagnostics and tests). */
  readonly queries: TrafficQueries;
  readonly #driver: PrometheusDriver;
  readonly #targets: () => readonly SidecarTarget[];
  readonly #matching: SeriesTargetMatching;
  readonly #fallback: ((targetId: string) => SidecarScrape | undefined) | undefined;
  readonly #fallbackPolicyFigures: ((targetId: string) => PolicyFigures | undefined) | undefined;
  readonly #onRefresh: ((status: PrometheusSourceStatus) => void) | undefined;
  readonly #intervalMs: number;
  #snapshot: TrafficSnapshot | undefined;
  #keyOfTarget = new Map<string, string>();
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #status: PrometheusSourceStatus;

  constructor(opts: PrometheusTrafficSourceOptions) {
    this.url = opts.url;
    this.windowSeconds = opts.windowSeconds ?? 60;
    this.#matching = opts.matching ?? DEFAULT_MATCHING;
    this.#targets = opts.targets;
    this.#fallback = opts.fallback;
    this.#fallbackPolicyFigures = opts.fallbackPolicyFigures;
    this.#onRefresh = opts.onRefresh;
    this.#intervalMs = opts.refreshIntervalMs ?? 5_000;
    this.queries = trafficQueries({
      windowSeconds: this.windowSeconds,
      matching: this.#matching,
      ...(opts.extraMatchers !== undefined && { extraMatchers: opts.extraMatchers }),
      ...(opts.inboundExclude !== undefined && { inboundExclude: opts.inboundExclude }),
    });
    this.#driver = new PrometheusDriver({
      endpoint: opts.url,
      baseURL: '/api/v1',
      timeout: opts.timeoutMs ?? 4_000,
      ...(opts.headers && { headers: opts.headers }),
    });
    this.#status = {
      url: opts.url,
      up: false,
      lastAttempt: null,
      lastSuccess: null,
      lastDurationMs: null,
      lastError: null,
      refreshes: 0,
      queryFailures: 0,
    };
  }

  get updatedAt(): number {
    return this.#snapshot?.at ?? 0;
  }

  status(): PrometheusSourceStatus {
    return { ...this.#status };
  }

  /**
   * Runs every query at one evaluation time. All answer: the new snapshot replaces the old. Any fails:
   * the old snapshot stays (its `updatedAt` shows its age), the failures are counted and the status
   * says why; never rejects. Concurrent calls share the refresh in flight (and its one `onRefresh`).
   */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#refresh()
      .catch((e: unknown) => {
        // Not a query failure (those are handled below) but, say, the inventory callback throwing.
        this.#status.up = false;
        this.#status.lastError = `refresh failed: ${describeQueryError(e)}`;
      })
      .finally(() => {
        this.#inFlight = undefined;
        this.#notifyRefreshed();
      });
    return this.#inFlight;
  }

  /** A throwing listener is a bug elsewhere: reported, and neither the refresh nor the timer stop. */
  #notifyRefreshed(): void {
    try {
      this.#onRefresh?.(this.status());
    } catch (e) {
      console.error('prometheus source: onRefresh listener threw:', e);
    }
  }

  async #refresh(): Promise<void> {
    const started = Date.now();
    this.#status.lastAttempt = started;
    this.#status.refreshes++;
    const names = Object.keys(this.queries) as TrafficQueryName[];
    const settled = await Promise.allSettled(
      names.map((n) => this.#driver.instantQuery(this.queries[n], started)),
    );
    this.#status.lastDurationMs = Date.now() - started;
    const results = {} as Record<TrafficQueryName, PromSample[]>;
    let firstError: string | undefined;
    let failures = 0;
    settled.forEach((s, i) => {
      const name = names[i]!;
      if (s.status === 'fulfilled') results[name] = samplesOf(s.value);
      else {
        failures++;
        firstError ??= `${name}: ${describeQueryError(s.reason)}`;
      }
    });
    if (failures > 0) {
      this.#status.queryFailures += failures;
      this.#status.up = false;
      this.#status.lastError = `${failures} of ${names.length} queries to ${this.url} failed; ${firstError}`;
      return;
    }
    this.#keyOfTarget = new Map();
    for (const t of this.#targets()) {
      const key = seriesKeyOfTarget(t, this.#matching);
      if (key !== undefined) this.#keyOfTarget.set(t.id, key);
    }
    this.#snapshot = buildSnapshot(results as QueryResults, this.#matching, started);
    this.#status.up = true;
    this.#status.lastSuccess = started;
    this.#status.lastError = null;
  }

  /** Refreshes now, then every `refreshIntervalMs` (a timer that does not keep the process alive). */
  start(): Promise<void> {
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.refresh(), this.#intervalMs);
      this.#timer.unref();
    }
    return this.refresh();
  }

  /** Stops the timer and waits for a refresh in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  latest(targetId: string): SidecarScrape | undefined {
    return this.#fallback?.(targetId);
  }

  clusterTraffic(targetId: string, cluster: string): Traffic | undefined {
    const key = this.#keyOfTarget.get(targetId);
    return key === undefined ? undefined : this.#snapshot?.clusters.get(key)?.get(cluster);
  }

  istioTraffic(targetId: string): { key: IstioDestinationKey; traffic: Traffic }[] {
    const key = this.#keyOfTarget.get(targetId);
    return (key === undefined ? undefined : this.#snapshot?.istio.get(key)) ?? [];
  }

  inboundTraffic(targetId: string): Traffic | undefined {
    const key = this.#keyOfTarget.get(targetId);
    return key === undefined ? undefined : this.#snapshot?.inbound.get(key);
  }

  policyFigures(targetId: string): PolicyFigures | undefined {
    return this.#fallbackPolicyFigures?.(targetId);
  }
}
