// In Kubernetes mode, alert transitions become core/v1 Events on the workload they are about, so
// `kubectl describe deployment/<w>` and `kubectl get events` show them beside the cluster's own.
// Firing is a Warning, resolved Normal; pending is not reported (it may never fire).
import type { AlertHistoryEntry } from '../../shared/api/alerts.ts';
import type { EventSpec } from '../sources/kubernetes/create-event.ts';

/** The Event for a transition, or undefined for transitions not reported. */
export function alertEvent(
  t: AlertHistoryEntry,
  pods: (sidecarId: string) => string | undefined,
): EventSpec | undefined {
  if (t.to === 'pending') return undefined;
  if (t.to === 'resolved' && t.from !== 'firing') return undefined;
  const pod = t.labels.sidecar !== undefined ? pods(t.labels.sidecar) : undefined;
  // A scrape target's pod when the alert names one, else the workload (a Deployment in meshscope's
  // Kubernetes inventory: ReplicaSet → Deployment gives the workload name).
  const involvedObject =
    pod !== undefined
      ? { apiVersion: 'v1', kind: 'Pod', namespace: t.labels.namespace, name: pod }
      : {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: t.labels.namespace,
          name: t.labels.workload ?? '',
        };
  if (involvedObject.name === '') return undefined;
  const firing = t.to === 'firing';
  return {
    involvedObject,
    reason: firing ? 'AlertFiring' : 'AlertResolved',
    message: `${t.labels.alertname} (${t.labels.severity}) ${firing ? 'firing' : 'resolved'}: ${t.annotations.summary}`,
    type: firing ? 'Warning' : 'Normal',
    action: firing ? 'Fire' : 'Resolve',
    now: new Date(t.at),
  };
}
