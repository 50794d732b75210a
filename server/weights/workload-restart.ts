// A rollout restart, as `kubectl rollout restart deployment/<name>` does it: a patch of the pod
// template's annotation `kubectl.kubernetes.io/restartedAt` (kubectl's objectrestarter.go; the time
// in RFC 3339). The changed template makes the Deployment controller roll out new pods under the
// Deployment's strategy (maxUnavailable / maxSurge), so the replicas restart one batch at a time and
// each new Envoy reads its bootstrap again. Needs `patch` on `deployments` (apps group).
import { AppsV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { WorkloadRestartResult } from '../../shared/api/weights.ts';

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** RFC 3339 without fractions, as Go's time.RFC3339 prints UTC: `2026-11-22T04:17:06Z`. */
export function restartedAtValue(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Pure: the strategic merge patch kubectl sends. */
export function restartPatch(now: Date) {
  return {
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAtValue(now) } } } },
  };
}

export type WorkloadRestarter = (namespace: string, name: string) => Promise<WorkloadRestartResult>;

export function deploymentRestarter(kc: KubeConfig, now: () => Date = () => new Date()): WorkloadRestarter {
  const apps = kc.makeApiClient(AppsV1Api);
  return async (namespace, name) => {
    const at = now();
    await apps.patchNamespacedDeployment(
      { name, namespace, body: restartPatch(at) },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    return { namespace, name, kind: 'Deployment', restartedAt: restartedAtValue(at) };
  };
}
