// Bad input is rejected with the offending field's path (and its line), never ignored.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import {
  configError,
  type Doc,
  firstRouteOf,
  HCM_PATH,
  hcmOf,
  load,
  loadError,
  minimalDoc,
  ROUTE_PATH,
} from './bootstrap-fixture.ts';

describe('syntax', () => {
  it('reports malformed YAML with its line and column', () => {
    const text = 'static_resources:\n  clusters:\n  - name: a\n    type: [STATIC\n';
    const err = configError(() => parseBootstrap(text, { sourceName: 'envoy.yaml' }));
    expect(err.path).toBe('');
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/^envoy\.yaml: invalid YAML: .+ \(line 5, column \d+\)$/);
  });

  it('reports a duplicate key as a YAML error on the second occurrence', () => {
    const err = configError(() => parseBootstrap('admin: {}\nadmin: {}\n'));
    expect(err.line).toBe(2);
    expect(err.message).toContain('unique');
  });

  it('reports malformed JSON as JSON, with its line', () => {
    const text = '{\n  "static_resources": {\n    "clusters": [],\n  }\n}\n';
    const err = configError(() => parseBootstrap(text, { format: 'json', sourceName: 'envoy.json' }));
    expect(err.message).toMatch(/^envoy\.json: invalid JSON: /);
    expect(err.line).toBe(4);
  });

  it('rejects an empty document', () => {
    expect(configError(() => parseBootstrap('')).message).toBe('the bootstrap is empty');
  });
});

describe('unknown and unsupported fields', () => {
  it('names an unknown field deep in the document, with a suggestion and its line', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).route.weighted_clusters.clusters[1].wieght = 3;
    const text = stringify(doc);
    const err = configError(() => parseBootstrap(text));
    expect(err.path).toBe(`${ROUTE_PATH}.route.weighted_clusters.clusters[1].wieght`);
    expect(err.message).toContain('is an unknown field (did you mean "weight"?)');
    const expectedLine = text.split('\n').findIndex((l) => l.includes('wieght:')) + 1;
    expect(err.line).toBe(expectedLine);
  });

  it('rejects Envoy fields that are not implemented yet, saying so', () => {
    const cases: [(d: Doc) => void, string][] = [
      [
        (d) => (d.static_resources.clusters[0].outlier_detection = { success_rate_minimum_hosts: 5 }),
        'static_resources.clusters[0].outlier_detection.success_rate_minimum_hosts',
      ],
      [
        (d) => (d.static_resources.clusters[1].lb_subset_config = {}),
        'static_resources.clusters[1].lb_subset_config',
      ],
      [
        (d) => (firstRouteOf(d).route.hash_policy = [{ query_parameter: { name: 'x' } }]),
        `${ROUTE_PATH}.route.hash_policy[0].query_parameter`,
      ],
      [(d) => (firstRouteOf(d).route.rate_limits = []), `${ROUTE_PATH}.route.rate_limits`],
      [(d) => (firstRouteOf(d).route.cors = {}), `${ROUTE_PATH}.route.cors`],
      [(d) => (firstRouteOf(d).redirect = { path_redirect: '/x' }), `${ROUTE_PATH}.redirect`],
      [
        (d) => (d.static_resources.clusters[0].lb_policy = 'CLUSTER_PROVIDED'),
        'static_resources.clusters[0].lb_policy',
      ],
      [(d) => (d.static_resources.clusters[0].type = 'EDS'), 'static_resources.clusters[0].type'],
      [(d) => (d.dynamic_resources = {}), 'dynamic_resources'],
    ];
    for (const [edit, path] of cases) {
      const doc = minimalDoc();
      edit(doc);
      const err = loadError(doc);
      expect(err.path).toBe(path);
      expect(err.message).toContain('not supported by meshscope-proxy yet');
    }
  });

  it('rejects an HTTP filter other than the router', () => {
    const doc = minimalDoc();
    hcmOf(doc).http_filters.unshift({ name: 'envoy.filters.http.cors' });
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.http_filters[0].name`);
    expect(err.message).toContain('not supported by meshscope-proxy yet');
  });

  it('rejects the v2 hosts list of a cluster', () => {
    const doc = minimalDoc();
    doc.static_resources.clusters[0].hosts = [{ socket_address: { address: '127.0.0.1', port_value: 1 } }];
    const err = loadError(doc);
    expect(err.path).toBe('static_resources.clusters[0].hosts');
    expect(err.message).toContain("removed in Envoy's v3 API; use load_assignment");
  });
});

describe('typed_config @type', () => {
  it('rejects the v2 HttpConnectionManager type', () => {
    const doc = minimalDoc();
    hcmOf(doc)['@type'] =
      'type.googleapis.com/envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager';
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.@type`);
    expect(err.message).toContain('v2 API type');
  });

  it('rejects another network filter as not supported, and garbage as wrong', () => {
    const doc = minimalDoc();
    hcmOf(doc)['@type'] = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
    expect(loadError(doc).message).toContain('not supported by meshscope-proxy yet');
    hcmOf(doc)['@type'] = 'HttpConnectionManager';
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.@type`);
    expect(err.message).toContain('must be "type.googleapis.com/envoy.extensions.filters.network');
  });

  it('requires an @type', () => {
    const doc = minimalDoc();
    delete hcmOf(doc)['@type'];
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.@type`);
    expect(err.detail).toMatch(/^is required/);
  });
});

