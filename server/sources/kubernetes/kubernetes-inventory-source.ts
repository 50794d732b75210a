// Discovery in a Kubernetes cluster: informers (list + watch) on Pods, Services, EndpointSlices,
// ReplicaSets (for the Deployment behind a pod) and ConfigMaps (for the weights kept in them), kept
// running through failures, and an inventory rebuilt from their caches after each change.
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  type V1ConfigMap,
  type V1EndpointSlice,
  type V1Pod,
  type V1ReplicaSet,
  type V1Service,
} from '@kubernetes/client-node';
import type { Inventory, InventorySource } from '../../model/inventory.ts';
import { type AdminAccess, runningInCluster } from './admin-endpoint.ts';
import { apiServerAccess } from './api-server-access.ts';
import { buildInventory } from './cluster-inventory.ts';
import { ResilientInformer, type ResilientInformerOptions } from './resilient-informer.ts';

export interface KubernetesInventoryOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace only (default: all namespaces). */
  namespace?: string;
  /**
   * How sidecar admin ports are reached: `direct` (podIP:port, needs pod IPs to be routable) or
   * `api-server` (the `pods/proxy` subresource with the kubeconfig's credentials). Default: direct
   * when running in a pod, else through the API server.
   */
  adminAccess?: 'direct' | 'api-server';
  /** ListWatch's reconnect delay; tests pass one that resolves at once. */
  delayFn?: ResilientInformerOptions['delayFn'];
  /** Back-off between restarts of an informer that stopped on an error. */
  restartDelayMs?: ResilientInformerOptions['restartDelayMs'];
  /** Told of informer failures (each is followed by a restart). */
  onError?: (resource: string, err: unknown) => void;
  /** How often the kubeconfig's credentials are read again (exec-plugin tokens expire); default 60 s. */
  credentialsRefreshMs?: number;
}

const EMPTY: Inventory = { workloads: [], services: [], sidecars: [] };

export class KubernetesInventorySource implements InventorySource {
  private readonly opts: KubernetesInventoryOptions;
  private readonly pods: ResilientInformer<V1Pod>;
  private readonly services: ResilientInformer<V1Service>;
  private readonly endpointSlices: ResilientInformer<V1EndpointSlice>;
  private readonly replicaSets: ResilientInformer<V1ReplicaSet>;
  private readonly configMapInformer: ResilientInformer<V1ConfigMap>;
  private readonly listeners: (() => void)[] = [];
  private readonly configMapListeners: (() => void)[] = [];
  private inventory: Inventory = EMPTY;
  private inventoryJson = JSON.stringify(EMPTY);
  private access: AdminAccess = { mode: 'direct' };
  private rebuildScheduled = false;
  private started = false;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(opts: KubernetesInventoryOptions) {
    this.opts = opts;
    const kc = opts.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const ns = opts.namespace;
    const prefix = (group: string) =>
      ns === undefined ? group : `${group}/namespaces/${encodeURIComponent(ns)}`;
    const make = <T extends KubernetesObject>(resource: string, path: string, list: ListPromise<T>) => {
      const informer = new ResilientInformer<T>(kc, path, list, {
        ...(opts.delayFn ? { delayFn: opts.delayFn } : {}),
        ...(opts.restartDelayMs ? { restartDelayMs: opts.restartDelayMs } : {}),
        onError: (err) => opts.onError?.(resource, err),
      });
      return informer;
    };
    this.pods = make('pods', `${prefix('/api/v1')}/pods`, () =>
      ns === undefined ? core.listPodForAllNamespaces() : core.listNamespacedPod({ namespace: ns }),
    );
    this.services = make('services', `${prefix('/api/v1')}/services`, () =>
      ns === undefined ? core.listServiceForAllNamespaces() : core.listNamespacedService({ namespace: ns }),
    );
    this.endpointSlices = make(
      'endpointslices',
      `${prefix('/apis/discovery.k8s.io/v1')}/endpointslices`,
      () =>
        ns === undefined
          ? discovery.listEndpointSliceForAllNamespaces()
          : discovery.listNamespacedEndpointSlice({ namespace: ns }),
    );
    this.replicaSets = make('replicasets', `${prefix('/apis/apps/v1')}/replicasets`, () =>
      ns === undefined
        ? apps.listReplicaSetForAllNamespaces()
        : apps.listNamespacedReplicaSet({ namespace: ns }),
    );
    this.configMapInformer = make('configmaps', `${prefix('/api/v1')}/configmaps`, () =>
      ns === undefined
        ? core.listConfigMapForAllNamespaces()
        : core.listNamespacedConfigMap({ namespace: ns }),
    );
    const inventoryInputs: ResilientInformer<KubernetesObject>[] = [
      this.pods,
      this.services,
      this.endpointSlices,
      this.replicaSets,
    ];
    for (const i of inventoryInputs) {
      i.informer.on('change', () => this.scheduleRebuild());
    }
    this.configMapInformer.informer.on('change', () => this.notify(this.configMapListeners));
  }

