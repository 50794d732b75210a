import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policiesFromConfigDump } from '../../../../server/sources/envoy/config-dump-policies.ts';
import {
  durationMs,
  fractionPercent,
  headerMatcherSummary,
} from '../../../../server/sources/envoy/proto-values.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const T = 'type.googleapis.com/';
const HCM = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const FAULT = `${T}envoy.extensions.filters.http.fault.v3.HTTPFault`;
const ROUTER = `${T}envoy.extensions.filters.http.router.v3.Router`;
const TLS = `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`;

/** Shapes as the Envoy docs print them (proto field names, durations as "1.5s", wrappers bare). */
const clustersDump = {
  '@type': `${T}envoy.admin.v3.ClustersConfigDump`,
  static_clusters: [
    {
      cluster: {
        '@type': `${T}envoy.config.cluster.v3.Cluster`,
        name: 'backend_v1',
        connect_timeout: '0.250s',
        circuit_breakers: {
          thresholds: [
            { max_connections: 1, max_pending_requests: 1, max_requests: 100 },
            { priority: 'HIGH', max_retries: 5 },
          ],
        },
        outlier_detection: {
          consecutive_5xx: 3,
          interval: '1s',
          base_ejection_time: '30s',
          max_ejection_percent: 100,
        },
        health_checks: [
          {
            timeout: '1s',
            interval: '2s',
            unhealthy_threshold: 2,
            healthy_threshold: 1,
            http_health_check: { path: '/healthz' },
          },
        ],
      },
    },
  ],
  dynamic_active_clusters: [
    {
      cluster: {
        '@type': `${T}envoy.config.cluster.v3.Cluster`,
        name: 'backend_hash',
        lb_policy: 'RING_HASH',
        outlier_detection: {},
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': TLS,
            sni: 'backend.default.svc',
            common_tls_context: {
              tls_certificates: [{ certificate_chain: { filename: '/certs/client.pem' } }],
              validation_context: { trusted_ca: { filename: '/certs/ca.pem' } },
            },
          },
        },
      },
    },
    { cluster: { '@type': `${T}envoy.config.cluster.v3.Cluster`, name: 'plain', lb_policy: 'ROUND_ROBIN' } },
  ],
};

