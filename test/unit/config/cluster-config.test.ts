// Clusters: discovery types, endpoints, TLS, circuit breakers and their defaults.

import { describe, expect, it } from 'vitest';
import { type Doc, load, loadError, minimalDoc } from './bootstrap-fixture.ts';

function withCluster(edit: (c: Doc) => void) {
  const doc = minimalDoc();
  edit(doc.static_resources.clusters[0]);
  return doc;
}

function endpoint(address: string, port: number, extra: Doc = {}): Doc {
  return { endpoint: { address: { socket_address: { address, port_value: port } } }, ...extra };
}

describe('clusters', () => {
  it("fills Envoy's defaults", () => {
    const c = load(minimalDoc()).clusters[0]!;
    expect(c).toEqual({
      name: 'v1',
      type: 'STATIC',
      lbPolicy: 'ROUND_ROBIN',
      connectTimeoutMs: 5_000,
      dnsRefreshRateMs: 5_000,
      dnsLookupFamily: 'AUTO',
      endpoints: [{ address: '127.0.0.1', port: 8081, weight: 1 }],
    });
  });

  it('flattens endpoints of several localities with weights and hostnames', () => {
    const doc = withCluster((c) => {
      c.type = 'STRICT_DNS';
      c.lb_policy = 'RANDOM';
      c.dns_refresh_rate = '2s';
      c.dns_lookup_family = 'V4_ONLY';
      c.load_assignment.endpoints = [
        { lb_endpoints: [endpoint('a.svc', 80, { load_balancing_weight: 5 }), endpoint('10.0.0.2', 81)] },
        {
          priority: 0,
          lb_endpoints: [{ endpoint: { ...endpoint('b.svc', 82).endpoint, hostname: 'b.example' } }],
        },
      ];
    });
    const c = load(doc).clusters[0]!;
    expect(c).toMatchObject({
      type: 'STRICT_DNS',
      lbPolicy: 'RANDOM',
      dnsRefreshRateMs: 2_000,
      dnsLookupFamily: 'V4_ONLY',
    });
    expect(c.endpoints).toEqual([
      { address: 'a.svc', port: 80, weight: 5 },
      { address: '10.0.0.2', port: 81, weight: 1 },
      { address: 'b.svc', port: 82, weight: 1, hostname: 'b.example' },
    ]);
  });

  it('needs exactly one endpoint in a LOGICAL_DNS cluster', () => {
    const doc = withCluster((c) => {
      c.type = 'LOGICAL_DNS';
      c.load_assignment.endpoints[0].lb_endpoints.push(endpoint('b.svc', 80));
    });
    const err = loadError(doc);
    expect(err.path).toBe('static_resources.clusters[0].load_assignment');
    expect(err.message).toContain('exactly one endpoint');
  });

  it('rejects priorities other than 0, zero endpoint weights and zero timeouts', () => {
    const prio = withCluster((c) => {
      c.load_assignment.endpoints[0].priority = 1;
    });
    expect(loadError(prio).message).toContain('not supported by meshscope-proxy yet');
    const weight = withCluster((c) => {
      c.load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight = 0;
    });
    expect(loadError(weight).path).toBe(
      'static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight',
    );
    const timeout = withCluster((c) => {
      c.connect_timeout = '0s';
    });
    expect(loadError(timeout).path).toBe('static_resources.clusters[0].connect_timeout');
  });

  it('reads an upstream TLS context into tls', () => {
    const doc = withCluster((c) => {
      c.transport_socket = {
        name: 'envoy.transport_sockets.tls',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
          sni: 'api.example.com',
          common_tls_context: {
            alpn_protocols: ['http/1.1'],
            validation_context: { trusted_ca: { filename: '/certs/ca.crt' } },
          },
        },
      };
    });
    expect(load(doc).clusters[0]!.tls).toEqual({
      sni: 'api.example.com',
      caFile: '/certs/ca.crt',
      alpn: ['http/1.1'],
    });
  });

  it('refuses a client certificate whose file cannot be read', () => {
    const doc = withCluster((c) => {
      c.transport_socket = {
        name: 'envoy.transport_sockets.tls',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
          common_tls_context: {
            tls_certificates: [
              {
                certificate_chain: { filename: '/nonexistent/c.pem' },
                private_key: { filename: '/nonexistent/k.pem' },
              },
            ],
          },
        },
      };
    });
    const err = loadError(doc);
    expect(err.path).toBe(
      'static_resources.clusters[0].transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain.filename',
    );
    expect(err.message).toContain('is not readable');
  });

  it("keeps circuit-breaker thresholds with Envoy's defaults for unset ones", () => {
    const doc = withCluster((c) => {
      c.circuit_breakers = { thresholds: [{ max_connections: 10 }, { priority: 'HIGH', max_retries: '7' }] };
    });
    expect(load(doc).clusters[0]!.circuitBreakers).toEqual({
      thresholds: [
        {
          priority: 'DEFAULT',
          maxConnections: 10,
          maxPendingRequests: 1024,
          maxRequests: 1024,
          maxRetries: 3,
        },
        {
          priority: 'HIGH',
          maxConnections: 1024,
          maxPendingRequests: 1024,
          maxRequests: 1024,
          maxRetries: 7,
        },
      ],
    });
  });
});
