// envoy-sidecar-lab.md "Desafío 2: Timeout" on the real proxy: the lab's `timeout: 3s` and
// `idle_timeout: 30s` on its route; a backend slower than the timeout gives 504 UT and
// upstream_rq_timeout. Also the route idle_timeout alone (504 "stream timeout", SI,
// downstream_rq_idle_timeout) and `timeout: 0s` disabling the route timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';
import { get, labBootstrap, labFragment, promValue, withAccessLog } from './lab-bootstrap.ts';

let v1: BackendProcess;
let v2: BackendProcess;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let base: string;

async function loggedLine(path: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const line = proxy.stdout.split('\n').find((l) => l.startsWith(`LOG ${path} `));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no access log line for ${path}:\n${proxy.stdout}`);
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  const lab = labBootstrap({ backend_v1: v1.port, backend_v2: v2.port });
  const fragment = labFragment('idle_timeout')['route'] as Record<string, unknown>;
  expect(fragment).toEqual({ timeout: '3s', idle_timeout: '30s' });
  // The lab's route (weighted 80/20) with the challenge's two fields added, as the lab says.
  const labRoute = lab.routes[0] as { route: Record<string, unknown> };
  Object.assign(labRoute.route, fragment);
  lab.routes.unshift(
    { match: { prefix: '/idle/' }, route: { cluster: 'backend_v1', timeout: '0s', idle_timeout: '0.3s' } },
    { match: { prefix: '/unlimited/' }, route: { cluster: 'backend_v1', timeout: '0s' } },
  );
  withAccessLog(lab.hcm);
  proxy = await startProxy(lab.doc);
  base = `http://127.0.0.1:${proxy.listenerPort}`;
});

afterAll(stopAll);

function timeouts(text: string): number {
  return ['backend_v1', 'backend_v2']
    .map((c) => promValue(text, 'envoy_cluster_upstream_rq_timeout', c) ?? 0)
    .reduce((a, b) => a + b, 0);
}

describe('Desafío 2: route timeout 3s, idle_timeout 30s', () => {
  it('a backend faster than the timeout answers as usual', async () => {
    const r = await get(`${base}/delay/100`);
    expect(r.status).toBe(200);
    expect(r.headers['x-envoy-upstream-service-time']).toBeDefined();
  });

  it('a backend slower than 3 s: 504 UT after 3 s, counted in upstream_rq_timeout', async () => {
    const started = Date.now();
    const r = await get(`${base}/delay/5000`);
    const took = Date.now() - started;
    expect(r.status).toBe(504);
    expect(r.body).toBe('upstream request timeout');
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(4500);
    expect(timeouts((await proxy.admin('/stats/prometheus')).body)).toBe(1);
    expect(await loggedLine('/delay/5000')).toMatch(/^LOG \/delay\/5000 504 UT backend_v[12]$/);
  });
});

describe('idle_timeout and timeout: 0s', () => {
  it('no byte for idle_timeout: 504 "stream timeout" with SI, downstream_rq_idle_timeout', async () => {
    const started = Date.now();
    const r = await get(`${base}/idle/delay/2000`);
    expect(r.status).toBe(504);
    expect(r.body).toBe('stream timeout');
    expect(Date.now() - started).toBeLessThan(1500);
    const s = (await proxy.admin('/stats?filter=downstream_rq_idle_timeout')).body;
    expect(s).toMatch(/downstream_rq_idle_timeout: 1$/m);
    expect(await loggedLine('/idle/delay/2000')).toBe('LOG /idle/delay/2000 504 SI backend_v1');
  });

  it('timeout: 0s disables the route timeout', async () => {
    const r = await get(`${base}/unlimited/delay/600`);
    expect(r.status).toBe(200);
  });
});
