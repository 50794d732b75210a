// Envoy's healthy-panic rule (LoadBalancerBase::isHostSetInPanic), shared by every load balancer and by
// the dashboard's reading of a sidecar. The threshold is the runtime integer
// `upstream.healthy_panic_threshold` when the runtime has one, else the cluster's
// `common_lb_config.healthy_panic_threshold`, else 50; Envoy caps it at 100. A runtime value that is not
// a non-negative number (text, "true", a negative) has no integer view, so the configured threshold
// stays in force, as Envoy's `getInteger` falls back to its default. Pure.
import type { IntegerRuntime } from '../router/cluster-choice.ts';

export const PANIC_THRESHOLD_RUNTIME_KEY = 'upstream.healthy_panic_threshold';

/** Envoy's threshold (percent) for a cluster whose `common_lb_config` does not set it. */
export const DEFAULT_PANIC_THRESHOLD = 50;

/** The threshold in force: the runtime override if any, else the configured one, within 0..100. */
export function effectivePanicThreshold(
  configured: number | undefined,
  runtime: IntegerRuntime | undefined,
): number {
  const fallback = configured ?? DEFAULT_PANIC_THRESHOLD;
  const value = runtime === undefined ? fallback : runtime.getInteger(PANIC_THRESHOLD_RUNTIME_KEY, fallback);
  return Math.min(100, Math.max(0, value));
}

/**
 * What a load balancer calls on every pick. The runtime is read per pick, as the router reads weighted
 * cluster keys per request, so a `/runtime_modify` takes effect on the next request with no rebuild; the
 * read is one Map lookup. Without a runtime the configured threshold is fixed once.
 */
export function panicThresholdReader(
  configured: number | undefined,
  runtime: IntegerRuntime | undefined,
): () => number {
  if (runtime === undefined) {
    const fixed = effectivePanicThreshold(configured, undefined);
    return () => fixed;
  }
  return () => effectivePanicThreshold(configured, runtime);
}

/** Whether `healthy` of `total` hosts is below the threshold; an empty set counts as 0 % healthy. */
export function isHostSetInPanic(healthy: number, total: number, threshold: number): boolean {
  return total === 0 ? threshold > 0 : healthy * 100 < threshold * total;
}
