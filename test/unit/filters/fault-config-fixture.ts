// A fault filter config with Envoy's default runtime keys (as convert-fault.ts fills them), for the
// fault decision and filter tests.
import type { FaultConfig } from '../../../proxy/config/model.ts';

export function faultConfig(extra: Partial<FaultConfig> = {}): FaultConfig {
  return {
    headers: [],
    runtimeKeys: {
      delayPercent: 'fault.http.delay.fixed_delay_percent',
      abortPercent: 'fault.http.abort.abort_percent',
      delayDurationMs: 'fault.http.delay.fixed_duration_ms',
      abortHttpStatus: 'fault.http.abort.http_status',
      maxActiveFaults: 'fault.http.max_active_faults',
    },
    disableDownstreamClusterStats: false,
    ...extra,
  };
}
