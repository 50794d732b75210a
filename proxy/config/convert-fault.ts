// HTTPFault (schema output) → model FaultConfig, with Envoy's defaults: an unset percentage is 0 %
// (FractionalPercent's zero value), an unset denominator is HUNDRED, and the runtime keys are
// `fault.http.*` unless the `*_runtime` fields name others (fault filter docs, "Runtime").

import { type FieldPath, fail } from './config-error.ts';
import { convertHeaderMatcher, oneOf } from './convert-matchers.ts';
import type { FaultConfig, FractionalPercent } from './model.ts';
import type { FractionalPercentInput, HttpFaultInput } from './schema-fault.ts';

const DENOMINATORS = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 } as const;

function convertPercent(p: FractionalPercentInput | undefined): FractionalPercent {
  return { numerator: p?.numerator ?? 0, denominator: DENOMINATORS[p?.denominator ?? 'HUNDRED'] };
}

export function convertFault(f: HttpFaultInput, path: FieldPath): FaultConfig {
  const config: FaultConfig = {
    headers: (f.headers ?? []).map((h, i) => convertHeaderMatcher(h, [...path, 'headers', i])),
    runtimeKeys: {
      delayPercent: f.delay_percent_runtime ?? 'fault.http.delay.fixed_delay_percent',
      abortPercent: f.abort_percent_runtime ?? 'fault.http.abort.abort_percent',
      delayDurationMs: f.delay_duration_runtime ?? 'fault.http.delay.fixed_duration_ms',
      abortHttpStatus: f.abort_http_status_runtime ?? 'fault.http.abort.http_status',
      maxActiveFaults: f.max_active_faults_runtime ?? 'fault.http.max_active_faults',
    },
    disableDownstreamClusterStats: f.disable_downstream_cluster_stats ?? false,
  };
  if (f.delay !== undefined) {
    const delayPath = [...path, 'delay'];
    // FaultDelay's fault_delay_secifier oneof: fixed_delay or header_delay.
    const kind = oneOf(f.delay, ['fixed_delay', 'header_delay'], delayPath, true);
    const percentage = convertPercent(f.delay.percentage);
    config.delay =
      kind === 'header_delay'
        ? { fromHeader: true, percentage }
        : { fixedDelayMs: f.delay.fixed_delay!, percentage };
  }
  if (f.abort !== undefined) {
    const abortPath = [...path, 'abort'];
    // FaultAbort's error_type oneof (grpc_status is not supported): http_status or header_abort.
    const kind = oneOf(f.abort, ['http_status', 'header_abort'], abortPath, true);
    const percentage = convertPercent(f.abort.percentage);
    if (kind === 'header_abort') {
      config.abort = { fromHeader: true, percentage };
    } else {
      const status = f.abort.http_status!;
      // FaultAbort.http_status: uint32 in [200, 600) (the proto's validation rule).
      if (status < 200) fail([...abortPath, 'http_status'], `must be between 200 and 599, got ${status}`);
      config.abort = { httpStatus: status, percentage };
    }
  }
  if (f.max_active_faults !== undefined) config.maxActiveFaults = f.max_active_faults;
  if (f.downstream_nodes !== undefined && f.downstream_nodes.length > 0)
    config.downstreamNodes = f.downstream_nodes;
  return config;
}
