// envoy.config.cluster.v3.Cluster with static endpoints (envoy.config.endpoint.v3.ClusterLoadAssignment),
// upstream TLS (envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext) and circuit-breaker
// thresholds.

import { z } from 'zod';
import {
  commonLbConfigSchema,
  healthCheckSchema,
  maglevLbConfigSchema,
  outlierDetectionSchema,
  ringHashLbConfigSchema,
} from './schema-cluster-policies.ts';
import {
  addressSchema,
  durationMs,
  envoyEnum,
  envoyMessage,
  nonEmptyString,
  uint32,
} from './schema-common.ts';
import { upstreamTransportSocketSchema } from './schema-tls.ts';
import { TYPE_URL } from './type-urls.ts';

export const endpointSchema = envoyMessage(
  { address: addressSchema, hostname: z.string().optional() },
  { notYet: ['health_check_config', 'additional_addresses'] },
);

export const lbEndpointSchema = envoyMessage(
  { endpoint: endpointSchema, load_balancing_weight: uint32.optional() },
  { notYet: ['endpoint_name', 'health_status', 'metadata'] },
);

export const localityLbEndpointsSchema = envoyMessage(
  { lb_endpoints: z.array(lbEndpointSchema).optional(), priority: uint32.optional() },
  { notYet: ['locality', 'metadata', 'load_balancing_weight', 'leds_cluster_locality_config', 'proximity'] },
);

export const clusterLoadAssignmentSchema = envoyMessage(
  { cluster_name: nonEmptyString, endpoints: z.array(localityLbEndpointsSchema).optional() },
  { notYet: ['named_endpoints', 'policy'] },
);

export const thresholdsSchema = envoyMessage(
  {
    priority: envoyEnum(['DEFAULT', 'HIGH']).optional(),
    max_connections: uint32.optional(),
    max_pending_requests: uint32.optional(),
    max_requests: uint32.optional(),
    max_retries: uint32.optional(),
    track_remaining: z.boolean().optional(),
  },
  { notYet: ['retry_budget', 'max_connection_pools'] },
);

export const circuitBreakersSchema = envoyMessage(
  { thresholds: z.array(thresholdsSchema).optional() },
  { notYet: ['per_host_thresholds'] },
);

/** A cluster's transport_socket (UpstreamTlsContext; schema-tls.ts). */
export const transportSocketSchema = upstreamTransportSocketSchema;

export const clusterSchema = envoyMessage(
  {
    name: nonEmptyString,
    type: envoyEnum(['STATIC', 'STRICT_DNS', 'LOGICAL_DNS'], ['EDS', 'ORIGINAL_DST']).optional(),
    connect_timeout: durationMs.optional(),
    lb_policy: envoyEnum(
      ['ROUND_ROBIN', 'RANDOM', 'LEAST_REQUEST', 'RING_HASH', 'MAGLEV'],
      ['CLUSTER_PROVIDED', 'LOAD_BALANCING_POLICY_CONFIG'],
    ).optional(),
    dns_refresh_rate: durationMs.optional(),
    dns_lookup_family: envoyEnum(['AUTO', 'V4_ONLY', 'V6_ONLY', 'V4_PREFERRED', 'ALL']).optional(),
    load_assignment: clusterLoadAssignmentSchema.optional(),
    transport_socket: transportSocketSchema.optional(),
    circuit_breakers: circuitBreakersSchema.optional(),
    max_requests_per_connection: uint32.optional(),
    outlier_detection: outlierDetectionSchema.optional(),
    health_checks: z.array(healthCheckSchema).optional(),
    ring_hash_lb_config: ringHashLbConfigSchema.optional(),
    maglev_lb_config: maglevLbConfigSchema.optional(),
    common_lb_config: commonLbConfigSchema.optional(),
  },
  {
    notYet: [
      'transport_socket_matches',
      'alt_stat_name',
      'cluster_type',
      'eds_cluster_config',
      'per_connection_buffer_limit_bytes',
      'upstream_http_protocol_options',
      'common_http_protocol_options',
      'http_protocol_options',
      'http2_protocol_options',
      'typed_extension_protocol_options',
      'dns_jitter',
      'dns_failure_refresh_rate',
      'respect_dns_ttl',
      'dns_resolvers',
      'use_tcp_for_dns_lookups',
      'dns_resolution_config',
      'typed_dns_resolver_config',
      'wait_for_warm_on_init',
      'cleanup_interval',
      'upstream_bind_config',
      'lb_subset_config',
      'original_dst_lb_config',
      'least_request_lb_config',
      'round_robin_lb_config',
      'metadata',
      'protocol_selection',
      'upstream_connection_options',
      'close_connections_on_host_health_failure',
      'ignore_health_on_host_removal',
      'filters',
      'load_balancing_policy',
      'lrs_server',
      'lrs_report_endpoint_metrics',
      'track_timeout_budgets',
      'upstream_config',
      'track_cluster_stats',
      'preconnect_policy',
      'connection_pool_per_downstream_connection',
    ],
    removed: {
      hosts: 'use load_assignment (endpoints[].lb_endpoints[].endpoint.address)',
      tls_context:
        'use transport_socket with name envoy.transport_sockets.tls and a typed_config of @type ' +
        `${TYPE_URL.upstreamTlsContext}`,
      extension_protocol_options: 'use typed_extension_protocol_options',
    },
  },
);

export type ClusterInput = z.output<typeof clusterSchema>;
