// One request/response exchange through the proxy, the downstream half (Envoy's connection manager
// stream): route, hand the request to the router filter (router-filter.ts: attempts, retries, timeouts,
// shadows), relay the response with backpressure both ways, or answer locally with Envoy's replies and
// response flags; the stream idle timeout and the access log. Bodies are forwarded as they arrive, and
// framing is validated on the way (ChunkedScanner) rather than re-encoded.
import { randomUUID } from 'node:crypto';
import type { Route } from '../config/model.ts';
import type { FaultRun } from '../filters/fault-filter.ts';
import { BodyFramer } from '../http/body-framer.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';
import { requestHash } from '../router/hash-policy.ts';
import type { RouteTable } from '../router/route-table.ts';
import { AccessLogRecord } from './access-log-record.ts';
import type { HcmContext, ProxyCore } from './contexts.ts';
import type { DownstreamConnection } from './downstream-connection.ts';
import { type DeadlineKind, ExchangeDeadlines } from './exchange-deadlines.ts';
import { buildDownstreamHead, buildUpstreamHead } from './forwarded-heads.ts';
import { type LocalReply, renderLocalReply, replies } from './local-reply.ts';
import { relayFraming } from './relay-framing.ts';
import { addResponseFlag } from './response-flags.ts';
import { pickCluster, RouterFilter, type RouterOwner } from './router-filter.ts';
import type { UpstreamRequest } from './upstream-request.ts';

function noop(): void {}

/** Most requests have no body; a framer with nothing to track can be shared (it never changes state). */
const NO_BODY = new BodyFramer('none');
/** HttpConnectionManager.stream_idle_timeout's default, for hand-built models that leave it out. */
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

export class Exchange implements RouterOwner {
  private readonly dc: DownstreamConnection;
  private readonly core: ProxyCore;
  private readonly ctx: HcmContext;
  readonly req: RequestHead;
  private readonly startMs = performance.now();
  private readonly startEpoch = Date.now();

  private route: Route | undefined;
  /** The upstream side, once routed to a cluster. */
  private router: RouterFilter | undefined;
  /** The x-request-id we generated (Envoy adds one when the client sent none; the access log shows it). */
  private requestId: string | undefined;
  /** Set when the fault filter picked this request (delay and/or abort). */
  private fault: FaultRun | undefined;
  private readonly deadlines = new ExchangeDeadlines((kind) => this.onDeadline(kind));

  // request side
  private reqFramer: BodyFramer | undefined;
  /** Set once a 101 turned the exchange into a raw tunnel both ways. */
  private tunnel = false;
  /** Request fully received from downstream. */
  reqDone = false;
  private bytesReceived = 0;

  // response side
  private resp: ResponseHead | undefined;
  private respFramer: BodyFramer | undefined;
  /** Re-chunk a close-delimited upstream body for a keep-alive HTTP/1.1 client. */
  private rechunk = false;
  /** De-chunk a chunked upstream body for an HTTP/1.0 client. */
  private dechunk = false;
  /** The response (relayed head or local reply) has started towards the client. */
  responseStarted = false;
  private respDone = false;
  private status = 0;
  private flags = '';
  private bytesSent = 0;
  private upstreamSentMs = 0;
  private serviceTimeMs: number | undefined;
  private keepAlive: boolean;
  private finished = false;
  private respHeadersForLog: ResponseHead | undefined;
  /** The local reply sent, if any (the access log's response code details). */
  private reply: LocalReply | undefined;
  /** `%UPSTREAM_LOCAL_ADDRESS%` of the answering attempt. */
  private upstreamLocalAddress: string | undefined;
  /** When the request was fully received (performance.now()); 0 until then. */
  private reqDoneMs = 0;

  constructor(dc: DownstreamConnection, core: ProxyCore, ctx: HcmContext, req: RequestHead) {
    this.dc = dc;
    this.core = core;
    this.ctx = ctx;
    this.req = req;
    this.keepAlive = req.keepAlive && !core.draining;
  }

