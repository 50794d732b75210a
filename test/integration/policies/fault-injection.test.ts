// The Istio lab's fault-injection exercise on our proxy (../shared/seeds/istio-traffic-management-lab.md,
// "Inyección de fallos"): the ratings VirtualService delays user jason's requests, written as Envoy's
// envoy.filters.http.fault config. Real proxy, real backend; the delay is shortened to keep the suite
// fast (the 7 s original is checked to load). An abort fault answers with its status, FI in the access
// log, and the fault stats count both.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const ROUTER = {
  name: 'envoy.filters.http.router',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
};
const DELAY_MS = 400;

let ratings: BackendProcess;
let proxy: ProxyProcess;
let dir: string;
let accessLogPath: string;

function jasonDelay(fixedDelay: string) {
  return {
    name: 'envoy.filters.http.fault',
    typed_config: {
      '@type': FAULT_TYPE,
      delay: { fixed_delay: fixedDelay, percentage: { numerator: 100, denominator: 'HUNDRED' } },
      headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
    },
  };
}

function listener(name: string, statPrefix: string, filters: unknown[], routes: unknown[], log?: string) {
  return {
    name,
    address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM_TYPE,
              stat_prefix: statPrefix,
              http_filters: [...filters, ROUTER],
              route_config: {
                name: `${name}_routes`,
                virtual_hosts: [{ name: 'ratings', domains: ['*'], routes }],
              },
              ...(log
                ? {
                    access_log: [
                      {
                        name: 'envoy.access_loggers.file',
                        typed_config: {
                          '@type':
                            'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
                          path: log,
                          log_format: {
                            text_format:
                              '%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %DURATION%\n',
                          },
                        },
                      },
                    ],
                  }
                : {}),
            },
          },
        ],
      },
    ],
  };
}

function bootstrap(backendPort: number, delay: string) {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    layered_runtime: { layers: [{ name: 'admin', admin_layer: {} }] },
    static_resources: {
      listeners: [
        listener(
          'ratings_in',
          'ratings',
          [jasonDelay(delay)],
          [
            {
              match: { prefix: '/abort' },
              route: { cluster: 'ratings' },
              // Per-route override (what Istio generates for a VirtualService fault): abort everyone.
              typed_per_filter_config: {
                'envoy.filters.http.fault': {
                  '@type': FAULT_TYPE,
                  abort: { http_status: 503, percentage: { numerator: 100 } },
                },
              },
            },
            { match: { prefix: '/' }, route: { cluster: 'ratings' } },
          ],
          accessLogPath,
        ),
        listener(
          'teapot',
          'teapot',
          [
            {
              name: 'envoy.filters.http.fault',
              typed_config: {
                '@type': FAULT_TYPE,
                abort: { http_status: 418, percentage: { numerator: 1_000_000, denominator: 'MILLION' } },
                headers: [{ name: 'x-fault', present_match: true }],
              },
            },
          ],
          [{ match: { prefix: '/' }, route: { cluster: 'ratings' } }],
        ),
        listener(
          'by_header',
          'by_header',
          [
            {
              name: 'envoy.filters.http.fault',
              typed_config: {
                '@type': FAULT_TYPE,
                // Envoy's header-controlled faults: the caller asks for them, max_active_faults bounds them.
                max_active_faults: 100,
                delay: { header_delay: {}, percentage: { numerator: 100 } },
                abort: { header_abort: {}, percentage: { numerator: 100 } },
              },
            },
          ],
          [{ match: { prefix: '/' }, route: { cluster: 'ratings' } }],
        ),
      ],
      clusters: [
        {
          name: 'ratings',
          connect_timeout: '1s',
          type: 'STATIC',
          load_assignment: {
            cluster_name: 'ratings',
            endpoints: [
              {
                lb_endpoints: [
                  {
                    endpoint: {
                      address: { socket_address: { address: '127.0.0.1', port_value: backendPort } },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  };
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        body += s;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - start }));
    });
    req.on('error', reject);
  });
}

async function stat(name: string): Promise<number> {
  const { body } = await proxy.admin(`/stats?filter=${encodeURIComponent(`^${name}$`)}`);
  const m = new RegExp(`^${name.replace(/\./g, '\\.')}: (\\d+)$`, 'm').exec(body);
  return m ? Number(m[1]) : Number.NaN;
}

async function accessLogLines(count: number): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const lines = readFileSync(accessLogPath, 'utf8').split('\n').filter(Boolean);
    if (lines.length >= count || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-fault-'));
  accessLogPath = join(dir, 'access.log');
  ratings = await startBackend({ name: 'ratings-v1' });
  proxy = await startProxy(bootstrap(ratings.port, `${DELAY_MS / 1000}s`));
});

afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('fault injection (Istio lab, 7.2)', () => {
  it("delays jason's requests by the fixed delay and nobody else's", async () => {
    const port = proxy.listenerPorts['ratings_in']!;
    const [jason, other, anonymous] = await Promise.all([
      get(port, '/ratings/0', { 'end-user': 'jason' }),
      get(port, '/ratings/0', { 'end-user': 'diego' }),
      get(port, '/ratings/0'),
    ]);
    expect([jason.status, other.status, anonymous.status]).toEqual([200, 200, 200]);
    expect(jason.body).toContain('ratings-v1');
    expect(jason.ms).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(other.ms).toBeLessThan(DELAY_MS / 2);
    expect(anonymous.ms).toBeLessThan(DELAY_MS / 2);
    expect(await stat('http.ratings.fault.delays_injected')).toBe(1);
    expect(await stat('http.ratings.fault.active_faults')).toBe(0);
    const lines = await accessLogLines(3);
    const delayed = lines.filter((l) => / DI /.test(l));
    expect(delayed).toHaveLength(1);
    expect(delayed[0]).toMatch(/^\/ratings\/0 200 DI via_upstream (\d+)$/);
    expect(Number(/(\d+)$/.exec(delayed[0]!)![1])).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });

  it("forwards a delayed request's body intact once the delay is over", async () => {
    const port = proxy.listenerPorts['ratings_in']!;
    const body = 'x'.repeat(200_000);
    const start = performance.now();
    const echoed = await new Promise<{ bodyLength: number }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/echo',
          method: 'POST',
          agent: false,
          headers: { 'end-user': 'jason' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (s: string) => {
            text += s;
          });
          res.on('end', () => resolve(JSON.parse(text) as { bodyLength: number }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(echoed.bodyLength).toBe(body.length);
    expect(performance.now() - start).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });

  it('keeps the active_faults gauge up while a delay is in progress', async () => {
    const port = proxy.listenerPorts['ratings_in']!;
    const pending = get(port, '/ratings/1', { 'end-user': 'jason' });
    await new Promise((r) => setTimeout(r, DELAY_MS / 4));
    expect(await stat('http.ratings.fault.active_faults')).toBe(1);
    expect((await pending).status).toBe(200);
    expect(await stat('http.ratings.fault.active_faults')).toBe(0);
  });

  it('aborts with the per-route status, FI in the access log, counted in aborts_injected', async () => {
    const port = proxy.listenerPorts['ratings_in']!;
    const before = (await ratings.stats()).requests;
    const r = await get(port, '/abort');
    expect(r.status).toBe(503);
    expect(r.body).toBe('fault filter abort');
    expect((await ratings.stats()).requests).toBe(before);
    expect(await stat('http.ratings.fault.aborts_injected')).toBe(1);
    const lines = await accessLogLines(5);
    expect(lines.find((l) => l.startsWith('/abort '))).toMatch(/^\/abort 503 FI fault_filter_abort \d+$/);
  });

  it('turns the delay off and on through the runtime (fault.http.delay.fixed_delay_percent)', async () => {
    const port = proxy.listenerPorts['ratings_in']!;
    expect((await proxy.admin('/runtime_modify?fault.http.delay.fixed_delay_percent=0', 'POST')).status).toBe(
      200,
    );
    const off = await get(port, '/ratings/0', { 'end-user': 'jason' });
    expect(off.ms).toBeLessThan(DELAY_MS / 2);
    expect((await proxy.admin('/runtime_modify?fault.http.delay.fixed_delay_percent=', 'POST')).status).toBe(
      200,
    );
    const on = await get(port, '/ratings/0', { 'end-user': 'jason' });
    expect(on.ms).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });

  it('aborts only requests whose headers match, with any status and denominator', async () => {
    const port = proxy.listenerPorts['teapot']!;
    expect((await get(port, '/', { 'x-fault': '1' })).status).toBe(418);
    expect((await get(port, '/')).status).toBe(200);
    expect(await stat('http.teapot.fault.aborts_injected')).toBe(1);
    expect(await stat('http.teapot.downstream_rq_4xx')).toBe(1);
  });
});

describe('header-controlled faults (header_delay, header_abort)', () => {
  it('delays or aborts as the request headers ask, and leaves other requests alone', async () => {
    const port = proxy.listenerPorts['by_header']!;
    const aborted = await get(port, '/', { 'x-envoy-fault-abort-request': '429' });
    expect(aborted.status).toBe(429);
    const delayed = await get(port, '/', { 'x-envoy-fault-delay-request': String(DELAY_MS) });
    expect(delayed.status).toBe(200);
    expect(delayed.ms).toBeGreaterThanOrEqual(DELAY_MS - 5);
    const plain = await get(port, '/');
    expect(plain.status).toBe(200);
    expect(plain.ms).toBeLessThan(DELAY_MS / 2);
    expect(await stat('http.by_header.fault.aborts_injected')).toBe(1);
    expect(await stat('http.by_header.fault.delays_injected')).toBe(1);
  });
});

describe("the lab's 7 s delay", () => {
  it('loads as Envoy config and holds jason past 1 s while others pass', async () => {
    const lab = await startProxy(bootstrap(ratings.port, '7s'));
    try {
      const port = lab.listenerPorts['ratings_in']!;
      expect((await get(port, '/ratings/0', { 'end-user': 'diego' })).status).toBe(200);
      let answered = false;
      const jason = get(port, '/ratings/0', { 'end-user': 'jason' }).then(() => {
        answered = true;
      });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(answered).toBe(false);
      const { body } = await lab.admin('/stats?filter=fault');
      expect(body).toMatch(/^http\.ratings\.fault\.active_faults: 1$/m);
      jason.catch(() => undefined);
    } finally {
      // Not waiting out the 7 s (a SIGTERM drain would): this proxy is done.
      await lab.stop('SIGKILL');
    }
  });
});
