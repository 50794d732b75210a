// One attempt of a request at one upstream host (Envoy's UpstreamRequest): takes a connection from the
// host's pool, writes the head and the body bytes it is given, and reads the response head, reporting
// to its owner (the exchange, or a shadow) either a final response head or why there was none. Body and
// tunnel bytes after the head go to the owner unparsed; interim 1xx responses are handled here.
import {
  findHeadEnd,
  hasBareLf,
  isHeadError,
  parseResponseHead,
  type ResponseHead,
} from '../http/head-parser.ts';
import type {
  ConnectionPool,
  PendingRequest,
  PooledConnection,
  PoolFailure,
  UpstreamHandler,
} from '../upstream/connection-pool.ts';
import type { Host } from '../upstream/host.ts';

const MAX_RESPONSE_HEAD = 96 * 1024;

/** Why an attempt ended without a response head. */
export type AttemptFailure =
  | { kind: 'overflow' }
  | { kind: 'connect-failure'; detail: string }
  /** The upstream closed the connection before a complete response head. */
  | { kind: 'reset' }
  | { kind: 'protocol-error' };

export interface UpstreamRequestOwner {
  /** The final response head (any status but 1xx, or 101); `rest` holds the bytes after it. */
  onUpstreamHead(head: ResponseHead, rest: Buffer): void;
  /** Response body (or tunnel) bytes after the head. */
  onUpstreamBody(buf: Buffer): void;
  /** An interim response to relay as is (103 Early Hints; 100 Continue is never relayed). */
  onUpstreamInterim(raw: Buffer): void;
  /** The upstream connection ended after the head was reported. */
  onUpstreamClosed(): void;
  onUpstreamFailure(f: AttemptFailure): void;
  /** The upstream socket can take more request bytes (after a write returned false, or on connect). */
  onUpstreamWritable(): void;
}

export class UpstreamRequest implements UpstreamHandler {
  readonly host: Host;
  readonly pool: ConnectionPool;
  private readonly owner: UpstreamRequestOwner;
  private readonly head: string;
  /** Whether a reset on a reused connection may be replayed on a fresh one (no body). */
  private readonly bodyless: boolean;
  private conn: PooledConnection | null = null;
  private pending: PendingRequest | undefined;
  /** Body bytes given before the connection was ready (null: none, the common case). */
  private queued: Buffer[] | null;
  private respBuf: Buffer | null = null;
  private headSeen = false;
  private raceRetried = false;
  private done = false;
  /** When the head was written (performance.now()); 0 until then. */
  sentMs = 0;
  /** The host's rq_success / rq_error was charged for this attempt. */
  counted = false;
  /** The connection's local `address:port` (`%UPSTREAM_LOCAL_ADDRESS%`), once connected. */
  localAddress: string | undefined;

  constructor(
    owner: UpstreamRequestOwner,
    host: Host,
    pool: ConnectionPool,
    head: string,
    initialBody: readonly Buffer[],
    bodyless: boolean,
  ) {
    this.owner = owner;
    this.host = host;
    this.pool = pool;
    this.head = head;
    this.queued = initialBody.length > 0 ? [...initialBody] : null;
    this.bodyless = bodyless;
  }

  get connected(): boolean {
    return this.conn !== null;
  }

  start(): void {
    this.pending = this.pool.acquire((f, c) => this.onPool(f, c));
  }

  private onPool(failure: PoolFailure | null, conn: PooledConnection | null): void {
    this.pending = undefined;
    if (this.done) {
      if (conn) this.pool.release(conn);
      return;
    }
    if (failure || !conn) {
      this.done = true;
      this.owner.onUpstreamFailure(
        failure?.reason === 'overflow'
          ? { kind: 'overflow' }
          : { kind: 'connect-failure', detail: failure?.detail ?? 'unknown' },
      );
      return;
    }
    this.conn = conn;
    conn.handler = this;
    const sock = conn.socket;
    this.sentMs = performance.now();
    const local = sock.localAddress;
    if (local !== undefined) {
      this.localAddress = local.includes(':') ? `[${local}]:${sock.localPort}` : `${local}:${sock.localPort}`;
    }
    sock.cork();
    sock.write(this.head, 'latin1');
    let ok = true;
    let bytes = this.head.length;
    if (this.queued) {
      for (const b of this.queued) {
        ok = sock.write(b);
        bytes += b.length;
      }
      this.queued = null;
    }
    sock.uncork();
    this.pool.stats.cxTxBytes.inc(bytes);
    if (ok) this.owner.onUpstreamWritable();
  }

