// Writing the response to the client: the upstream's head rewritten for it (forwarded-heads.ts), its
// body relayed as it arrives with the framing the client needs (relay-framing.ts: de-chunked for an
// HTTP/1.0 client, re-chunked when close-delimited for a kept-alive one), the upstream paused while the
// client's socket is full, the bytes of a tunnel after a 101; or a local reply. How the exchange ends
// (complete, reset) is the exchange's business; this side only says when.
import { BodyFramer } from '../http/body-framer.ts';
import type { RequestHead, ResponseHead } from '../http/head-parser.ts';
import type { HcmContext } from './contexts.ts';
import type { DownstreamConnection } from './downstream-connection.ts';
import { buildDownstreamHead } from './forwarded-heads.ts';
import { type LocalReply, renderLocalReply } from './local-reply.ts';
import { relayFraming } from './relay-framing.ts';
import { StreamInfo } from './stream-info.ts';

export abstract class DownstreamResponse extends StreamInfo {
  protected readonly ctx: HcmContext;
  /** Set once a 101 turned the exchange into a raw tunnel both ways. */
  protected tunnel = false;
  private resp: ResponseHead | undefined;
  private respFramer: BodyFramer | undefined;
  /** Re-chunk a close-delimited upstream body for a keep-alive HTTP/1.1 client. */
  private rechunk = false;
  /** De-chunk a chunked upstream body for an HTTP/1.0 client. */
  private dechunk = false;
  /** The response (relayed head or local reply) has started towards the client. */
  responseStarted = false;
  protected respDone = false;
  protected keepAlive: boolean;

  constructor(dc: DownstreamConnection, ctx: HcmContext, req: RequestHead, keepAlive: boolean) {
    super(dc, req);
    this.ctx = ctx;
    this.keepAlive = keepAlive;
  }

  /** The whole response has been written (or the upstream may not be reused and it is over). */
  protected abstract onResponseComplete(): void;
  /** Nothing more can be written: both sides are reset. */
  protected abstract resetBoth(): void;

  /** Writes the upstream's head (with x-envoy-upstream-service-time) and whatever body came with it. */
  protected relayHead(head: ResponseHead, rest: Buffer, serviceTimeMs: number): void {
    const { req } = this;
    this.resp = head;
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
      http10Client: req.versionMinor === 0,
      chunked: (framing === 'chunked' && !this.dechunk) || this.rechunk,
      serviceTimeMs,
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

  /** Upstream body bytes, or a tunnel's (forwarded as they are). */
  protected writeResponseBody(buf: Buffer): void {
    if (this.tunnel) {
      this.sendBody(buf);
      return;
    }
    this.relayBody(buf);
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

  /**
   * The upstream connection ended: true if that ended a close-delimited body (the response is complete),
   * false if the response was cut short.
   */
  protected endCloseDelimitedBody(): boolean {
    if (this.respFramer?.framing !== 'close' || this.tunnel || !this.resp) return false;
    if (this.rechunk) this.dc.write('0\r\n\r\n');
    this.resp.close = true;
    this.onResponseComplete();
    return true;
  }

  /** Whether the upstream connection may carry another request once this response is complete. */
  protected get upstreamReusable(): boolean {
    return !(this.resp?.close || !this.reqDone || this.resp?.versionMinor === 0);
  }

  /** Answers the client with `r` instead of an upstream response. */
  protected writeLocalReply(r: LocalReply): void {
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
  }
}
