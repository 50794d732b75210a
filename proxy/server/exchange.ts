// One request/response exchange through the proxy: route, pick a cluster and host, stream the
// request upstream and the response back, with backpressure both ways and Envoy's local replies and
// response flags when something fails. Bodies are forwarded as they arrive, and framing is validated on
// the way (ChunkedScanner) rather than re-encoded; a copy is kept only when a retry policy or a mirror
// may send the body again (replay-buffer.ts). Each try at an upstream host is an UpstreamRequest;
// retry_policy decisions are RetryState's, the three timeouts ExchangeDeadlines', shadows request-mirror's.
import { randomUUID } from 'node:crypto';
import type { RequestMirrorPolicy, Route, RouteAction } from '../config/model.ts';
import type { FaultRun } from '../filters/fault-filter.ts';
import { BodyFramer, type Framing } from '../http/body-framer.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';
import { chooseWeightedCluster } from '../router/cluster-choice.ts';
import { requestHash } from '../router/hash-policy.ts';
import type { RouteTable } from '../router/route-table.ts';
import type { Host } from '../upstream/host.ts';
import { AccessLogRecord } from './access-log-record.ts';
import type { ClusterHandle, HcmContext, ProxyCore } from './contexts.ts';
import type { DownstreamConnection } from './downstream-connection.ts';
import { type DeadlineKind, ExchangeDeadlines } from './exchange-deadlines.ts';
import { buildDownstreamHead, buildUpstreamHead } from './forwarded-heads.ts';
import { type LocalReply, renderLocalReply, replies } from './local-reply.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { sendShadow, shadowHead, shouldMirror } from './request-mirror.ts';
import { addResponseFlag } from './response-flags.ts';
import { type AttemptOutcome, RetryState, type RetryStatus } from './retry-state.ts';
import { type AttemptFailure, UpstreamRequest, type UpstreamRequestOwner } from './upstream-request.ts';

function noop(): void {}

/** Most requests have no body; a framer with nothing to track can be shared (it never changes state). */
const NO_BODY = new BodyFramer('none');
const NO_CHUNKS: readonly Buffer[] = [];
/** HttpConnectionManager.stream_idle_timeout's default, for hand-built models that leave it out. */
const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

export class Exchange implements UpstreamRequestOwner {
  private readonly dc: DownstreamConnection;
  private readonly core: ProxyCore;
  private readonly ctx: HcmContext;
  readonly req: RequestHead;
  private readonly startMs = performance.now();
  private readonly startEpoch = Date.now();

  private route: Route | undefined;
  private action: RouteAction | undefined;
  private cluster: ClusterHandle | undefined;
  /** The host of the latest attempt (the access log's %UPSTREAM_HOST%). */
  private host: Host | undefined;
  private attempt: UpstreamRequest | undefined;
  private upstreamHead = '';
  /** The x-request-id we generated (Envoy adds one when the client sent none; the access log shows it). */
  private requestId: string | undefined;
  /** Set when the fault filter picked this request (delay and/or abort). */
  private fault: FaultRun | undefined;
  private retry: RetryState | undefined;
  private backoff: NodeJS.Timeout | undefined;
  /** The mirror policies this request was drawn for. */
  private mirrors: RequestMirrorPolicy[] | undefined;
  private replay: ReplayBuffer | undefined;
  private readonly deadlines = new ExchangeDeadlines((kind) => this.onDeadline(kind));

  // request side
  private reqFramer: BodyFramer | undefined;
  /** Set once a 101 turned the exchange into a raw tunnel both ways. */
  private tunnel = false;
  /** Request fully received from downstream. */
  reqDone = false;
  private requestCompleted = false;
  /** Body pieces received before the first attempt (when no replay buffer keeps them). */
  private queued: Buffer[] | null = null;
  private bytesReceived = 0;

