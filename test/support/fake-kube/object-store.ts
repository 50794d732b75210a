// The fake API server's storage: objects per resource, one cluster-wide resourceVersion counter (as
// etcd's revision: every write takes the next number, whatever the resource) and a history of changes
// that watches replay from a resourceVersion. History can be compacted like etcd's: a watch that starts
// before the compaction point is "too old" and gets 410 Gone, which is what makes an informer relist.
import { randomUUID } from 'node:crypto';
import { ApiError } from './api-status.ts';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  resourceVersion: number;
  resource: string;
  type: ChangeType;
  object: KubeObject;
  /** The object before a MODIFIED (a selector-filtered watch turns a label change into ADDED/DELETED). */
  previous?: KubeObject;
}

/** Kept changes; older ones are dropped and the compaction point moves past them. */
const MAX_HISTORY = 10_000;

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/** RFC 3339 at second precision, as metav1.Time serializes. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ObjectStore {
  private revision = 1;
  /** Oldest resourceVersion a watch may start from. */
  private compactedAt = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: Change[] = [];
  private readonly listeners = new Set<(change: Change) => void>();

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Objects of one resource (in one namespace, or all), sorted by namespace then name; copies. */
  list(resource: string, namespace?: string): KubeObject[] {
    const byKey = this.objects.get(resource) ?? new Map<string, KubeObject>();
    return [...byKey.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(resource)?.get(keyOf(namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Stores a new object (409 AlreadyExists if the name is taken); `generateName` gets a suffix. */
  create(resource: string, input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
    if (!meta.name)
      throw new ApiError(422, 'Invalid', 'metadata.name: Required value: name or generateName is required');
    const namespace = meta.namespace ?? 'default';
    meta.namespace = namespace;
    if (this.objects.get(resource)?.has(keyOf(namespace, meta.name))) {
      throw new ApiError(409, 'AlreadyExists', `${resource} "${meta.name}" already exists`);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    return this.write(resource, 'ADDED', obj, undefined);
  }

  /**
   * Replaces a stored object. With `expectedVersion` (the caller's metadata.resourceVersion on PUT or
   * PATCH) a stale write is a 409 Conflict, the API server's optimistic concurrency.
   */
  update(resource: string, input: KubeObject, expectedVersion?: string): KubeObject {
    const obj = structuredClone(input);
    const namespace = obj.metadata.namespace ?? 'default';
    const name = obj.metadata.name ?? '';
    const previous = this.objects.get(resource)?.get(keyOf(namespace, name));
    if (!previous) throw new ApiError(404, 'NotFound', `${resource} "${name}" not found`);
    if (expectedVersion && expectedVersion !== previous.metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    obj.metadata.namespace = namespace;
    obj.metadata.uid = previous.metadata.uid;
    obj.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    return this.write(resource, 'MODIFIED', obj, previous);
  }

  /** Creates or replaces, ignoring resourceVersion (the test hook `apply`). */
  upsert(resource: string, input: KubeObject): KubeObject {
    const exists = this.get(resource, input.metadata.namespace ?? 'default', input.metadata.name ?? '');
    return exists ? this.update(resource, input) : this.create(resource, input);
  }

  delete(resource: string, namespace: string, name: string): KubeObject {
    const byKey = this.objects.get(resource);
    const previous = byKey?.get(keyOf(namespace, name));
    if (!byKey || !previous) throw new ApiError(404, 'NotFound', `${resource} "${name}" not found`);
    byKey.delete(keyOf(namespace, name));
    // The DELETED event carries the object's last state at the deletion's resourceVersion.
    return this.write(resource, 'DELETED', structuredClone(previous), previous);
  }

  /**
   * Changes of `resource` after `resourceVersion`, or 'gone' when history before it was compacted
   * (the API server's "too old resource version").
   */
  changesSince(resource: string, resourceVersion: number): Change[] | 'gone' {
    if (resourceVersion < this.compactedAt) return 'gone';
    return this.history.filter((c) => c.resource === resource && c.resourceVersion > resourceVersion);
  }

  /**
   * Forgets all history: the revision moves on (other writes elsewhere in a real cluster would move it
   * too) and a watch from any resourceVersion seen so far gets 410 Gone; a relist gets the new one.
   */
  compact(): void {
    this.revision++;
    this.compactedAt = this.revision;
    this.history = [];
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private write(resource: string, type: ChangeType, obj: KubeObject, previous: KubeObject | undefined) {
    this.revision++;
    obj.metadata.resourceVersion = String(this.revision);
    if (type !== 'DELETED') {
      const byKey = this.objects.get(resource) ?? new Map<string, KubeObject>();
      this.objects.set(resource, byKey);
      byKey.set(keyOf(obj.metadata.namespace ?? 'default', obj.metadata.name ?? ''), obj);
    }
    const change: Change = { resourceVersion: this.revision, resource, type, object: obj };
    if (previous) change.previous = previous;
    this.history.push(change);
    if (this.history.length > MAX_HISTORY) {
      const dropped = this.history.splice(0, this.history.length - MAX_HISTORY);
      this.compactedAt = dropped.at(-1)?.resourceVersion ?? this.compactedAt;
    }
    for (const l of this.listeners) l(change);
    return structuredClone(obj);
  }
}
