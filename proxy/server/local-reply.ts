// Responses the proxy writes itself (Envoy's "local replies"): same status codes, bodies and
// response flags as Envoy, so dashboards and users read them the same way.
import { httpDate } from './date-header.ts';

export interface LocalReply {
  status: number;
  body: string;
  /** Envoy response flag for the access log (UH, UF, NR, …); '' for none. */
  flag: string;
  /** `%RESPONSE_CODE_DETAILS%` when the flag alone does not say it (access-log/response-code-details.ts). */
  details?: string;
  /** `%UPSTREAM_TRANSPORT_FAILURE_REASON%`: why connecting to the upstream failed. */
  transportFailureReason?: string;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

export const replies = {
  noRoute: (): LocalReply => ({ status: 404, body: '', flag: 'NR' }),
  noCluster: (): LocalReply => ({ status: 503, body: '', flag: 'NC' }),
  noHealthyUpstream: (): LocalReply => ({ status: 503, body: 'no healthy upstream', flag: 'UH' }),
  connectFailure: (detail: string): LocalReply => ({
    status: 503,
    body: `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${detail}`,
    flag: 'UF',
    transportFailureReason: detail,
  }),
  upstreamReset: (): LocalReply => ({
    status: 503,
    body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
    flag: 'UC',
  }),
  upstreamTimeout: (): LocalReply => ({ status: 504, body: 'upstream request timeout', flag: 'UT' }),
  /** A circuit breaker refused the request (max_pending_requests, max_requests). */
  overflow: (): LocalReply => ({
    status: 503,
    body: 'upstream connect error or disconnect/reset before headers. reset reason: overflow',
    flag: 'UO',
  }),
  upstreamProtocolError: (): LocalReply => ({
    status: 502,
    body: 'upstream connect error or disconnect/reset before headers. reset reason: protocol error',
    flag: 'UPE',
  }),
  badRequest: (status: number, reason: string): LocalReply => ({ status, body: reason, flag: 'DPE' }),
  upgradeFailed: (): LocalReply => ({
    status: 403,
    body: 'upgrade failed',
    flag: '',
    details: 'upgrade_failed',
  }),
};

export function renderLocalReply(
  r: LocalReply,
  serverName: string,
  close: boolean,
  headOnly: boolean,
): string {
  const len = Buffer.byteLength(r.body);
  let s =
    `HTTP/1.1 ${r.status} ${reasonPhrase(r.status)}\r\n` +
    `content-length: ${len}\r\n` +
    (len > 0 ? 'content-type: text/plain\r\n' : '') +
    `date: ${httpDate()}\r\nserver: ${serverName}\r\n`;
  if (close) s += 'connection: close\r\n';
  s += '\r\n';
  if (!headOnly) s += r.body;
  return s;
}
