// Active HTTP health checking for one cluster (Envoy's HttpHealthCheckerImpl): one session per host,
// each sending `GET <path>` with `Host: <host or cluster name>` and `User-Agent: Envoy/HC` on its own
// connection (kept between checks unless `reuse_connection: false`) — over TLS when the cluster has an
// UpstreamTlsContext, as Envoy checks through the cluster's transport socket — waiting at most `timeout`, then
// scheduling the next check (health-check-session.ts decides the state and the delay). Stats as
// Envoy's `cluster.<name>.health_check.*`; `healthy` counts the checked hosts not failing their check.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import type { HealthCheck } from '../config/model.ts';
import type { Counter, Gauge, StatsStore } from '../stats/store.ts';
import {
  type HealthCheckedHost,
  HealthCheckSession,
  type HealthTransition,
  nextCheckDelayMs,
  statusInRanges,
} from './health-check-session.ts';
import {
  skipServerIdentity,
  type UpstreamTls,
  upstreamSecureContext,
  verifiesUpstream,
} from './upstream-tls.ts';

/** What the checker needs from a host; `Host` satisfies it. */
export interface CheckedHost extends HealthCheckedHost {
  readonly address: string;
  readonly port: number;
  /** The name the host was resolved from (the SNI when the cluster sets none), or its address. */
  readonly hostname: string;
}

/** `cluster.<name>.health_check.*` (config/upstream/cluster_manager/cluster_stats, health check statistics). */
export class HealthCheckStats {
  readonly attempt: Counter;
  readonly success: Counter;
  readonly failure: Counter;
  readonly network_failure: Counter;
  readonly healthy: Gauge;

  constructor(store: StatsStore, clusterName: string) {
    const p = `cluster.${clusterName}.health_check.`;
    this.attempt = store.counter(`${p}attempt`);
    this.success = store.counter(`${p}success`);
    this.failure = store.counter(`${p}failure`);
    this.network_failure = store.counter(`${p}network_failure`);
    // Listed by Envoy at 0; moved only by passive checks, cluster verification and degraded hosts.
    store.counter(`${p}passive_failure`);
    store.counter(`${p}verify_cluster`);
    store.gauge(`${p}degraded`);
    this.healthy = store.gauge(`${p}healthy`);
  }
}

export interface HealthCheckerOptions<H extends CheckedHost> {
  clusterName: string;
  stats: HealthCheckStats;
  /** True once the cluster has carried traffic (Envoy: `upstream_cx_total` used). */
  hadTraffic: () => boolean;
  /** A host's `failed_active_hc` flag changed. */
  onHealthChange: (host: H) => void;
  /** A check passed and the host is not failing its active health check (outlier un-ejection). */
  onPassed?: (host: H) => void;
  random?: () => number;
  /** The cluster's upstream TLS, when it has a transport socket. */
  tls?: UpstreamTls;
  /** False while the cluster warms beside the one it replaces (same stat names): the gauge waits. */
  publishing?: () => boolean;
}

class Session<H extends CheckedHost> {
  readonly state: HealthCheckSession<H>;
  timer: NodeJS.Timeout | undefined;
  req: http.ClientRequest | undefined;
  readonly agent: http.Agent;
  closed = false;
  /** Resolved at the first result (for the cluster's initial health-check round). */
  readonly firstResult: Promise<void>;
  resolveFirst!: () => void;

  constructor(host: H, cfg: HealthCheck, secure: boolean) {
    this.state = new HealthCheckSession(host, cfg);
    const agentOptions = { keepAlive: cfg.reuseConnection, maxSockets: 1 };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.firstResult = new Promise((r) => {
      this.resolveFirst = r;
    });
  }
}

export class HealthChecker<H extends CheckedHost> {
  readonly config: HealthCheck;
  private readonly opts: HealthCheckerOptions<H>;
  private readonly random: () => number;
  private readonly sessions = new Map<H, Session<H>>();
  private readonly secureContext: tls.SecureContext | undefined;

  constructor(config: HealthCheck, opts: HealthCheckerOptions<H>) {
    this.config = config;
    this.opts = opts;
    this.random = opts.random ?? Math.random;
    this.secureContext = opts.tls ? upstreamSecureContext(opts.tls) : undefined;
  }

