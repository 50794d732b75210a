// One client connection: reads request heads, runs one Exchange at a time (HTTP/1.1 pipelining is
// served in order: bytes of the next request wait, with reading paused, until the current response
// is done), and closes when either side asks to or the proxy drains.
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { findHeadEnd, hasBareLf, isHeadError, parseRequestHead } from '../http/head-parser.ts';
import type { HcmContext, ProxyCore } from './contexts.ts';
import { type DownstreamTlsInfo, downstreamTlsInfo } from './downstream-tls-info.ts';
import { Exchange } from './exchange.ts';
import { renderLocalReply, replies } from './local-reply.ts';
import type { ListenerStats } from './request-stats.ts';

/** Envoy's default max_request_headers_kb is 60. */
export const MAX_REQUEST_HEAD = 60 * 1024;

export interface ListenerHandle {
  readonly core: ProxyCore;
  /** Read per request, so a reload applies to the next request on existing connections. */
  ctx(): HcmContext;
  readonly listenerStats: ListenerStats;
  onConnectionClosed(dc: DownstreamConnection): void;
}

export class DownstreamConnection {
  private readonly socket: net.Socket;
  private readonly listener: ListenerHandle;
  private buf: Buffer | null = null;
  private ex: Exchange | null = null;
  private paused = false;
  /** Set when the connection must close after the current response (drain, Connection: close). */
  closing = false;
  private closed = false;
  private readonly ctxAtOpen: HcmContext;
  readonly remoteAddress: string | undefined;
  /** SNI of a downstream TLS connection, for `%REQUESTED_SERVER_NAME%`. */
  readonly requestedServerName: string | undefined;

  constructor(socket: net.Socket, listener: ListenerHandle) {
    this.socket = socket;
    this.listener = listener;
    this.remoteAddress = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : undefined;
    const sni = (socket as Partial<TLSSocket>).servername;
    this.requestedServerName = typeof sni === 'string' && sni !== '' ? sni : undefined;
    this.encrypted = (socket as Partial<TLSSocket>).encrypted === true;
    socket.setNoDelay(true);
    const ctx = listener.ctx();
    this.ctxAtOpen = ctx;
    const st = ctx.stats;
    st.cxTotal.inc();
    st.cxHttp1Total.inc();
    st.cxActive.add(1);
    st.cxHttp1Active.add(1);
    if (this.encrypted) {
      st.cxSslTotal.inc();
      st.cxSslActive.add(1);
    }
    listener.listenerStats.cxTotal.inc();
    listener.listenerStats.cxActive.add(1);
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('drain', () => this.ex?.onDownstreamDrain());
    socket.on('end', () => this.onEnd());
    socket.on('error', () => {
      /* 'close' follows */
    });
    socket.on('close', () => this.onClose());
  }

  private local: string | undefined | null = null;
  private tls: DownstreamTlsInfo | undefined | null = null;
  /** A TLS connection (downstream_cx_ssl_* stats). */
  private readonly encrypted: boolean;

  /** Certificates and version of a downstream TLS connection, for the `%DOWNSTREAM_PEER_*%` operators. */
  get tlsInfo(): DownstreamTlsInfo | undefined {
    if (this.tls === null) {
      this.tls = this.encrypted ? downstreamTlsInfo(this.socket as TLSSocket) : undefined;
    }
    return this.tls;
  }

  /** `ip:port` the client connected to, for `%DOWNSTREAM_LOCAL_ADDRESS%` (asked of the socket on first use). */
  get localAddress(): string | undefined {
    if (this.local === null) {
      const a = this.socket.localAddress;
      this.local =
        a === undefined
          ? undefined
          : a.includes(':')
            ? `[${a}]:${this.socket.localPort}`
            : `${a}:${this.socket.localPort}`;
    }
    return this.local;
  }

  get idle(): boolean {
    return this.ex === null && this.buf === null;
  }

