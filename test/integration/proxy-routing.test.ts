// Route matching and route actions end to end, through the real proxy to real backends: the parts of
// Envoy's route configuration the labs and Istio-style configs lean on.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendProcess, startBackend, startProxy, stopAll } from '../support/processes.ts';

let v1: BackendProcess;
let v2: BackendProcess;
let v3: BackendProcess;
let proxy: Awaited<ReturnType<typeof startProxy>>;

function cluster(name: string, ports: number[], lb = 'ROUND_ROBIN') {
  return {
    name,
    connect_timeout: '1s',
    type: 'STATIC',
    lb_policy: lb,
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: ports.map((port) => ({
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } },
          })),
        },
      ],
    },
  };
}

beforeAll(async () => {
  [v1, v2, v3] = await Promise.all([
    startBackend({ name: 'v1' }),
    startBackend({ name: 'v2' }),
    startBackend({ name: 'v3' }),
  ]);
  const routes = [
    {
      match: { prefix: '/', headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] },
      route: { cluster: 'v2' },
    },
    {
      match: { prefix: '/', query_parameters: [{ name: 'canary', string_match: { exact: 'yes' } }] },
      route: { cluster: 'v3' },
    },
    { match: { path: '/healthz' }, direct_response: { status: 200, body: { inline_string: 'proxy ok' } } },
    { match: { prefix: '/api/v1/' }, route: { cluster: 'v1', prefix_rewrite: '/' } },
    {
      match: { safe_regex: { regex: '/items/[0-9]+' } },
      route: { cluster: 'v2', host_rewrite_literal: 'items.internal' },
    },
    { match: { prefix: '/random' }, route: { cluster: 'random' } },
    { match: { prefix: '/least' }, route: { cluster: 'least' } },
    { match: { prefix: '/' }, route: { cluster: 'v1' } },
  ];
  proxy = await startProxy({
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          name: 'l',
          address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'routing',
                    http_filters: [{ name: 'envoy.filters.http.router' }],
                    route_config: {
                      name: 'r',
                      virtual_hosts: [
                        {
                          name: 'other',
                          domains: ['other.example.com'],
                          routes: [{ match: { prefix: '/' }, route: { cluster: 'v3' } }],
                        },
                        { name: 'main', domains: ['*'], routes },
                      ],
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        cluster('v1', [v1.port]),
        cluster('v2', [v2.port]),
        cluster('v3', [v3.port]),
        cluster('random', [v1.port, v2.port], 'RANDOM'),
        cluster('least', [v1.port, v2.port, v3.port], 'LEAST_REQUEST'),
      ],
    },
  });
});

afterAll(stopAll);

const agent = new http.Agent({ keepAlive: true });

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; backend: string | undefined; body: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: proxy.listenerPort, path, headers, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            backend: res.headers['x-backend'] as string | undefined,
            body,
          }),
        );
      })
      .on('error', reject);
  });
}

describe('route matching', () => {
  it('routes by header, query parameter, exact path, regex and prefix, in order', async () => {
    expect((await get('/', { 'end-user': 'jason' })).backend).toBe('v2');
    expect((await get('/?canary=yes')).backend).toBe('v3');
    expect((await get('/?canary=no')).backend).toBe('v1');
    expect((await get('/items/12')).backend).toBe('v2');
    expect((await get('/items/12/x')).backend).toBe('v1');
    expect((await get('/', { host: 'other.example.com' })).backend).toBe('v3');
  });

  it('answers direct_response routes itself', async () => {
    const r = await get('/healthz');
    expect([r.status, r.body, r.backend]).toEqual([200, 'proxy ok', undefined]);
  });

  // host_rewrite_literal is exercised by the envoy-sidecar-basics seed test (seed-labs.test.ts).
  it('rewrites the path prefix, and keeps the Host header when the route does not rewrite it', async () => {
    const echo = JSON.parse((await get('/api/v1/echo?q=1')).body);
    expect(echo.url).toBe('/echo?q=1');
    const hostEcho = JSON.parse((await get('/api/v1/echo')).body);
    expect(hostEcho.headers.host).toBe(`127.0.0.1:${proxy.listenerPort}`);
  });
});

describe('load balancing', () => {
  it('RANDOM spreads over both hosts; LEAST_REQUEST over all three', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const b = (await get('/random')).backend!;
      seen.set(b, (seen.get(b) ?? 0) + 1);
    }
    expect(seen.get('v1')! + seen.get('v2')!).toBe(200);
    expect(Math.min(seen.get('v1')!, seen.get('v2')!)).toBeGreaterThan(60);
    const least = new Set<string>();
    for (let i = 0; i < 60; i++) least.add((await get('/least')).backend!);
    expect([...least].sort()).toEqual(['v1', 'v2', 'v3']);
  });
});
