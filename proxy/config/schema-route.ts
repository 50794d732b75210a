// envoy.config.route.v3: RouteConfiguration, VirtualHost, Route, RouteMatch, RouteAction and friends.
// Structure only; "exactly one of" rules, defaults and cluster references are checked by convert-route.

import { z } from 'zod';
import {
  durationMs,
  envoyEnum,
  envoyMessage,
  httpStatus,
  inlineStringSourceSchema,
  nonEmptyString,
  regexMatcherSchema,
  stringMatcherSchema,
  typedConfig,
  uint32,
} from './schema-common.ts';
// Cyclic (schema-fault uses headerMatcherSchema): both sides reference each other lazily.
import { httpFaultSchema } from './schema-fault.ts';
import { hashPolicySchema } from './schema-hash-policy.ts';
import { requestMirrorPolicySchema, retryBackOffSchema } from './schema-route-policies.ts';
import { TYPE_URL } from './type-urls.ts';

const HEADER_MUTATIONS = [
  'request_headers_to_add',
  'request_headers_to_remove',
  'response_headers_to_add',
  'response_headers_to_remove',
];

export const headerMatcherSchema = envoyMessage(
  {
    name: nonEmptyString,
    exact_match: z.string().optional(),
    prefix_match: nonEmptyString.optional(),
    suffix_match: nonEmptyString.optional(),
    contains_match: nonEmptyString.optional(),
    present_match: z.boolean().optional(),
    safe_regex_match: regexMatcherSchema.optional(),
    string_match: stringMatcherSchema.optional(),
    invert_match: z.boolean().optional(),
  },
  {
    notYet: ['range_match', 'treat_missing_header_as_empty'],
    removed: { regex_match: 'use safe_regex_match' },
  },
);

export const queryParameterMatcherSchema = envoyMessage({
  name: nonEmptyString,
  string_match: stringMatcherSchema.optional(),
  present_match: z.boolean().optional(),
});

export const routeMatchSchema = envoyMessage(
  {
    prefix: z.string().optional(),
    path: z.string().optional(),
    safe_regex: regexMatcherSchema.optional(),
    case_sensitive: z.boolean().optional(),
    headers: z.array(headerMatcherSchema).optional(),
    query_parameters: z.array(queryParameterMatcherSchema).optional(),
  },
  {
    notYet: [
      'connect_matcher',
      'path_separated_prefix',
      'path_match_policy',
      'runtime_fraction',
      'grpc',
      'tls_context',
      'dynamic_metadata',
      'filter_state',
    ],
    removed: { regex: 'use safe_regex' },
  },
);

export const clusterWeightSchema = envoyMessage(
  { name: nonEmptyString, weight: uint32.optional() },
  {
    notYet: [
      'cluster_header',
      'metadata_match',
      'typed_per_filter_config',
      'host_rewrite_literal',
      ...HEADER_MUTATIONS,
    ],
  },
);

export const weightedClustersSchema = envoyMessage(
  {
    clusters: z.array(clusterWeightSchema).min(1),
    total_weight: uint32.optional(),
    runtime_key_prefix: z.string().optional(),
  },
  { notYet: ['header_name', 'random_value_specifier'] },
);

export const retryPolicySchema = envoyMessage(
  {
    retry_on: z.string().optional(),
    num_retries: uint32.optional(),
    per_try_timeout: durationMs.optional(),
    retriable_status_codes: z.array(uint32).optional(),
    retry_back_off: retryBackOffSchema.optional(),
  },
  {
    notYet: [
      'per_try_idle_timeout',
      'retry_priority',
      'retry_host_predicate',
      'retry_options_predicates',
      'host_selection_retry_max_attempts',
      'rate_limited_retry_back_off',
      'retriable_headers',
      'retriable_request_headers',
    ],
  },
);

