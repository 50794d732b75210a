// envoy.config.route.v3.RouteAction's request policies beyond choosing a cluster: retry_policy's
// back-off and request_mirror_policies (with envoy.config.core.v3.RuntimeFractionalPercent). Structure
// only; convert-route-policies.ts applies Envoy's defaults and cross-field rules.

import { z } from 'zod';
import { durationMs, envoyEnum, envoyMessage, nonEmptyString, uint32 } from './schema-common.ts';

export const retryBackOffSchema = envoyMessage({
  base_interval: durationMs,
  max_interval: durationMs.optional(),
});

/** envoy.type.v3.FractionalPercent; an unset denominator is HUNDRED. */
const mirrorFractionSchema = envoyMessage({
  numerator: uint32.optional(),
  denominator: envoyEnum(['HUNDRED', 'TEN_THOUSAND', 'MILLION']).optional(),
});

export const runtimeFractionalPercentSchema = envoyMessage({
  default_value: mirrorFractionSchema,
  runtime_key: z.string().optional(),
});

export const requestMirrorPolicySchema = envoyMessage(
  {
    cluster: nonEmptyString.optional(),
    runtime_fraction: runtimeFractionalPercentSchema.optional(),
    // Tracing is not implemented: whether a shadow is sampled changes nothing here.
    trace_sampled: z.boolean().optional(),
    disable_shadow_host_suffix_append: z.boolean().optional(),
  },
  { notYet: ['cluster_header'] },
);

export type RetryBackOffInput = z.output<typeof retryBackOffSchema>;
export type RequestMirrorPolicyInput = z.output<typeof requestMirrorPolicySchema>;
