// `kubectl apply --server-side -k` of the demo, envoy and istio overlays (the README's one apply),
// against the fake API server: every object is
// created in one go (cluster-scoped ones included), a second apply creates nothing new, and what the
// cluster holds afterwards is what was rendered. The fake's server-side apply is simplified (no
// managedFields; see FakeKubeApiServer.applyPatch); schema validation is manifests.test.ts's job, so
// kubectl's own (which needs the server's OpenAPI document, not faked) is off. The istio overlay's
// VirtualService and DestinationRule are networking.istio.io/v1, which the fake serves beside v1beta1
// (Istio 1.22+), the version the dashboard's informers read them at.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../support/fake-kube/resources.ts';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.ts';
import { findKubectl, K8S_DIR, renderKustomization } from '../../support/k8s-manifests.ts';

let server: FakeKubeApiServer;
let dir: string;

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const all = [`--server=${server.url}`, `--cache-dir=${join(dir, 'cache')}`, ...args];
  const env = { ...process.env, KUBECONFIG: join(dir, 'empty-kubeconfig') };
  return new Promise((resolve) => {
    execFile(findKubectl(), all, { timeout: 30_000, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-ssa-'));
  writeFileSync(join(dir, 'empty-kubeconfig'), '');
});

beforeEach(async () => {
  await server?.close();
  server = new FakeKubeApiServer();
  await server.start();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['overlays/demo', 'overlays/envoy', 'overlays/istio'] as const)(
  'kubectl apply --server-side -k k8s/%s',
  (overlay) => {
    it('applies every object, then again without creating anything', async () => {
      const demo = await renderKustomization(overlay);
      const kustomization = join(K8S_DIR, overlay);
      const first = await kubectl('apply', '--server-side', '--validate=false', '-k', kustomization);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const lines = first.stdout.trim().split('\n');
      expect(lines).toHaveLength(demo.objects.length);
      for (const line of lines) expect(line).toMatch(/ serverside-applied$/);

      // Every rendered object is in the cluster as rendered (the fake adds only metadata of its own).
      for (const o of demo.objects) {
        const stored = server.get(o.kind, o.metadata.namespace ?? '', o.metadata.name);
        expect(stored, `${o.kind} ${o.metadata.name}`).toBeDefined();
        const { metadata: _m, ...body } = o;
        expect(stored).toMatchObject(body);
        expect(stored?.metadata).toMatchObject(o.metadata);
      }
      // The server saw PATCHes with the apply content type and kubectl's field manager, nothing else.
      const writes = server.requests.filter((r) => r.method !== 'GET');
      expect(writes).toHaveLength(demo.objects.length);
      for (const w of writes) {
        expect(w.method).toBe('PATCH');
        expect(w.headers['content-type']).toBe('application/apply-patch+yaml');
        expect(w.url).toMatch(/[?&]fieldManager=kubectl(&|$)/);
      }

      const before = server.store.resourceVersion;
      const second = await kubectl('apply', '--server-side', '--validate=false', '-k', kustomization);
      expect(second.code).toBe(0);
      expect(second.stdout.trim().split('\n')).toHaveLength(demo.objects.length);
      // Re-applied objects are written again (the fake does not compare), but nothing new appears.
      for (const type of RESOURCE_TYPES) {
        const rendered = demo.objects.filter((o) => o.kind === type.kind).length;
        expect(server.store.list(type.resource).length, type.kind).toBe(rendered);
      }
      expect(Number(server.store.resourceVersion)).toBeGreaterThan(Number(before));
    });
  },
);

it('serves the istio overlay, applied at v1, to a reader at v1beta1 (the dashboard informers)', async () => {
  const istio = await renderKustomization('overlays/istio');
  const applied = await kubectl(
    'apply',
    '--server-side',
    '--validate=false',
    '-k',
    join(K8S_DIR, 'overlays/istio'),
  );
  expect(applied.code).toBe(0);
  const rendered = istio.objects.filter((o) => o.apiVersion === 'networking.istio.io/v1');
  expect(rendered.map((o) => o.kind).sort()).toEqual(['DestinationRule', 'VirtualService']);
  const got = await kubectl(
    'get',
    'virtualservices.v1beta1.networking.istio.io,destinationrules.v1beta1.networking.istio.io',
    '--all-namespaces',
    '--output=json',
  );
  expect(got.code).toBe(0);
  const items = (JSON.parse(got.stdout) as { items: Record<string, unknown>[] }).items;
  expect(items).toHaveLength(rendered.length);
  for (const o of rendered) {
    const { metadata, apiVersion: _v1, ...body } = o;
    expect(items).toContainEqual(
      expect.objectContaining({
        ...body,
        apiVersion: 'networking.istio.io/v1beta1',
        metadata: expect.objectContaining(metadata),
      }),
    );
  }
});

it('answers an apply without a field manager with 422, as the API server does', async () => {
  const res = await fetch(`${server.url}/api/v1/namespaces/meshscope-demo/configmaps/x`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
    body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
  });
  expect(res.status).toBe(422);
  expect(server.get('ConfigMap', 'meshscope-demo', 'x')).toBeUndefined();
});
