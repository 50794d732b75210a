// Keep-alive HTTP/1.1 connections to one upstream host of one cluster, for one routing priority. Idle
// connections are reused most-recently-used first (the warmest socket, and the least likely to have hit
// the upstream's idle timeout). Each socket has a single set of listeners for its whole life; the
// request currently using it is its `handler`, so no listener is added or removed per request.
//
// One request per connection at a time (HTTP/1.1): a request with no idle connection waits in a FIFO
// pending queue while a connection is made, within the cluster's circuit breakers (resource-manager.ts).

import net from 'node:net';
import tls from 'node:tls';
import { DEFAULT_THRESHOLDS } from '../config/convert-cluster.ts';
import type { Cluster } from '../config/model.ts';
import type { ClusterRequestStats } from '../server/request-stats.ts';
import type { Host } from './host.ts';
import { ResourceManager } from './resource-manager.ts';
import {
  countUpstreamHandshake,
  skipServerIdentity,
  upstreamSecureContext,
  verifiesUpstream,
} from './upstream-tls.ts';

export interface UpstreamHandler {
  onUpstreamData(buf: Buffer): void;
  onUpstreamEnd(): void;
  onUpstreamClose(): void;
  onUpstreamDrain(): void;
}

export interface PooledConnection {
  readonly socket: net.Socket;
  readonly pool: ConnectionPool;
  /** True once the connection has carried a request: a reset before any response byte may be a race with the upstream's idle timeout. */
  reused: boolean;
  handler: UpstreamHandler | null;
  closed: boolean;
  /** A request is using it (counted in `max_requests` and `upstream_rq_active`). */
  streamActive: boolean;
  /** Requests it has carried, the current one included. */
  streams: number;
}

/** Why the pool could not give a request a connection (Envoy's ConnectionPool::PoolFailureReason). */
export interface PoolFailure {
  reason: 'overflow' | 'connection-failure';
  detail: string;
}

export type AcquireCallback = (failure: PoolFailure | null, conn: PooledConnection | null) => void;

/** A request waiting in the pool for a connection; `cancel()` when the request goes away first. */
export interface PendingRequest {
  cancel(): void;
}

class PendingEntry implements PendingRequest {
  readonly cb: AcquireCallback;
  private readonly pool: ConnectionPool;
  constructor(pool: ConnectionPool, cb: AcquireCallback) {
    this.pool = pool;
    this.cb = cb;
  }
  cancel(): void {
    this.pool.cancelPending(this);
  }
}

const OVERFLOW: PoolFailure = { reason: 'overflow', detail: 'overflow' };

export class ConnectionPool {
  readonly host: Host;
  readonly cluster: Cluster;
  readonly stats: ClusterRequestStats;
  readonly resources: ResourceManager;
  private readonly idle: PooledConnection[] = [];
  private readonly all = new Set<PooledConnection>();
  /** Requests waiting for a connection, oldest first (Envoy's pending_streams_). */
  private readonly pending: PendingEntry[] = [];
  private connecting = 0;
  private readonly secureContext: tls.SecureContext | undefined;

  constructor(host: Host, cluster: Cluster, stats: ClusterRequestStats, resources?: ResourceManager) {
    this.host = host;
    this.cluster = cluster;
    this.stats = stats;
    this.resources = resources ?? new ResourceManager(DEFAULT_THRESHOLDS);
    if (cluster.tls) {
      this.secureContext = upstreamSecureContext(cluster.tls);
    }
  }

  /** Open connections (connecting ones not included). */
  get size(): number {
    return this.all.size;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Gives the request a connection, as Envoy's HTTP/1 pool: an idle one at once (callback before this
   * returns), else the request waits in the pending queue while a connection is made, or, at
   * `max_connections`, until one is free. Overflow (the pending queue at `max_pending_requests`, or
   * `max_requests` reached) fails the request at once. Returns the pending request to cancel, if any.
   */
  acquire(cb: AcquireCallback): PendingRequest | undefined {
    let conn = this.idle.pop();
    while (conn?.closed) conn = this.idle.pop();
    if (conn) {
      this.attach(conn, cb);
      return undefined;
    }
    const r = this.resources;
    if (!r.pendingRequests.canCreate()) {
      this.stats.rqPendingOverflow.inc();
      cb(OVERFLOW, null);
      return undefined;
    }
    const entry = new PendingEntry(this, cb);
    this.pending.push(entry);
    r.pendingRequests.inc();
    this.stats.rqPendingTotal.inc();
    this.stats.rqPendingActive.add(1);
    this.tryCreateConnections();
    return entry;
  }

  /** @internal PendingEntry.cancel */
  cancelPending(entry: PendingEntry): void {
    const i = this.pending.indexOf(entry);
    if (i < 0) return;
    this.pending.splice(i, 1);
    this.leftPending();
  }

  private leftPending(): void {
    this.resources.pendingRequests.dec();
    this.stats.rqPendingActive.sub(1);
  }

  /** A stream starts on `conn` (Envoy's attachStreamToClient), unless `max_requests` is reached. */
  private attach(conn: PooledConnection, cb: AcquireCallback): void {
    const r = this.resources;
    if (!r.requests.canCreate()) {
      this.stats.rqPendingOverflow.inc();
      this.idle.push(conn);
      cb(OVERFLOW, null);
      return;
    }
    r.requests.inc();
    conn.streamActive = true;
    conn.reused = conn.streams > 0;
    conn.streams++;
    this.stats.rqTotal.inc();
    this.stats.rqActive.add(1);
    this.host.stats.rq_total++;
    this.host.stats.rq_active++;
    cb(null, conn);
  }

  private endStream(conn: PooledConnection): void {
    if (!conn.streamActive) return;
    conn.streamActive = false;
    this.resources.requests.dec();
    this.stats.rqActive.sub(1);
    this.host.stats.rq_active--;
  }