const listenersDump = {
  '@type': `${T}envoy.admin.v3.ListenersConfigDump`,
  static_listeners: [
    {
      listener: {
        name: 'outbound_10000',
        filter_chains: [
          {
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typed_config: {
                  '@type': HCM,
                  stat_prefix: 'egress_http',
                  http_filters: [
                    {
                      name: 'envoy.filters.http.fault',
                      typed_config: {
                        '@type': FAULT,
                        delay: { fixed_delay: '7s', percentage: { numerator: 100 } },
                        headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
                      },
                    },
                    { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } },
                  ],
                  route_config: {
                    name: 'local_route',
                    virtual_hosts: [
                      {
                        name: 'backend',
                        domains: ['*'],
                        retry_policy: { retry_on: 'connect-failure' },
                        routes: [
                          {
                            match: { prefix: '/hash' },
                            route: {
                              cluster: 'backend_hash',
                              hash_policy: [
                                { header: { header_name: 'x-user' } },
                                { connection_properties: { source_ip: true } },
                              ],
                            },
                          },
                          {
                            match: { prefix: '/' },
                            route: {
                              weighted_clusters: {
                                clusters: [
                                  { name: 'backend_v1', weight: 80 },
                                  { name: 'plain', weight: 20 },
                                ],
                              },
                              timeout: '3s',
                              idle_timeout: '30s',
                              retry_policy: {
                                retry_on: '5xx,gateway-error',
                                num_retries: 3,
                                per_try_timeout: '0.5s',
                              },
                              request_mirror_policies: [
                                {
                                  cluster: 'backend_shadow',
                                  runtime_fraction: {
                                    default_value: { numerator: 50, denominator: 'HUNDRED' },
                                  },
                                },
                              ],
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
      },
    },
  ],
};

/** Istio style: RDS route config, the HCM's fault filter empty, the fault set per route. */
const istioDump = {
  configs: [
    {
      '@type': `${T}envoy.admin.v3.ListenersConfigDump`,
      dynamic_listeners: [
        {
          active_state: {
            listener: {
              name: '0.0.0.0_9080',
              filter_chains: [
                {
                  filters: [
                    {
                      name: 'envoy.filters.network.http_connection_manager',
                      typed_config: {
                        '@type': HCM,
                        statPrefix: 'outbound_0.0.0.0_9080',
                        rds: { route_config_name: '9080' },
                        httpFilters: [
                          { name: 'envoy.filters.http.fault', typedConfig: { '@type': FAULT } },
                          { name: 'envoy.filters.http.router', typedConfig: { '@type': ROUTER } },
                        ],
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
    {
      '@type': `${T}envoy.admin.v3.RoutesConfigDump`,
      dynamic_route_configs: [
        {
          route_config: {
            name: '9080',
            virtualHosts: [
              {
                name: 'ratings.default.svc.cluster.local:9080',
                routes: [
                  {
                    match: { prefix: '/' },
                    route: { cluster: 'outbound|9080|v1|ratings.default.svc.cluster.local', timeout: '0s' },
                    typedPerFilterConfig: {
                      'envoy.filters.http.fault': {
                        '@type': FAULT,
                        abort: { httpStatus: 500, percentage: { numerator: 100000, denominator: 'MILLION' } },
                        headers: [{ name: 'end-user', stringMatch: { exact: 'jason' } }],
                      },
                    },
                  },
                  {
                    match: { prefix: '/plain' },
                    route: { cluster: 'outbound|9080|v2|ratings.default.svc.cluster.local' },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  ],
};

describe('policiesFromConfigDump', () => {
  const p = policiesFromConfigDump({ configs: [clustersDump, listenersDump] });

  it('reads circuit breakers with their priorities', () => {
    expect(p.clusters.get('backend_v1')?.circuitBreakers).toEqual([
      { priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1, maxRequests: 100 },
      { priority: 'HIGH', maxRetries: 5 },
    ]);
  });

  it('reads outlier detection, with Envoy defaults for omitted fields', () => {
    expect(p.clusters.get('backend_v1')?.outlierDetection).toEqual({
      consecutive5xx: 3,
      intervalMs: 1000,
      baseEjectionTimeMs: 30_000,
      maxEjectionPercent: 100,
    });
    expect(p.clusters.get('backend_hash')?.outlierDetection).toEqual({
      consecutive5xx: 5,
      intervalMs: 10_000,
      baseEjectionTimeMs: 30_000,
      maxEjectionPercent: 10,
    });
  });

  it('reads HTTP health checks, consistent-hash lb policies and upstream TLS', () => {
    expect(p.clusters.get('backend_v1')?.healthCheck).toEqual({
      path: '/healthz',
      intervalMs: 2000,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    });
    expect(p.clusters.get('backend_hash')?.hashLbPolicy).toBe('RING_HASH');
    expect(p.clusters.get('backend_hash')?.tls).toEqual({ sni: 'backend.default.svc', mutual: true });
    // A cluster with nothing to show is not listed.
    expect(p.clusters.has('plain')).toBe(false);
  });

  it('reads route retries, timeouts, mirrors and hash policies per cluster', () => {
    const hash = p.routes.find((r) => r.clusters.includes('backend_hash'));
    expect(hash).toMatchObject({
      listener: 'outbound_10000',
      statPrefix: 'egress_http',
      hashOn: ['header x-user', 'source ip'],
      // The virtual host's retry policy applies to routes without their own.
      retries: { retryOn: ['connect-failure'], numRetries: 1 },
      mirrors: [],
    });
    expect(hash?.timeoutMs).toBeUndefined();
    const weighted = p.routes.find((r) => r.clusters.includes('backend_v1'));
    expect(weighted).toMatchObject({
      clusters: ['backend_v1', 'plain'],
      retries: { retryOn: ['5xx', 'gateway-error'], numRetries: 3, perTryTimeoutMs: 500 },
      timeoutMs: 3000,
      idleTimeoutMs: 30_000,
      mirrors: [{ cluster: 'backend_shadow', percent: 50 }],
    });
  });

  it("applies the HCM's fault filter to its routes, header restriction included", () => {
    for (const r of p.routes) {
      expect(r.fault).toEqual({ headers: ['end-user = jason'], delay: { fixedDelayMs: 7000, percent: 100 } });
    }
  });

  it('reads per-route fault overrides (Istio) and ignores an empty filter config', () => {
    const istio = policiesFromConfigDump(istioDump);
    // The second route applies nothing: left out.
    expect(istio.routes).toHaveLength(1);
    const [faulty] = istio.routes;
    expect(faulty).toMatchObject({
      listener: '0.0.0.0_9080',
      statPrefix: 'outbound_0.0.0.0_9080',
      timeoutMs: 0,
      fault: { abort: { httpStatus: 500, percent: 10 }, headers: ['end-user = jason'] },
    });
  });

  it('finds nothing in a dump without policies (Consul fixture)', () => {
    const doc = JSON.parse(
      readFileSync(join(ENVOY_FIXTURES, 'envoy_config_dump_consul_rds_weighted_clusters.json'), 'utf8'),
    );
    const consul = policiesFromConfigDump(doc);
    expect(consul.clusters.size).toBe(0);
    // Its routes (weighted, plain) apply no retries, timeouts, mirrors, hashing or faults.
    expect(consul.routes).toEqual([]);
  });

  it('reads nothing from malformed input', () => {
    expect(policiesFromConfigDump(null)).toEqual({ clusters: new Map(), routes: [] });
    expect(policiesFromConfigDump({ configs: 'x' })).toEqual({ clusters: new Map(), routes: [] });
  });
});

describe('proto values', () => {
  it('reads durations in proto3 JSON, object and Go forms', () => {
    expect(durationMs('0.250s')).toBe(250);
    expect(durationMs('7s')).toBe(7000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs({ seconds: '2', nanos: 500_000_000 })).toBe(2500);
    expect(durationMs('0')).toBe(0);
    expect(durationMs('soon')).toBeUndefined();
    expect(durationMs(undefined)).toBeUndefined();
  });

  it('reads fractional percentages', () => {
    expect(fractionPercent({ numerator: 50 })).toBe(50);
    expect(fractionPercent({ numerator: 2500, denominator: 'TEN_THOUSAND' })).toBe(25);
    expect(fractionPercent({ numerator: 1, denominator: 'MILLION' })).toBeCloseTo(0.0001);
    expect(fractionPercent(undefined)).toBeUndefined();
  });

  it('words header matchers', () => {
    expect(headerMatcherSummary({ name: 'end-user', exact_match: 'jason' })).toBe('end-user = jason');
    expect(headerMatcherSummary({ name: 'x', safe_regex_match: { regex: '^a' } })).toBe('x ~ ^a');
    expect(headerMatcherSummary({ name: 'x', present_match: true })).toBe('x present');
    expect(headerMatcherSummary({ name: 'x', present_match: true, invert_match: true })).toBe('x absent');
    expect(headerMatcherSummary({ name: 'x', string_match: { prefix: 'j' } })).toBe('x starts with j');
  });
});
