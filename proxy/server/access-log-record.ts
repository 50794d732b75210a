// The facts about one finished request that an access log line is made from. Built only when the
// connection manager has an access log; header lookups are lazy so unused operators cost nothing.
import { responseCodeDetails } from '../access-log/response-code-details.ts';
import { getHeader, type Headers } from '../http/head-parser.ts';
import type { DownstreamTlsInfo } from './downstream-tls-info.ts';
import type { LocalReply } from './local-reply.ts';

export class AccessLogRecord {
  startTime = 0;
  method = '';
  path = '';
  originalPath: string | undefined;
  protocol = 'HTTP/1.1';
  responseCode = 0;
  responseFlags = '-';
  bytesReceived = 0;
  bytesSent = 0;
  durationMs = 0;
  upstreamServiceTimeMs: number | undefined;
  upstreamHost: string | undefined;
  upstreamCluster: string | undefined;
  downstreamRemoteAddress: string | undefined;
  downstreamLocalAddress: string | undefined;
  upstreamLocalAddress: string | undefined;
  requestedServerName: string | undefined;
  downstreamTls: DownstreamTlsInfo | undefined;
  routeName: string | undefined;
  requestDurationMs: number | undefined;
  responseDurationMs: number | undefined;
  /** The local reply the proxy answered with, if it did (its details and transport failure reason). */
  localReply: LocalReply | undefined;
  requestHeaders: Headers | undefined;
  generatedRequestId: string | undefined;
  responseHeaders: Headers | undefined;

  get responseCodeDetails(): string | undefined {
    return responseCodeDetails({
      responseCode: this.responseCode,
      responseFlags: this.responseFlags,
      fromUpstream: this.responseHeaders !== undefined,
      localDetails: this.localReply?.details,
    });
  }

  get upstreamTransportFailureReason(): string | undefined {
    return this.localReply?.transportFailureReason;
  }

  reqHeader(name: string): string | undefined {
    const n = name.toLowerCase();
    if (n === ':method') return this.method;
    if (n === ':path') return this.path;
    if (n === ':authority') return this.requestHeaders ? getHeader(this.requestHeaders, 'host') : undefined;
    const v = this.requestHeaders ? getHeader(this.requestHeaders, n) : undefined;
    if (v === undefined && n === 'x-request-id') return this.generatedRequestId;
    return v;
  }

  respHeader(name: string): string | undefined {
    const n = name.toLowerCase();
    if (n === 'x-envoy-upstream-service-time') {
      return this.upstreamServiceTimeMs === undefined ? undefined : String(this.upstreamServiceTimeMs);
    }
    return this.responseHeaders ? getHeader(this.responseHeaders, n) : undefined;
  }
}
