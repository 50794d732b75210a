// Access log command operators filled by the real request path: a json_format log of one proxy, for an
// upstream answer, a route without a match, a direct response and an upstream that refuses connections.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ProxyProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';

let proxy: ProxyProcess;
let dir: string;
let logPath: string;
let backendPort: number;
let closedPort: number;

function address(port: number) {
  return { socket_address: { address: '127.0.0.1', port_value: port } };
}

function cluster(name: string, port: number) {
  return {
    name,
    connect_timeout: '1s',
    type: 'STATIC',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: address(port) } }] }],
    },
  };
}

function post(port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function logEntries(count: number): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const lines = readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
    if (lines.length >= count) return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    if (Date.now() > deadline) throw new Error(`${lines.length} access log lines, expected ${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-alog-'));
  logPath = join(dir, 'access.json');
  backendPort = (await startBackend({ name: 'v1' })).port;
  closedPort = await freePort();
  proxy = await startProxy({
    admin: { address: address(0) },
    static_resources: {
      listeners: [
        {
          name: 'ingress',
          address: address(0),
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'ingress',
                    http_filters: [{ name: 'envoy.filters.http.router' }],
                    route_config: {
                      name: 'local',
                      virtual_hosts: [
                        {
                          name: 'all',
                          domains: ['*'],
                          routes: [
                            { name: 'echo', match: { prefix: '/echo' }, route: { cluster: 'app' } },
                            { name: 'down', match: { prefix: '/down' }, route: { cluster: 'down' } },
                            {
                              name: 'health',
                              match: { path: '/healthz' },
                              direct_response: { status: 200, body: { inline_string: 'ok' } },
                            },
                          ],
                        },
                      ],
                    },
                    access_log: [
                      {
                        name: 'envoy.access_loggers.file',
                        typed_config: {
                          '@type':
                            'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
                          path: logPath,
                          log_format: {
                            json_format: {
                              path: '%REQ(:PATH)%',
                              code: '%RESPONSE_CODE%',
                              flags: '%RESPONSE_FLAGS%',
                              details: '%RESPONSE_CODE_DETAILS%',
                              route: '%ROUTE_NAME%',
                              cluster: '%UPSTREAM_CLUSTER%',
                              upstream: '%UPSTREAM_HOST%',
                              upstream_local: '%UPSTREAM_LOCAL_ADDRESS%',
                              failure: '%UPSTREAM_TRANSPORT_FAILURE_REASON%',
                              downstream_local: '%DOWNSTREAM_LOCAL_ADDRESS%',
                              downstream_remote: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%',
                              sni: '%REQUESTED_SERVER_NAME%',
                              bytes_received: '%BYTES_RECEIVED%',
                              request_duration: '%REQUEST_DURATION%',
                              response_duration: '%RESPONSE_DURATION%',
                              duration: '%DURATION%',
                              protocol: '%PROTOCOL%',
                              host: '%HOSTNAME%',
                              start: '%START_TIME(%Y-%m-%d)%',
                            },
                          },
                        },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [cluster('app', backendPort), cluster('down', closedPort)],
    },
  });
});

afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('access log operators through the proxy', () => {
  it('logs what each kind of answer knows', async () => {
    const port = proxy.listenerPort;
    expect(await post(port, '/echo', 'hello')).toBe(200);
    expect(await post(port, '/nowhere', '')).toBe(404);
    expect(await post(port, '/healthz', '')).toBe(200);
    expect(await post(port, '/down', '')).toBe(503);
    const [upstream, noRoute, direct, refused] = await logEntries(4);
    const today = new Date().toISOString().slice(0, 10);
    expect(upstream).toMatchObject({
      path: '/echo',
      code: 200,
      // Envoy prints - for no flags in JSON too (Istio's JSON logs show "response_flags": "-").
      flags: '-',
      details: 'via_upstream',
      route: 'echo',
      cluster: 'app',
      upstream: `127.0.0.1:${backendPort}`,
      failure: null,
      downstream_local: `127.0.0.1:${port}`,
      downstream_remote: '127.0.0.1',
      sni: null,
      bytes_received: 5,
      protocol: 'HTTP/1.1',
      host: hostname(),
      start: today,
    });
    expect(upstream?.['upstream_local']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(upstream?.['response_duration']).toBeGreaterThanOrEqual(0);
    expect(upstream?.['request_duration']).toBeGreaterThanOrEqual(0);
    expect(upstream?.['duration']).toBeGreaterThanOrEqual(upstream?.['response_duration'] as number);
    expect(noRoute).toMatchObject({ code: 404, flags: 'NR', details: 'route_not_found', route: null });
    expect(direct).toMatchObject({ code: 200, flags: '-', details: 'direct_response', route: 'health' });
    expect(refused).toMatchObject({
      code: 503,
      flags: 'UF',
      details: 'upstream_reset_before_response_started{connection_failure}',
      route: 'down',
      cluster: 'down',
    });
    expect(refused?.['failure']).toMatch(/ECONNREFUSED/);
    expect(refused?.['failure']).not.toMatch(/\s/);
  });
});