  /** Starts checking new hosts and stops checking removed ones. */
  setHosts(hosts: readonly H[]): void {
    const wanted = new Set(hosts);
    for (const [host, s] of this.sessions) {
      if (!wanted.has(host)) {
        this.stop(s);
        this.sessions.delete(host);
      }
    }
    for (const host of hosts) {
      if (this.sessions.has(host)) continue;
      const s = new Session(host, this.config, this.secureContext !== undefined);
      this.sessions.set(host, s);
      const jitter =
        this.config.initialJitterMs > 0 ? Math.floor(this.random() * this.config.initialJitterMs) : 0;
      this.schedule(s, jitter);
    }
    this.updateGauge();
  }

  /** Settles once every host checked now has had one result (Envoy's initial health-check round). */
  firstRound(): Promise<void> {
    return Promise.all([...this.sessions.values()].map((s) => s.firstResult)).then(() => {});
  }

  close(): void {
    for (const s of this.sessions.values()) this.stop(s);
    this.sessions.clear();
  }

  private stop(s: Session<H>): void {
    s.closed = true;
    clearTimeout(s.timer);
    s.req?.destroy();
    s.agent.destroy();
    s.resolveFirst();
  }

  private schedule(s: Session<H>, delayMs: number): void {
    if (s.closed) return;
    s.timer = setTimeout(() => this.check(s), delayMs);
    s.timer.unref();
  }

  private check(s: Session<H>): void {
    if (s.closed) return;
    const cfg = this.config;
    const host = s.state.host;
    this.opts.stats.attempt.inc();
    let done = false;
    const finish = (
      result: { ok: true } | { ok: false; kind: 'active' | 'network'; retriable?: boolean },
    ) => {
      if (done || s.closed) return;
      done = true;
      clearTimeout(timeout);
      s.req = undefined;
      this.onResult(s, result);
    };
    const options: https.RequestOptions & tls.ConnectionOptions = {
      host: host.address,
      port: host.port,
      method: 'GET',
      path: cfg.http.path,
      agent: s.agent,
      headers: { host: cfg.http.host ?? this.opts.clusterName, 'user-agent': 'Envoy/HC' },
    };
    const t = this.opts.tls;
    if (t && this.secureContext) {
      // The pool's TLS settings (connection-pool.ts): SNI, CA verification only with a trusted_ca.
      const servername = t.sni ?? (net.isIP(host.hostname) ? undefined : host.hostname);
      if (servername !== undefined) options.servername = servername;
      options.secureContext = this.secureContext;
      options.rejectUnauthorized = verifiesUpstream(t);
      options.checkServerIdentity = skipServerIdentity;
      options.ALPNProtocols = t.alpn ?? ['http/1.1'];
    }
    const req = (t ? https : http).request(options);
    s.req = req;
    const timeout = setTimeout(() => {
      // Envoy closes the connection of a timed-out check; it counts as a network failure.
      finish({ ok: false, kind: 'network' });
      req.destroy();
    }, cfg.timeoutMs);
    timeout.unref();
    req.on('response', (res) => {
      res.resume();
      res.on('error', () => finish({ ok: false, kind: 'network' }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (statusInRanges(status, cfg.http.expectedStatuses)) finish({ ok: true });
        else
          finish({
            ok: false,
            kind: 'active',
            retriable: statusInRanges(status, cfg.http.retriableStatuses),
          });
      });
    });
    req.on('error', () => finish({ ok: false, kind: 'network' }));
    req.end();
  }

  private onResult(
    s: Session<H>,
    result: { ok: true } | { ok: false; kind: 'active' | 'network'; retriable?: boolean },
  ): void {
    const st = this.opts.stats;
    let t: HealthTransition;
    if (result.ok) {
      st.success.inc();
      t = s.state.success();
    } else {
      st.failure.inc();
      if (result.kind === 'network') st.network_failure.inc();
      t = s.state.failure(result.kind, result.retriable);
    }
    if (t === 'changed') {
      this.updateGauge();
      this.opts.onHealthChange(s.state.host);
    }
    if (result.ok && !s.state.host.failedActiveHealthCheck) this.opts.onPassed?.(s.state.host);
    s.resolveFirst();
    this.schedule(s, nextCheckDelayMs(this.config, result.ok, t, this.opts.hadTraffic(), this.random));
  }

  /** Writes the `healthy` gauge (also when a warmed replacement takes over). */
  updateGauge(): void {
    if (this.opts.publishing?.() === false) return;
    let healthy = 0;
    for (const h of this.sessions.keys()) if (!h.failedActiveHealthCheck) healthy++;
    this.opts.stats.healthy.set(healthy);
  }
}
