// RouteAction request policies (schema-route-policies.ts) → model: retry back-off and mirror policies,
// with Envoy's load-time checks (a back-off base above 0 and a max not below it; a mirror names a
// known cluster).
import { type FieldPath, fail } from './config-error.ts';
import type { RequestMirrorPolicy, RetryPolicy } from './model.ts';
import type { RequestMirrorPolicyInput, RetryBackOffInput } from './schema-route-policies.ts';

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

export function convertRetryBackOff(input: RetryBackOffInput, path: FieldPath): RetryPolicy['backOff'] {
  if (input.base_interval <= 0) fail([...path, 'base_interval'], 'must be greater than 0');
  if (input.max_interval !== undefined) {
    if (input.max_interval <= 0) fail([...path, 'max_interval'], 'must be greater than 0');
    if (input.max_interval < input.base_interval) {
      fail([...path, 'max_interval'], 'must be greater than or equal to the base_interval');
    }
  }
  return {
    baseIntervalMs: input.base_interval,
    ...(input.max_interval !== undefined ? { maxIntervalMs: input.max_interval } : {}),
  };
}

export function convertMirrorPolicy(
  input: RequestMirrorPolicyInput,
  path: FieldPath,
  checkCluster: (name: string, path: FieldPath) => void,
): RequestMirrorPolicy {
  if (input.cluster === undefined)
    fail([...path, 'cluster'], 'is required (cluster_header is not supported yet)');
  checkCluster(input.cluster, [...path, 'cluster']);
  const policy: RequestMirrorPolicy = { cluster: input.cluster };
  const rf = input.runtime_fraction;
  if (rf !== undefined) {
    const dv = rf.default_value;
    policy.runtimeFraction = {
      numerator: dv.numerator ?? 0,
      denominator: DENOMINATORS[dv.denominator ?? 'HUNDRED'],
      ...(rf.runtime_key !== undefined && rf.runtime_key !== '' ? { runtimeKey: rf.runtime_key } : {}),
    };
  }
  if (input.disable_shadow_host_suffix_append === true) policy.disableShadowHostSuffixAppend = true;
  return policy;
}
