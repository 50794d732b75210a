// request_mirror_policies on the real proxy (istio-traffic-management-lab.md 7.5 "Mirroring": all of
// v1's traffic copied to v2, written as the Envoy route Istio generates for it): the shadow gets a copy
// with the Host suffixed -shadow, counted under the shadow cluster; the caller only ever sees the
// primary's answer, even when the shadow is slow or failing; runtime_fraction's runtime key turns it off.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, stopAll } from '../../support/processes.ts';
import { type FlakyBackend, startFlakyBackend } from './flaky-backend.ts';
import { get, labBootstrap, promValue, upstreamCode } from './lab-bootstrap.ts';

let primary: FlakyBackend;
let shadow: FlakyBackend;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let base: string;

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  [primary, shadow] = await Promise.all([startFlakyBackend(), startFlakyBackend()]);
  const lab = labBootstrap({ backend_v1: primary.port, backend_v2: shadow.port });
  lab.routes.splice(0, lab.routes.length, {
    match: { prefix: '/' },
    route: {
      cluster: 'backend_v1',
      request_mirror_policies: [
        {
          cluster: 'backend_v2',
          runtime_fraction: { default_value: { numerator: 100 }, runtime_key: 'mirror.backend_v2' },
        },
      ],
    },
  });
  // /runtime_modify needs an admin layer (Envoy refuses it otherwise).
  lab.doc['layered_runtime'] = { layers: [{ name: 'admin', admin_layer: {} }] };
  proxy = await startProxy(lab.doc);
  base = `http://127.0.0.1:${proxy.listenerPort}`;
});

afterAll(async () => {
  await stopAll();
  await Promise.all([primary.close(), shadow.close()]);
});

describe('request_mirror_policies', () => {
  it('the shadow receives a copy with Host <host>-shadow; the caller sees the primary only', async () => {
    const r = await get(`${base}/headers`, undefined, { host: 'httpbin:8000', 'x-user': 'jason' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ path: '/headers', host: 'httpbin:8000' });
    await until(() => shadow.countFor('/headers') === 1, 'the shadow copy');
    const copy = shadow.requests.find((q) => q.path === '/headers')!;
    expect(copy.host).toBe('httpbin-shadow:8000');
    expect(copy.method).toBe('GET');
    expect(copy.headers['x-user']).toBe('jason');
    // The same x-request-id on both sides, as Envoy's shadow keeps the request's headers.
    const original = primary.requests.find((q) => q.path === '/headers')!;
    expect(copy.headers['x-request-id']).toBe(original.headers['x-request-id']);
  });

  it('a POST body is mirrored whole', async () => {
    const body = 'a'.repeat(70_000);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/upload`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    await until(() => shadow.countFor('/upload') === 1, 'the mirrored POST');
    expect(shadow.requests.find((q) => q.path === '/upload')!.body).toBe(body);
  });

  it('a failing or slow shadow changes nothing for the caller; its answers count under backend_v2', async () => {
    // /down/ is a 503 at the shadow too (both are flaky backends): the caller still gets the primary's.
    const down = await get(`${base}/down/x`);
    expect(down.status).toBe(503);
    const started = Date.now();
    const slow = await get(`${base}/slow-once/y`);
    expect(slow.status).toBe(200);
    // Both backends are slow on their first /slow-once/ request: the primary's 1 s is what the caller waits.
    expect(Date.now() - started).toBeLessThan(1800);
    const fast = await get(`${base}/fast/z`);
    expect(fast.status).toBe(200);
    await until(() => shadow.countFor('/slow-once/y') === 1 && shadow.countFor('/fast/z') === 1, 'shadows');
    await new Promise((r) => setTimeout(r, 1100)); // the slow shadow answers
    const s = (await proxy.admin('/stats/prometheus')).body;
    expect(upstreamCode(s, 'backend_v2', 503)).toBe(1);
    expect(upstreamCode(s, 'backend_v2', 200)).toBe(4);
    expect(promValue(s, 'envoy_cluster_upstream_rq_total', 'backend_v2')).toBe(5);
    expect(promValue(s, 'envoy_cluster_upstream_rq_total', 'backend_v1')).toBe(5);
  });

  it('runtime_fraction: the runtime key set to 0 stops the mirroring', async () => {
    expect((await proxy.admin('/runtime_modify?mirror.backend_v2=0', 'POST')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get(`${base}/off/${i}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(shadow.requests.filter((q) => q.path.startsWith('/off/'))).toHaveLength(0);
    expect(primary.requests.filter((q) => q.path.startsWith('/off/'))).toHaveLength(5);
  });
});
