// The Envoy bootstraps of the user labs, and the edits the labs ask users to make, load unchanged.

import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import type { Bootstrap, RouteAction } from '../../../proxy/config/model.ts';
import { seedBootstraps, seedFragment, seedYamlBlocks } from '../../support/seed-blocks.ts';
import { configError as captureError, type Doc } from './bootstrap-fixture.ts';

const LAB = 'envoy-sidecar-lab.md';
const BASICS = 'envoy-sidecar-basics.md';

function labBootstrapText(): string {
  const found = seedBootstraps(LAB);
  expect(found).toHaveLength(1);
  return found[0]!.text;
}

function labDoc(): Doc {
  return parse(labBootstrapText()) as Doc;
}

function firstRouteAction(b: Bootstrap): RouteAction {
  const action = b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!.action;
  if (action.kind !== 'route') throw new Error('expected a route action');
  return action;
}

describe('envoy-sidecar-lab: the ConfigMap envoy.yaml', () => {
  it('loads with weighted 80/20 routing over two STRICT_DNS clusters', () => {
    const b = parseBootstrap(labBootstrapText());
    expect(b.listeners).toHaveLength(1);
    const listener = b.listeners[0]!;
    expect(listener.name).toBe('listener_0');
    expect(listener.address).toEqual({ address: '0.0.0.0', port: 10000 });
    expect(listener.hcm.statPrefix).toBe('ingress_http');
    expect(listener.hcm.accessLogs).toEqual([{ sink: 'stdout' }]);
    expect(listener.hcm.httpFilters).toEqual([{ name: 'envoy.filters.http.router', typedConfig: {} }]);
    const vhost = listener.hcm.routeConfig.virtualHosts[0]!;
    expect(listener.hcm.routeConfig.name).toBe('local_route');
    expect(vhost.domains).toEqual(['*']);
    expect(vhost.routes[0]!.match.prefix).toBe('/');
    const action = firstRouteAction(b);
    expect(action.cluster).toBeUndefined();
    expect(action.weightedClusters?.clusters).toEqual([
      { name: 'backend_v1', weight: 80 },
      { name: 'backend_v2', weight: 20 },
    ]);
    expect(action.timeoutMs).toBe(15_000);

    expect(b.clusters.map((c) => c.name)).toEqual(['backend_v1', 'backend_v2']);
    for (const [i, c] of b.clusters.entries()) {
      expect(c.type).toBe('STRICT_DNS');
      expect(c.lbPolicy).toBe('ROUND_ROBIN');
      expect(c.connectTimeoutMs).toBe(250);
      expect(c.dnsRefreshRateMs).toBe(5_000);
      expect(c.endpoints).toEqual([
        { address: `backend-v${i + 1}.default.svc.cluster.local`, port: 80, weight: 1 },
      ]);
      expect(c.circuitBreakers).toBeUndefined();
    }
    expect(b.admin?.address).toEqual({ address: '0.0.0.0', port: 9901 });
    expect(b.layeredRuntime).toEqual([]);
    expect(b.node).toEqual({ id: '', cluster: '' });
  });

  it('loads the 50/50 weights of Paso 3.1', () => {
    const doc = labDoc();
    const fragment = seedFragment(LAB, 'weight: 50') as Doc;
    doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].route =
      fragment;
    const action = firstRouteAction(parseBootstrap(stringify(doc)));
    expect(action.weightedClusters?.clusters.map((c) => c.weight)).toEqual([50, 50]);
  });

  it('loads the circuit_breakers of Paso 3.2 into the cluster model', () => {
    const doc = labDoc();
    const fragment = seedFragment(LAB, 'circuit_breakers') as Doc;
    const edited = fragment.clusters[0];
    const index = doc.static_resources.clusters.findIndex((c: Doc) => c.name === edited.name);
    expect(index).toBe(0);
    Object.assign(doc.static_resources.clusters[index], edited);
    const b = parseBootstrap(stringify(doc));
    expect(b.clusters[0]!.circuitBreakers).toEqual({
      thresholds: [
        { priority: 'DEFAULT', maxConnections: 100, maxPendingRequests: 50, maxRequests: 100, maxRetries: 3 },
      ],
    });
    expect(b.clusters[1]!.circuitBreakers).toBeUndefined();
  });

  it('loads the retry_policy of Desafío 1 into the route model', () => {
    const doc = labDoc();
    const fragment = seedFragment(LAB, 'retry_policy') as Doc;
    doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes =
      fragment.routes;
    const action = firstRouteAction(parseBootstrap(stringify(doc)));
    expect(action.cluster).toBe('backend_v1');
    expect(action.retryPolicy).toEqual({ retryOn: ['5xx'], numRetries: 3 });
  });

  it('loads the timeout and idle_timeout of Desafío 2', () => {
    const doc = labDoc();
    const fragment = seedFragment(LAB, 'idle_timeout') as Doc;
    const route =
      doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0]
        .routes[0].route;
    Object.assign(route, fragment.route);
    const action = firstRouteAction(parseBootstrap(stringify(doc)));
    expect(action.timeoutMs).toBe(3_000);
    expect(action.idleTimeoutMs).toBe(30_000);
  });

  it('rejects the v2 tls_context of Desafío 3 as removed in v3, pointing at transport_socket', () => {
    const doc = labDoc();
    const fragment = seedFragment(LAB, 'tls_context') as Doc;
    Object.assign(doc.static_resources.clusters[1], fragment);
    const err = captureError(() => parseBootstrap(stringify(doc)));
    expect(err.path).toBe('static_resources.clusters[1].tls_context');
    expect(err.message).toContain("removed in Envoy's v3 API");
    expect(err.message).toContain('transport_socket');
  });
  it('explains that the ConfigMap file itself is not a bootstrap', () => {
    const configMap = seedYamlBlocks(LAB).find((b) => b.text.includes('kind: ConfigMap'))!;
    const err = captureError(() => parseBootstrap(configMap.text, { sourceName: 'envoy-config.yaml' }));
    expect(err.message).toBe(
      'envoy-config.yaml: this is a Kubernetes ConfigMap manifest, not an Envoy bootstrap; ' +
        'the bootstrap is one of its data entries (envoy.yaml)',
    );
  });
});

describe('envoy-sidecar-basics: envoy-demo.yaml', () => {
  it('loads: LOGICAL_DNS cluster with upstream TLS, host rewrite, router without typed_config', () => {
    const found = seedBootstraps(BASICS);
    expect(found).toHaveLength(1);
    const b = parseBootstrap(found[0]!.text);
    const hcm = b.listeners[0]!.hcm;
    expect(hcm.codecType).toBe('AUTO');
    expect(hcm.httpFilters).toEqual([{ name: 'envoy.filters.http.router' }]);
    expect(hcm.routeConfig.virtualHosts[0]!.name).toBe('local_service');
    const action = firstRouteAction(b);
    expect(action.cluster).toBe('service_google');
    expect(action.hostRewriteLiteral).toBe('www.google.com');
    const cluster = b.clusters[0]!;
    expect(cluster).toMatchObject({
      name: 'service_google',
      type: 'LOGICAL_DNS',
      dnsLookupFamily: 'V4_ONLY',
      connectTimeoutMs: 250,
      endpoints: [{ address: 'www.google.com', port: 443, weight: 1 }],
      tls: { sni: 'www.google.com' },
    });
    expect(b.admin).toEqual({
      address: { address: '0.0.0.0', port: 9901 },
      accessLogPath: '/tmp/admin_access.log',
    });
  });
});
