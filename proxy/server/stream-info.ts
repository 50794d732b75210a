// What is known about one request as it goes, for the stats and the access log (Envoy's StreamInfo):
// when it started and when its body was in, bytes each way, the response code and flags, the relayed
// head or the local reply, the route, the upstream that answered. The exchange extends it instead of
// owning one so that recording a fact is a field write, not another object per request; the
// AccessLogRecord is only built when the connection manager has an access log.
import type { Route } from '../config/model.ts';
import type { FaultRun } from '../filters/fault-filter.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';
import { AccessLogRecord } from './access-log-record.ts';
import type { DownstreamConnection } from './downstream-connection.ts';
import type { LocalReply } from './local-reply.ts';
import { addResponseFlag } from './response-flags.ts';
import type { RouterFilter } from './router-filter.ts';
import type { UpstreamRequest } from './upstream-request.ts';

function noop(): void {}

export class StreamInfo {
  protected readonly dc: DownstreamConnection;
  readonly req: RequestHead;
  protected readonly startMs = performance.now();
  private readonly startEpoch = Date.now();

  protected route: Route | undefined;
  /** The upstream side, once routed to a cluster. */
  protected router: RouterFilter | undefined;
  /** The x-request-id we generated (Envoy adds one when the client sent none; the access log shows it). */
  protected requestId: string | undefined;
  /** Set when the fault filter picked this request (delay and/or abort). */
  protected fault: FaultRun | undefined;

  /** Request fully received from downstream. */
  reqDone = false;
  /** When the request was fully received (performance.now()); 0 until then. */
  protected reqDoneMs = 0;
  protected bytesReceived = 0;

  protected status = 0;
  protected flags = '';
  protected bytesSent = 0;
  protected upstreamSentMs = 0;
  private serviceTimeMs: number | undefined;
  private respHeadersForLog: ResponseHead | undefined;
  /** The local reply sent, if any (the access log's response code details). */
  protected reply: LocalReply | undefined;
  /** `%UPSTREAM_LOCAL_ADDRESS%` of the answering attempt. */
  private upstreamLocalAddress: string | undefined;

  constructor(dc: DownstreamConnection, req: RequestHead) {
    this.dc = dc;
    this.req = req;
  }

  addFlag(flag: string): void {
    this.flags = addResponseFlag(this.flags, flag);
  }

  /** The upstream's final response head arrived, from `attempt`; returns the upstream service time. */
  protected recordUpstreamResponse(head: ResponseHead, attempt: UpstreamRequest): number {
    this.respHeadersForLog = head;
    this.status = head.status;
    this.upstreamSentMs = attempt.sentMs;
    this.upstreamLocalAddress = attempt.localAddress;
    const serviceTimeMs = Math.round(performance.now() - this.upstreamSentMs);
    this.serviceTimeMs = serviceTimeMs;
    return serviceTimeMs;
  }

  /** Hands the finished request to the access log; a failing log never breaks the proxy. */
  protected writeAccessLog(accessLog: (r: AccessLogRecord) => void, durationMs: number): void {
    const r = new AccessLogRecord();
    const { req } = this;
    r.startTime = this.startEpoch;
    r.method = req.method;
    r.path = req.target;
    r.protocol = req.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0';
    r.responseCode = this.status;
    r.responseFlags = (this.fault ? this.fault.responseFlags(this.flags) : this.flags) || '-';
    r.bytesReceived = this.bytesReceived;
    r.bytesSent = this.bytesSent;
    r.durationMs = Math.round(durationMs);
    r.upstreamServiceTimeMs = this.serviceTimeMs;
    r.upstreamHost = this.router?.host?.key;
    r.upstreamCluster = this.router?.cluster.name;
    r.downstreamRemoteAddress = this.dc.remoteAddress;
    r.requestHeaders = req;
    r.generatedRequestId = this.requestId;
    r.responseHeaders = this.respHeadersForLog;
    r.localReply = this.reply;
    r.routeName = this.route?.name;
    r.downstreamLocalAddress = this.dc.localAddress;
    r.requestedServerName = this.dc.requestedServerName;
    r.downstreamTls = this.dc.tlsInfo;
    r.upstreamLocalAddress = this.upstreamLocalAddress;
    if (this.reqDone) r.requestDurationMs = (this.reqDoneMs || this.startMs) - this.startMs;
    if (this.serviceTimeMs !== undefined) {
      r.responseDurationMs = this.upstreamSentMs + this.serviceTimeMs - this.startMs;
    }
    try {
      accessLog(r);
    } catch {
      noop();
    }
  }
}
