import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  matchSummary,
  weightedRoutesFromConfigDump,
} from '../../../../server/sources/envoy/config-dump-routes.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

function staticListener(name: string, hcm: Record<string, unknown>) {
  return {
    listener: {
      '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener',
      name,
      filter_chains: [
        {
          filters: [
            { name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM, ...hcm } },
          ],
        },
      ],
    },
  };
}

const labRouteConfig = {
  name: 'local_route',
  virtual_hosts: [
    {
      name: 'backend',
      domains: ['*'],
      routes: [
        { match: { path: '/healthz' }, route: { cluster: 'backend_v1' } },
        {
          name: 'split',
          match: { prefix: '/' },
          route: {
            weighted_clusters: {
              runtime_key_prefix: 'routing.backend',
              total_weight: 100,
              clusters: [
                { name: 'backend_v1', weight: 80 },
                { name: 'backend_v2', weight: 20 },
              ],
            },
          },
        },
      ],
    },
  ],
};

describe('weightedRoutesFromConfigDump', () => {
  it('reads the RDS route of the Consul dump and attaches it to the listener that names it', () => {
    const doc = JSON.parse(
      readFileSync(join(ENVOY_FIXTURES, 'envoy_config_dump_consul_rds_weighted_clusters.json'), 'utf8'),
    );
    expect(weightedRoutesFromConfigDump(doc)).toEqual([
      {
        listener: 'outbound_listener:127.0.0.1:15001',
        routeConfig: 'backend',
        virtualHost: 'backend',
        routeIndex: 0,
        routeName: undefined,
        match: 'prefix /',
        runtimeKeyPrefix: undefined,
        // No total_weight in the dump: Envoy sums the weights.
        totalWeight: undefined,
        clusters: [
          { name: 'backend.default.dc1.internal.domain.consul', weight: 5000 },
          { name: 'backend2.default.dc1.internal.domain.consul', weight: 5000 },
        ],
      },
    ]);
  });

  it('reads a static listener inline route once, though Envoy lists it again in static_route_configs', () => {
    const doc = {
      configs: [
        { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: {} },
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
          static_listeners: [
            staticListener('listener_0', { stat_prefix: 'ingress_http', route_config: labRouteConfig }),
          ],
        },
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
          static_route_configs: [{ route_config: { '@type': 'x', ...labRouteConfig } }],
        },
      ],
    };
    expect(weightedRoutesFromConfigDump(doc)).toEqual([
      {
        listener: 'listener_0',
        routeConfig: 'local_route',
        virtualHost: 'backend',
        routeIndex: 1,
        routeName: 'split',
        match: 'prefix /',
        runtimeKeyPrefix: 'routing.backend',
        totalWeight: 100,
        clusters: [
          { name: 'backend_v1', weight: 80 },
          { name: 'backend_v2', weight: 20 },
        ],
      },
    ]);
  });

  it('reads lowerCamelCase dumps, the ?resource= form, omitted zero weights, and header matches', () => {
    const doc = {
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener',
          name: 'virtualOutbound',
          activeState: {
            listener: {
              name: '0.0.0.0_9080',
              filterChains: [
                {
                  filters: [
                    {
                      name: 'envoy.filters.network.http_connection_manager',
                      typedConfig: { '@type': HCM, rds: { routeConfigName: '9080' } },
                    },
                  ],
                },
              ],
            },
          },
        },
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig',
          routeConfig: {
            name: '9080',
            virtualHosts: [
              {
                name: 'reviews.default.svc.cluster.local:9080',
                routes: [
                  {
                    match: { prefix: '/', headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }] },
                    route: {
                      weightedClusters: {
                        clusters: [
                          { name: 'outbound|9080|v2|reviews.default.svc.cluster.local', weight: 100 },
                          { name: 'outbound|9080|v3|reviews.default.svc.cluster.local' },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    };
    expect(weightedRoutesFromConfigDump(doc)).toEqual([
      {
        listener: '0.0.0.0_9080',
        routeConfig: '9080',
        virtualHost: 'reviews.default.svc.cluster.local:9080',
        routeIndex: 0,
        routeName: undefined,
        match: 'prefix / headers end-user',
        runtimeKeyPrefix: undefined,
        totalWeight: undefined,
        clusters: [
          { name: 'outbound|9080|v2|reviews.default.svc.cluster.local', weight: 100 },
          { name: 'outbound|9080|v3|reviews.default.svc.cluster.local', weight: 0 },
        ],
      },
    ]);
  });

  it('finds nothing in a dump without weighted routes', () => {
    expect(weightedRoutesFromConfigDump({ configs: [] })).toEqual([]);
    expect(weightedRoutesFromConfigDump('garbage')).toEqual([]);
  });
});

describe('matchSummary', () => {
  it.each([
    [{ prefix: '/api' }, 'prefix /api'],
    [{ path: '/x', query_parameters: [{ name: 'v' }] }, 'path /x query v'],
    [{ safe_regex: { regex: '^/v[12]/' } }, 'regex ^/v[12]/'],
    [{ pathSeparatedPrefix: '/a' }, 'path_separated_prefix /a'],
  ])('%j → %s', (match, summary) => {
    expect(matchSummary(match)).toBe(summary);
  });
});
