import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handleConfigDump } from '../../../../proxy/admin/config-dump.ts';
import { parseBootstrap } from '../../../../proxy/config/load-bootstrap.ts';
import { clusterAddressesFromConfigDump } from '../../../../server/sources/envoy/config-dump-cluster-addresses.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const T = 'type.googleapis.com/';
const CLUSTER = `${T}envoy.config.cluster.v3.Cluster`;

function lbEndpoint(address: string, port: number) {
  return { endpoint: { address: { socket_address: { address, port_value: port } } } };
}

/** The seed lab's clusters as Envoy prints them with proto field names (`?include_eds` not asked). */
const snakeDump = {
  configs: [
    {
      '@type': `${T}envoy.admin.v3.ClustersConfigDump`,
      static_clusters: [
        {
          cluster: {
            '@type': CLUSTER,
            name: 'backend_v1',
            type: 'STRICT_DNS',
            load_assignment: {
              cluster_name: 'backend_v1',
              endpoints: [{ lb_endpoints: [lbEndpoint('backend-v1.default.svc.cluster.local', 80)] }],
            },
          },
        },
        {
          cluster: {
            '@type': CLUSTER,
            name: 'two_localities',
            load_assignment: {
              endpoints: [
                { lb_endpoints: [lbEndpoint('10.0.0.1', 80), lbEndpoint('10.0.0.2', 80)] },
                { lb_endpoints: [lbEndpoint('10.0.0.1', 8080), lbEndpoint('10.0.0.3', 80)] },
              ],
            },
          },
        },
        // EDS: endpoints come from the management server, none in the dump.
        { cluster: { '@type': CLUSTER, name: 'eds', type: 'EDS', eds_cluster_config: { eds_config: {} } } },
      ],
      dynamic_active_clusters: [
        {
          cluster: {
            '@type': CLUSTER,
            name: 'backend_v2',
            type: 'STRICT_DNS',
            load_assignment: {
              endpoints: [{ lb_endpoints: [lbEndpoint('backend-v2.default.svc.cluster.local', 80)] }],
            },
          },
        },
      ],
      // Not serving yet: left out, as the other config_dump readers leave it.
      dynamic_warming_clusters: [
        {
          cluster: {
            '@type': CLUSTER,
            name: 'warming',
            load_assignment: { endpoints: [{ lb_endpoints: [lbEndpoint('warming.default.svc', 80)] }] },
          },
        },
      ],
    },
  ],
};

describe('clusterAddressesFromConfigDump', () => {
  it('reads static and active dynamic clusters’ load_assignment addresses, each once', () => {
    expect(clusterAddressesFromConfigDump(snakeDump)).toEqual(
      new Map([
        ['backend_v1', ['backend-v1.default.svc.cluster.local']],
        ['two_localities', ['10.0.0.1', '10.0.0.2', '10.0.0.3']],
        ['backend_v2', ['backend-v2.default.svc.cluster.local']],
      ]),
    );
  });

  it('reads lowerCamelCase field names (Envoy’s default JSON printing)', () => {
    const camel = {
      configs: [
        {
          '@type': `${T}envoy.admin.v3.ClustersConfigDump`,
          dynamicActiveClusters: [
            {
              cluster: {
                '@type': CLUSTER,
                name: 'outbound|80||backend.default.svc.cluster.local',
                type: 'STRICT_DNS',
                loadAssignment: {
                  clusterName: 'outbound|80||backend.default.svc.cluster.local',
                  endpoints: [
                    {
                      lbEndpoints: [
                        {
                          endpoint: {
                            address: {
                              socketAddress: { address: 'backend.default.svc.cluster.local', portValue: 80 },
                            },
                          },
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
    };
    expect(clusterAddressesFromConfigDump(camel)).toEqual(
      new Map([['outbound|80||backend.default.svc.cluster.local', ['backend.default.svc.cluster.local']]]),
    );
  });

  it('reads the ?resource= form (one entry per cluster)', () => {
    const perResource = {
      configs: [
        {
          '@type': `${T}envoy.admin.v3.ClustersConfigDump.StaticCluster`,
          cluster: snakeDump.configs[0]!.static_clusters[0]!.cluster,
        },
      ],
    };
    expect(clusterAddressesFromConfigDump(perResource)).toEqual(
      new Map([['backend_v1', ['backend-v1.default.svc.cluster.local']]]),
    );
  });

  it('finds nothing in the Consul fixture (listeners and routes only) and in malformed input', () => {
    const consul: unknown = JSON.parse(
      readFileSync(`${ENVOY_FIXTURES}/envoy_config_dump_consul_rds_weighted_clusters.json`, 'utf8'),
    );
    expect(clusterAddressesFromConfigDump(consul).size).toBe(0);
    expect(clusterAddressesFromConfigDump(null).size).toBe(0);
    expect(clusterAddressesFromConfigDump({ configs: 'x' }).size).toBe(0);
    const noAddress = structuredClone(snakeDump);
    noAddress.configs[0]!.static_clusters[0]!.cluster.load_assignment!.endpoints = [
      { lb_endpoints: [{}] },
    ] as never;
    expect(clusterAddressesFromConfigDump(noAddress).has('backend_v1')).toBe(false);
  });

  it('reads the bundled proxy’s /config_dump of the seed lab bootstrap', () => {
    const text = `
static_resources:
  clusters:
    - name: backend_v1
      connect_timeout: 0.25s
      type: STRICT_DNS
      lb_policy: ROUND_ROBIN
      load_assignment:
        cluster_name: backend_v1
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: { address: backend-v1.default.svc.cluster.local, port_value: 80 }
`;
    const bootstrap = parseBootstrap(text, { sourceName: 'lab.yaml' });
    const res = handleConfigDump(bootstrap, new URLSearchParams(), new Date(0));
    expect(clusterAddressesFromConfigDump(JSON.parse(res.body))).toEqual(
      new Map([['backend_v1', ['backend-v1.default.svc.cluster.local']]]),
    );
  });
});