export const routeActionSchema = envoyMessage(
  {
    cluster: nonEmptyString.optional(),
    weighted_clusters: weightedClustersSchema.optional(),
    host_rewrite_literal: z.string().optional(),
    prefix_rewrite: z.string().optional(),
    timeout: durationMs.optional(),
    idle_timeout: durationMs.optional(),
    retry_policy: retryPolicySchema.optional(),
    hash_policy: z.array(hashPolicySchema).optional(),
    request_mirror_policies: z.array(requestMirrorPolicySchema).optional(),
    priority: envoyEnum(['DEFAULT', 'HIGH']).optional(),
  },
  {
    notYet: [
      'cluster_header',
      'cluster_specifier_plugin',
      'inline_cluster_specifier_plugin',
      'cluster_not_found_response_code',
      'metadata_match',
      'regex_rewrite',
      'path_rewrite_policy',
      'append_x_forwarded_host',
      'auto_host_rewrite',
      'host_rewrite_header',
      'host_rewrite_path_regex',
      'early_data_policy',
      'retry_policy_typed_config',
      'rate_limits',
      'include_vh_rate_limits',
      'cors',
      'max_grpc_timeout',
      'grpc_timeout_offset',
      'upgrade_configs',
      'internal_redirect_policy',
      'internal_redirect_action',
      'max_internal_redirects',
      'hedge_policy',
      'max_stream_duration',
    ],
    removed: {
      host_rewrite: 'use host_rewrite_literal',
      request_mirror_policy: 'use request_mirror_policies',
    },
  },
);

export const directResponseSchema = envoyMessage(
  { status: httpStatus, body: inlineStringSourceSchema.optional() },
  { notYet: ['body_format'] },
);

// Filter name → that filter's per-route config (on a route, a virtual host or the whole route
// configuration; the most specific wins); the converter accepts only the fault filter's.
const typedPerFilterConfigSchema = z.record(
  nonEmptyString,
  z.lazy(() => typedConfig({ [TYPE_URL.fault]: httpFaultSchema })),
);

export const routeSchema = envoyMessage(
  {
    name: z.string().optional(),
    match: routeMatchSchema,
    route: routeActionSchema.optional(),
    direct_response: directResponseSchema.optional(),
    typed_per_filter_config: typedPerFilterConfigSchema.optional(),
  },
  {
    notYet: [
      'redirect',
      'filter_action',
      'non_forwarding_action',
      'metadata',
      'decorator',
      'tracing',
      'per_request_buffer_limit_bytes',
      'stat_prefix',
      ...HEADER_MUTATIONS,
    ],
  },
);

export const virtualHostSchema = envoyMessage(
  {
    name: nonEmptyString,
    domains: z.array(z.string()).min(1),
    routes: z.array(routeSchema).optional(),
    typed_per_filter_config: typedPerFilterConfigSchema.optional(),
  },
  {
    notYet: [
      'matcher',
      'require_tls',
      'virtual_clusters',
      'rate_limits',
      'cors',
      'include_request_attempt_count_in_response',
      'include_attempt_count_in_downstream_response',
      'retry_policy',
      'retry_policy_typed_config',
      'hedge_policy',
      'include_is_timeout_retry_header',
      'per_request_buffer_limit_bytes',
      'request_mirror_policies',
      'metadata',
      'request_body_buffer_limit',
      ...HEADER_MUTATIONS,
    ],
    removed: { per_filter_config: 'use typed_per_filter_config' },
  },
);

export const routeConfigurationSchema = envoyMessage(
  {
    name: z.string().optional(),
    virtual_hosts: z.array(virtualHostSchema).optional(),
    validate_clusters: z.boolean().optional(),
    typed_per_filter_config: typedPerFilterConfigSchema.optional(),
  },
  {
    notYet: [
      'vhds',
      'internal_only_headers',
      'most_specific_header_mutations_wins',
      'max_direct_response_body_size_bytes',
      'cluster_specifier_plugins',
      'request_mirror_policies',
      'ignore_port_in_host_matching',
      'ignore_path_parameters_in_path_matching',
      'metadata',
      ...HEADER_MUTATIONS,
    ],
  },
);

export type RouteConfigurationInput = z.output<typeof routeConfigurationSchema>;
export type VirtualHostInput = z.output<typeof virtualHostSchema>;
export type RouteInput = z.output<typeof routeSchema>;
export type RouteMatchInput = z.output<typeof routeMatchSchema>;
export type RouteActionInput = z.output<typeof routeActionSchema>;
export type HeaderMatcherInput = z.output<typeof headerMatcherSchema>;
export type StringMatcherInput = z.output<typeof stringMatcherSchema>;
