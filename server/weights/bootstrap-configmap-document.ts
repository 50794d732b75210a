// Kubernetes: a sidecar's bootstrap is a key of the ConfigMap mounted over its `-c` file (found from
// the pod spec: bootstrap-configmap-volume.ts). It is rewritten with a JSON merge patch of that one
// key whose `metadata.resourceVersion` is the one read: the API server refuses it with 409 Conflict
// when the ConfigMap changed in between (optimistic concurrency, API conventions), so nobody's edit
// is lost. The kubelet then updates the mounted file in every pod (not for subPath mounts).
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { sidecarContainer } from '../sources/kubernetes/pod-sidecar.ts';
import { bootstrapConfigMapFor, type PodBootstrapSpec } from './bootstrap-configmap-volume.ts';
import { type BootstrapDocument, type BootstrapLookup, ConflictError } from './bootstrap-document.ts';

export class BootstrapConfigMap implements BootstrapDocument {
  readonly kind = 'configmap' as const;
  readonly key: string;
  readonly location: string;
  readonly namespace: string;
  readonly name: string;
  private readonly core: CoreV1Api;
  private readonly dataKey: string;

  constructor(core: CoreV1Api, namespace: string, name: string, dataKey: string) {
    this.core = core;
    this.namespace = namespace;
    this.name = name;
    this.dataKey = dataKey;
    this.key = `configmap:${namespace}/${name}#${dataKey}`;
    this.location = `configmap ${namespace}/${name} key ${dataKey}`;
  }

  async read(): Promise<{ text: string; token: string }> {
    const cm = await this.core.readNamespacedConfigMap({ name: this.name, namespace: this.namespace });
    const text = cm.data?.[this.dataKey];
    if (text === undefined) throw new Error(`${this.location}: no such key`);
    return { text, token: cm.metadata?.resourceVersion ?? '' };
  }

  async write(text: string, token: string): Promise<void> {
    try {
      await this.core.patchNamespacedConfigMap(
        {
          name: this.name,
          namespace: this.namespace,
          body: { metadata: { resourceVersion: token }, data: { [this.dataKey]: text } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (e) {
      if ((e as { code?: unknown }).code === 409) {
        throw new ConflictError(`${this.location} changed since it was read`);
      }
      throw e;
    }
  }
}

/** The ConfigMap behind each pod's bootstrap; pod specs do not change, so each pod is read once. */
export function configMapBootstrapLookup(kc: KubeConfig): BootstrapLookup {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = new Map<string, Promise<PodBootstrapSpec>>();
  return async (target, build) => {
    if (target.pod === undefined) return { ok: false, reason: `${target.id} is not a pod` };
    const id = `${target.namespace}/${target.pod}`;
    let pod = pods.get(id);
    if (pod === undefined) {
      pod = core.readNamespacedPod({
        name: target.pod,
        namespace: target.namespace,
      }) as Promise<PodBootstrapSpec>;
      pods.set(id, pod);
      pod.catch(() => pods.delete(id));
      if (pods.size > 1000) pods.delete(pods.keys().next().value!);
    }
    let spec: PodBootstrapSpec;
    try {
      spec = await pod;
    } catch (e) {
      return { ok: false, reason: `cannot read pod ${id}: ${(e as Error).message}` };
    }
    const container = sidecarContainer(spec as Parameters<typeof sidecarContainer>[0])?.container.name;
    if (container === undefined) return { ok: false, reason: `pod ${id} has no sidecar container` };
    const found = bootstrapConfigMapFor(spec, container);
    if (!found.ok) return found;
    const reload = build?.hotReload && !found.subPath ? 'kubelet' : 'restart';
    return {
      ok: true,
      doc: new BootstrapConfigMap(core, target.namespace, found.configMap, found.key),
      reload,
    };
  };
}
