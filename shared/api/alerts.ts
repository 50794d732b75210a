// The alerts contract (issue 7): meshscope's own alerts (GET /api/alerts, SSE `alerts` events), their
// transitions (GET /api/alerts/history), the rules behind them (GET /api/alerts/rules), and the
// Prometheus server's own alerts shown beside ours when `--prometheus` is set. Labels and annotations
// follow Prometheus/Alertmanager conventions so an alert posts to Alertmanager as it is.
import { z } from 'zod';

/** Every rule meshscope evaluates; the key in the rules YAML and (PascalCase) the `alertname`. */
export const AlertRuleIdSchema = z.enum([
  'edge503Ratio',
  'edge5xxRatio',
  'edgeLatencyP99',
  'circuitBreakerOpen',
  'upstreamOverflow',
  'outlierEjections',
  'unhealthyHosts',
  'weightShareDrift',
  'replicaWeightsDrift',
  'sidecarScrapeFailing',
  'trafficStopped',
]);
export type AlertRuleId = z.infer<typeof AlertRuleIdSchema>;

export const SeveritySchema = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

/** pending: the condition holds, not yet for `for`; firing: it has held that long; resolved: it stopped. */
export const AlertStateSchema = z.enum(['pending', 'firing', 'resolved']);
export type AlertState = z.infer<typeof AlertStateSchema>;

export const AlertLabelsSchema = z.object({
  alertname: z.string(),
  severity: SeveritySchema,
  /** The namespace of the workload whose sidecar reports the condition (per-namespace overrides key). */
  namespace: z.string(),
  workload: z.string().optional(),
  /** Graph edge id (workload graph, `source,target`): what the UI focuses. */
  edge: z.string().optional(),
  /** Weighted route id (GET /api/routes). */
  route: z.string().optional(),
  /** Envoy upstream cluster. */
  cluster: z.string().optional(),
  /** Sidecar (scrape target) id. */
  sidecar: z.string().optional(),
});
export type AlertLabels = z.infer<typeof AlertLabelsSchema>;

export const AlertAnnotationsSchema = z.object({ summary: z.string(), description: z.string() });
export type AlertAnnotations = z.infer<typeof AlertAnnotationsSchema>;

export const AlertSchema = z.object({
  /** Stable fingerprint of the rule and labels: the same condition on the same subject keeps its id. */
  id: z.string(),
  rule: AlertRuleIdSchema,
  state: AlertStateSchema,
  labels: AlertLabelsSchema,
  annotations: AlertAnnotationsSchema,
  /** The measured value at the last evaluation that saw the condition (ratio, ms, count, seconds). */
  value: z.number().nullable(),
  /** Epoch ms: when the condition was first seen (Prometheus' `activeAt`). */
  activeAt: z.number(),
  /** Epoch ms when it started firing; null while pending. */
  firingAt: z.number().nullable(),
  /** Epoch ms when it resolved; null unless resolved. */
  resolvedAt: z.number().nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** An alert of the Prometheus server (`GET /api/v1/alerts`), as it reports it. */
export const PrometheusAlertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  state: z.enum(['pending', 'firing', 'inactive']),
  activeAt: z.string().nullable(),
  value: z.string(),
});
export type PrometheusAlert = z.infer<typeof PrometheusAlertSchema>;

export const AlertListSchema = z.object({
  /** Epoch ms of the evaluation these come from; 0 before the first. */
  evaluatedAt: z.number(),
  /** Firing and pending, then resolved within the retention (15 min, as Prometheus keeps them). */
  alerts: z.array(AlertSchema),
  /** null without `--prometheus`. */
  prometheus: z
    .object({
      url: z.string(),
      alerts: z.array(PrometheusAlertSchema),
      /** Why the last read failed; null when it succeeded. */
      error: z.string().nullable(),
    })
    .nullable(),
});
export type AlertList = z.infer<typeof AlertListSchema>;

/** One transition, as the history keeps it (JSON lines on disk, GET /api/alerts/history). */
export const AlertHistoryEntrySchema = z.object({
  /** Epoch ms. */
  at: z.number(),
  alertId: z.string(),
  rule: AlertRuleIdSchema,
  /** `inactive` when the alert is new. */
  from: z.enum(['inactive', 'pending', 'firing']),
  to: AlertStateSchema,
  labels: AlertLabelsSchema,
  annotations: AlertAnnotationsSchema,
  value: z.number().nullable(),
});
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntrySchema>;

export const AlertHistorySchema = z.object({ entries: z.array(AlertHistoryEntrySchema) });
export type AlertHistory = z.infer<typeof AlertHistorySchema>;

/** One rule's effective settings (after the YAML file), as GET /api/alerts/rules lists them. */
export const AlertRuleSettingsSchema = z.object({
  enabled: z.boolean(),
  severity: SeveritySchema,
  /** Seconds the condition must hold before the alert fires. */
  for: z.number().nonnegative(),
  /** The rule's limit: a ratio, milliseconds, a count or a rate, depending on the rule. */
  threshold: z.number(),
  /** Requests in the window below which a ratio is not judged (too little traffic to say). */
  minRequests: z.number().nonnegative(),
});
export type AlertRuleSettings = z.infer<typeof AlertRuleSettingsSchema>;

export const AlertRuleSchema = z.object({
  id: AlertRuleIdSchema,
  alertname: z.string(),
  description: z.string(),
  settings: AlertRuleSettingsSchema,
  /** Namespace → the settings that differ there. */
  namespaces: z.record(z.string(), AlertRuleSettingsSchema.partial()),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

export const AlertRuleListSchema = z.object({ rules: z.array(AlertRuleSchema) });
export type AlertRuleList = z.infer<typeof AlertRuleListSchema>;

/** `alertname` of a rule: `edge503Ratio` → `MeshEdge503Ratio`. */
export function alertName(rule: AlertRuleId): string {
  return `Mesh${rule[0]!.toUpperCase()}${rule.slice(1)}`;
}
