// Which sidecar a Prometheus series came from. Prometheus attaches target labels to every sample it
// scrapes, and which ones identify a sidecar depends on how it discovers them:
// - `instance`: the `host:port` Prometheus scraped, which it sets on every target by default. It equals
//   the admin endpoint's authority when Prometheus scrapes the admin port (Envoy's /stats/prometheus);
//   Istio's merged endpoint (:15020) or stats listener (:15090) sits on another port of the same pod IP,
//   hence `port`.
// - `pod`: `namespace` and `pod` labels, which Kubernetes service discovery configs add by relabelling
//   `__meta_kubernetes_namespace` / `__meta_kubernetes_pod_name` (older configs call them
//   `kubernetes_namespace` / `kubernetes_pod_name`, hence the configurable names). The only choice when
//   the dashboard reaches admin endpoints through the API server's pods/proxy URLs.
import type { SidecarTarget } from '../../model/inventory.ts';

export type SeriesTargetMatching =
  | { by: 'instance'; label?: string; port?: number }
  | { by: 'pod'; namespaceLabel?: string; podLabel?: string };

export const DEFAULT_MATCHING: SeriesTargetMatching = { by: 'instance' };

/** The target labels a query must keep (`sum by (...)`) so its series can be mapped back to sidecars. */
export function targetLabelNames(matching: SeriesTargetMatching): string[] {
  if (matching.by === 'instance') return [matching.label ?? 'instance'];
  return [matching.namespaceLabel ?? 'namespace', matching.podLabel ?? 'pod'];
}

/**
 * The key under which a sidecar's series appear: the `instance` value, or `namespace/pod` (neither
 * name may contain a slash in Kubernetes, so the pair is unambiguous). Undefined when the target
 * cannot be matched this way (a pod strategy for a target without a pod, an unparsable admin URL).
 */
export function seriesKeyOfTarget(target: SidecarTarget, matching: SeriesTargetMatching): string | undefined {
  if (matching.by === 'pod')
    return target.pod === undefined ? undefined : `${target.namespace}/${target.pod}`;
  let url: URL;
  try {
    url = new URL(target.admin.baseUrl);
  } catch {
    return undefined;
  }
  // URL drops a scheme's default port; Prometheus's instance label always carries one.
  const port = matching.port ?? (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);
  return `${url.hostname}:${port}`;
}

/** The key of one series' labels, or undefined when it lacks the target labels. */
export function seriesKeyOfLabels(
  labels: Readonly<Record<string, string>>,
  matching: SeriesTargetMatching,
): string | undefined {
  const values = targetLabelNames(matching).map((name) => labels[name]);
  if (values.some((v) => v === undefined || v === '')) return undefined;
  return values.join('/');
}
