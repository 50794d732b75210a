// One request/response exchange through the proxy: route, pick a cluster and host, stream the
// request upstream and the response back, with backpressure both ways and Envoy's local replies and
// response flags when something fails. Bodies are never buffered whole: bytes are forwarded as they
// arrive, and framing is validated on the way (ChunkedScanner) rather than re-encoded.
import { randomUUID } from 'node:crypto';
import type { Route, RouteAction } from '../config/model.ts';
import type { FaultRun } from '../filters/fault-filter.ts';
import { BodyFramer, type Framing } from '../http/body-framer.ts';
import {
  findHeadEnd,
  hasBareLf,
  isHeadError,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from '../http/head-parser.ts';
import { chooseWeightedCluster } from '../router/cluster-choice.ts';
import type { RouteTable } from '../router/route-table.ts';
import type { ConnectionPool, PooledConnection, UpstreamHandler } from '../upstream/connection-pool.ts';
import type { Host } from '../upstream/host.ts';
import { AccessLogRecord } from './access-log-record.ts';
import type { ClusterHandle, HcmContext, ProxyCore } from './contexts.ts';
import type { DownstreamConnection } from './downstream-connection.ts';
import { buildDownstreamHead, buildUpstreamHead } from './forwarded-heads.ts';
import { type LocalReply, renderLocalReply, replies } from './local-reply.ts';

const MAX_RESPONSE_HEAD = 96 * 1024;

function noop(): void {}

/** Most requests have no body; a framer with nothing to track can be shared (it never changes state). */
const NO_BODY = new BodyFramer('none');

export class Exchange implements UpstreamHandler {
  private readonly dc: DownstreamConnection;
  private readonly core: ProxyCore;
  private readonly ctx: HcmContext;
  readonly req: RequestHead;
  private readonly startMs = performance.now();
  private readonly startEpoch = Date.now();

  private route: Route | undefined;
  private cluster: ClusterHandle | undefined;
  private host: Host | undefined;
  private pool: ConnectionPool | undefined;
  private conn: PooledConnection | null = null;
  private upstreamHead = '';
  /** The x-request-id we generated (Envoy adds one when the client sent none; the access log shows it). */
  private requestId: string | undefined;
  private retried = false;
  /** Set when the fault filter picked this request (delay and/or abort). */
  private fault: FaultRun | undefined;

  // request side
  private reqFramer: BodyFramer | undefined;
  /** Set once a 101 turned the exchange into a raw tunnel both ways. */
  private tunnel = false;
  /** Request fully received from downstream. */
  reqDone = false;
  private pending: Buffer[] | null = null;
  private bytesReceived = 0;

  // response side
  private respBuf: Buffer | null = null;
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
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private respHeadersForLog: ResponseHead | undefined;

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
    const host = cluster.chooseHost();
    if (!host) {
      cluster.stats.cxNoneHealthy.inc();
      this.localReply(replies.noHealthyUpstream());
      return;
    }
    this.host = host;
    this.pool = cluster.pool(host);
    const up = buildUpstreamHead(req, sel.route, action, req.chunked, randomUUID);
    this.upstreamHead = up.head;
    this.requestId = up.generatedRequestId;
    if (req.expectContinue && !this.reqDone) {
      // Envoy's default (proxy_100_continue: false): answer 100 Continue itself and strip Expect.
      this.dc.write('HTTP/1.1 100 Continue\r\n\r\n');
    }
    const cs = cluster.stats;
    cs.rqTotal.inc();
    cs.rqActive.add(1);
    cs.rqPendingTotal.inc();
    cs.rqPendingActive.add(1);
    host.stats.rq_total++;
    host.stats.rq_active++;
    if (rest) this.onRequestData(rest);
    if (this.finished) return;
    this.pool.acquire((err, conn) => this.onConnected(err, conn));
  }

  private pickCluster(action: RouteAction): string | undefined {
    if (action.cluster !== undefined) return action.cluster;
    const choice = this.ctx.weighted.get(action);
    return choice ? chooseWeightedCluster(choice, this.core.runtime, Math.random()) : undefined;
  }

  private onConnected(err: Error | null, conn: PooledConnection | null): void {
    if (this.finished) {
      if (conn) this.pool!.release(conn);
      return;
    }
    const cs = this.cluster!.stats;
    if (err || !conn) {
      cs.rqPendingActive.sub(1);
      this.localReply(replies.connectFailure(err?.message ?? 'unknown'));
      return;
    }
    if (!this.retried) cs.rqPendingActive.sub(1);
    this.conn = conn;
    conn.handler = this;
    const sock = conn.socket;
    this.upstreamSentMs = performance.now();
    sock.cork();
    sock.write(this.upstreamHead, 'latin1');
    let ok = true;
    if (this.pending) {
      for (const b of this.pending) ok = sock.write(b);
      this.pending = null;
    }
    sock.uncork();
    cs.cxTxBytes.inc(this.upstreamHead.length);
    if (this.reqDone) this.armTimeout();
    if (ok) this.dc.resume();
  }

  // ---- request body (downstream → upstream) ----

  onRequestData(buf: Buffer): void {
    if (this.tunnel) {
      this.bytesReceived += buf.length;
      if (this.conn && !this.conn.socket.write(buf)) this.dc.pause();
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
    const leftover = r.rest;
    if (r.done) this.reqDone = true;
    this.bytesReceived += forward.length;
    if (forward.length > 0) {
      if (this.conn) {
        this.cluster!.stats.cxTxBytes.inc(forward.length);
        if (!this.conn.socket.write(forward)) this.dc.pause();
      } else if (this.pool) {
        if (!this.pending) this.pending = [];
        this.pending.push(forward);
        this.dc.pause();
      }
    }
    if (leftover) this.dc.stash(leftover);
    if (this.reqDone) {
      if (this.conn) this.armTimeout();
      else if (this.respDone) this.finish();
    }
  }

  private armTimeout(): void {
    const action = this.route?.action;
    if (this.timer || !action || action.kind !== 'route' || action.timeoutMs <= 0 || this.respDone) return;
    this.timer = setTimeout(() => this.onTimeout(), action.timeoutMs);
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.finished) return;
    this.cluster?.stats.rqTimeout.inc();
    if (this.host) this.host.stats.rq_timeout++;
    this.dropUpstream();
    this.fail(replies.upstreamTimeout());
  }

  // ---- response (upstream → downstream) ----

  onUpstreamData(buf: Buffer): void {
    if (this.finished) return;
    if (this.tunnel) {
      this.bytesSent += buf.length;
      if (!this.dc.write(buf)) this.conn?.socket.pause();
      return;
    }
    if (!this.resp) {
      this.onResponseHeadBytes(buf);
      return;
    }
    this.onResponseBody(buf);
  }

  private onResponseHeadBytes(chunk: Buffer): void {
    let buf = this.respBuf ? Buffer.concat([this.respBuf, chunk]) : chunk;
    for (;;) {
      const end = findHeadEnd(buf);
      if (end < 0) {
        // A head with bare-LF line endings never completes: answer 502 now rather than at the timeout.
        if (buf.length > MAX_RESPONSE_HEAD || hasBareLf(buf)) {
          this.upstreamProtocolError();
          return;
        }
        this.respBuf = buf;
        return;
      }
      const head = parseResponseHead(buf.toString('latin1', 0, end));
      if (isHeadError(head)) {
        this.upstreamProtocolError();
        return;
      }
      const rest = buf.subarray(end);
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        // Interim responses: 100 Continue was answered locally; others (103 Early Hints) are relayed.
        if (head.status !== 100) this.dc.write(buf.subarray(0, end));
        if (rest.length === 0) {
          this.respBuf = null;
          return;
        }
        buf = rest;
        continue;
      }
      this.respBuf = null;
      this.onResponseHead(head, rest);
      return;
    }
  }

  private onResponseHead(head: ResponseHead, rest: Buffer): void {
    const { req } = this;
    this.resp = head;
    this.respHeadersForLog = head;
    this.status = head.status;
    this.serviceTimeMs = Math.round(performance.now() - this.upstreamSentMs);
    const http10 = req.versionMinor === 0;
    let framing: Framing;
    if (head.status === 101) {
      if (req.upgrade === undefined) {
        this.upstreamProtocolError();
        return;
      }
      this.tunnel = true;
      this.reqDone = true;
      this.ctx.stats.cxUpgrades.inc();
      this.clearTimer();
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
    if (!this.dc.write(b)) this.conn?.socket.pause();
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

  onUpstreamEnd(): void {
    this.onUpstreamClose();
  }

  onUpstreamClose(): void {
    const conn = this.conn;
    this.conn = null;
    if (this.finished) return;
    if (this.respFramer?.framing === 'close' && !this.tunnel && this.resp) {
      if (this.rechunk) this.dc.write('0\r\n\r\n');
      this.resp.close = true;
      this.onResponseComplete();
      return;
    }
    if (this.tunnel) {
      this.respDone = true;
      this.reqDone = true;
      this.finish();
      return;
    }
    if (!this.respStarted) {
      // A pooled connection the upstream closed just as we reused it (its idle timeout racing our
      // request): nothing reached the application, so one retry on a fresh connection is safe for a
      // request without a body.
      if (
        conn?.reused &&
        !this.retried &&
        this.req.contentLength <= 0 &&
        !this.req.chunked &&
        !this.respBuf
      ) {
        this.retried = true;
        this.pool!.acquire((err, c) => this.onConnected(err, c));
        return;
      }
      this.cluster?.stats.rqRxReset.inc();
      this.fail(replies.upstreamReset());
      return;
    }
    this.cluster?.stats.rqRxReset.inc();
    this.resetBoth();
  }

  onUpstreamDrain(): void {
    this.dc.resume();
  }

  /** The downstream socket drained: let the upstream send again. */
  onDownstreamDrain(): void {
    this.conn?.socket.resume();
  }

  /** The client went away mid-exchange. */
  onDownstreamClose(): void {
    if (this.finished) return;
    this.ctx.stats.rqRxReset.inc();
    this.cluster?.stats.rqTxReset.inc();
    if (!this.flags) this.flags = 'DC';
    this.dropUpstream();
    this.respDone = true;
    this.finish();
  }

  private onResponseComplete(): void {
    this.respDone = true;
    this.clearTimer();
    const conn = this.conn;
    if (conn) {
      this.conn = null;
      if (this.resp?.close || !this.reqDone || this.resp?.versionMinor === 0) this.pool!.discard(conn);
      else this.pool!.release(conn);
    }
    if (!this.reqDone) {
      // The upstream answered before the request body was complete: we cannot tell where the next
      // request would start without reading the rest, so this connection ends here.
      this.keepAlive = false;
    }
    this.finish();
  }

  private upstreamProtocolError(): void {
    this.cluster?.stats.cxProtocolError.inc();
    this.dropUpstream();
    this.fail(replies.upstreamProtocolError());
  }

  private dropUpstream(): void {
    const conn = this.conn;
    this.conn = null;
    if (conn) this.pool!.discard(conn);
    this.clearTimer();
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
    // A connection still being set up is handed back by onConnected, which checks `finished`.
    this.dropUpstream();
    this.status = r.status;
    this.flags = r.flag;
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

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Bookkeeping once the response is done (or abandoned); hands the connection back. */
  private finish(): void {
    if (this.finished) return;
    if (!this.reqDone && this.keepAlive) return; // wait for the rest of the body
    this.finished = true;
    this.fault?.end();
    this.clearTimer();
    const st = this.ctx.stats;
    const now = performance.now();
    const durationMs = now - this.startMs;
    st.rqActive.sub(1);
    st.rqCompleted.inc();
    if (this.status > 0) st.rqClass.charge(this.status);
    st.rqTime.record(durationMs);
    const cluster = this.cluster;
    if (cluster) {
      const cs = cluster.stats;
      // Without a host (no healthy upstream) the request was never counted active at the cluster or a
      // host; its 503 is still charged to the cluster.
      if (this.host) cs.rqActive.sub(1);
      if (this.status > 0) cs.chargeResponse(this.status);
      if (this.upstreamSentMs > 0) cs.rqTime.record(now - this.upstreamSentMs);
      const hs = this.host?.stats;
      if (hs) {
        hs.rq_active--;
        if (this.status >= 500 || this.status === 0) hs.rq_error++;
        else hs.rq_success++;
      }
    }
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
    try {
      this.ctx.accessLog!(r);
    } catch {
      noop();
    }
  }
}
