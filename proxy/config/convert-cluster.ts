// Cluster (schema output) → model Cluster, with Envoy's defaults (envoy.config.cluster.v3.Cluster) and the
// checks Envoy makes when it creates a cluster.

import { isIP } from 'node:net';
import { type FieldPath, fail } from './config-error.ts';
import { convertClusterPolicies } from './convert-cluster-policies.ts';
import { convertUpstreamTls } from './convert-tls.ts';
import type { CircuitBreakerThresholds, Cluster, Endpoint } from './model.ts';
import type { ClusterInput } from './schema-cluster.ts';
import { NOT_SUPPORTED_YET } from './schema-common.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_DNS_REFRESH_RATE_MS = 5_000;

// CircuitBreakers.Thresholds defaults, per Envoy's docs.
export const DEFAULT_THRESHOLDS = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
};

function convertEndpoints(c: ClusterInput, path: FieldPath): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const localities = c.load_assignment?.endpoints ?? [];
  localities.forEach((locality, i) => {
    const localityPath = [...path, 'load_assignment', 'endpoints', i];
    // Priorities other than 0 are failover tiers, which need health checking to mean anything.
    const priority = locality.priority ?? 0;
    if (priority !== 0)
      fail([...localityPath, 'priority'], `is ${priority}; priorities other than 0 are ${NOT_SUPPORTED_YET}`);
    (locality.lb_endpoints ?? []).forEach((lbEndpoint, j) => {
      const socket = lbEndpoint.endpoint.address.socket_address;
      const addressPath = [
        ...localityPath,
        'lb_endpoints',
        j,
        'endpoint',
        'address',
        'socket_address',
        'address',
      ];
      if (c.type === undefined || c.type === 'STATIC') {
        if (isIP(socket.address) === 0) {
          fail(
            addressPath,
            `must be an IP address in a STATIC cluster, got "${socket.address}" (use STRICT_DNS for names)`,
          );
        }
      }
      const weight = lbEndpoint.load_balancing_weight ?? 1;
      if (weight < 1)
        fail([...localityPath, 'lb_endpoints', j, 'load_balancing_weight'], 'must be at least 1');
      const hostname = lbEndpoint.endpoint.hostname;
      endpoints.push({
        address: socket.address,
        port: socket.port_value,
        weight,
        ...(hostname !== undefined && hostname !== '' ? { hostname } : {}),
      });
    });
  });
  if (c.type === 'LOGICAL_DNS' && (localities.length !== 1 || endpoints.length !== 1)) {
    fail(
      [...path, 'load_assignment'],
      'must hold exactly one endpoint in a LOGICAL_DNS cluster (one locality, one lb_endpoint)',
    );
  }
  return endpoints;
}

function convertTls(c: ClusterInput, path: FieldPath): Cluster['tls'] {
  if (c.transport_socket === undefined) return undefined;
  return convertUpstreamTls(c.transport_socket.typed_config.config, [
    ...path,
    'transport_socket',
    'typed_config',
  ]);
}

function convertCircuitBreakers(c: ClusterInput): Cluster['circuitBreakers'] {
  if (c.circuit_breakers === undefined) return undefined;
  const thresholds = (c.circuit_breakers.thresholds ?? []).map(
    (t): CircuitBreakerThresholds => ({
      priority: t.priority ?? 'DEFAULT',
      maxConnections: t.max_connections ?? DEFAULT_THRESHOLDS.maxConnections,
      maxPendingRequests: t.max_pending_requests ?? DEFAULT_THRESHOLDS.maxPendingRequests,
      maxRequests: t.max_requests ?? DEFAULT_THRESHOLDS.maxRequests,
      maxRetries: t.max_retries ?? DEFAULT_THRESHOLDS.maxRetries,
      ...(t.track_remaining === true ? { trackRemaining: true } : {}),
    }),
  );
  return { thresholds };
}

export function convertCluster(c: ClusterInput, path: FieldPath): Cluster {
  const connectTimeoutMs = c.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // Envoy: connect_timeout must be > 0, dns_refresh_rate > 1 ms.
  if (connectTimeoutMs <= 0) fail([...path, 'connect_timeout'], 'must be greater than 0');
  const dnsRefreshRateMs = c.dns_refresh_rate ?? DEFAULT_DNS_REFRESH_RATE_MS;
  if (dnsRefreshRateMs <= 1) fail([...path, 'dns_refresh_rate'], 'must be greater than 1ms');
  const tls = convertTls(c, path);
  const circuitBreakers = convertCircuitBreakers(c);
  return {
    name: c.name,
    type: c.type ?? 'STATIC',
    lbPolicy: c.lb_policy ?? 'ROUND_ROBIN',
    connectTimeoutMs,
    dnsRefreshRateMs,
    dnsLookupFamily: c.dns_lookup_family ?? 'AUTO',
    endpoints: convertEndpoints(c, path),
    ...(tls !== undefined ? { tls } : {}),
    ...(circuitBreakers !== undefined ? { circuitBreakers } : {}),
    // 0 or unset: no limit.
    ...(c.max_requests_per_connection ? { maxRequestsPerConnection: c.max_requests_per_connection } : {}),
    ...convertClusterPolicies(c, path),
  };
}

export function convertClusters(clusters: readonly ClusterInput[], path: FieldPath): Cluster[] {
  const seen = new Set<string>();
  return clusters.map((c, i) => {
    if (seen.has(c.name)) fail([...path, i, 'name'], `is a duplicate cluster name "${c.name}"`);
    seen.add(c.name);
    return convertCluster(c, [...path, i]);
  });
}
