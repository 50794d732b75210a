// The Prometheus server's own alerts (`GET /api/v1/alerts`,
// https://prometheus.io/docs/prometheus/latest/querying/api/#alerts), shown beside meshscope's when
// `--prometheus` is set. Read with a plain GET: prometheus-query's alerts call drops `value` and
// `annotations` typing, and this is one request.
import { z } from 'zod';
import { type PrometheusAlert, PrometheusAlertSchema } from '../../../shared/api/alerts.ts';

const ResponseSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    alerts: z.array(
      PrometheusAlertSchema.extend({
        // Prometheus omits activeAt for an alert that never became active; value is a string float.
        activeAt: z.string().nullable().optional(),
        annotations: z.record(z.string(), z.string()).optional(),
        value: z.string().optional(),
      }),
    ),
  }),
});

/** Pure: the alerts of a `/api/v1/alerts` body; throws with what is wrong. */
export function parsePrometheusAlerts(body: unknown): PrometheusAlert[] {
  const r = ResponseSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(
      `not a Prometheus alerts response (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return r.data.data.alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations ?? {},
    state: a.state,
    activeAt: a.activeAt ?? null,
    value: a.value ?? '',
  }));
}

export async function fetchPrometheusAlerts(url: string, timeoutMs = 4000): Promise<PrometheusAlert[]> {
  const endpoint = new URL('api/v1/alerts', url.endsWith('/') ? url : `${url}/`);
  const res = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${endpoint}: HTTP ${res.status} ${text.slice(0, 200)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`GET ${endpoint}: not JSON`);
  }
  return parsePrometheusAlerts(doc);
}