  current(): Inventory {
    return this.inventory;
  }

  /** Called after each change of the inventory (not for changes that leave it as it was). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** ConfigMaps (of one namespace, or all) as the informer holds them. */
  configMaps(namespace?: string): readonly V1ConfigMap[] {
    return this.configMapInformer.informer.list(namespace);
  }

  configMap(namespace: string, name: string): V1ConfigMap | undefined {
    return this.configMapInformer.informer.get(name, namespace);
  }

  /** Called after any ConfigMap is added, modified or deleted. */
  onConfigMapChange(listener: () => void): void {
    this.configMapListeners.push(listener);
  }

  /** Informer restarts after failures, by resource (for /metrics and tests). */
  restarts(): Record<string, number> {
    return {
      pods: this.pods.restarts,
      services: this.services.restarts,
      endpointslices: this.endpointSlices.restarts,
      replicasets: this.replicaSets.restarts,
      configmaps: this.configMapInformer.restarts,
    };
  }

  /** Lists everything once and opens the watches; the inventory is built when this resolves. */
  async start(): Promise<void> {
    this.started = true;
    const viaApiServer =
      (this.opts.adminAccess ?? (runningInCluster() ? 'direct' : 'api-server')) === 'api-server';
    if (viaApiServer) {
      this.access = { mode: 'api-server', apiServer: await apiServerAccess(this.opts.kubeConfig) };
      this.refreshTimer = setInterval(
        () => void this.refreshCredentials(),
        this.opts.credentialsRefreshMs ?? 60_000,
      );
      this.refreshTimer.unref();
    }
    await Promise.all(this.informers().map((i) => i.start()));
    this.rebuild();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.refreshTimer);
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  private informers(): ResilientInformer<KubernetesObject>[] {
    return [this.pods, this.services, this.endpointSlices, this.replicaSets, this.configMapInformer];
  }

  private async refreshCredentials(): Promise<void> {
    try {
      const apiServer = await apiServerAccess(this.opts.kubeConfig);
      if (!this.started) return;
      this.access = { mode: 'api-server', apiServer };
      this.rebuild();
    } catch (e) {
      this.opts.onError?.('credentials', e);
    }
  }

  /** Coalesces a burst of events (a relist reports every object) into one rebuild. */
  private scheduleRebuild(): void {
    if (this.rebuildScheduled || !this.started) return;
    this.rebuildScheduled = true;
    setImmediate(() => {
      this.rebuildScheduled = false;
      if (this.started) this.rebuild();
    });
  }

  private rebuild(): void {
    const next = buildInventory(
      {
        pods: this.pods.list(),
        services: this.services.list(),
        endpointSlices: this.endpointSlices.list(),
        replicaSets: this.replicaSets.list(),
      },
      this.access,
    );
    const json = JSON.stringify(next);
    if (json === this.inventoryJson) return;
    this.inventory = next;
    this.inventoryJson = json;
    this.notify(this.listeners);
  }

  private notify(listeners: readonly (() => void)[]): void {
    for (const l of listeners) {
      try {
        l();
      } catch (e) {
        this.opts.onError?.('listener', e);
      }
    }
  }
}
