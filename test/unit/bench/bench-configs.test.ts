import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { benchBootstrap, renderBenchBootstrap } from '../../../bench/proxy/envoy-bootstrap.ts';
import {
  originBody,
  renderNginxProxyConfig,
  renderOriginConfig,
} from '../../../bench/proxy/nginx-configs.ts';

const clusters = [
  { name: 'primary', port: 9001, weight: 80 },
  { name: 'canary', port: 9002, weight: 20 },
];

describe('the Envoy bootstrap for our proxy', () => {
  it('round-trips through YAML into a listener with a weighted route over two STATIC clusters', () => {
    const document = parse(renderBenchBootstrap({ listenPort: 8000, adminPort: 8001, clusters }));
    expect(document).toEqual(benchBootstrap({ listenPort: 8000, adminPort: 8001, clusters }));
    expect(document.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 8001 });
    const [listener] = document.static_resources.listeners;
    expect(listener.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 8000 });
    const [filter] = listener.filter_chains[0].filters;
    expect(filter.name).toBe('envoy.filters.network.http_connection_manager');
    const hcm = filter.typed_config;
    expect(hcm['@type']).toBe(
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    );
    expect(hcm.stat_prefix).toBe('bench_http');
    expect(hcm.access_log).toBeUndefined();
    expect(hcm.http_filters.map((f: { name: string }) => f.name)).toEqual(['envoy.filters.http.router']);
    const [route] = hcm.route_config.virtual_hosts[0].routes;
    expect(route.match).toEqual({ prefix: '/' });
    expect(route.route.weighted_clusters.clusters).toEqual([
      { name: 'primary', weight: 80 },
      { name: 'canary', weight: 20 },
    ]);
    const ports = document.static_resources.clusters.map(
      (c: {
        type: string;
        load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: unknown } }[] }[] };
      }) => [c.type, c.load_assignment.endpoints[0]?.lb_endpoints[0]?.endpoint.address],
    );
    expect(ports).toEqual([
      ['STATIC', { socket_address: { address: '127.0.0.1', port_value: 9001 } }],
      ['STATIC', { socket_address: { address: '127.0.0.1', port_value: 9002 } }],
    ]);
  });

  it('adds a file access log when asked', () => {
    const document = parse(
      renderBenchBootstrap({ listenPort: 1, adminPort: 2, clusters, accessLogPath: '/tmp/x/access.log' }),
    );
    const hcm = document.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    expect(hcm.access_log).toEqual([
      {
        name: 'envoy.access_loggers.file',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
          path: '/tmp/x/access.log',
        },
      },
    ]);
  });
});

describe('the nginx configurations', () => {
  it('the origin listens on every port and answers the fixed body', () => {
    const config = renderOriginConfig({ workDir: '/w', ports: [9001, 9002], workers: 1 });
    expect(config).toContain('listen 127.0.0.1:9001;');
    expect(config).toContain('listen 127.0.0.1:9002;');
    expect(config).toContain(`return 200 ${JSON.stringify(originBody)};`);
    expect(config).toContain('access_log off;');
    expect(config).toContain('pid /w/origin.pid;');
  });

  it('the reference proxy: one worker, keepalive 64, HTTP/1.1 upstream, Connection cleared, weighted 80/20', () => {
    const config = renderNginxProxyConfig({
      workDir: '/w',
      listenPort: 8000,
      upstreams: [
        { port: 9001, weight: 80 },
        { port: 9002, weight: 20 },
      ],
    });
    for (const directive of [
      'worker_processes 1;',
      'daemon off;',
      'access_log off;',
      'listen 127.0.0.1:8000;',
      'server 127.0.0.1:9001 weight=80;',
      'server 127.0.0.1:9002 weight=20;',
      'keepalive 64;',
      'proxy_pass http://origin;',
      'proxy_http_version 1.1;',
      'proxy_set_header Connection "";',
    ]) {
      expect(config).toContain(directive);
    }
  });
});
