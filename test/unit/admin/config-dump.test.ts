import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handleConfigDump } from '../../../proxy/admin/config-dump.ts';
import type { Bootstrap } from '../../../proxy/config/model.ts';
import { fakeBootstrap } from '../../support/fake-admin-context.ts';
import { ENVOY_FIXTURES } from '../../support/shared-paths.ts';

const CONSUL = JSON.parse(
  readFileSync(`${ENVOY_FIXTURES}/envoy_config_dump_consul_rds_weighted_clusters.json`, 'utf8'),
);
const WHEN = new Date('2023-02-09T17:38:12.738Z');

function dump(b: Bootstrap, query = '') {
  const r = handleConfigDump(b, new URLSearchParams(query), WHEN);
  return { ...r, json: r.contentType === 'json' ? JSON.parse(r.body) : undefined };
}

/** The fixture's RDS route (backend 5000/5000) loaded from a file instead of ADS. */
function rdsBootstrap(): Bootstrap {
  const b = fakeBootstrap();
  const listener = structuredClone(b.listeners[0]!);
  listener.hcm.rdsPath = '/etc/envoy/rds.yaml';
  listener.hcm.routeConfig = {
    name: 'backend',
    virtualHosts: [
      {
        name: 'backend',
        domains: ['*'],
        routes: [
          {
            match: { prefix: '/', caseSensitive: true, headers: [], queryParameters: [] },
            action: {
              kind: 'route',
              weightedClusters: {
                clusters: [
                  { name: 'backend.default.dc1.internal.domain.consul', weight: 5000 },
                  { name: 'backend2.default.dc1.internal.domain.consul', weight: 5000 },
                ],
              },
              timeoutMs: 15000,
            },
          },
        ],
      },
    ],
  };
  return { ...b, listeners: [b.listeners[0]!, listener] };
}

describe('/config_dump', () => {
  it('lists the four dumps with their @type, in Envoy’s order, pretty-printed', () => {
    const r = dump(fakeBootstrap());
    expect(r.status).toBe(200);
    expect(r.body.startsWith('{\n "configs": [\n  {\n   "@type"')).toBe(true);
    expect(r.json.configs.map((c: { '@type': string }) => c['@type'])).toEqual([
      'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
      'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
      'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
      'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
    ]);
  });

  it('static resources carry their proto @type and last_updated in the fixture’s format', () => {
    const [bootstrap, clusters, listeners, routes] = dump(fakeBootstrap()).json.configs;
    expect(bootstrap.bootstrap.node).toEqual({ id: 'sidecar-1', cluster: 'frontend' });
    expect(bootstrap.last_updated).toBe('2023-02-09T17:38:12.738Z');
    expect(clusters.static_clusters.map((c: { cluster: { name: string } }) => c.cluster.name)).toEqual([
      'backend_v1',
      'backend_v2',
    ]);
    expect(clusters.static_clusters[0].cluster['@type']).toBe(
      'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    );

    const fixtureListener = CONSUL.configs[0].dynamic_listeners[0].active_state.listener;
    const ours = listeners.static_listeners[0];
    expect(Object.keys(ours)).toEqual(['listener', 'last_updated']);
    expect(ours.listener['@type']).toBe(fixtureListener['@type']);
    expect(Object.keys(ours.listener).slice(0, 3)).toEqual(Object.keys(fixtureListener).slice(0, 3));

    const fixtureRoute = CONSUL.configs[1].dynamic_route_configs[0];
    const inline = routes.static_route_configs[0];
    expect(inline.route_config['@type']).toBe(fixtureRoute.route_config['@type']);
    expect(inline.last_updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(inline.route_config.virtual_hosts[0].routes[0].route.weighted_clusters.clusters).toEqual([
      { name: 'backend_v1', weight: 80 },
      { name: 'backend_v2', weight: 20 },
    ]);
  });

  it('prints file-RDS routes as dynamic_route_configs shaped like Consul’s RDS dump', () => {
    const routes = dump(rdsBootstrap()).json.configs[3];
    const ours = routes.dynamic_route_configs[0];
    const fixture = CONSUL.configs[1].dynamic_route_configs[0];
    expect(ours.last_updated).toBe(fixture.last_updated);
    const { validate_clusters: _notModelled, ...fixtureRouteConfig } = fixture.route_config;
    expect(ours.route_config).toEqual(fixtureRouteConfig);
    // Same keys as the fixture except version_info, which a file source does not have.
    expect(Object.keys(ours)).toEqual(Object.keys(fixture).filter((k) => k !== 'version_info'));
  });

  it('?resource= returns each element packed with its own @type', () => {
    const r = dump(fakeBootstrap(), 'resource=static_clusters');
    expect(r.json.configs).toHaveLength(2);
    expect(r.json.configs[0]['@type']).toBe(
      'type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster',
    );
    expect(r.json.configs[0].cluster.name).toBe('backend_v1');
    expect(dump(fakeBootstrap(), 'resource=dynamic_active_clusters').json).toEqual({});
  });

  it('?resource= with ?mask= trims inside the packed resource', () => {
    const r = dump(fakeBootstrap(), 'resource=static_clusters&mask=cluster.name');
    expect(r.json.configs[1]).toEqual({
      '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump.StaticCluster',
      cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'backend_v2' },
    });
  });

  it('?mask= keeps the dumps it fits and trims them', () => {
    const r = dump(fakeBootstrap(), 'mask=static_clusters');
    expect(r.json.configs).toHaveLength(1);
    expect(Object.keys(r.json.configs[0])).toEqual(['@type', 'static_clusters']);
    const nested = dump(fakeBootstrap(), 'mask=bootstrap.node');
    expect(nested.json.configs).toEqual([
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
        bootstrap: { node: { id: 'sidecar-1', cluster: 'frontend' } },
      },
    ]);
  });

  it('?name_regex= keeps resources whose whole name matches', () => {
    const r = dump(fakeBootstrap(), 'resource=static_clusters&name_regex=.*_v2');
    expect(r.json.configs.map((c: { cluster: { name: string } }) => c.cluster.name)).toEqual(['backend_v2']);
  });

  it('answers Envoy’s errors', () => {
    expect(dump(fakeBootstrap(), 'resource=nothing')).toMatchObject({
      status: 404,
      body: 'nothing not found in config dump',
    });
    expect(dump(fakeBootstrap(), 'resource=bootstrap')).toMatchObject({
      status: 400,
      body: 'bootstrap is not a repeated field. Use ?mask=bootstrap to get only this field',
    });
    expect(dump(fakeBootstrap(), 'mask=no_such_field')).toMatchObject({
      status: 400,
      body: 'FieldMask no_such_field could not be successfully applied to any configs.',
    });
    expect(dump(fakeBootstrap(), 'resource=static_clusters&mask=nope')).toMatchObject({
      status: 400,
      body: 'FieldMask paths: "nope"\n could not be successfully used.',
    });
    expect(dump(fakeBootstrap(), 'name_regex=(').status).toBe(400);
  });
});