  write(data: string | Buffer): boolean {
    if (this.closed) return true;
    const n = data.length;
    this.ctxAtOpen.stats.cxTxBytes.inc(n);
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  resume(): void {
    if (this.paused && !this.buf) {
      this.paused = false;
      this.socket.resume();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Bytes that arrived after the current request: kept (reading paused) until it completes. */
  stash(b: Buffer): void {
    this.buf = this.buf ? Buffer.concat([this.buf, b]) : b;
    this.pause();
  }

  /** Asks an idle connection to close now, a busy one after its response (drain). */
  drain(): void {
    this.closing = true;
    if (this.ex === null) this.socket.end();
  }

  private onData(chunk: Buffer): void {
    this.ctxAtOpen.stats.cxRxBytes.inc(chunk.length);
    // After a refusal the socket is only half-closed: whatever the client still sends is not a request
    // (and must not pile up in `buf`).
    if (this.closed) return;
    const ex = this.ex;
    if (ex) {
      if (ex.wantsRequestData) ex.onRequestData(chunk);
      else this.stash(chunk);
      return;
    }
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    this.processBuffer();
  }

  private processBuffer(): void {
    let buf = this.buf;
    if (!buf || this.closed) return;
    // RFC 9112 §2.2: a server SHOULD ignore empty lines received before a request-line (some clients
    // send a CRLF after a body). Dropped here, so they never count toward the head.
    let skip = 0;
    while (skip + 1 < buf.length && buf[skip] === 0x0d && buf[skip + 1] === 0x0a) skip += 2;
    if (skip > 0) {
      buf = skip < buf.length ? buf.subarray(skip) : null;
      this.buf = buf;
      if (!buf) return;
    }
    const end = findHeadEnd(buf);
    if (end < 0) {
      if (buf.length > MAX_REQUEST_HEAD) this.reject(431, 'request headers too large');
      // A head with bare-LF line endings never shows CRLFCRLF: refuse it now instead of waiting forever.
      // (RFC 9112 §2.2 lets a recipient accept bare LF; parsers that do disagree on where lines end.)
      else if (hasBareLf(buf)) this.reject(400, 'bare LF in request head');
      return;
    }
    if (end > MAX_REQUEST_HEAD) {
      this.reject(431, 'request headers too large');
      return;
    }
    const head = parseRequestHead(buf.toString('latin1', 0, end));
    if (isHeadError(head)) {
      this.reject(head.status, head.reason);
      return;
    }
    this.buf = null;
    const rest = end < buf.length ? buf.subarray(end) : null;
    const ex = new Exchange(this, this.listener.core, this.listener.ctx(), head);
    this.ex = ex;
    ex.start(rest);
  }

  /** A request we refuse before routing: answer and close, since framing can no longer be trusted. */
  private reject(status: number, reason: string): void {
    const ctx = this.listener.ctx();
    ctx.stats.cxProtocolError.inc();
    ctx.stats.rqClass.charge(status);
    this.buf = null;
    this.socket.end(
      renderLocalReply(replies.badRequest(status, reason), ctx.hcm.serverName, true, false),
      'latin1',
    );
    this.closed = true;
  }

  onExchangeDone(ex: Exchange, keepAlive: boolean): void {
    if (this.ex !== ex) return;
    this.ex = null;
    if (!keepAlive || this.closing) {
      this.buf = null;
      this.socket.end();
      return;
    }
    if (this.buf) {
      this.processBuffer();
      // No new exchange: the stashed bytes were an incomplete head (or were refused). Reading was paused
      // when they were stashed; without resuming, a pipelined request split across packets hangs.
      if (this.ex === null) this.resumeReading();
      return;
    }
    this.resumeReading();
  }

  private resumeReading(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private onEnd(): void {
    // The client half-closed. A request in flight still gets its response; then we close.
    this.closing = true;
    if (this.ex === null) this.socket.end();
  }

  private onClose(): void {
    if (this.closed && this.ex === null) {
      this.countClose();
      return;
    }
    this.closed = true;
    const ex = this.ex;
    this.ex = null;
    ex?.onDownstreamClose();
    this.countClose();
  }

  private counted = false;
  private countClose(): void {
    if (this.counted) return;
    this.counted = true;
    const st = this.ctxAtOpen.stats;
    st.cxActive.sub(1);
    st.cxHttp1Active.sub(1);
    if (this.encrypted) st.cxSslActive.sub(1);
    st.cxDestroy.inc();
    this.listener.listenerStats.cxActive.sub(1);
    this.listener.listenerStats.cxDestroy.inc();
    this.listener.onConnectionClosed(this);
  }
}
