// One request/response exchange through the proxy, the downstream half (Envoy's connection manager
// stream): route, hand the request to the router filter (router-filter.ts: attempts, retries, timeouts,
// shadows), relay the response with backpressure both ways (downstream-response.ts), or answer locally
// with Envoy's replies and response flags; the stream idle timeout, the stats and the access log
// (stream-info.ts). Bodies are forwarded as they arrive, and framing is validated on the way
// (ChunkedScanner) rather than re-encoded.
import { randomUUID } from 'node:crypto';
import { BodyFramer } from '../http/body-framer.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';
import { requestHash } from '../router/hash-policy.ts';
import type { RouteTable } from '../router/route-table.ts';
import type { HcmContext, ProxyCore } from './contexts.ts';
import type { DownstreamConnection } from './downstream-connection.ts';
import { DownstreamResponse } from './downstream-response.ts';
import { type DeadlineKind, ExchangeDeadlines } from './exchange-deadlines.ts';
import { buildUpstreamHead } from './forwarded-heads.ts';
import { type LocalReply, replies } from './local-reply.ts';
import { pickCluster, RouterFilter, type RouterOwner } from './router-filter.ts';
import type { UpstreamRequest } from './upstream-request.ts';

/** Most requests have no body; a framer with nothing to track can be shared (it never changes state). */
const NO_BODY = new BodyFramer('none');
/** HttpConnectionManager.stream_idle_timeout's default, for hand-built models that leave it out. */
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

// The response writer and the stream info are base classes rather than members so that a request is
// still one object (bench/proxy measures the per-request cost against nginx).
export class Exchange extends DownstreamResponse implements RouterOwner {
  private readonly core: ProxyCore;
  private readonly deadlines = new ExchangeDeadlines((kind) => this.onDeadline(kind));
  private reqFramer: BodyFramer | undefined;
  private finished = false;

  constructor(dc: DownstreamConnection, core: ProxyCore, ctx: HcmContext, req: RequestHead) {
    super(dc, ctx, req, req.keepAlive && !core.draining);
    this.core = core;
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

  onResponseBody(buf: Buffer): void {
    if (this.finished) return;
    this.writeResponseBody(buf);
  }

  // ---- response (upstream → downstream) ----

  onResponseHead(head: ResponseHead, rest: Buffer, attempt: UpstreamRequest): void {
    const serviceTimeMs = this.recordUpstreamResponse(head, attempt);
    if (head.status === 101) {
      this.tunnel = true;
      this.reqDone = true;
      this.ctx.stats.cxUpgrades.inc();
      // The route timeout ends with the upgrade; the stream idle timeout keeps watching the tunnel.
      this.deadlines.clearGlobal();
    }
    this.relayHead(head, rest, serviceTimeMs);
  }

  onUpstreamClosed(): void {
    if (this.finished || this.endCloseDelimitedBody()) return;
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

  protected override onResponseComplete(): void {
    this.respDone = true;
    this.deadlines.clearAll();
    this.router?.responseComplete(this.upstreamReusable);
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

  protected override resetBoth(): void {
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
    this.writeLocalReply(r);
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
    if (this.ctx.accessLog) this.writeAccessLog(this.ctx.accessLog, durationMs);
    this.dc.onExchangeDone(this, this.keepAlive);
  }
}
