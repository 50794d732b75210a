// Wires the proxy together: configuration, runtime, clusters, listeners, admin, and the two life-cycle
// events Envoy users rely on — a configuration change (applied live here, which Envoy itself cannot do
// for a static bootstrap) and SIGTERM (stop accepting, finish in-flight requests, exit).
import type net from 'node:net';
import type { Bootstrap, Listener } from '../config/model.ts';
import type { Log } from '../log/logger.ts';
import { LayeredRuntime } from '../runtime/layered-runtime.ts';
import { StatsStore } from '../stats/store.ts';
import { ClusterManager } from '../upstream/cluster-manager.ts';
import { createResolver } from '../upstream/resolver.ts';
import { ClusterRegistry } from './cluster-registry.ts';
import type { HcmContext, ProxyCore } from './contexts.ts';
import { DownstreamConnection, type ListenerHandle } from './downstream-connection.ts';
import { createListenerServer, updateListenerTls } from './downstream-tls.ts';
import { type AccessLogSinks, buildHcmContext } from './hcm-context.ts';
import { ListenerStats } from './request-stats.ts';
import { weightKeyValidator } from './runtime-weight-validator.ts';
import { startServerStats } from './server-stats.ts';

export interface ProxyServerOptions {
  log: Log;
  hostsFile?: string;
  /** How long SIGTERM waits for in-flight requests before closing what is left. */
  drainTimeMs: number;
  commandLine: Record<string, unknown>;
}

class ActiveListener implements ListenerHandle {
  readonly core: ProxyCore;
  readonly listenerStats: ListenerStats;
  config: Listener;
  current: HcmContext;
  readonly server: net.Server;
  readonly connections = new Set<DownstreamConnection>();

  constructor(core: ProxyCore, config: Listener, ctx: HcmContext, stats: StatsStore) {
    this.core = core;
    this.config = config;
    this.current = ctx;
    this.listenerStats = new ListenerStats(stats, config.address.address, config.address.port);
    this.server = createListenerServer(config, stats, (socket) => {
      this.connections.add(new DownstreamConnection(socket, this));
    });
  }

  ctx(): HcmContext {
    return this.current;
  }

  onConnectionClosed(dc: DownstreamConnection): void {
    this.connections.delete(dc);
  }

  listen(): Promise<void> {
    const { address, port } = this.config.address;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          new Error(
            `listener '${this.config.name}': cannot bind ${address}:${port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`,
          ),
        );
      };
      this.server.once('error', onError);
      this.server.listen({ host: address, port, backlog: 1024 }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** The port actually bound (port_value 0 binds an ephemeral port, handy in tests). */
  boundPort(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : this.config.address.port;
  }
}

export class ProxyServer implements ProxyCore {
  readonly stats = new StatsStore();
  readonly startTime = new Date();
  bootstrap: Bootstrap;
  readonly runtime: LayeredRuntime;
  readonly clusterManager: ClusterManager;
  private readonly registry: ClusterRegistry;
  readonly listeners = new Map<string, ActiveListener>();
  private readonly sinks: AccessLogSinks;
  private readonly opts: ProxyServerOptions;
  draining = false;
  healthcheckFailed = false;
  private stopServerStats: (() => void) | undefined;

  constructor(bootstrap: Bootstrap, opts: ProxyServerOptions) {
    this.bootstrap = bootstrap;
    this.opts = opts;
    const log = opts.log;
    this.runtime = new LayeredRuntime(bootstrap.layeredRuntime, {
      serviceCluster: bootstrap.node.cluster,
      log: (level: string, msg: string) => log(level === 'warn' ? 'warning' : 'info', 'runtime', msg),
      validate: (key: string, value: string) => weightKeyValidator(this.bootstrap)(key, value),
    });
    this.clusterManager = new ClusterManager({
      stats: this.stats,
      resolver: createResolver(opts.hostsFile ? { hostsFile: opts.hostsFile } : {}),
      runtime: this.runtime,
      log: (level: string, msg: string) => log(level === 'warn' ? 'warning' : 'info', 'upstream', msg),
    });
    this.registry = new ClusterRegistry(this.clusterManager, this.stats);
    this.sinks = new Map();
  }