  /** True while downstream bytes belong to this request's body (or to a tunnel). */
  get wantsRequestData(): boolean {
    return !this.reqDone || this.tunnel;
  }

  start(rest: Buffer | null): void {
    const { ctx, req } = this;
    const st = ctx.stats;
    st.rqTotal.inc();
    st.rqHttp1Total.inc();
    st.rqActive.add(1);

    this.reqFramer = req.chunked
      ? new BodyFramer('chunked')
      : req.contentLength > 0
        ? new BodyFramer('length', req.contentLength)
        : NO_BODY;
    this.reqDone = this.reqFramer.done;

    const sel = ctx.routes.selectRoute(req);
    // envoy.filters.http.fault runs before the router: it may hold the request (DI) or answer it (FI).
    const fault = ctx.fault?.select(req, sel?.route, this.core.runtime);
    if (fault !== undefined) {
      this.fault = fault;
      this.dc.pause();
      fault.run({ proceed: () => this.routeRequest(sel, rest), abort: (r) => this.localReply(r) });
      return;
    }
    this.routeRequest(sel, rest);
  }

  private routeRequest(sel: ReturnType<RouteTable['selectRoute']>, rest: Buffer | null): void {
    const { ctx, req } = this;
    const st = ctx.stats;
    if (!sel) {
      st.noRoute.inc();
      this.localReply(replies.noRoute());
      return;
    }
    this.route = sel.route;
    const action = sel.route.action;
    if (action.kind === 'direct') {
      st.rqDirectResponse.inc();
      this.localReply({ status: action.status, body: action.body ?? '', flag: '' });
      return;
    }
    if (req.upgrade !== undefined) {
      // Envoy refuses upgrades the connection manager has no upgrade_configs entry for.
      if (!ctx.upgradeTypes.has(req.upgrade.toLowerCase())) {
        this.localReply(replies.upgradeFailed());
        return;
      }
    }
    const clusterName = pickCluster(action, ctx.weighted, this.core.runtime);
    const cluster = clusterName === undefined ? undefined : this.core.cluster(clusterName);
    if (!cluster) {
      st.noCluster.inc();
      this.localReply(replies.noCluster());
      return;
    }
    const up = buildUpstreamHead(req, sel.route, action, req.chunked, randomUUID);
    this.requestId = up.generatedRequestId;
    const hash = requestHash(action.hashPolicy, req, this.dc.remoteAddress);
    const router = new RouterFilter(this, this.core, cluster, action, req, up.head, this.deadlines, hash);
    this.router = router;
    // Route idle_timeout (0 disables) overrides the connection manager's stream_idle_timeout.
    this.deadlines.startIdle(
      action.idleTimeoutMs ?? ctx.hcm.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    );
    if (!router.selectHost()) return;
    if (req.expectContinue && !this.reqDone) {
      // Envoy's default (proxy_100_continue: false): answer 100 Continue itself and strip Expect.
      this.dc.write('HTTP/1.1 100 Continue\r\n\r\n');
    }
    if (rest) this.onRequestData(rest);
    if (this.finished) return;
    router.startAttempt();
    if (this.reqDone) router.requestComplete();
  }

  // ---- request body (downstream → upstream) ----

  onRequestData(buf: Buffer): void {
    this.deadlines.touch();
    if (this.tunnel) {
      this.bytesReceived += buf.length;
      this.router?.forward(buf);
      return;
    }
    const r = this.reqFramer!.feed(buf);
    if (r.kind === 'error') {
      this.ctx.stats.cxProtocolError.inc();
      this.keepAlive = false;
      this.fail(replies.badRequest(400, r.reason));
      return;
    }
    const forward = r.body;
    if (r.done) {
      this.reqDone = true;
      this.reqDoneMs = performance.now();
    }
    this.bytesReceived += forward.length;
    // After a local reply the rest of the body is read and dropped.
    if (forward.length > 0 && !this.respDone) this.router?.forward(forward);
    if (r.rest) this.dc.stash(r.rest);
    if (this.reqDone) {
      if (this.respDone) this.finish();
      else this.router?.requestComplete();
    }
  }

