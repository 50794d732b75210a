// envoy-sidecar-lab.md "Desafío 1: Retry Policy" on the real proxy: the lab's routes block (retry_on
// 5xx, num_retries 3) turns a flaky backend's 503s into 200s, counted in upstream_rq_retry and
// upstream_rq_retry_success; a backend that never recovers exhausts the budget (503, URX,
// upstream_rq_retry_limit_exceeded); the max_retries breaker refuses a retry (UO,
// upstream_rq_retry_overflow); resets, per-try timeouts and request bodies are replayed.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';
import { type FlakyBackend, startFlakyBackend } from './flaky-backend.ts';
import { get, labBootstrap, labFragment, promValue, upstreamCode, withAccessLog } from './lab-bootstrap.ts';

let flaky: FlakyBackend;
let v2: BackendProcess;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let base: string;

async function stats(): Promise<string> {
  return (await proxy.admin('/stats/prometheus')).body;
}

const counter = async (name: string) => promValue(await stats(), `envoy_cluster_${name}`, 'backend_v1');

async function loggedLine(path: string): Promise<string> {
  // The access log is flushed every 100 ms.
  for (let i = 0; i < 50; i++) {
    const line = proxy.stdout.split('\n').find((l) => l.startsWith(`LOG ${path} `));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no access log line for ${path}:\n${proxy.stdout}`);
}

beforeAll(async () => {
  [flaky, v2] = await Promise.all([startFlakyBackend(), startBackend({ name: 'v2' })]);
  const lab = labBootstrap({ backend_v1: flaky.port, backend_v2: v2.port });
  // The lab's block, as written: routes → prefix "/" → backend_v1 with retry_policy.
  const labRoutes = labFragment('retry_policy')['routes'] as Record<string, unknown>[];
  expect(labRoutes[0]).toMatchObject({
    route: { cluster: 'backend_v1', retry_policy: { retry_on: '5xx', num_retries: 3 } },
  });
  lab.routes.splice(
    0,
    lab.routes.length,
    // Test-only routes first: the same policy with a per-try timeout, and one with reset retries.
    {
      match: { prefix: '/slow-once/' },
      route: {
        cluster: 'backend_v1',
        retry_policy: { retry_on: '5xx', num_retries: 2, per_try_timeout: '0.2s' },
      },
    },
    {
      match: { prefix: '/overflow/' },
      route: { cluster: 'backend_v2', retry_policy: { retry_on: '5xx', num_retries: 3 } },
    },
    ...labRoutes,
  );
  // backend_v2 refuses every retry (max_retries 0) and always fails.
  lab.cluster('backend_v2')['circuit_breakers'] = { thresholds: [{ max_retries: 0 }] };
  withAccessLog(lab.hcm);
  proxy = await startProxy(lab.doc);
  base = `http://127.0.0.1:${proxy.listenerPort}`;
});

afterAll(async () => {
  await stopAll();
  await flaky.close();
});

describe('Desafío 1: retry_on 5xx, num_retries 3', () => {
  it('a flaky backend’s 503s become 200s, every retry counted', async () => {
    const before = { retry: (await counter('upstream_rq_retry')) ?? 0 };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await get(`${base}/flaky/a`)).status);
    expect(statuses).toEqual(Array(10).fill(200));
    // Each request: a 503, then a retry that succeeds.
    expect(flaky.countFor('/flaky/a')).toBe(20);
    const s = await stats();
    expect(promValue(s, 'envoy_cluster_upstream_rq_retry', 'backend_v1')! - before.retry).toBe(10);
    expect(promValue(s, 'envoy_cluster_upstream_rq_retry_success', 'backend_v1')).toBeGreaterThanOrEqual(10);
    expect(upstreamCode(s, 'backend_v1', 503)).toBeGreaterThanOrEqual(10);
    expect(promValue(s, 'envoy_cluster_circuit_breakers_default_rq_retry_open', 'backend_v1')).toBe(0);
    expect(await loggedLine('/flaky/a')).toBe('LOG /flaky/a 200 - backend_v1');
  });

  it('a backend that stays down: 1 + 3 attempts, then its 503 with URX', async () => {
    const exceeded = (await counter('upstream_rq_retry_limit_exceeded')) ?? 0;
    const r = await get(`${base}/down/b`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ n: 4 });
    expect(flaky.countFor('/down/b')).toBe(4);
    expect(await counter('upstream_rq_retry_limit_exceeded')).toBe(exceeded + 1);
    expect(await loggedLine('/down/b')).toBe('LOG /down/b 503 URX backend_v1');
  });

  it('a request body is sent again with the retry', async () => {
    const body = JSON.stringify({ order: 42, items: ['a', 'b'] });
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${base}/flaky/post`, { method: 'POST', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          text += s;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ n: 2, body });
    expect(flaky.requests.filter((q) => q.path === '/flaky/post').map((q) => q.body)).toEqual([body, body]);
  });

  it('a body past the 1 MiB replay buffer is not retried: retry_or_shadow_abandoned, the 503 goes out', async () => {
    const body = Buffer.alloc(1536 * 1024, 'x');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/flaky/big`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(503);
    expect(flaky.countFor('/flaky/big')).toBe(1);
    expect(await counter('retry_or_shadow_abandoned')).toBe(1);
  });

  it('a connection reset before any answer is retried (5xx covers resets)', async () => {
    const r = await get(`${base}/reset-once/c`);
    expect(r.status).toBe(200);
    expect(flaky.countFor('/reset-once/c')).toBe(2);
  });

  it('per_try_timeout: a slow first attempt is abandoned and retried (upstream_rq_per_try_timeout)', async () => {
    const perTry = (await counter('upstream_rq_per_try_timeout')) ?? 0;
    const started = Date.now();
    const r = await get(`${base}/slow-once/d`);
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(900);
    expect(JSON.parse(r.body)).toMatchObject({ n: 2 });
    expect(await counter('upstream_rq_per_try_timeout')).toBe(perTry + 1);
  });

  it('max_retries 0: the retry overflows the breaker, the 503 goes out with UO', async () => {
    const r = await get(`${base}/overflow/status/503`);
    expect(r.status).toBe(503);
    const s = await stats();
    expect(promValue(s, 'envoy_cluster_upstream_rq_retry_overflow', 'backend_v2')).toBe(1);
    expect(promValue(s, 'envoy_cluster_upstream_rq_retry', 'backend_v2')).toBe(0);
    expect(promValue(s, 'envoy_cluster_circuit_breakers_default_rq_retry_open', 'backend_v2')).toBe(1);
    expect(await loggedLine('/overflow/status/503')).toBe('LOG /overflow/status/503 503 UO backend_v2');
  });
});
