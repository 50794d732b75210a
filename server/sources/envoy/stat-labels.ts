// Label names of Envoy's tag extraction as each sidecar flavour prints them. Plain Envoy and Consul
// prefix the built-in tags with `envoy_` (`envoy_cluster_name`, `envoy_response_code_class="5"`);
// istio-proxy configures its own extractors without the prefix (`cluster_name`,
// `response_code_class="5xx"`). Consul adds its own tags (`local_cluster`, `consul_source_*`), which
// nothing here reads.
import type { Labels } from '../../metrics/prom-exposition.ts';

export function clusterNameOf(labels: Labels): string | undefined {
  return labels['envoy_cluster_name'] ?? labels['cluster_name'];
}

export function hcmPrefixOf(labels: Labels): string | undefined {
  return labels['envoy_http_conn_manager_prefix'] ?? labels['http_conn_manager_prefix'];
}

export function responseCodeOf(labels: Labels): string | undefined {
  return labels['envoy_response_code'] ?? labels['response_code'];
}

/** Status class 1..5 from `"5"` (Envoy) or `"5xx"` (Istio); undefined for anything else. */
export function responseClassOf(labels: Labels): number | undefined {
  const v = labels['envoy_response_code_class'] ?? labels['response_code_class'];
  if (v === undefined) return undefined;
  return classDigit(v);
}

/** 1..5 from the first character of `"5"`, `"5xx"` or `"503"`. */
export function classDigit(v: string): number | undefined {
  const d = v.charCodeAt(0) - 48;
  return d >= 1 && d <= 5 ? d : undefined;
}

/**
 * A copy of `s` that does not keep the scraped text alive. Label values are slices of the whole
 * `/stats/prometheus` body (V8 sliced strings); a name kept across scrapes (a map key, `latest()`)
 * would otherwise pin every old body in memory. Concatenating then slicing forces a flat copy.
 */
export function detach(s: string): string {
  return ` ${s}`.slice(1);
}