  private onDeadline(kind: DeadlineKind): void {
    if (this.finished) return;
    if (kind !== 'idle') {
      this.router?.onTimeout(kind);
      return;
    }
    // Stream idle timeout: 408 while the request is still coming in, 504 after (Envoy's
    // maybeRequestTimeoutCode), flag SI, `downstream_rq_idle_timeout`.
    this.ctx.stats.rqIdleTimeout.inc();
    this.addFlag('SI');
    this.dropUpstream();
    this.fail({ status: this.reqDone ? 504 : 408, body: 'stream timeout', flag: 'SI' });
  }

  // ---- RouterOwner: what the upstream side reports ----

  get downstream(): DownstreamConnection {
    return this.dc;
  }

  addFlag(flag: string): void {
    this.flags = addResponseFlag(this.flags, flag);
  }

  onResponseBody(buf: Buffer): void {
    if (this.finished) return;
    if (this.tunnel) {
      this.bytesSent += buf.length;
      if (!this.dc.write(buf)) this.router?.pauseUpstream();
      return;
    }
    this.relayBody(buf);
  }

  // ---- response (upstream → downstream) ----

  onResponseHead(head: ResponseHead, rest: Buffer, attempt: UpstreamRequest): void {
    const { req } = this;
    this.resp = head;
    this.respHeadersForLog = head;
    this.status = head.status;
    this.upstreamSentMs = attempt.sentMs;
    this.upstreamLocalAddress = attempt.localAddress;
    this.serviceTimeMs = Math.round(performance.now() - this.upstreamSentMs);
    const http10 = req.versionMinor === 0;
    if (head.status === 101) {
      this.tunnel = true;
      this.reqDone = true;
      this.ctx.stats.cxUpgrades.inc();
      // The route timeout ends with the upgrade; the stream idle timeout keeps watching the tunnel.
      this.deadlines.clearGlobal();
    }
    const { framing, dechunk, rechunk, close } = relayFraming(req, head);
    this.dechunk = dechunk;
    this.rechunk = rechunk;
    if (close) this.keepAlive = false;
    const framer = new BodyFramer(framing, head.contentLength);
    if (this.dechunk) framer.onChunkData = (b, s, e) => this.sendBody(b.subarray(s, e));
    this.respFramer = framer;
    if (this.dc.closing) this.keepAlive = false;

    const s = buildDownstreamHead(head, {
      keepAlive: this.keepAlive,
      http10Client: http10,
      chunked: (framing === 'chunked' && !this.dechunk) || this.rechunk,
      serviceTimeMs: this.serviceTimeMs,
      serverName: this.ctx.hcm.serverName,
    });
    this.responseStarted = true;
    this.dc.cork();
    this.dc.write(s);
    if (framer.done) {
      // No body (HEAD, 204, 304, Content-Length: 0). Bytes after it are a confused upstream, as bytes
      // past Content-Length are: never relayed, and the connection is not reused.
      if (rest.length > 0) head.close = true;
      this.dc.uncork();
      this.onResponseComplete();
      return;
    }
    if (rest.length > 0) this.relayBody(rest);
    this.dc.uncork();
  }

  private sendBody(b: Buffer): void {
    this.bytesSent += b.length;
    if (!this.dc.write(b)) this.router?.pauseUpstream();
  }

  private relayBody(buf: Buffer): void {
    const r = this.respFramer!.feed(buf);
    if (r.kind === 'error') {
      this.router?.cluster.stats.cxProtocolError.inc();
      this.resetBoth();
      return;
    }
    if (this.rechunk) {
      this.dc.write(`${r.body.length.toString(16)}\r\n`);
      this.sendBody(r.body);
      this.dc.write('\r\n');
    } else if (!this.dechunk) {
      this.sendBody(r.body);
    }
    // Bytes past the end of the body are a confused upstream: never relayed, and the connection is not reused.
    if (r.rest) this.resp!.close = true;
    if (r.done) this.onResponseComplete();
  }

