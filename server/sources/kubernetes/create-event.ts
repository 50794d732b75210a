// Records a core/v1 Event about an object, as controllers do (`kubectl describe` and `kubectl get
// events` show it). Reusable by any part of meshscope that reports to Kubernetes (weight changes,
// alerts). The Event's name is `<object name>.<unique suffix>` like client-go's recorder, and its
// `source.component` / `reportingComponent` say who wrote it. Needs `create` on `events` (core group)
// in the object's namespace.
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';

export interface EventObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface EventSpec {
  involvedObject: EventObjectRef;
  /** UpperCamelCase, machine-readable (e.g. WeightsChanged). */
  reason: string;
  /** For people; the API server caps it at 1 kB (longer ones are cut here). */
  message: string;
  type: 'Normal' | 'Warning';
  /** Default 'meshscope'. */
  component?: string;
  /** Verb of the action (events.k8s.io `action`); default: the reason. */
  action?: string;
  now?: Date;
}

const MAX_MESSAGE = 1024;

/** Pure: the Event object for a spec. */
export function eventFor(spec: EventSpec): CoreV1Event {
  const now = spec.now ?? new Date();
  const component = spec.component ?? 'meshscope';
  const message =
    spec.message.length > MAX_MESSAGE ? `${spec.message.slice(0, MAX_MESSAGE - 1)}…` : spec.message;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      // client-go names events `<object>.<hex unix nanos>`; a random suffix is as unique.
      name: `${spec.involvedObject.name}.${now.getTime().toString(16)}${randomBytes(4).toString('hex')}`,
      namespace: spec.involvedObject.namespace,
    },
    involvedObject: { ...spec.involvedObject },
    reason: spec.reason,
    message,
    type: spec.type,
    source: { component },
    reportingComponent: component,
    reportingInstance: component,
    action: spec.action ?? spec.reason,
    firstTimestamp: now,
    lastTimestamp: now,
    // No `eventTime`: set, it makes the API server validate the Event as an events.k8s.io one (series,
    // reportingController, MicroTime); this is the legacy form client-go's core recorder writes.
    count: 1,
  } as CoreV1Event;
}

export async function createEvent(core: CoreV1Api, spec: EventSpec): Promise<CoreV1Event> {
  const body = eventFor(spec);
  return core.createNamespacedEvent({ namespace: spec.involvedObject.namespace, body });
}