  /** A connection is free: the oldest pending request gets it, or it waits idle. */
  private onReady(conn: PooledConnection): void {
    const next = this.pending.shift();
    if (next) {
      this.leftPending();
      this.attach(conn, next.cb);
      return;
    }
    this.idle.push(conn);
  }

  /**
   * Connects while pending requests outnumber connections being made (Envoy's tryCreateNewConnection).
   * At `max_connections` it counts `upstream_cx_overflow` and leaves the requests pending, except
   * when this pool has no connection at all: then one is made anyway, or they could never be served.
   */
  private tryCreateConnections(): void {
    while (this.pending.length > this.connecting) {
      if (!this.resources.connections.canCreate()) {
        this.stats.cxOverflow.inc();
        if (this.all.size + this.connecting > 0) return;
      }
      this.connect();
    }
  }

  private connect(): void {
    const { host, stats } = this;
    stats.cxTotal.inc();
    stats.cxHttp1Total.inc();
    host.stats.cx_total++;
    this.connecting++;
    this.resources.connections.inc();
    let socket: net.Socket;
    const tlsConf = this.cluster.tls;
    if (tlsConf && this.secureContext) {
      socket = tls.connect({
        host: host.address,
        port: host.port,
        servername: tlsConf.sni ?? (net.isIP(host.hostname) ? undefined : host.hostname),
        secureContext: this.secureContext,
        // Envoy verifies the upstream certificate only when a validation_context (trusted_ca) is given.
        rejectUnauthorized: verifiesUpstream(tlsConf),
        checkServerIdentity: skipServerIdentity,
        ALPNProtocols: tlsConf.alpn ?? ['http/1.1'],
      });
      countUpstreamHandshake(socket as tls.TLSSocket, stats.ssl);
    } else {
      socket = net.connect({ host: host.address, port: host.port });
    }
    socket.setNoDelay(true);
    const conn: PooledConnection = {
      socket,
      pool: this,
      reused: false,
      handler: null,
      closed: false,
      streamActive: false,
      streams: 0,
    };
    let connected = false;
    const timer = setTimeout(() => {
      stats.cxConnectTimeout.inc();
      socket.destroy(new Error('connection timeout'));
    }, this.cluster.connectTimeoutMs);
    const onConnectError = (err: Error) => {
      if (connected) return;
      connected = true;
      clearTimeout(timer);
      stats.cxConnectFail.inc();
      host.stats.cx_connect_fail++;
      this.connecting--;
      this.resources.connections.dec();
      this.connectFailed(err.message);
    };
    socket.once('error', onConnectError);
    socket.once(tlsConf ? 'secureConnect' : 'connect', () => {
      if (connected) return;
      connected = true;
      clearTimeout(timer);
      socket.off('error', onConnectError);
      this.connecting--;
      this.adopt(conn);
      this.onReady(conn);
    });
  }

  /**
   * A connection could not be made: the pending requests it was for fail with it (Envoy purges the
   * pending streams the remaining connection attempts cannot serve, `upstream_rq_pending_failure_eject`).
   */
  private connectFailed(detail: string): void {
    const failure: PoolFailure = { reason: 'connection-failure', detail };
    while (this.pending.length > this.connecting) {
      const entry = this.pending.shift()!;
      this.leftPending();
      this.stats.rqPendingFailureEject.inc();
      entry.cb(failure, null);
    }
  }

  private adopt(conn: PooledConnection): void {
    const { socket } = conn;
    const { stats, host } = this;
    this.all.add(conn);
    stats.cxActive.add(1);
    host.stats.cx_active++;
    socket.on('data', (buf: Buffer) => {
      stats.cxRxBytes.inc(buf.length);
      if (conn.handler) conn.handler.onUpstreamData(buf);
      else socket.destroy(); // bytes on an idle connection: the upstream is confused; never reuse it
    });
    socket.on('end', () => {
      if (conn.handler) conn.handler.onUpstreamEnd();
      else socket.destroy();
    });
    socket.on('drain', () => conn.handler?.onUpstreamDrain());
    socket.on('error', () => {
      /* 'close' follows; the handler learns about it there */
    });
    socket.on('close', () => {
      conn.closed = true;
      this.all.delete(conn);
      const i = this.idle.indexOf(conn);
      if (i >= 0) this.idle.splice(i, 1);
      stats.cxActive.sub(1);
      host.stats.cx_active--;
      stats.cxDestroy.inc();
      this.resources.connections.dec();
      const h = conn.handler;
      conn.handler = null;
      this.endStream(conn);
      h?.onUpstreamClose();
      // A connection slot is free: requests held at max_connections may connect now.
      if (this.pending.length > 0) this.tryCreateConnections();
    });
  }

  /** Returns a connection whose exchange completed cleanly. */
  release(conn: PooledConnection): void {
    conn.handler = null;
    this.endStream(conn);
    if (conn.closed || conn.socket.destroyed) return;
    const max = this.cluster.maxRequestsPerConnection;
    if (max !== undefined && conn.streams >= max) {
      this.stats.cxMaxRequests.inc();
      this.discard(conn);
      return;
    }
    this.onReady(conn);
  }

  /** Closes a connection that cannot be reused (mid-body failure, upstream asked to close, …). */
  discard(conn: PooledConnection): void {
    conn.handler = null;
    this.endStream(conn);
    if (!conn.closed) {
      this.stats.cxDestroyLocal.inc();
      conn.socket.destroy();
    }
  }

  /** Closes idle connections (config change or shutdown); busy ones close when done. */
  closeIdle(): void {
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }

  destroyAll(): void {
    for (const c of this.all) c.socket.destroy();
  }
}
