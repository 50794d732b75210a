// A Kubernetes cluster simulated on one machine, for end-to-end tests of Kubernetes mode: the fake API
// server holds the objects, and each pod is real: its IP is a loopback address 127.0.0.x, its app is a
// backend process, and its sidecar is a real `bin/meshscope-proxy` bound to the pod IP (inbound
// listener on :8080, admin on :9901). The cluster plays the controllers that matter to discovery: the
// Deployment → ReplicaSet → Pod owner chain, the EndpointSlice controller (ready pod IPs behind each
// Service's selector), and the kubelet's ConfigMap volumes (rewritten with the `..data` swap when the
// ConfigMap changes, whoever changed it: a test, kubectl, or the dashboard).
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { mountConfigMap } from './configmap-mount.ts';
import { staticBootstrap } from './envoy-bootstrap.ts';
import { FakeKubeApiServer, type KubeObject } from './fake-kube-apiserver.ts';
import { type BackendProcess, type ProxyProcess, startBackend, startProxy } from './processes.ts';

export const POD_APP_PORT = 8080;
export const POD_ADMIN_PORT = 9901;
const MANAGED_BY = 'endpointslice-controller.k8s.io';

export interface SimulatedPodSpec {
  namespace?: string;
  /** Owned by this Deployment (through a ReplicaSet); the pod is named `<deployment>-<hash>-<suffix>`. */
  deployment?: string;
  /** A bare pod's name (default: a generated one); ignored with `deployment`. */
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /**
   * The sidecar container's name (default `meshscope-proxy`, with a containerPort named `admin` on
   * 9901), or false for a pod without a sidecar (then an in-process forwarder serves the app on the
   * pod IP).
   */
  sidecar?: 'meshscope-proxy' | 'envoy' | 'istio-proxy' | false;
  /** The proxy's bootstrap (default: the inbound listener to the backend, admin on the pod IP). */
  bootstrap?: (pod: { ip: string; backendPort: number; mounts: Record<string, string> }) => object;
  /** ConfigMap volumes: volume name → ConfigMap name (in the pod's namespace). */
  configMapVolumes?: Record<string, string>;
  /** The backend's name (its `x-backend` header), default the `version` label or "v1". */
  backendName?: string;
}

export interface SimulatedPod {
  namespace: string;
  name: string;
  ip: string;
  /** `http://<ip>:8080`: through the sidecar when there is one. */
  url: string;
  /** `http://<ip>:9901`, or '' without a sidecar. */
  adminUrl: string;
  proxy: ProxyProcess | undefined;
  backend: BackendProcess;
  /** Volume name → the directory it is mounted at. */
  mounts: Record<string, string>;
}

interface PodRuntime extends SimulatedPod {
  forwarder: net.Server | undefined;
  configMaps: Record<string, string>;
}

const usedIps = new Set<string>();

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * A loopback address with the pod's ports free, starting from a random one so that test workers
 * running at the same time rarely contend for the same address.
 */
async function allocatePodIp(): Promise<string> {
  const start = randomInt(0, 250);
  for (let i = 0; i < 250; i++) {
    const ip = `127.0.0.${((start + i) % 250) + 2}`;
    if (usedIps.has(ip)) continue;
    if ((await canBind(ip, POD_APP_PORT)) && (await canBind(ip, POD_ADMIN_PORT))) {
      usedIps.add(ip);
      return ip;
    }
  }
  throw new Error('no free 127.0.0.x address with ports 8080 and 9901 free');
}

/** The inbound sidecar: pod IP :8080 → the backend, admin on pod IP :9901, runtime from a `runtime` volume. */
export function inboundBootstrap(pod: { ip: string; backendPort: number; mounts: Record<string, string> }) {
  const b = staticBootstrap({
    listeners: [{ name: 'inbound', port: POD_APP_PORT, statPrefix: 'inbound_http' }],
    clusters: [{ name: 'local_app', endpoints: [{ port: pod.backendPort }] }],
    adminPort: POD_ADMIN_PORT,
  });
  for (const l of b.static_resources.listeners) l.address.socket_address.address = pod.ip;
  b.admin.address.socket_address.address = pod.ip;
  const runtime = pod.mounts['runtime'];
  if (runtime === undefined) return b;
  return {
    ...b,
    layered_runtime: {
      layers: [
        { name: 'static', static_layer: {} },
        { name: 'disk', disk_layer: { symlink_root: runtime } },
        { name: 'admin', admin_layer: {} },
      ],
    },
  };
}

/** A forwarder on ip:port to the backend, for pods without a sidecar. */
function forward(ip: string, port: number, to: number): Promise<net.Server> {
  const server = net.createServer((c) => {
    const up = net.connect({ host: '127.0.0.1', port: to });
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, () => resolve(server));
  });
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 9);
}

