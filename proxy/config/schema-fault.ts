// envoy.extensions.filters.http.fault.v3.HTTPFault (the `envoy.filters.http.fault` HTTP filter) with
// envoy.extensions.filters.common.fault.v3.FaultDelay / FaultAbort and envoy.type.v3.FractionalPercent.
// The same message is the filter's per-route config (a route's `typed_per_filter_config`).

import { z } from 'zod';
import { durationMs, envoyEnum, envoyMessage, httpStatus, nonEmptyString, uint32 } from './schema-common.ts';
// Cyclic (schema-route imports this file for typed_per_filter_config): both sides reference each other lazily.
import { headerMatcherSchema } from './schema-route.ts';

/** envoy.type.v3.FractionalPercent; an unset denominator is HUNDRED. */
export const fractionalPercentSchema = envoyMessage({
  numerator: uint32.optional(),
  denominator: envoyEnum(['HUNDRED', 'TEN_THOUSAND', 'MILLION']).optional(),
});

export const faultDelaySchema = envoyMessage(
  {
    fixed_delay: durationMs.optional(),
    header_delay: envoyMessage({}).optional(),
    percentage: fractionalPercentSchema.optional(),
  },
  { removed: { type: 'only fixed delays exist; set fixed_delay' } },
);

export const faultAbortSchema = envoyMessage(
  {
    http_status: httpStatus.optional(),
    header_abort: envoyMessage({}).optional(),
    percentage: fractionalPercentSchema.optional(),
  },
  { notYet: ['grpc_status'] },
);

export const httpFaultSchema = envoyMessage(
  {
    delay: faultDelaySchema.optional(),
    abort: faultAbortSchema.optional(),
    headers: z.array(z.lazy(() => headerMatcherSchema)).optional(),
    downstream_nodes: z.array(nonEmptyString).optional(),
    max_active_faults: uint32.optional(),
    delay_percent_runtime: nonEmptyString.optional(),
    abort_percent_runtime: nonEmptyString.optional(),
    delay_duration_runtime: nonEmptyString.optional(),
    abort_http_status_runtime: nonEmptyString.optional(),
    max_active_faults_runtime: nonEmptyString.optional(),
    disable_downstream_cluster_stats: z.boolean().optional(),
  },
  {
    notYet: [
      'upstream_cluster',
      'response_rate_limit',
      'response_rate_limit_percent_runtime',
      'abort_grpc_status_runtime',
      'filter_metadata',
    ],
  },
);

export type HttpFaultInput = z.output<typeof httpFaultSchema>;
export type FractionalPercentInput = z.output<typeof fractionalPercentSchema>;
