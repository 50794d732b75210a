// A ConfigMap mounted as a sidecar's runtime directory, as a DurableRuntime: the values are written
// with a JSON merge patch of `data` (RFC 7386: only the named keys change, `null` removes one), which
// also leaves other writers' keys alone. The kubelet then rewrites every pod's projection of it, so
// every replica mounting it, and every pod created later, reads the new weights at start. (The kubelet
// syncs volumes periodically, up to about a minute after the patch; until then the admin layer holds
// the values, and reconciliation re-applies them after a restart.)

import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import { configMapKeysFor, type PodVolumes } from './configmap-volume.ts';
import type { DurableLookup, DurableRuntime } from './durable-runtime.ts';

export class ConfigMapStore implements DurableRuntime {
  readonly kind = 'configmap' as const;
  readonly key: string;
  readonly location: string;
  private readonly core: CoreV1Api;
  private readonly namespace: string;
  private readonly name: string;
  /** Runtime key → ConfigMap key. */
  private readonly keys: Readonly<Record<string, string>>;

  constructor(core: CoreV1Api, namespace: string, name: string, keys: Readonly<Record<string, string>>) {
    this.core = core;
    this.namespace = namespace;
    this.name = name;
    this.keys = keys;
    this.location = `configmap ${namespace}/${name}`;
    this.key = `configmap:${namespace}/${name}`;
  }

  private cmKey(runtimeKey: string): string {
    const k = this.keys[runtimeKey];
    if (k === undefined) throw new Error(`${this.location}: no ConfigMap key for runtime key ${runtimeKey}`);
    return k;
  }

  async read(keys: readonly string[]): Promise<Record<string, string | undefined>> {
    const cm = await this.core.readNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    return Object.fromEntries(keys.map((k) => [k, cm.data?.[this.cmKey(k)]]));
  }

  private async patch(data: Record<string, string | null>): Promise<void> {
    await this.core.patchNamespacedConfigMap(
      { name: this.name, namespace: this.namespace, body: { data } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async write(values: Readonly<Record<string, string>>): Promise<Record<string, string | undefined>> {
    const previous = await this.read(Object.keys(values));
    await this.patch(Object.fromEntries(Object.entries(values).map(([k, v]) => [this.cmKey(k), v])));
    return previous;
  }

  async restore(previous: Readonly<Record<string, string | undefined>>): Promise<void> {
    await this.patch(
      Object.fromEntries(Object.entries(previous).map(([k, v]) => [this.cmKey(k), v ?? null])),
    );
  }
}

/**
 * Kubernetes: a replica's durable location is the ConfigMap mounted where its bootstrap's disk layer
 * reads. Pod specs do not change, so each pod is asked for once.
 */
export function configMapLookup(
  kc: KubeConfig,
): (
  target: SidecarTarget,
  scrape: SidecarScrape | undefined,
  keys: readonly string[],
) => Promise<DurableLookup> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = new Map<string, Promise<PodVolumes>>();
  return async (target, scrape, keys) => {
    const layer = scrape?.runtimeDiskLayer;
    if (layer === undefined)
      return { ok: false, reason: `${target.id}: its bootstrap has no runtime disk layer` };
    if (target.pod === undefined) return { ok: false, reason: `${target.id} is not a pod` };
    const id = `${target.namespace}/${target.pod}`;
    let pod = pods.get(id);
    if (pod === undefined) {
      pod = core.readNamespacedPod({ name: target.pod, namespace: target.namespace }) as Promise<PodVolumes>;
      pods.set(id, pod);
      pod.catch(() => pods.delete(id));
      // Bounded: pods come and go; a few hundred specs are plenty to remember.
      if (pods.size > 1000) pods.delete(pods.keys().next().value!);
    }
    let spec: PodVolumes;
    try {
      spec = await pod;
    } catch (e) {
      return { ok: false, reason: `cannot read pod ${id}: ${(e as Error).message}` };
    }
    const dir = join(layer.symlinkRoot, layer.subdirectory, layer.serviceCluster ?? '');
    const found = configMapKeysFor(spec, dir, keys);
    if (!found.ok) return found;
    return { ok: true, store: new ConfigMapStore(core, target.namespace, found.configMap, found.keys) };
  };
}
