// Envoy's `%RESPONSE_CODE_DETAILS%` (StreamInfo::responseCodeDetails): why a response has its code.
// Local replies carry their own details; otherwise they follow from the response flags Envoy sets in
// the same places, and a response that came from the upstream is `via_upstream`.

/** Details of the local replies, by the response flag they carry (Envoy's StreamInfo::ResponseCodeDetails). */
const BY_FLAG: readonly (readonly [string, string])[] = [
  ['FI', 'fault_filter_abort'],
  ['NR', 'route_not_found'],
  ['NC', 'cluster_not_found'],
  ['UH', 'no_healthy_upstream'],
  ['UO', 'upstream_reset_before_response_started{overflow}'],
  ['UT', 'upstream_response_timeout'],
  ['UF', 'upstream_reset_before_response_started{connection_failure}'],
  ['UC', 'upstream_reset_before_response_started{connection_termination}'],
  ['UPE', 'upstream_reset_before_response_started{protocol_error}'],
  ['DPE', 'codec_error'],
  ['UR', 'upstream_reset_after_response_started{remote_reset}'],
  ['DC', 'downstream_remote_disconnect'],
];

export interface DetailsFacts {
  responseCode: number;
  /** Comma-separated flags, '' or '-' for none. */
  responseFlags: string;
  /** Whether the response head came from the upstream. */
  fromUpstream: boolean;
  /** Details a local reply set itself, if any. */
  localDetails?: string | undefined;
}

export function responseCodeDetails(f: DetailsFacts): string | undefined {
  if (f.localDetails !== undefined) return f.localDetails;
  const flags = f.responseFlags === '-' || f.responseFlags === '' ? [] : f.responseFlags.split(',');
  for (const [flag, details] of BY_FLAG) if (flags.includes(flag)) return details;
  if (f.fromUpstream) return 'via_upstream';
  // A route's direct_response is the remaining local reply that answers with a code and no flag.
  return f.responseCode > 0 ? 'direct_response' : undefined;
}