export class SimulatedCluster {
  readonly api = new FakeKubeApiServer();
  private readonly root = mkdtempSync(join(tmpdir(), 'meshscope-cluster-'));
  private readonly pods = new Map<string, PodRuntime>();
  private unsubscribe: (() => void) | undefined;
  private syncing: Promise<void> = Promise.resolve();

  static async start(): Promise<SimulatedCluster> {
    const c = new SimulatedCluster();
    await c.api.start();
    c.unsubscribe = c.api.store.subscribe((change) => {
      if (change.resource === 'configmaps' && change.type !== 'DELETED')
        c.queue(() => c.syncConfigMap(change.object));
      if (change.resource === 'pods' || change.resource === 'services') c.queue(() => c.syncEndpointSlices());
    });
    return c;
  }

  /** A client-node KubeConfig for the API server (plain http, so TLS verification is skipped). */
  kubeConfig(opts: { token?: string } = {}): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromString(this.api.kubeconfig(opts));
    return kc;
  }

  /** Starts the pod's processes and registers it (Running, with its IP) in the API server. */
  async addPod(spec: SimulatedPodSpec): Promise<SimulatedPod> {
    const namespace = spec.namespace ?? 'default';
    const labels = { ...spec.labels };
    const owner = spec.deployment ? this.ensureDeployment(namespace, spec.deployment, labels) : undefined;
    const name = owner
      ? `${owner.replicaSet}-${randomBytes(3).toString('hex').slice(0, 5)}`
      : (spec.name ?? `pod-${randomBytes(3).toString('hex')}`);
    if (owner) labels['pod-template-hash'] = owner.hash;

    const ip = await allocatePodIp();
    const mounts: Record<string, string> = {};
    for (const [volume, configMap] of Object.entries(spec.configMapVolumes ?? {})) {
      const dir = join(this.root, namespace, name, 'volumes', volume);
      const data = this.api.get('ConfigMap', namespace, configMap)?.['data'];
      await mountConfigMap(dir, (data ?? {}) as Record<string, string>);
      mounts[volume] = dir;
    }
    const backend = await startBackend({ name: spec.backendName ?? labels['version'] ?? 'v1' });
    const sidecar = spec.sidecar ?? 'meshscope-proxy';
    let proxy: ProxyProcess | undefined;
    let forwarder: net.Server | undefined;
    if (sidecar) {
      const bootstrap = (spec.bootstrap ?? inboundBootstrap)({ ip, backendPort: backend.port, mounts });
      proxy = await startProxy(bootstrap);
    } else {
      forwarder = await forward(ip, POD_APP_PORT, backend.port);
    }
    const pod: PodRuntime = {
      namespace,
      name,
      ip,
      url: `http://${ip}:${POD_APP_PORT}`,
      adminUrl: proxy ? `http://${ip}:${POD_ADMIN_PORT}` : '',
      proxy,
      backend,
      mounts,
      forwarder,
      configMaps: { ...spec.configMapVolumes },
    };
    this.pods.set(`${namespace}/${name}`, pod);

    const containers: Record<string, unknown>[] = [
      {
        name: 'app',
        image: `backend:${backend.name}`,
        ports: [{ name: 'http', containerPort: POD_APP_PORT }],
      },
    ];
    if (sidecar) {
      containers.push({
        name: sidecar,
        image: 'meshscope:latest',
        ports: [{ name: 'admin', containerPort: POD_ADMIN_PORT }],
      });
    }
    this.api.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels,
        ...(spec.annotations ? { annotations: spec.annotations } : {}),
        ...(owner
          ? { ownerReferences: [ownerRef('apps/v1', 'ReplicaSet', owner.replicaSet, owner.replicaSetUid)] }
          : {}),
      },
      spec: {
        containers,
        volumes: Object.entries(spec.configMapVolumes ?? {}).map(([volume, cm]) => ({
          name: volume,
          configMap: { name: cm },
        })),
      },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '127.0.0.1' },
    });
    return pod;
  }

  /** Sets a pod's phase (e.g. Pending, Failed) without touching its processes. */
  setPodPhase(namespace: string, name: string, phase: string): void {
    const obj = this.api.get('Pod', namespace, name);
    if (!obj) throw new Error(`no pod ${namespace}/${name}`);
    this.api.apply({ ...obj, status: { ...(obj['status'] as object), phase } });
  }

  /** Deletes the pod from the API server and stops its processes. */
  async removePod(namespace: string, name: string): Promise<void> {
    const pod = this.pods.get(`${namespace}/${name}`);
    this.api.remove('Pod', namespace, name);
    if (!pod) return;
    this.pods.delete(`${namespace}/${name}`);
    await this.stopPod(pod);
  }

  /** A ClusterIP Service; its EndpointSlice follows the Running pods its selector matches. */
  addService(
    name: string,
    opts: { namespace?: string; selector: Record<string, string>; port?: number },
  ): KubeObject {
    const clusterIP = `10.96.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    const svc = this.api.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: opts.namespace ?? 'default' },
      spec: {
        type: 'ClusterIP',
        clusterIP,
        clusterIPs: [clusterIP],
        selector: opts.selector,
        ports: [{ name: 'http', port: opts.port ?? 80, targetPort: POD_APP_PORT, protocol: 'TCP' }],
      },
    });
    return svc;
  }

  /** Creates or replaces a ConfigMap; pods that mount it see their volume swapped. */
  applyConfigMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
    return this.api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
  }

  /** Resolves once the simulated controllers have caught up with every change so far. */
  settled(): Promise<void> {
    return this.syncing;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.syncing.catch(() => {});
    await Promise.all([...this.pods.values()].map((p) => this.stopPod(p)));
    this.pods.clear();
    await this.api.close();
    rmSync(this.root, { recursive: true, force: true });
  }

  private async stopPod(pod: PodRuntime): Promise<void> {
    await Promise.all([
      pod.proxy?.stop(),
      pod.backend.stop(),
      pod.forwarder && new Promise((r) => pod.forwarder?.close(r)),
    ]);
    usedIps.delete(pod.ip);
  }

  /** Controllers run one change at a time, after the write that caused them (as real ones do). */
  private queue(work: () => Promise<void> | void): void {
    this.syncing = this.syncing.then(work).catch((e: unknown) => {
      console.error('simulated cluster:', e);
    });
  }

  private ensureDeployment(namespace: string, deployment: string, labels: Record<string, string>) {
    const hash = hashOf(`${namespace}/${deployment}`);
    const replicaSet = `${deployment}-${hash}`;
    const existing = this.api.get('Deployment', namespace, deployment);
    const deploy =
      existing ??
      this.api.apply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: deployment, namespace, labels },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels } } },
      });
    const rs =
      this.api.get('ReplicaSet', namespace, replicaSet) ??
      this.api.apply({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: replicaSet,
          namespace,
          labels: { ...labels, 'pod-template-hash': hash },
          ownerReferences: [ownerRef('apps/v1', 'Deployment', deployment, deploy.metadata.uid ?? '')],
        },
        spec: { selector: { matchLabels: { ...labels, 'pod-template-hash': hash } } },
      });
    return { hash, replicaSet, replicaSetUid: rs.metadata.uid ?? '' };
  }

  /** The kubelet: every pod mounting this ConfigMap gets its volume rewritten. */
  private async syncConfigMap(cm: KubeObject): Promise<void> {
    const data = (cm['data'] ?? {}) as Record<string, string>;
    for (const pod of this.pods.values()) {
      if (pod.namespace !== cm.metadata.namespace) continue;
      for (const [volume, name] of Object.entries(pod.configMaps)) {
        const dir = pod.mounts[volume];
        if (name === cm.metadata.name && dir) await mountConfigMap(dir, data);
      }
    }
  }

  /** The EndpointSlice controller: one slice per Service, with the pods its selector matches. */
  private syncEndpointSlices(): void {
    const services = this.api.store.list('services');
    // Garbage collection: a slice goes with its Service (its owner).
    for (const slice of this.api.store.list('endpointslices')) {
      const service = slice.metadata.labels?.['kubernetes.io/service-name'];
      const owned = slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY;
      const alive = services.some(
        (s) => s.metadata.namespace === slice.metadata.namespace && s.metadata.name === service,
      );
      if (owned && !alive)
        this.api.remove('EndpointSlice', slice.metadata.namespace ?? '', slice.metadata.name ?? '');
    }
    for (const svc of services) {
      const namespace = svc.metadata.namespace ?? 'default';
      const name = svc.metadata.name ?? '';
      const selector = ((svc['spec'] as { selector?: Record<string, string> }).selector ?? {}) as Record<
        string,
        string
      >;
      const endpoints = this.api.store
        .list('pods', namespace)
        .filter(
          (p) =>
            Object.keys(selector).length > 0 &&
            Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
        )
        .flatMap((p) => {
          const status = (p['status'] ?? {}) as { phase?: string; podIP?: string };
          if (!status.podIP) return [];
          return [
            {
              addresses: [status.podIP],
              conditions: { ready: status.phase === 'Running' },
              targetRef: { kind: 'Pod', namespace, name: p.metadata.name, uid: p.metadata.uid },
            },
          ];
        });
      const sliceName = `${name}-${hashOf(name).slice(0, 5)}`;
      const current = this.api.get('EndpointSlice', namespace, sliceName);
      if (current && JSON.stringify(current['endpoints']) === JSON.stringify(endpoints)) continue;
      this.api.apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: sliceName,
          namespace,
          labels: {
            'kubernetes.io/service-name': name,
            'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
          },
          ownerReferences: [ownerRef('v1', 'Service', name, svc.metadata.uid ?? '')],
        },
        addressType: 'IPv4',
        endpoints,
        ports: [{ name: 'http', port: POD_APP_PORT, protocol: 'TCP' }],
      });
    }
  }
}

function ownerRef(apiVersion: string, kind: string, name: string, uid: string) {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}
