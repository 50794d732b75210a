// The host-level policies of envoy.config.cluster.v3.Cluster: `outlier_detection`
// (envoy.config.cluster.v3.OutlierDetection, consecutive-error detection), `health_checks`
// (envoy.config.core.v3.HealthCheck, HTTP only), `ring_hash_lb_config`, `maglev_lb_config` and
// `common_lb_config` (its `healthy_panic_threshold` only).
// Structure only; defaults and cross-field rules are in convert-cluster-policies.ts.

import { z } from 'zod';
import {
  describeValue,
  durationMs,
  envoyEnum,
  envoyMessage,
  LeafError,
  leaf,
  nonEmptyString,
  uint32,
} from './schema-common.ts';
import { described } from './schema-describe.ts';

/** A percentage field (UInt32Value, Envoy validates lte: 100). */
const percent = leaf((input) => {
  const n = typeof input === 'string' && /^\d+$/.test(input) ? Number(input) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 100) {
    throw new LeafError(`must be an integer percentage between 0 and 100, got ${describeValue(input)}`);
  }
  return n;
});

export const outlierDetectionSchema = envoyMessage(
  {
    consecutive_5xx: uint32.optional(),
    interval: durationMs.optional(),
    base_ejection_time: durationMs.optional(),
    max_ejection_percent: percent.optional(),
    enforcing_consecutive_5xx: percent.optional(),
    consecutive_gateway_failure: uint32.optional(),
    enforcing_consecutive_gateway_failure: percent.optional(),
    max_ejection_time: durationMs.optional(),
    successful_active_health_check_uneject_host: z.boolean().optional(),
  },
  {
    notYet: [
      'enforcing_success_rate',
      'success_rate_minimum_hosts',
      'success_rate_request_volume',
      'success_rate_stdev_factor',
      'split_external_local_origin_errors',
      'consecutive_local_origin_failure',
      'enforcing_consecutive_local_origin_failure',
      'enforcing_local_origin_success_rate',
      'failure_percentage_threshold',
      'enforcing_failure_percentage',
      'enforcing_failure_percentage_local_origin',
      'failure_percentage_minimum_hosts',
      'failure_percentage_request_volume',
      'max_ejection_time_jitter',
      'monitors',
      'always_eject_one_host',
      'detect_degraded_hosts',
    ],
  },
);

/** envoy.type.v3.Int64Range: [start, end). */
const statusRangeSchema = envoyMessage({ start: uint32, end: uint32 });

const httpHealthCheckSchema = envoyMessage(
  {
    host: z.string().optional(),
    path: nonEmptyString,
    expected_statuses: z.array(statusRangeSchema).optional(),
    retriable_statuses: z.array(statusRangeSchema).optional(),
    codec_client_type: envoyEnum(['HTTP1'], ['HTTP2', 'HTTP3']).optional(),
    method: envoyEnum(
      ['GET'],
      ['HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
    ).optional(),
  },
  {
    notYet: [
      'send',
      'receive',
      'response_buffer_size',
      'request_headers_to_add',
      'request_headers_to_remove',
      'service_name_matcher',
    ],
    removed: { use_http2: 'use codec_client_type', service_name: 'use service_name_matcher' },
  },
);

export const healthCheckSchema = envoyMessage(
  {
    timeout: durationMs,
    interval: durationMs,
    initial_jitter: durationMs.optional(),
    interval_jitter: durationMs.optional(),
    unhealthy_threshold: uint32,
    healthy_threshold: uint32,
    reuse_connection: z.boolean().optional(),
    http_health_check: httpHealthCheckSchema.optional(),
    no_traffic_interval: durationMs.optional(),
    no_traffic_healthy_interval: durationMs.optional(),
    unhealthy_interval: durationMs.optional(),
    unhealthy_edge_interval: durationMs.optional(),
    healthy_edge_interval: durationMs.optional(),
  },
  {
    notYet: [
      'interval_jitter_percent',
      'alt_port',
      'tcp_health_check',
      'grpc_health_check',
      'custom_health_check',
      'event_log_path',
      'event_logger',
      'always_log_health_check_failures',
      'always_log_health_check_success',
      'tls_options',
      'transport_socket_match_criteria',
    ],
  },
);

export const ringHashLbConfigSchema = envoyMessage(
  {
    minimum_ring_size: uint32.optional(),
    maximum_ring_size: uint32.optional(),
    hash_function: envoyEnum(['XX_HASH'], ['MURMUR_HASH_2']).optional(),
  },
  { removed: { deprecated_v1: 'was removed from Envoy' } },
);

export const maglevLbConfigSchema = envoyMessage({ table_size: uint32.optional() });

/** A decimal number as proto3 JSON may quote a double (no hex, no blanks). */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A type.v3.Percent's `value`: a double that Envoy validates `gte: 0, lte: 100`, a number or a quoted one. */
const percentValue = described(
  leaf((input) => {
    const n = typeof input === 'string' && DECIMAL.test(input) ? Number(input) : input;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
      throw new LeafError(`must be a percentage between 0 and 100, got ${describeValue(input)}`);
    }
    return n;
  }),
  { kind: 'scalar', text: 'number 0–100' },
);

/** envoy.type.v3.Percent. proto3 JSON omits a zero `value`, so `{}` is 0 %. */
export const percentSchema = envoyMessage({ value: percentValue.optional() });

/** envoy.config.cluster.v3.Cluster.CommonLbConfig: the panic threshold the load balancers already follow. */
export const commonLbConfigSchema = envoyMessage(
  { healthy_panic_threshold: percentSchema.optional() },
  {
    notYet: [
      'zone_aware_lb_config',
      'locality_weighted_lb_config',
      'update_merge_window',
      'ignore_new_hosts_until_first_hc',
      'close_connections_on_host_set_change',
      'consistent_hashing_lb_config',
      'override_host_status',
    ],
  },
);

export type OutlierDetectionInput = z.output<typeof outlierDetectionSchema>;
export type HealthCheckInput = z.output<typeof healthCheckSchema>;
export type RingHashLbConfigInput = z.output<typeof ringHashLbConfigSchema>;
export type MaglevLbConfigInput = z.output<typeof maglevLbConfigSchema>;
export type CommonLbConfigInput = z.output<typeof commonLbConfigSchema>;
