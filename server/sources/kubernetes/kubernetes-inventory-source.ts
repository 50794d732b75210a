// Discovery in a Kubernetes cluster: informers (list + watch) on Pods, Services, EndpointSlices,
// ReplicaSets (for the Deployment behind a pod) and ConfigMaps (for the weights kept in them), kept
// running through failures, and an inventory rebuilt from their caches after each change. Where the
// API server serves Istio's networking.istio.io/v1beta1, VirtualServices and DestinationRules are
// watched too, for the traffic policies they set (istio-policies.ts); a cluster without Istio answers
// 404 on the group's discovery, and then they are not watched at all (quietly).
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
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
import { type IstioObject, istioPolicies } from './istio-policies.ts';
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
const ISTIO_GROUP = 'networking.istio.io';
const ISTIO_VERSION = 'v1beta1';

type IstioResource = IstioObject & KubernetesObject;

export class KubernetesInventorySource implements InventorySource {
  private readonly opts: KubernetesInventoryOptions;
  private readonly pods: ResilientInformer<V1Pod>;
  private readonly services: ResilientInformer<V1Service>;
  private readonly endpointSlices: ResilientInformer<V1EndpointSlice>;
  private readonly replicaSets: ResilientInformer<V1ReplicaSet>;
  private readonly configMapInformer: ResilientInformer<V1ConfigMap>;
  /** VirtualServices and DestinationRules, once start() found the group served. */
  private istio:
    | {
        virtualServices: ResilientInformer<IstioResource>;
        destinationRules: ResilientInformer<IstioResource>;
      }
    | undefined;
  private istioRetry: NodeJS.Timeout | undefined;
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

  /**
   * Asks discovery whether Istio's group is served and, if so, starts its informers. 404: Istio is not
   * installed, said nowhere. An API server that cannot be reached is asked again (with the informers'
   * back-off; the outage itself is what their errors report); an HTTP error other than 404 (a 403 from
   * a role without discovery) is reported, then asked again.
   */
  private async discoverIstio(attempt = 0): Promise<void> {
    if (!this.started || this.istio !== undefined) return;
    const custom = this.opts.kubeConfig.makeApiClient(CustomObjectsApi);
    let resources: string[];
    try {
      const list = await custom.getAPIResources({ group: ISTIO_GROUP, version: ISTIO_VERSION });
      resources = list.resources.map((r) => r.name);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 404) return;
      if (typeof code === 'number') this.opts.onError?.(ISTIO_GROUP, e);
      const backoff = this.opts.restartDelayMs ?? { initial: 1_000, max: 30_000 };
      const delay = Math.min(backoff.initial * 2 ** attempt, backoff.max);
      this.istioRetry = setTimeout(() => void this.discoverIstio(attempt + 1), delay);
      this.istioRetry.unref();
      return;
    }
    if (!resources.includes('virtualservices') || !resources.includes('destinationrules')) return;
    if (!this.started) return;
    const istio = this.istioInformers();
    this.istio = istio;
    await Promise.all([istio.virtualServices.start(), istio.destinationRules.start()]);
    this.scheduleRebuild();
  }

  private istioInformers(): NonNullable<typeof this.istio> {
    const kc = this.opts.kubeConfig;
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ns = this.opts.namespace;
    const base = `/apis/${ISTIO_GROUP}/${ISTIO_VERSION}`;
    const make = (plural: string) => {
      const path =
        ns === undefined ? `${base}/${plural}` : `${base}/namespaces/${encodeURIComponent(ns)}/${plural}`;
      const list: ListPromise<IstioResource> = () =>
        (ns === undefined
          ? custom.listClusterCustomObject({ group: ISTIO_GROUP, version: ISTIO_VERSION, plural })
          : custom.listNamespacedCustomObject({
              group: ISTIO_GROUP,
              version: ISTIO_VERSION,
              namespace: ns,
              plural,
            })) as ReturnType<ListPromise<IstioResource>>;
      const informer = new ResilientInformer<IstioResource>(kc, path, list, {
        ...(this.opts.delayFn ? { delayFn: this.opts.delayFn } : {}),
        ...(this.opts.restartDelayMs ? { restartDelayMs: this.opts.restartDelayMs } : {}),
        onError: (err) => this.opts.onError?.(plural, err),
      });
      informer.informer.on('change', () => this.scheduleRebuild());
      return informer;
    };
    return { virtualServices: make('virtualservices'), destinationRules: make('destinationrules') };
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
      ...(this.istio && {
        virtualservices: this.istio.virtualServices.restarts,
        destinationrules: this.istio.destinationRules.restarts,
      }),
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
    await Promise.all([...this.informers().map((i) => i.start()), this.discoverIstio()]);
    this.rebuild();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.refreshTimer);
    clearTimeout(this.istioRetry);
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  private informers(): ResilientInformer<KubernetesObject>[] {
    const istio = this.istio === undefined ? [] : [this.istio.virtualServices, this.istio.destinationRules];
    return [
      this.pods,
      this.services,
      this.endpointSlices,
      this.replicaSets,
      this.configMapInformer,
      ...istio,
    ];
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
    if (this.istio !== undefined) {
      const policies = istioPolicies(this.istio.virtualServices.list(), this.istio.destinationRules.list());
      if (policies.length > 0) next.istioPolicies = policies;
    }
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