describe('values', () => {
  it('rejects durations that are not proto3 JSON durations', () => {
    for (const bad of ['5 seconds', '5', '-1s', '1.5m', 5]) {
      const doc = minimalDoc();
      doc.static_resources.clusters[1].connect_timeout = bad;
      const err = loadError(doc);
      expect(err.path).toBe('static_resources.clusters[1].connect_timeout');
    }
  });

  it('accepts durations as strings and as {seconds, nanos}', () => {
    const doc = minimalDoc();
    doc.static_resources.clusters[0].connect_timeout = '1.5s';
    doc.static_resources.clusters[1].connect_timeout = { seconds: 2, nanos: 500_000_000 };
    firstRouteOf(doc).route.timeout = '0s';
    const b = load(doc);
    expect(b.clusters.map((c) => c.connectTimeoutMs)).toEqual([1500, 2500]);
    const action = b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!.action;
    expect(action.kind === 'route' && action.timeoutMs).toBe(0);
  });

  it('rejects a port out of range and an unknown enum value', () => {
    const doc = minimalDoc();
    doc.static_resources.listeners[0].address.socket_address.port_value = 70000;
    expect(loadError(doc).path).toBe('static_resources.listeners[0].address.socket_address.port_value');
    const doc2 = minimalDoc();
    doc2.static_resources.clusters[0].lb_policy = 'ROUNDROBIN';
    const err = loadError(doc2);
    expect(err.path).toBe('static_resources.clusters[0].lb_policy');
    expect(err.message).toContain('must be one of ROUND_ROBIN, RANDOM, LEAST_REQUEST');
  });

  it('requires IP addresses in STATIC clusters', () => {
    const doc = minimalDoc();
    doc.static_resources.clusters[1].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address =
      'backend.local';
    const err = loadError(doc);
    expect(err.path).toBe(
      'static_resources.clusters[1].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address',
    );
    expect(err.message).toContain('IP address');
  });

  it('reports a missing required field', () => {
    const doc = minimalDoc();
    delete hcmOf(doc).stat_prefix;
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.stat_prefix`);
    expect(err.message).toBe(`${HCM_PATH}.stat_prefix is required (line 16, column 15)`);
  });

  it('keeps further problems of the same document in `more`', () => {
    const doc = minimalDoc();
    doc.static_resources.clusters[0].lb_policy = 'NOPE';
    doc.static_resources.clusters[1].connect_timeout = 'soon';
    const err = loadError(doc);
    expect(err.path).toBe('static_resources.clusters[0].lb_policy');
    expect(err.more).toHaveLength(1);
    expect(err.more[0]).toContain('static_resources.clusters[1].connect_timeout');
  });
});

describe('references and uniqueness', () => {
  it('rejects a weighted cluster naming an undefined cluster', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).route.weighted_clusters.clusters[1].name = 'x';
    expect(loadError(doc).message).toMatch(
      new RegExp(
        `^${ROUTE_PATH.replace(/[[\].]/g, '\\$&')}\\.route\\.weighted_clusters\\.clusters\\[1\\]\\.name: unknown cluster "x"`,
      ),
    );
  });

  it('rejects a route cluster naming an undefined cluster unless validate_clusters is false', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).route = { cluster: 'nope' };
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.route.cluster`);
    hcmOf(doc).route_config.validate_clusters = false;
    expect(load(doc).listeners).toHaveLength(1);
  });

  it('refuses weights that add up to 0, and a total_weight that is not the sum', () => {
    const doc = minimalDoc();
    const wc = firstRouteOf(doc).route.weighted_clusters;
    wc.clusters[0].weight = 0;
    wc.clusters[1].weight = 0;
    const err = loadError(doc);
    expect(err.path).toBe(`${ROUTE_PATH}.route.weighted_clusters`);
    expect(err.message).toContain('add up to 0');
    wc.clusters[0].weight = 80;
    wc.clusters[1].weight = 20;
    wc.total_weight = 99;
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.route.weighted_clusters.total_weight`);
    wc.total_weight = 100;
    expect(load(doc).listeners).toHaveLength(1);
  });

  it('rejects weights beyond uint32', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).route.weighted_clusters.clusters[0].weight = 2 ** 32;
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.route.weighted_clusters.clusters[0].weight`);
    firstRouteOf(doc).route.weighted_clusters.clusters[0].weight = 2 ** 32 - 1;
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.route.weighted_clusters`);
  });

  it('rejects duplicate cluster and listener names and duplicate domains', () => {
    const doc = minimalDoc();
    doc.static_resources.clusters[1].name = 'v1';
    expect(loadError(doc).path).toBe('static_resources.clusters[1].name');

    const doc2 = minimalDoc();
    const second = structuredClone(doc2.static_resources.listeners[0]);
    second.address.socket_address.port_value = 10001;
    doc2.static_resources.listeners.push(second);
    expect(loadError(doc2).path).toBe('static_resources.listeners[1].name');
    second.name = 'other';
    second.address.socket_address.port_value = 10000;
    expect(loadError(doc2).path).toBe('static_resources.listeners[1].address');

    const doc3 = minimalDoc();
    const vhosts = hcmOf(doc3).route_config.virtual_hosts;
    vhosts.push({ name: 'other', domains: ['example.com', '*'], routes: [] });
    const err = loadError(doc3);
    expect(err.path).toBe(`${HCM_PATH}.route_config.virtual_hosts[1].domains[1]`);
    expect(err.message).toContain('"backend"');
  });

  it('needs exactly one HTTP connection manager per listener', () => {
    const doc = minimalDoc();
    const chain = doc.static_resources.listeners[0].filter_chains[0];
    chain.filters.push(structuredClone(chain.filters[0]));
    expect(loadError(doc).path).toBe('static_resources.listeners[0].filter_chains[0].filters');
    chain.filters = [];
    expect(loadError(doc).path).toBe('static_resources.listeners[0].filter_chains[0].filters');
  });

  it('needs route_config or rds, not both', () => {
    const doc = minimalDoc();
    delete hcmOf(doc).route_config;
    expect(loadError(doc).path).toBe(HCM_PATH);
  });
});

describe('spelling and formats', () => {
  it('accepts lowerCamelCase field names and keeps free-form keys as written', () => {
    const json = JSON.stringify({
      staticResources: {
        listeners: [
          {
            address: { socketAddress: { address: '127.0.0.1', portValue: 10000 } },
            filterChains: [
              {
                filters: [
                  {
                    name: 'envoy.filters.network.http_connection_manager',
                    typedConfig: {
                      '@type':
                        'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                      statPrefix: 'in',
                      codecType: 'HTTP1',
                      httpFilters: [{ name: 'envoy.filters.http.router' }],
                      routeConfig: {
                        virtualHosts: [
                          {
                            name: 'vh',
                            domains: ['Example.COM'],
                            routes: [
                              {
                                match: { prefix: '/', caseSensitive: false },
                                route: { cluster: 'c', idleTimeout: '10s', prefixRewrite: '/v2/' },
                              },
                            ],
                          },
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
          {
            name: 'c',
            connectTimeout: '1s',
            lbPolicy: 'LEAST_REQUEST',
            loadAssignment: {
              clusterName: 'c',
              endpoints: [
                {
                  lbEndpoints: [
                    {
                      endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 80 } } },
                      loadBalancingWeight: 3,
                    },
                  ],
                },
              ],
            },
          },
        ],
      },
      layeredRuntime: { layers: [{ name: 'base', staticLayer: { 'routing.someFlag': { nestedKey: 1 } } }] },
    });
    const b = parseBootstrap(json);
    expect(b.listeners[0]!.name).toBe('127.0.0.1_10000');
    expect(b.listeners[0]!.hcm.codecType).toBe('HTTP1');
    const vh = b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!;
    expect(vh.domains).toEqual(['example.com']);
    expect(vh.routes[0]!.match.caseSensitive).toBe(false);
    expect(vh.routes[0]!.action).toMatchObject({
      cluster: 'c',
      idleTimeoutMs: 10_000,
      prefixRewrite: '/v2/',
    });
    expect(b.clusters[0]).toMatchObject({ lbPolicy: 'LEAST_REQUEST', connectTimeoutMs: 1000 });
    expect(b.clusters[0]!.endpoints).toEqual([{ address: '10.0.0.1', port: 80, weight: 3 }]);
    expect(b.layeredRuntime).toEqual([
      { kind: 'static', name: 'base', values: { 'routing.someFlag': { nestedKey: 1 } } },
    ]);
    expect(Object.keys(b.raw)).toEqual(['static_resources', 'layered_runtime']);
    const raw = b.raw as Doc;
    expect(
      raw.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight,
    ).toBe(3);
    expect(raw.layered_runtime.layers[0].static_layer).toEqual({ 'routing.someFlag': { nestedKey: 1 } });
  });

  it('rejects a field given in both spellings', () => {
    const doc = minimalDoc();
    doc.static_resources.listeners[0].address.socket_address.portValue = 10000;
    const err = loadError(doc);
    expect(err.path).toBe('static_resources.listeners[0].address.socket_address.port_value');
    expect(err.message).toContain('given twice');
  });

  it('loads the same bootstrap from JSON and YAML alike', () => {
    const doc = minimalDoc();
    const fromJson = parseBootstrap(JSON.stringify(doc, null, 2), { format: 'json' });
    const fromYaml = load(doc);
    expect(fromJson).toEqual(fromYaml);
    expect(fromJson.clusters).toHaveLength(2);
  });

  it('overrides node id and cluster like --service-node / --service-cluster', () => {
    const doc = minimalDoc();
    doc.node = { id: 'from-file', cluster: 'file-cluster' };
    expect(load(doc).node).toEqual({ id: 'from-file', cluster: 'file-cluster' });
    const b = parseBootstrap(stringify(doc), { serviceNode: 'sidecar~1', serviceCluster: 'frontend' });
    expect(b.node).toEqual({ id: 'sidecar~1', cluster: 'frontend' });
  });
});
