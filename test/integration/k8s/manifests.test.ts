// The k8s/ kustomizations render with kubectl's kustomize, every object they render is valid against
// the Kubernetes (and Istio) schemas, and the objects fit what meshscope reads: its own flags, the
// sidecars it recognises, the ConfigMap it finds behind a runtime disk layer, the probes and ports it
// serves. Applying them to a cluster is test/integration/k8s/server-side-apply.test.ts.
import type { V1Container, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import { parseArgs } from '../../../server/cli/parse-args.ts';
import { podSidecar } from '../../../server/sources/kubernetes/pod-sidecar.ts';
import { configMapKeysFor } from '../../../server/weights/configmap-volume.ts';
import {
  find,
  KUSTOMIZATIONS,
  type Kustomization,
  type Rendered,
  type RenderedObject,
  renderKustomization,
} from '../../support/k8s-manifests.ts';
import { validateKubeObject } from '../../support/kube-schema.ts';

const rendered = new Map<Kustomization, Rendered>();

beforeAll(async () => {
  for (const k of KUSTOMIZATIONS) rendered.set(k, await renderKustomization(k));
}, 60_000);

const objectsOf = (k: Kustomization) => rendered.get(k)!.objects;
const deployment = (k: Kustomization, name: string, ns: string) =>
  find(objectsOf(k), 'Deployment', name, ns) as unknown as V1Deployment;
/** A Deployment's pod, as the API server would create it from the template. */
const podOf = (d: V1Deployment): V1Pod => ({
  metadata: { ...d.spec?.template.metadata, namespace: d.metadata?.namespace, name: `${d.metadata?.name}-0` },
  spec: d.spec?.template.spec,
});
const container = (d: V1Deployment, name: string): V1Container => {
  const c = d.spec?.template.spec?.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${d.metadata?.name}`);
  return c;
};

describe('every kustomization renders to schema-valid objects', () => {
  it.each(KUSTOMIZATIONS)('k8s/%s', async (k) => {
    const objects = objectsOf(k);
    expect(objects.length).toBeGreaterThan(5);
    const problems = (await Promise.all(objects.map((o) => validateKubeObject(o)))).flat();
    expect(problems).toEqual([]);
  });

  it('the validator itself rejects a misspelt field, a wrong type, a missing required field and an unknown kind', async () => {
    const d = structuredClone(find(objectsOf('base'), 'Deployment', 'meshscope')) as RenderedObject & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } }; selector?: unknown };
    };
    const c = d.spec.template.spec.containers[0]!;
    c['imagePullPolicyy'] = 'Always';
    c['ports'] = [{ containerPort: '20001' }];
    delete d.spec.selector;
    const messages = (await validateKubeObject(d)).map((p) => p.message).join('\n');
    expect(messages).toContain('unknown field spec.template.spec.containers[0].imagePullPolicyy');
    expect(messages).toMatch(/containerPort must be integer/);
    expect(messages).toMatch(/spec must have required property selector/);
    const vs = structuredClone(find(objectsOf('overlays/istio'), 'VirtualService', 'backend'));
    (vs['spec'] as { http: { route: { weight: unknown }[] }[] }).http[0]!.route[0]!.weight = '80';
    expect((await validateKubeObject(vs)).map((p) => p.message).join()).toMatch(/weight must be integer/);
    expect(await validateKubeObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} })).toEqual([
      { object: 'example.com/v1/Widget ?', message: 'no schema for example.com/v1 Widget' },
    ]);
  });
});

describe('base: meshscope in its namespace', () => {
  it('runs with the flags meshscope parses, on the port the Service targets, with the ServiceAccount the ClusterRole is bound to', () => {
    const objects = objectsOf('base');
    const d = deployment('base', 'meshscope', 'meshscope');
    const c = container(d, 'meshscope');
    const args = parseArgs(c.args ?? [], { KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(args).toMatchObject({ source: 'kubernetes', inCluster: true, address: '0.0.0.0', port: 20001 });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 20001 }]);

    const svc = find(objects, 'Service', 'meshscope', 'meshscope') as unknown as {
      spec: { selector: Record<string, string>; ports: { port: number; targetPort: string }[] };
    };
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 20001, targetPort: 'http' }]);
    expect(d.spec?.template.metadata?.labels).toMatchObject(svc.spec.selector);

    const binding = find(objects, 'ClusterRoleBinding', 'meshscope') as unknown as {
      roleRef: { kind: string; name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    };
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: 'meshscope' });
    find(objects, 'ClusterRole', 'meshscope');
    find(objects, 'ServiceAccount', d.spec?.template.spec?.serviceAccountName ?? '', 'meshscope');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: d.spec?.template.spec?.serviceAccountName, namespace: 'meshscope' },
    ]);
  });

  it('probes /healthz and /readyz, has requests and a memory limit, and keeps its state on a writable emptyDir', () => {
    const d = deployment('base', 'meshscope', 'meshscope');
    const c = container(d, 'meshscope');
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources?.limits?.['memory']).toBeDefined();
    const dataDir = c.env?.find((e) => e.name === 'MESHSCOPE_DATA_DIR')?.value;
    const mount = c.volumeMounts?.find((m) => m.mountPath === dataDir);
    expect(mount).toBeDefined();
    const volume = d.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.emptyDir).toBeDefined();
  });

  it('takes the write token from a Secret (optional: without it, only port-forwarded clients may write)', () => {
    const c = container(deployment('base', 'meshscope', 'meshscope'), 'meshscope');
    expect(c.env?.find((e) => e.name === 'MESHSCOPE_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'meshscope-token',
      key: 'token',
      optional: true,
    });
  });

  it.each(KUSTOMIZATIONS)(
    'k8s/%s: every pod in the meshscope namespace passes the restricted Pod Security Standard',
    (k) => {
      const ns = find(objectsOf(k), 'Namespace', 'meshscope');
      expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      const pods = objectsOf(k)
        .filter((o) => o.kind === 'Deployment' && o.metadata.namespace === 'meshscope')
        .map((o) => (o as unknown as V1Deployment).spec?.template.spec);
      expect(pods.length).toBe(1);
      for (const spec of pods) {
        expect(spec?.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const c of spec?.containers ?? []) {
          expect(c.securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
        }
      }
    },
  );
});

/** The frontend's bootstrap as the ConfigMap holds it, parsed by the proxy's own loader. */
function frontendBootstrap(k: Kustomization) {
  const cm = find(objectsOf(k), 'ConfigMap', 'frontend-envoy-config', 'meshscope-demo') as unknown as {
    data: Record<string, string>;
  };
  const text = cm.data['envoy.yaml'] ?? '';
  return { text, doc: YAML.parse(text) as Record<string, unknown>, model: parseBootstrap(text) };
}

describe.each([
  { k: 'overlays/demo' as const, sidecar: 'meshscope-proxy', image: /^meshscope:/ },
  { k: 'overlays/envoy' as const, sidecar: 'envoy', image: /^envoyproxy\/envoy:v\d/ },
])('$k: the sidecar lab with $sidecar', ({ k, sidecar, image }) => {
  it('meshscope recognises the frontend’s sidecar and scrapes its admin port 9901', () => {
    const d = deployment(k, 'frontend', 'meshscope-demo');
    expect(d.spec?.template.spec?.containers.map((c) => c.name).sort()).toEqual(['app', sidecar].sort());
    expect(container(d, sidecar).image).toMatch(image);
    expect(podSidecar(podOf(d))).toEqual({ kind: sidecar, port: 9901, statsPath: '/stats/prometheus' });
    expect(container(d, sidecar).readinessProbe?.httpGet).toEqual({ path: '/ready', port: 'admin' });
  });

  it('the bootstrap loads in meshscope-proxy, and its clusters resolve headless Services of the two versions', () => {
    const { model, doc } = frontendBootstrap(k);
    expect(model.listeners.length).toBe(1);
    const clusters = (doc['static_resources'] as { clusters: Record<string, unknown>[] }).clusters;
    for (const cluster of clusters) {
      expect(cluster['type']).toBe('STRICT_DNS');
      const address = JSON.stringify(cluster['load_assignment']).match(
        /"address":"([^".]+)\.([^".]+)\.svc\.cluster\.local","port_value":(\d+)/,
      );
      expect(address).not.toBeNull();
      const [, name, ns, port] = address!;
      const svc = find(objectsOf(k), 'Service', name!, ns) as unknown as {
        spec: { clusterIP?: string; ports: { port: number }[]; selector: Record<string, string> };
      };
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.ports.map((p) => p.port)).toContain(Number(port));
      const backend = objectsOf(k).find(
        (o) =>
          o.kind === 'Deployment' &&
          Object.entries(svc.spec.selector).every(
            ([key, v]) => (o as unknown as V1Deployment).spec?.template.metadata?.labels?.[key] === v,
          ),
      );
      expect(backend, `a Deployment behind Service ${name}`).toBeDefined();
    }
  });

  it('the runtime disk layer is the ConfigMap meshscope patches, holding the route’s keys at 80/20', () => {
    const { model, doc } = frontendBootstrap(k);
    const disk = model.layeredRuntime.find((l) => l.kind === 'disk');
    if (disk?.kind !== 'disk') throw new Error('no disk layer');
    const prefix = JSON.stringify(doc).match(/"runtime_key_prefix":"([^"]+)"/)?.[1];
    expect(prefix).toBe('routing.backend');
    const keys = [`${prefix}.backend_v1`, `${prefix}.backend_v2`];
    const dir = [disk.symlinkRoot, disk.subdirectory].filter(Boolean).join('/');
    const d = deployment(k, 'frontend', 'meshscope-demo');
    const found = configMapKeysFor(podOf(d), dir, keys);
    expect(found).toMatchObject({ ok: true, configMap: 'frontend-route-weights', container: sidecar });
    if (!found.ok) return;
    const cm = find(objectsOf(k), 'ConfigMap', found.configMap, 'meshscope-demo') as unknown as {
      data: Record<string, string>;
    };
    expect(keys.map((key) => cm.data[found.keys[key]!])).toEqual(['80', '20']);
  });

  it('a load generator sends traffic to the frontend’s sidecar listener through its Service', () => {
    const load = deployment(k, 'load-generator', 'meshscope-demo');
    const command = container(load, 'load').command?.join(' ') ?? '';
    const svc = find(objectsOf(k), 'Service', 'frontend', 'meshscope-demo') as unknown as {
      spec: { ports: { port: number; targetPort: string }[] };
    };
    expect(command).toContain(`http://frontend:${svc.spec.ports[0]?.port}/`);
    const sidecarPorts = container(deployment(k, 'frontend', 'meshscope-demo'), sidecar).ports ?? [];
    expect(sidecarPorts.find((p) => p.name === svc.spec.ports[0]?.targetPort)?.containerPort).toBe(10000);
  });
});