  /** Request body bytes; false when the caller should stop reading until onUpstreamWritable. */
  write(buf: Buffer): boolean {
    if (this.done) return true;
    const conn = this.conn;
    if (!conn) {
      if (!this.queued) this.queued = [];
      this.queued.push(buf);
      return false;
    }
    this.pool.stats.cxTxBytes.inc(buf.length);
    return conn.socket.write(buf);
  }

  pauseReading(): void {
    this.conn?.socket.pause();
  }

  resumeReading(): void {
    this.conn?.socket.resume();
  }

  /** The response completed: the connection goes back to the pool when `reusable`, else closes. */
  finish(reusable: boolean): void {
    this.done = true;
    const conn = this.conn;
    this.conn = null;
    if (conn) {
      if (reusable) this.pool.release(conn);
      else this.pool.discard(conn);
    }
  }

  /** Abandons the attempt (timeout, retry, client gone): cancels the wait or closes the connection. */
  abort(): void {
    this.done = true;
    this.pending?.cancel();
    this.pending = undefined;
    const conn = this.conn;
    this.conn = null;
    if (conn) this.pool.discard(conn);
  }

  // ---- UpstreamHandler (the pooled socket's events) ----

  onUpstreamData(buf: Buffer): void {
    if (this.done) return;
    if (this.headSeen) this.owner.onUpstreamBody(buf);
    else this.onHeadBytes(buf);
  }

  onUpstreamEnd(): void {
    this.onUpstreamClose();
  }

  onUpstreamClose(): void {
    const conn = this.conn;
    this.conn = null;
    if (this.done) return;
    if (this.headSeen) {
      this.done = true;
      this.owner.onUpstreamClosed();
      return;
    }
    // A pooled connection the upstream closed just as we reused it (its idle timeout racing our
    // request): nothing reached the application, so one replay on a fresh connection is safe for a
    // request without a body.
    if (conn?.reused && !this.raceRetried && this.bodyless && !this.respBuf) {
      this.raceRetried = true;
      this.start();
      return;
    }
    this.done = true;
    this.pool.stats.rqRxReset.inc();
    this.owner.onUpstreamFailure({ kind: 'reset' });
  }

  onUpstreamDrain(): void {
    this.owner.onUpstreamWritable();
  }

  private onHeadBytes(chunk: Buffer): void {
    let buf = this.respBuf ? Buffer.concat([this.respBuf, chunk]) : chunk;
    for (;;) {
      const end = findHeadEnd(buf);
      if (end < 0) {
        // A head with bare-LF line endings never completes: answer 502 now rather than at the timeout.
        if (buf.length > MAX_RESPONSE_HEAD || hasBareLf(buf)) {
          this.protocolError();
          return;
        }
        this.respBuf = buf;
        return;
      }
      const head = parseResponseHead(buf.toString('latin1', 0, end));
      if (isHeadError(head)) {
        this.protocolError();
        return;
      }
      const rest = buf.subarray(end);
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        // Interim responses: 100 Continue was answered locally; others (103 Early Hints) are relayed.
        if (head.status !== 100) this.owner.onUpstreamInterim(buf.subarray(0, end));
        if (rest.length === 0) {
          this.respBuf = null;
          return;
        }
        buf = rest;
        continue;
      }
      this.respBuf = null;
      this.headSeen = true;
      this.owner.onUpstreamHead(head, rest);
      return;
    }
  }

  private protocolError(): void {
    this.pool.stats.cxProtocolError.inc();
    this.abort();
    this.owner.onUpstreamFailure({ kind: 'protocol-error' });
  }
}
