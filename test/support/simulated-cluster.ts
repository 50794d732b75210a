// A Kubernetes cluster simulated on one machine, for end-to-end tests of Kubernetes mode: the fake API
// server holds the objects, and each pod is real: its IP is a loopback address 127.0.0.x, its app is a
// backend process, and its sidecar is a real `bin/meshscope-proxy` bound to the pod IP (inbound
// listener on :8080, admin on :9901). The cluster plays the controllers that matter to discovery: the
// Deployment → ReplicaSet → Pod owner chain, the EndpointSlice controller (ready pod IPs behind each
// Service's selector), and the kubelet's ConfigMap volumes (rewritten with the `..data` swap when the
// ConfigMap changes, whoever changed it: a test, kubectl, or the dashboard).
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { mountConfigMap } from './configmap-mount.ts';
import { FakeKubeApiServer, type KubeObject } from './fake-kube-apiserver.ts';
import { type BackendProcess, type ProxyProcess, startBackend, startProxy } from './processes.ts';
import { hashOf, ownerRef, POD_APP_PORT, syncEndpointSlices } from './simulated/endpoint-slice-controller.ts';
import {
  allocatePodIp,
  forward,
  inboundBootstrap,
  POD_ADMIN_PORT,
  usedIps,
} from './simulated/pod-network.ts';

export { POD_APP_PORT } from './simulated/endpoint-slice-controller.ts';
export { allocatePodIp, inboundBootstrap, POD_ADMIN_PORT } from './simulated/pod-network.ts';

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
  /** The sidecar's `--hosts-file` (the cluster DNS a STRICT_DNS cluster resolves with: ClusterDns). */
  hostsFile?: string;
  /** The pod IP, allocated beforehand (allocatePodIp) when its bootstrap must be written first. */
  ip?: string;
  /**
   * More arguments of the sidecar, also shown as the container's `args` (e.g. `-c <mount>/envoy.yaml`
   * to run from a mounted ConfigMap: the last `-c` wins; `--no-watch` to behave like Envoy).
   */
  sidecarArgs?: (mounts: Record<string, string>) => string[];
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
      if (change.resource === 'pods' || change.resource === 'services')
        c.queue(() => syncEndpointSlices(c.api));
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

    const ip = spec.ip ?? (await allocatePodIp());
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
      proxy = await startProxy(bootstrap, {
        ...(spec.hostsFile !== undefined && { hostsFile: spec.hostsFile }),
        ...(spec.sidecarArgs !== undefined && { args: spec.sidecarArgs(mounts) }),
      });
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
        ...(spec.sidecarArgs !== undefined && { args: spec.sidecarArgs(mounts) }),
        // The simulated container sees the host's directories: a volume's mountPath is where it is.
        ...(Object.keys(mounts).length > 0 && {
          volumeMounts: Object.entries(mounts).map(([name, mountPath]) => ({ name, mountPath })),
        }),
      });
    }
    // Istio's injector points Prometheus at the merged endpoint (:15020); here the stats are the
    // proxy's own admin, so a simulated istio-proxy pod is annotated to say where they are.
    const annotations: Record<string, string> =
      sidecar === 'istio-proxy'
        ? {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(POD_ADMIN_PORT),
            'prometheus.io/path': '/stats/prometheus',
            ...spec.annotations,
          }
        : { ...spec.annotations };
    this.api.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
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

  /**
   * A ClusterIP Service, or a headless one (`clusterIP: None`, whose DNS name answers with the pod IPs:
   * ClusterDns); its EndpointSlice follows the Running pods its selector matches.
   */
  addService(
    name: string,
    opts: { namespace?: string; selector: Record<string, string>; port?: number; headless?: boolean },
  ): KubeObject {
    const clusterIP = opts.headless ? 'None' : `10.96.${randomInt(0, 256)}.${randomInt(1, 255)}`;
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
}