describe('overlays/istio: meshscope on an Istio mesh', () => {
  it('reads traffic from Istio’s Prometheus', () => {
    const c = container(deployment('overlays/istio', 'meshscope', 'meshscope'), 'meshscope');
    expect(parseArgs(c.args ?? [], { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toMatchObject({
      source: 'kubernetes',
      prometheus: 'http://prometheus.istio-system:9090',
    });
  });

  it('injects istio-proxy into the demo, and splits 80/20 over DestinationRule subsets that match the versions', () => {
    const objects = objectsOf('overlays/istio');
    const ns = find(objects, 'Namespace', 'meshscope-istio-demo');
    expect(ns.metadata.labels?.['istio-injection']).toBe('enabled');
    const vs = find(objects, 'VirtualService', 'backend', 'meshscope-istio-demo') as unknown as {
      spec: { http: { route: { destination: { host: string; subset: string }; weight: number }[] }[] };
    };
    const dr = find(objects, 'DestinationRule', 'backend', 'meshscope-istio-demo') as unknown as {
      spec: { host: string; subsets: { name: string; labels: Record<string, string> }[] };
    };
    const route = vs.spec.http[0]!.route;
    expect(route.map((r) => [r.destination.subset, r.weight])).toEqual([
      ['v1', 80],
      ['v2', 20],
    ]);
    for (const r of route) {
      expect(r.destination.host).toBe(dr.spec.host);
      const subset = dr.spec.subsets.find((s) => s.name === r.destination.subset);
      const versions = objects.filter(
        (o) =>
          o.kind === 'Deployment' &&
          o.metadata.namespace === 'meshscope-istio-demo' &&
          Object.entries(subset?.labels ?? { none: '' }).every(
            ([key, v]) => (o as unknown as V1Deployment).spec?.template.metadata?.labels?.[key] === v,
          ) &&
          (o as unknown as V1Deployment).spec?.template.metadata?.labels?.['app'] === 'backend',
      );
      expect(versions.map((o) => o.metadata.name)).toEqual([`backend-${r.destination.subset}`]);
    }
  });
});