  onUpstreamClosed(): void {
    if (this.finished) return;
    if (this.respFramer?.framing === 'close' && !this.tunnel && this.resp) {
      if (this.rechunk) this.dc.write('0\r\n\r\n');
      this.resp.close = true;
      this.onResponseComplete();
      return;
    }
    this.router?.responseComplete(false);
    if (this.tunnel) {
      this.respDone = true;
      this.reqDone = true;
      this.finish();
      return;
    }
    this.router?.cluster.stats.rqRxReset.inc();
    this.resetBoth();
  }

  /** The downstream socket drained: let the upstream send again. */
  onDownstreamDrain(): void {
    this.router?.resumeUpstream();
  }

  /** The client went away mid-exchange. */
  onDownstreamClose(): void {
    if (this.finished) return;
    this.ctx.stats.rqRxReset.inc();
    this.router?.cluster.stats.rqTxReset.inc();
    this.addFlag('DC');
    this.dropUpstream();
    this.respDone = true;
    this.finish();
  }

  private onResponseComplete(): void {
    this.respDone = true;
    this.deadlines.clearAll();
    this.router?.responseComplete(!(this.resp?.close || !this.reqDone || this.resp?.versionMinor === 0));
    if (!this.reqDone) {
      // The upstream answered before the request body was complete: we cannot tell where the next
      // request would start without reading the rest, so this connection ends here.
      this.keepAlive = false;
    }
    this.finish();
  }

  /** Abandons the upstream side (the live attempt, any retry wait) and the timers. */
  private dropUpstream(): void {
    this.router?.abort();
    this.deadlines.clearAll();
  }

  /** A failure after routing: a local reply if nothing was sent yet, else a reset. */
  fail(r: LocalReply): void {
    if (this.responseStarted) {
      this.resetBoth();
      return;
    }
    this.localReply(r);
  }

  private resetBoth(): void {
    this.dropUpstream();
    this.keepAlive = false;
    this.flags ||= 'UR';
    this.respDone = true;
    this.dc.destroy();
    this.finish();
  }

  private localReply(r: LocalReply): void {
    // A connection still being set up is handed back by the attempt, which checks it was aborted.
    this.dropUpstream();
    this.status = r.status;
    this.reply = r;
    this.addFlag(r.flag);
    // A body we have not read makes the connection unusable for the next request.
    if (!this.reqDone) this.keepAlive = false;
    if (this.dc.closing) this.keepAlive = false;
    const out = renderLocalReply(r, this.ctx.hcm.serverName, !this.keepAlive, this.req.method === 'HEAD');
    this.responseStarted = true;
    this.bytesSent += r.body.length;
    this.dc.write(out);
    this.respDone = true;
    this.finish();
  }

  /** Bookkeeping once the response is done (or abandoned); hands the connection back. */
  private finish(): void {
    if (this.finished) return;
    if (!this.reqDone && this.keepAlive) return; // wait for the rest of the body
    this.finished = true;
    this.fault?.end();
    this.router?.end();
    this.deadlines.clearAll();
    const st = this.ctx.stats;
    const now = performance.now();
    const durationMs = now - this.startMs;
    st.rqActive.sub(1);
    st.rqCompleted.inc();
    if (this.status > 0) st.rqClass.charge(this.status);
    st.rqTime.record(durationMs);
    // Upstream codes were charged per attempt; the time is the answering attempt's.
    if (this.router && this.upstreamSentMs > 0)
      this.router.cluster.stats.rqTime.record(now - this.upstreamSentMs);
    if (this.ctx.accessLog) this.writeAccessLog(durationMs);
    this.dc.onExchangeDone(this, this.keepAlive);
  }

  private writeAccessLog(durationMs: number): void {
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
      this.ctx.accessLog!(r);
    } catch {
      noop();
    }
  }
}
