// Alerts in Alertmanager's API shape (`POST /api/v2/alerts`, a JSON array of postableAlert: labels,
// annotations, startsAt, endsAt, generatorURL; https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
// Like Prometheus, a firing alert is sent with `endsAt` some way in the future (it is re-sent before
// then, so Alertmanager resolves it by itself if meshscope goes away), and a resolved one with `endsAt`
// at its resolution.
import type { Alert } from '../../shared/api/alerts.ts';

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Firing and resolved alerts (pending ones are not sent: Prometheus does not either). */
export function alertmanagerPayload(
  alerts: readonly Alert[],
  now: number,
  generatorUrl: (a: Alert) => string,
  validForMs: number,
): PostableAlert[] {
  const out: PostableAlert[] = [];
  for (const a of alerts) {
    if (a.state === 'pending') continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.labels)) if (v !== undefined) labels[k] = v;
    out.push({
      labels,
      annotations: { ...a.annotations },
      startsAt: new Date(a.firingAt ?? a.activeAt).toISOString(),
      endsAt: new Date(a.state === 'resolved' ? (a.resolvedAt ?? now) : now + validForMs).toISOString(),
      generatorURL: generatorUrl(a),
    });
  }
  return out;
}
