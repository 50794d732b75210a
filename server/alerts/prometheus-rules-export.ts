// meshscope's rules as Prometheus alerting rules (a rules file for `rule_files`, or a PrometheusRule for
// the Prometheus Operator), so a Prometheus scraping the same sidecars fires the same alerts without
// meshscope running. Expressions follow the engine: per upstream cluster, requests refused UH
// (`upstream_cx_none_healthy`, counted in neither upstream_rq_total nor upstream_rq_503) added to both
// sides of the ratios. Per-namespace overrides become rules of their own on `namespace="<ns>"`, the
// global one excluding those namespaces.
//
// Not exported: weightShareDrift and replicaWeightsDrift compare traffic with configured and desired
// weights, which live in sidecars' config dumps and meshscope's audit log, not in any series.
import YAML from 'yaml';
import { type AlertRuleId, type AlertRuleSettings, alertName } from '../../shared/api/alerts.ts';
import { assertLabelName, promDuration, quoteLabelValue } from '../sources/prometheus/promql-builders.ts';
import { RULE_DEFINITIONS } from './default-rules.ts';
import { RULE_IDS, type RuleSet } from './rules-file.ts';

export const EXPORTED_RULES: readonly AlertRuleId[] = RULE_IDS.filter(
  (r) => r !== 'weightShareDrift' && r !== 'replicaWeightsDrift',
);

export interface ExportOptions {
  /** Rate window in seconds (the dashboard's `--window`). */
  windowSeconds: number;
  /** Target labels alerts are grouped by, besides the cluster (default: namespace, job, instance). */
  by?: readonly string[];
  /** The label carrying the Kubernetes namespace (per-namespace overrides match on it). */
  namespaceLabel?: string;
}

export interface PromRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: PromRule[];
}

const CLUSTER = 'envoy_cluster_name';
const BREAKERS =
  'envoy_cluster_circuit_breakers_(default|high)_(cx_open|cx_pool_open|rq_open|rq_pending_open|rq_retry_open)';

interface Ctx {
  w: string;
  seconds: number;
  by: string;
  /** Matchers every selector gets (the namespace scope of the rule). */
  scope: string;
}

function sel(metric: string, c: Ctx, extra = ''): string {
  const parts = [extra, c.scope].filter((p) => p !== '');
  return parts.length === 0 ? metric : `${metric}{${parts.join(',')}}`;
}
const nameSel = (re: string, c: Ctx) =>
  `{${[`__name__=~${quoteLabelValue(re)}`, c.scope].filter((p) => p !== '').join(',')}}`;
const rate = (s: string, c: Ctx) => `sum by (${c.by}) (rate(${s}[${c.w}]))`;
/** A counter that may not exist yet (Envoy creates per-code series on first use) reads as 0. */
const orZero = (expr: string, c: Ctx) =>
  `(${expr} or ${rate(sel('envoy_cluster_upstream_rq_total', c), c)} * 0)`;
const attempts = (c: Ctx) =>
  `(${rate(sel('envoy_cluster_upstream_rq_total', c), c)} + ${orZero(rate(sel('envoy_cluster_upstream_cx_none_healthy', c), c), c)})`;
const enough = (s: AlertRuleSettings, c: Ctx) => `${attempts(c)} * ${c.seconds} >= ${s.minRequests}`;

function expression(rule: AlertRuleId, s: AlertRuleSettings, c: Ctx): string | undefined {
  const uh = orZero(rate(sel('envoy_cluster_upstream_cx_none_healthy', c), c), c);
  switch (rule) {
    case 'edge503Ratio': {
      const bad = orZero(rate(sel('envoy_cluster_upstream_rq', c, 'envoy_response_code="503"'), c), c);
      return `(${bad} + ${uh}) / ${attempts(c)} > ${s.threshold} and ${enough(s, c)}`;
    }
    case 'edge5xxRatio': {
      const bad = orZero(rate(sel('envoy_cluster_upstream_rq_xx', c, 'envoy_response_code_class="5"'), c), c);
      return `(${bad} + ${uh}) / ${attempts(c)} > ${s.threshold} and ${enough(s, c)}`;
    }
    case 'edgeLatencyP99':
      return `histogram_quantile(0.99, sum by (le, ${c.by}) (rate(${sel('envoy_cluster_upstream_rq_time_bucket', c)}[${c.w}]))) > ${s.threshold} and ${rate(sel('envoy_cluster_upstream_rq_total', c), c)} * ${c.seconds} >= ${s.minRequests}`;
    case 'circuitBreakerOpen':
      return `count by (${c.by}) (${nameSel(BREAKERS, c)} > 0) > ${s.threshold}`;
    case 'upstreamOverflow':
      // Two sums, not one over a `__name__` regex: rate() drops the name, and the two series of a
      // cluster would then collide ("vector cannot contain metrics with the same labelset").
      return `${orZero(rate(sel('envoy_cluster_upstream_rq_pending_overflow', c), c), c)} + ${orZero(rate(sel('envoy_cluster_upstream_cx_overflow', c), c), c)} > ${s.threshold}`;
    case 'outlierEjections':
      return `sum by (${c.by}) (${sel('envoy_cluster_outlier_detection_ejections_active', c)}) > ${s.threshold}`;
    case 'unhealthyHosts':
      return `sum by (${c.by}) (${sel('envoy_cluster_membership_total', c)}) - sum by (${c.by}) (${sel('envoy_cluster_membership_healthy', c)}) > ${s.threshold}`;
    case 'sidecarScrapeFailing':
      return `${sel('up', c)} == 0`;
    case 'trafficStopped':
      return `${attempts(c)} == 0 and max_over_time(${attempts(c)}[10m:${c.w}]) >= ${s.threshold}`;
    default:
      return undefined;
  }
}

