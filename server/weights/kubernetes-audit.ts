// The audit trail of weight changes in Kubernetes, where the dashboard's own disk may not outlive its
// pod: every change is appended to a bounded history annotation on the ConfigMap it was persisted in
// (`meshscope.io/weights-history`, a JSON array of the last N audit entries, oldest first), and
// reported as a core/v1 Event on the workload (reason WeightsChanged, or WeightsChangeFailed as a
// Warning) that `kubectl describe deployment` shows. The annotation is written with a merge patch
// carrying the ConfigMap's resourceVersion as a precondition, re-read and retried on a conflict, so
// two writers never drop each other's entries.
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { AuditEntry } from '../../shared/api/weights.ts';
import { createEvent } from '../sources/kubernetes/create-event.ts';

export const HISTORY_ANNOTATION = 'meshscope.io/weights-history';
export const DEFAULT_HISTORY_LIMIT = 20;

/** Pure: the annotation's value with `entry` appended, keeping the last `limit` entries. */
export function appendHistory(current: string | undefined, entry: AuditEntry, limit: number): string {
  let entries: unknown[] = [];
  if (current !== undefined && current !== '') {
    try {
      const parsed: unknown = JSON.parse(current);
      if (Array.isArray(parsed)) entries = parsed;
    } catch {
      // Not ours to interpret: start over rather than fail the change (the Event still records it).
    }
  }
  entries = entries.filter((e) => (e as { id?: unknown }).id !== entry.id);
  entries.push(entry);
  return JSON.stringify(entries.slice(-limit));
}

/** Pure: the Event's message for an entry. */
export function eventMessage(entry: AuditEntry): string {
  const w = (x: Record<string, number>) =>
    Object.entries(x)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  const why = entry.reason ? ` (${entry.reason})` : '';
  const revert = entry.revertOf ? `, reverting ${entry.revertOf}` : '';
  return `route ${entry.routeId}: ${w(entry.from)} → ${w(entry.to)} by ${entry.who}${why}${revert}: ${entry.outcome} [${entry.id}]`;
}

export interface KubernetesAuditTarget {
  /** ConfigMaps the change was persisted in (namespace/name). */
  configMaps: readonly { namespace: string; name: string }[];
  /** The workload the Event is about. */
  workload: { namespace: string; name: string; kind?: string; apiVersion?: string };
}

/** Records a change beyond the local log (Kubernetes: history annotation and Event). */
export type AuditMirror = (entry: AuditEntry, target: KubernetesAuditTarget) => Promise<void>;

function isConflict(e: unknown): boolean {
  return (e as { code?: unknown }).code === 409;
}

export class KubernetesAudit {
  private readonly core: CoreV1Api;
  private readonly limit: number;

  constructor(kc: KubeConfig, opts: { limit?: number } = {}) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.limit = opts.limit ?? DEFAULT_HISTORY_LIMIT;
  }

  /** Appends the entry to each ConfigMap's history annotation. Throws when one cannot be written. */
  async annotate(entry: AuditEntry, configMaps: KubernetesAuditTarget['configMaps']): Promise<void> {
    for (const { namespace, name } of configMaps) {
      for (let attempt = 0; ; attempt++) {
        const cm = await this.core.readNamespacedConfigMap({ name, namespace });
        const value = appendHistory(cm.metadata?.annotations?.[HISTORY_ANNOTATION], entry, this.limit);
        try {
          await this.core.patchNamespacedConfigMap(
            {
              name,
              namespace,
              body: {
                metadata: {
                  resourceVersion: cm.metadata?.resourceVersion,
                  annotations: { [HISTORY_ANNOTATION]: value },
                },
              },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          break;
        } catch (e) {
          if (!isConflict(e) || attempt >= 4) throw e;
        }
      }
    }
  }

  /** The Event about the change on its workload. */
  async event(entry: AuditEntry, workload: KubernetesAuditTarget['workload']): Promise<void> {
    const failed = entry.outcome === 'failed';
    await createEvent(this.core, {
      involvedObject: {
        apiVersion: workload.apiVersion ?? 'apps/v1',
        kind: workload.kind ?? 'Deployment',
        namespace: workload.namespace,
        name: workload.name,
      },
      reason: failed ? 'WeightsChangeFailed' : 'WeightsChanged',
      type: failed ? 'Warning' : 'Normal',
      message: eventMessage(entry),
      action: 'SetWeights',
      now: new Date(entry.at),
    });
  }

  /** Both, the annotation first (the durable record); the Event is what people see. */
  async record(entry: AuditEntry, target: KubernetesAuditTarget): Promise<void> {
    await this.annotate(entry, target.configMaps);
    await this.event(entry, target.workload);
  }
}

/** The mirror for a cluster: the annotation on the ConfigMaps written, and the Event. */
export function kubernetesAuditMirror(kc: KubeConfig, opts: { limit?: number } = {}): AuditMirror {
  const audit = new KubernetesAudit(kc, opts);
  return (entry, target) => audit.record(entry, target);
}
