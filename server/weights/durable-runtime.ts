// Where the weights a change sets are made durable. The admin layer `/runtime_modify` writes to is
// emptied by a restart; a runtime disk layer is read again at start, so the values are also written
// there: locally into the layer's directory (runtime-dir-store.ts), in Kubernetes into the ConfigMap
// mounted as that directory (configmap-store.ts). Replicas that share a location (the pods of one
// Deployment mounting one ConfigMap) are written once.

export interface DurableRuntime {
  /** Identity of the location: replicas with the same key share it. */
  readonly key: string;
  readonly kind: 'runtime-dir' | 'configmap';
  /** For people: a path, or `configmap namespace/name`. */
  readonly location: string;
  /** Sets the values; resolves with the previous value of each key (undefined: unset), for restore(). */
  write(values: Readonly<Record<string, string>>): Promise<Record<string, string | undefined>>;
  /** Puts back what write() returned (undefined values are removed). */
  restore(previous: Readonly<Record<string, string | undefined>>): Promise<void>;
  /** The current values of `keys` (undefined: unset). */
  read(keys: readonly string[]): Promise<Record<string, string | undefined>>;
}

/** A replica's durable location, or why it has none the dashboard can write (a warning, not an error). */
export type DurableLookup = { ok: true; store: DurableRuntime } | { ok: false; reason: string };