  cluster(name: string) {
    return this.registry.get(name);
  }

  async start(): Promise<void> {
    await this.runtime.start();
    this.clusterManager.update(this.bootstrap.clusters);
    this.registry.sync();
    // Envoy warms clusters (initial DNS resolution) before its listeners accept traffic.
    await this.clusterManager.ready();
    for (const l of this.bootstrap.listeners) {
      const al = new ActiveListener(this, l, this.buildContext(l), this.stats);
      await al.listen();
      this.listeners.set(l.name, al);
      this.opts.log('info', 'main', `listener '${l.name}' on ${l.address.address}:${al.boundPort()}`);
    }
    this.stopServerStats = startServerStats(this);
  }

  private buildContext(l: Listener): HcmContext {
    return buildHcmContext(l.hcm, this.stats, this.sinks);
  }

  /**
   * Applies a new, already validated bootstrap: clusters first (so new routes find their clusters), then
   * each listener's connection manager is swapped; a listener whose address changed is re-bound.
   * A listener that cannot bind leaves the old one serving and reports the error.
   */
  async apply(next: Bootstrap): Promise<void> {
    this.clusterManager.update(next.clusters);
    this.registry.sync();
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const l of next.listeners) {
      seen.add(l.name);
      const existing = this.listeners.get(l.name);
      const sameAddress =
        existing !== undefined &&
        existing.config.address.address === l.address.address &&
        existing.config.address.port === l.address.port;
      // New certificates apply in place; TLS switched on or off needs a new server on the same port.
      if (existing && sameAddress && updateListenerTls(existing.server, l.tls)) {
        existing.config = l;
        existing.current = this.buildContext(l);
        continue;
      }
      if (existing && sameAddress) this.closeListener(existing);
      const al = new ActiveListener(this, l, this.buildContext(l), this.stats);
      try {
        await al.listen();
      } catch (e) {
        errors.push((e as Error).message);
        continue;
      }
      if (existing && !sameAddress) this.closeListener(existing);
      this.listeners.set(l.name, al);
    }
    for (const [name, al] of this.listeners) {
      if (!seen.has(name)) {
        this.closeListener(al);
        this.listeners.delete(name);
      }
    }
    this.bootstrap = next;
    this.pruneSinks();
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  private closeListener(al: ActiveListener): void {
    al.server.close();
    for (const c of al.connections) c.drain();
  }

  private pruneSinks(): void {
    const used = new Set<string>();
    for (const al of this.listeners.values()) {
      for (const a of al.config.hcm.accessLogs) used.add(a.sink === 'file' ? `file:${a.path}` : a.sink);
    }
    for (const [k, sink] of this.sinks) {
      if (!used.has(k)) {
        sink.close();
        this.sinks.delete(k);
      }
    }
  }

  listenerPort(name: string): number | undefined {
    return this.listeners.get(name)?.boundPort();
  }

  /** SIGTERM: stop accepting, let in-flight requests finish (each connection closes after its response). */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const all: DownstreamConnection[] = [];
    for (const al of this.listeners.values()) {
      al.server.close();
      for (const c of al.connections) {
        c.drain();
        all.push(c);
      }
    }
    const deadline = Date.now() + this.opts.drainTimeMs;
    while (Date.now() < deadline) {
      let open = 0;
      for (const al of this.listeners.values()) open += al.connections.size;
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of all) c.destroy();
  }

  async close(): Promise<void> {
    this.stopServerStats?.();
    for (const al of this.listeners.values()) {
      al.server.close();
      for (const c of al.connections) c.destroy();
    }
    this.listeners.clear();
    this.registry.close();
    this.clusterManager.close();
    this.runtime.close();
    for (const sink of this.sinks.values()) await sink.close();
    this.sinks.clear();
  }
}