  // response side
  private resp: ResponseHead | undefined;
  private respFramer: BodyFramer | undefined;
  /** Re-chunk a close-delimited upstream body for a keep-alive HTTP/1.1 client. */
  private rechunk = false;
  /** De-chunk a chunked upstream body for an HTTP/1.0 client. */
  private dechunk = false;
  private respStarted = false;
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
    const clusterName = this.pickCluster(action);
    const cluster = clusterName === undefined ? undefined : this.core.cluster(clusterName);
    if (!cluster) {
      st.noCluster.inc();
      this.localReply(replies.noCluster());
      return;
    }
    this.cluster = cluster;
    this.action = action;
    const up = buildUpstreamHead(req, sel.route, action, req.chunked, randomUUID);
    this.upstreamHead = up.head;
    this.requestId = up.generatedRequestId;
    if (action.retryPolicy || action.requestMirrorPolicies) this.setUpPolicies(action, cluster);
    // Route idle_timeout (0 disables) overrides the connection manager's stream_idle_timeout.
    this.deadlines.startIdle(
      action.idleTimeoutMs ?? ctx.hcm.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    );
    const host = this.selectHost();
    if (!host) return;
    if (req.expectContinue && !this.reqDone) {
      // Envoy's default (proxy_100_continue: false): answer 100 Continue itself and strip Expect.
      this.dc.write('HTTP/1.1 100 Continue\r\n\r\n');
    }
    if (rest) this.onRequestData(rest);
    if (this.finished) return;
    this.startAttempt(host);
    if (this.reqDone) this.requestComplete();
  }

  private pickCluster(action: RouteAction): string | undefined {
    if (action.cluster !== undefined) return action.cluster;
    const choice = this.ctx.weighted.get(action);
    return choice ? chooseWeightedCluster(choice, this.core.runtime, Math.random()) : undefined;
  }

  private setUpPolicies(action: RouteAction, cluster: ClusterHandle): void {
    const { req } = this;
    if (action.retryPolicy) {
      const retries = cluster.resources.forPriority(action.priority).retries;
      this.retry = new RetryState(action.retryPolicy, retries, cluster.stats);
    }
    if (action.requestMirrorPolicies && req.upgrade === undefined) {
      const drawn = action.requestMirrorPolicies.filter((p) =>
        shouldMirror(p, this.core.runtime, Math.random),
      );
      if (drawn.length > 0) this.mirrors = drawn;
    }
    if ((this.retry || this.mirrors) && (req.chunked || req.contentLength > 0))
      this.replay = new ReplayBuffer();
  }

  /** The host for the next attempt, or a 503 UH (`upstream_cx_none_healthy`) when there is none. */
  private selectHost(): Host | undefined {
    const cluster = this.cluster!;
    const host = cluster.chooseHost(requestHash(this.action!.hashPolicy, this.req, this.dc.remoteAddress));
    if (!host) {
      cluster.stats.cxNoneHealthy.inc();
      cluster.stats.chargeResponse(503);
      this.localReply(replies.noHealthyUpstream());
    }
    return host;
  }

  private startAttempt(host: Host): void {
    const bodyless = !this.req.chunked && this.req.contentLength <= 0;
    const initial = this.replay ? this.replay.contents : (this.queued ?? NO_CHUNKS);
    this.queued = null;
    this.host = host;
    const pool = this.cluster!.pool(host, this.action!.priority);
    const a = new UpstreamRequest(this, host, pool, this.upstreamHead, initial, bodyless);
    this.attempt = a;
    const perTry = this.retry?.perTryTimeoutMs;
    if (perTry !== undefined && this.requestCompleted) this.deadlines.startPerTry(perTry);
    a.start();
  }

  /** The whole request is in: the route timeout starts (Envoy), and the shadows go out. */
  private requestComplete(): void {
    if (this.requestCompleted || this.finished || this.respDone) return;
    this.requestCompleted = true;
    const action = this.action!;
    this.deadlines.startGlobal(action.timeoutMs);
    const perTry = this.retry?.perTryTimeoutMs;
    if (perTry !== undefined && this.attempt) this.deadlines.startPerTry(perTry);
    if (this.mirrors && !this.replay?.abandoned) {
      const host = action.hostRewriteLiteral ?? this.req.authority;
      const body = this.replay?.contents ?? NO_CHUNKS;
      for (const p of this.mirrors) {
        const shadow = this.core.cluster(p.cluster);
        const head = shadowHead(this.upstreamHead, host, p.disableShadowHostSuffixAppend !== true);
        if (shadow) sendShadow(shadow, head, body, this.req.method, action.timeoutMs);
      }
    }
  }

  // ---- request body (downstream → upstream) ----

  onRequestData(buf: Buffer): void {
    this.deadlines.touch();
    if (this.tunnel) {
      this.bytesReceived += buf.length;
      if (this.attempt && !this.attempt.write(buf)) this.dc.pause();
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
    if (forward.length > 0) this.forward(forward);
    if (r.rest) this.dc.stash(r.rest);
    if (this.reqDone) {
      if (this.respDone) this.finish();
      else if (this.attempt || this.backoff) this.requestComplete();
    }
  }

  private forward(piece: Buffer): void {
    // After a local reply the rest of the body is read and dropped.
    if (!this.cluster || this.respDone) return;
    const replay = this.replay;
    if (replay && !replay.append(piece) && replay.contents.length === 0) this.abandonReplay();
    const a = this.attempt;
    if (a) {
      if (!a.write(piece)) this.dc.pause();
    } else if (!replay) {
      if (!this.queued) this.queued = [];
      this.queued.push(piece);
      this.dc.pause();
    } else if (replay.abandoned && this.backoff) {
      // Waiting to retry, and the body outgrew what can be replayed: Envoy gives up on the request.
      this.dropUpstream();
      this.fail({ status: 507, body: 'exceeded request buffer limit while retrying upstream', flag: '' });
    } else {
      this.dc.pause(); // kept in the replay buffer for the next attempt
    }
  }

  /** The body is too big to keep: no retry, no shadow for this request (`retry_or_shadow_abandoned`). */
  private abandonReplay(): void {
    this.cluster!.stats.retryOrShadowAbandoned.inc();
    this.retry?.release();
    this.retry = undefined;
    this.mirrors = undefined;
  }

  // ---- attempts, retries and timeouts ----

  onUpstreamHead(head: ResponseHead, rest: Buffer): void {
    const a = this.attempt!;
    this.deadlines.touch();
    this.cluster!.stats.chargeResponse(head.status);
    this.hostOutcome(a, head.status < 500);
    a.host.outlier.putHttpResponseCode(head.status);
    if (head.status === 101 && this.req.upgrade === undefined) {
      this.attemptFailed({ kind: 'reset' }, replies.upstreamProtocolError(), false);
      return;
    }
    if (this.retry && head.status !== 101) {
      const decision = this.retry.shouldRetry({ kind: 'response', status: head.status });
      if (decision === 'yes') {
        this.attempt = undefined;
        a.abort();
        this.scheduleRetry();
        return;
      }
      this.flagRetryStatus(decision);
    }
    this.deadlines.clearPerTry();
    this.relayHead(head, rest);
  }

  onUpstreamFailure(f: AttemptFailure): void {
    if (this.finished) return;
    if (f.kind === 'overflow') {
      this.attemptFailed({ kind: 'overflow' }, replies.overflow(), true);
    } else if (f.kind === 'connect-failure') {
      this.attemptFailed({ kind: 'connect-failure' }, replies.connectFailure(f.detail), true);
    } else if (f.kind === 'reset') {
      this.attemptFailed({ kind: 'reset' }, replies.upstreamReset(), true);
    } else {
      // Envoy counts a protocol error as a reset reason: retried by 5xx, gateway-error and reset.
      this.attemptFailed({ kind: 'reset' }, replies.upstreamProtocolError(), true);
    }
  }

  /** An attempt ended without a usable response: charge it, then retry or answer with `reply`. */
  private attemptFailed(outcome: AttemptOutcome, reply: LocalReply, charge: boolean): void {
    const a = this.attempt;
    this.attempt = undefined;
    this.deadlines.clearPerTry();
    if (a) {
      a.abort();
      if (charge) this.cluster!.stats.chargeResponse(reply.status);
      this.hostOutcome(a, false);
      // Outlier detection sees a failure without a response as the code of its local reply (503, 504).
      if (outcome.kind !== 'overflow') a.host.outlier.putHttpResponseCode(reply.status);
    }
    if (this.retry) {
      const decision = this.retry.shouldRetry(outcome);
      if (decision === 'yes') {
        this.scheduleRetry();
        return;
      }
      this.flagRetryStatus(decision);
    }
    this.fail(reply);
  }

  private flagRetryStatus(s: RetryStatus): void {
    if (s === 'limit-exceeded') this.flags = addResponseFlag(this.flags, 'URX');
    else if (s === 'overflow') this.flags = addResponseFlag(this.flags, 'UO');
  }

  private scheduleRetry(): void {
    this.dc.pause();
    this.backoff = setTimeout(() => {
      this.backoff = undefined;
      if (this.finished) return;
      const host = this.selectHost();
      if (host) this.startAttempt(host);
    }, this.retry!.nextBackOffMs());
  }

  private hostOutcome(a: UpstreamRequest, ok: boolean): void {
    if (a.counted) return;
    a.counted = true;
    if (ok) a.host.stats.rq_success++;
    else a.host.stats.rq_error++;
  }

  private onDeadline(kind: DeadlineKind): void {
    if (this.finished) return;
    const a = this.attempt;
    if (kind === 'per-try') {
      // Envoy ignores a per-try timeout once the response has started downstream.
      if (!a || this.respStarted) return;
      this.cluster!.stats.rqPerTryTimeout.inc();
      a.host.stats.rq_timeout++;
      this.attemptFailed({ kind: 'per-try-timeout' }, replies.upstreamTimeout(), true);
      return;
    }
    if (kind === 'global') {
      const cs = this.cluster!.stats;
      cs.rqTimeout.inc();
      if (a) {
        a.host.stats.rq_timeout++;
        a.host.outlier.putHttpResponseCode(504);
        if (!this.respStarted) cs.chargeResponse(504);
      }
      this.flags = addResponseFlag(this.flags, 'UT');
      this.dropUpstream();
      this.fail(replies.upstreamTimeout());
      return;
    }
    // Stream idle timeout: 408 while the request is still coming in, 504 after (Envoy's
    // maybeRequestTimeoutCode), flag SI, `downstream_rq_idle_timeout`.
    this.ctx.stats.rqIdleTimeout.inc();
    this.flags = addResponseFlag(this.flags, 'SI');
    this.dropUpstream();
    this.fail({ status: this.reqDone ? 504 : 408, body: 'stream timeout', flag: 'SI' });
  }

  // ---- response (upstream → downstream) ----

  onUpstreamInterim(raw: Buffer): void {
    this.dc.write(raw);
  }

  onUpstreamBody(buf: Buffer): void {
    if (this.finished) return;
    this.deadlines.touch();
    if (this.tunnel) {
      this.bytesSent += buf.length;
      if (!this.dc.write(buf)) this.attempt?.pauseReading();
      return;
    }
    this.onResponseBody(buf);
  }

  private relayHead(head: ResponseHead, rest: Buffer): void {
    const { req } = this;
    this.resp = head;
    this.respHeadersForLog = head;
    this.status = head.status;
    this.upstreamSentMs = this.attempt!.sentMs;
    this.upstreamLocalAddress = this.attempt!.localAddress;
    this.serviceTimeMs = Math.round(performance.now() - this.upstreamSentMs);
    const http10 = req.versionMinor === 0;
    let framing: Framing;
    if (head.status === 101) {
      this.tunnel = true;
      this.reqDone = true;
      this.ctx.stats.cxUpgrades.inc();
      // The route timeout ends with the upgrade; the stream idle timeout keeps watching the tunnel.
      this.deadlines.clearGlobal();
      framing = 'close';
    } else if (req.method === 'HEAD' || head.status === 204 || head.status === 304) {
      framing = 'none';
    } else if (head.chunked) {
      framing = 'chunked';
      // An HTTP/1.0 client cannot read chunked framing: forward the chunk data only, ended by a close.
      if (http10) {
        this.dechunk = true;
        this.keepAlive = false;
      }
    } else if (head.contentLength >= 0) {
      framing = 'length';
    } else {
      framing = 'close';
      if (http10) this.keepAlive = false;
      else this.rechunk = true;
    }
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
    this.respStarted = true;
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
    if (rest.length > 0) this.onResponseBody(rest);
    this.dc.uncork();
  }

  private sendBody(b: Buffer): void {
    this.bytesSent += b.length;
    if (!this.dc.write(b)) this.attempt?.pauseReading();
  }

  private onResponseBody(buf: Buffer): void {
    const r = this.respFramer!.feed(buf);
    if (r.kind === 'error') {
      this.cluster?.stats.cxProtocolError.inc();
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
    this.attempt = undefined;
    if (this.tunnel) {
      this.respDone = true;
      this.reqDone = true;
      this.finish();
      return;
    }
    this.cluster?.stats.rqRxReset.inc();
    this.resetBoth();
  }

  onUpstreamWritable(): void {
    this.dc.resume();
  }

  /** The downstream socket drained: let the upstream send again. */
  onDownstreamDrain(): void {
    this.attempt?.resumeReading();
  }

  /** The client went away mid-exchange. */
  onDownstreamClose(): void {
    if (this.finished) return;
    this.ctx.stats.rqRxReset.inc();
    this.cluster?.stats.rqTxReset.inc();
    this.flags = addResponseFlag(this.flags, 'DC');
    this.dropUpstream();
    this.respDone = true;
    this.finish();
  }

  private onResponseComplete(): void {
    this.respDone = true;
    this.deadlines.clearAll();
    const a = this.attempt;
    this.attempt = undefined;
    a?.finish(!(this.resp?.close || !this.reqDone || this.resp?.versionMinor === 0));
    if (!this.reqDone) {
      // The upstream answered before the request body was complete: we cannot tell where the next
      // request would start without reading the rest, so this connection ends here.
      this.keepAlive = false;
    }
    this.finish();
  }

  /** Abandons the upstream side: the live attempt (counted as an error at its host) and any retry wait. */
  private dropUpstream(): void {
    const a = this.attempt;
    this.attempt = undefined;
    if (a) {
      this.hostOutcome(a, false);
      a.abort();
    }
    if (this.backoff) {
      clearTimeout(this.backoff);
      this.backoff = undefined;
    }
    this.deadlines.clearAll();
  }

  /** A failure after routing: a local reply if nothing was sent yet, else a reset. */
  private fail(r: LocalReply): void {
    if (this.respStarted) {
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
    this.flags = addResponseFlag(this.flags, r.flag);
    // A body we have not read makes the connection unusable for the next request.
    if (!this.reqDone) this.keepAlive = false;
    if (this.dc.closing) this.keepAlive = false;
    const out = renderLocalReply(r, this.ctx.hcm.serverName, !this.keepAlive, this.req.method === 'HEAD');
    this.respStarted = true;
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
    this.dropUpstream();
    this.retry?.release();
    const st = this.ctx.stats;
    const now = performance.now();
    const durationMs = now - this.startMs;
    st.rqActive.sub(1);
    st.rqCompleted.inc();
    if (this.status > 0) st.rqClass.charge(this.status);
    st.rqTime.record(durationMs);
    // Upstream codes were charged per attempt; the time is the answering attempt's.
    if (this.cluster && this.upstreamSentMs > 0) this.cluster.stats.rqTime.record(now - this.upstreamSentMs);
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
    r.upstreamHost = this.host?.key;
    r.upstreamCluster = this.cluster?.name;
    r.downstreamRemoteAddress = this.dc.remoteAddress;
    r.requestHeaders = req;
    r.generatedRequestId = this.requestId;
    r.responseHeaders = this.respHeadersForLog;
    r.localReply = this.reply;
    r.routeName = this.route?.name;
    r.downstreamLocalAddress = this.dc.localAddress;
    r.requestedServerName = this.dc.requestedServerName;
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
