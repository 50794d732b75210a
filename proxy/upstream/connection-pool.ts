// Keep-alive HTTP/1.1 connections to one upstream host of one cluster. Idle connections are reused
// most-recently-used first (the warmest socket, and the least likely to have hit the upstream's idle
// timeout). Each socket has a single set of listeners for its whole life; the request currently using
// it is its `handler`, so no listener is added or removed per request.

import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Cluster } from '../config/model.ts';
import type { ClusterRequestStats } from '../server/request-stats.ts';
import type { Host } from './host.ts';

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
}

export type AcquireCallback = (err: Error | null, conn: PooledConnection | null) => void;

export class ConnectionPool {
  readonly host: Host;
  readonly cluster: Cluster;
  readonly stats: ClusterRequestStats;
  private readonly idle: PooledConnection[] = [];
  private readonly all = new Set<PooledConnection>();
  private readonly secureContext: tls.SecureContext | undefined;

  constructor(host: Host, cluster: Cluster, stats: ClusterRequestStats) {
    this.host = host;
    this.cluster = cluster;
    this.stats = stats;
    if (cluster.tls) {
      const ca = cluster.tls.caFile ? readFileSync(cluster.tls.caFile) : undefined;
      this.secureContext = tls.createSecureContext(ca ? { ca } : {});
    }
  }

  get size(): number {
    return this.all.size;
  }

  /** Hands out an idle connection at once, or connects (callback after connect or failure). */
  acquire(cb: AcquireCallback): void {
    let conn = this.idle.pop();
    while (conn?.closed) conn = this.idle.pop();
    if (conn) {
      conn.reused = true;
      cb(null, conn);
      return;
    }
    this.connect(cb);
  }

  private connect(cb: AcquireCallback): void {
    const { host, stats } = this;
    stats.cxTotal.inc();
    stats.cxHttp1Total.inc();
    host.stats.cx_total++;
    let socket: net.Socket;
    const tlsConf = this.cluster.tls;
    if (tlsConf && this.secureContext) {
      socket = tls.connect({
        host: host.address,
        port: host.port,
        servername: tlsConf.sni ?? (net.isIP(host.hostname) ? undefined : host.hostname),
        secureContext: this.secureContext,
        // Envoy verifies the upstream certificate only when a validation_context (trusted_ca) is given.
        rejectUnauthorized: tlsConf.caFile !== undefined,
        ALPNProtocols: tlsConf.alpn ?? ['http/1.1'],
      });
    } else {
      socket = net.connect({ host: host.address, port: host.port });
    }
    socket.setNoDelay(true);
    const conn: PooledConnection = { socket, pool: this, reused: false, handler: null, closed: false };
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
      cb(err, null);
    };
    socket.once('error', onConnectError);
    socket.once(tlsConf ? 'secureConnect' : 'connect', () => {
      if (connected) return;
      connected = true;
      clearTimeout(timer);
      socket.off('error', onConnectError);
      this.adopt(conn);
      cb(null, conn);
    });
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
      const h = conn.handler;
      conn.handler = null;
      h?.onUpstreamClose();
    });
  }

  /** Returns a connection whose exchange completed cleanly. */
  release(conn: PooledConnection): void {
    conn.handler = null;
    if (conn.closed || conn.socket.destroyed) return;
    this.idle.push(conn);
  }

  /** Closes a connection that cannot be reused (mid-body failure, upstream asked to close, …). */
  discard(conn: PooledConnection): void {
    conn.handler = null;
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