const SUMMARY: Partial<Record<AlertRuleId, string>> = {
  edge503Ratio: '{{ $value | humanizePercentage }} 503 on cluster {{ $labels.envoy_cluster_name }}',
  edge5xxRatio: '{{ $value | humanizePercentage }} 5xx on cluster {{ $labels.envoy_cluster_name }}',
  edgeLatencyP99: 'p99 {{ $value | humanize }} ms on cluster {{ $labels.envoy_cluster_name }}',
  circuitBreakerOpen: 'Circuit breaker open on cluster {{ $labels.envoy_cluster_name }}',
  upstreamOverflow: '{{ $value | humanize }}/s overflowing on cluster {{ $labels.envoy_cluster_name }}',
  outlierEjections: '{{ $value }} host(s) ejected from cluster {{ $labels.envoy_cluster_name }}',
  unhealthyHosts: '{{ $value }} unhealthy host(s) in cluster {{ $labels.envoy_cluster_name }}',
  sidecarScrapeFailing: 'Sidecar {{ $labels.instance }} cannot be scraped',
  trafficStopped: 'No traffic to cluster {{ $labels.envoy_cluster_name }}',
};

function duration(seconds: number): string {
  return seconds === 0 ? '0s' : promDuration(Math.round(seconds));
}

export function prometheusRuleGroups(set: RuleSet, opts: ExportOptions): RuleGroup[] {
  const nsLabel = assertLabelName(opts.namespaceLabel ?? 'namespace');
  const byLabels = (opts.by ?? [nsLabel, 'job', 'instance']).map(assertLabelName);
  const base = { w: promDuration(opts.windowSeconds), seconds: opts.windowSeconds };
  const rules: PromRule[] = [];
  for (const id of EXPORTED_RULES) {
    const overridden = Object.keys(set.namespaces)
      .filter((ns) => set.namespaces[ns]?.[id] !== undefined)
      .sort();
    // Each scope's rule carries a label of its own: promtool refuses rules of one name with equal labels.
    const scopes: { scope: string; label: string | undefined; settings: AlertRuleSettings }[] = [
      {
        label: undefined,
        scope: overridden.length === 0 ? '' : `${nsLabel}!~${quoteLabelValue(overridden.join('|'))}`,
        settings: set.rules[id],
      },
      ...overridden.map((ns) => ({
        label: ns,
        scope: `${nsLabel}=${quoteLabelValue(ns)}`,
        settings: { ...set.rules[id], ...set.namespaces[ns]?.[id] },
      })),
    ];
    for (const { scope, label, settings } of scopes) {
      if (!settings.enabled) continue;
      const by = id === 'sidecarScrapeFailing' ? byLabels : [...byLabels, CLUSTER];
      const expr = expression(id, settings, { ...base, by: by.join(', '), scope });
      if (expr === undefined) continue;
      rules.push({
        alert: alertName(id),
        expr,
        for: duration(settings.for),
        labels: {
          severity: settings.severity,
          meshscope_rule: id,
          ...(label !== undefined && { meshscope_override: label }),
        },
        annotations: { summary: SUMMARY[id] ?? alertName(id), description: RULE_DEFINITIONS[id].description },
      });
    }
  }
  return [{ name: 'meshscope', rules }];
}

/** A rules file for Prometheus' `rule_files` (what `promtool check rules` reads). */
export function prometheusRulesFile(set: RuleSet, opts: ExportOptions): string {
  return YAML.stringify({ groups: prometheusRuleGroups(set, opts) }, { lineWidth: 0 });
}

/** The same groups as a Prometheus Operator PrometheusRule (monitoring.coreos.com/v1). */
export function prometheusRuleManifest(
  set: RuleSet,
  opts: ExportOptions & { name?: string; namespace?: string },
): string {
  return YAML.stringify(
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: opts.name ?? 'meshscope-alerts',
        ...(opts.namespace !== undefined && { namespace: opts.namespace }),
        labels: { 'app.kubernetes.io/name': 'meshscope', 'app.kubernetes.io/component': 'alerts' },
      },
      spec: { groups: prometheusRuleGroups(set, opts) },
    },
    { lineWidth: 0 },
  );
}
