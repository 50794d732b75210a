// A resource served at two versions, as Istio 1.22+ serves networking.istio.io at v1 and v1beta1: the
// fake's discovery lists both (v1 preferred), and one store answers both, each answer carrying the
// apiVersion of the URL it was asked at (get, list, watch, write), whichever version wrote the object.
import http from 'node:http';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.ts';

const GROUP = 'networking.istio.io';
const at = (version: string) => `/apis/${GROUP}/${version}/namespaces/default/virtualservices`;

let server: FakeKubeApiServer;

beforeEach(async () => {
  server = new FakeKubeApiServer();
  await server.start();
});

afterEach(() => server.close());

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as unknown };
}

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const virtualService = (name: string, version: string) => ({
  apiVersion: `${GROUP}/${version}`,
  kind: 'VirtualService',
  metadata: { name },
  spec: { hosts: [name] },
});

it('lists both versions in discovery, v1 preferred, each with the same resources', async () => {
  const { body: groups } = await call('/apis');
  expect((groups as { groups: unknown[] }).groups).toContainEqual({
    name: GROUP,
    versions: [
      { groupVersion: `${GROUP}/v1`, version: 'v1' },
      { groupVersion: `${GROUP}/v1beta1`, version: 'v1beta1' },
    ],
    preferredVersion: { groupVersion: `${GROUP}/v1`, version: 'v1' },
  });
  for (const version of ['v1', 'v1beta1']) {
    const { status, body } = await call(`/apis/${GROUP}/${version}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      groupVersion: `${GROUP}/${version}`,
      resources: [{ name: 'virtualservices' }, { name: 'destinationrules' }],
    });
  }
});

it('reads an object written at one version at the other, from one store', async () => {
  expect((await post(at('v1'), virtualService('a', 'v1'))).body).toMatchObject({ apiVersion: `${GROUP}/v1` });
  expect((await post(at('v1beta1'), virtualService('b', 'v1beta1'))).body).toMatchObject({
    apiVersion: `${GROUP}/v1beta1`,
  });
  // Either name at either version: the store is shared, so a create at the other version collides.
  expect((await post(at('v1beta1'), virtualService('a', 'v1beta1'))).status).toBe(409);
  for (const version of ['v1', 'v1beta1']) {
    for (const name of ['a', 'b']) {
      expect((await call(`${at(version)}/${name}`)).body).toMatchObject({
        apiVersion: `${GROUP}/${version}`,
        spec: { hosts: [name] },
      });
    }
    expect((await call(at(version))).body).toMatchObject({
      apiVersion: `${GROUP}/${version}`,
      items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
    });
  }
  const patched = await call(`${at('v1beta1')}/a`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ spec: { gateways: ['mesh'] } }),
  });
  expect(patched.body).toMatchObject({ apiVersion: `${GROUP}/v1beta1`, spec: { gateways: ['mesh'] } });
  expect((await call(`${at('v1')}/a`)).body).toMatchObject({ spec: { hosts: ['a'], gateways: ['mesh'] } });
});

it('streams a watch at its own version, whatever version the change was written at', async () => {
  const lines: string[] = [];
  const watch = await new Promise<http.IncomingMessage>((resolve, reject) =>
    http.get(`${server.url}${at('v1beta1')}?watch=true`, resolve).on('error', reject),
  );
  watch.setEncoding('utf8').on('data', (s: string) => lines.push(...s.split('\n').filter((l) => l !== '')));
  await post(at('v1'), virtualService('a', 'v1'));
  const deadline = Date.now() + 5_000;
  while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
    type: 'ADDED',
    object: { apiVersion: `${GROUP}/v1beta1`, metadata: { name: 'a' } },
  });
  watch.destroy();
});
