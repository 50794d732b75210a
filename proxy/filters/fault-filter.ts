// The fault filter's effect on a request: given the decisions of fault-decision.ts, hold the request
// for the delay (response flag DI), then answer it locally with the abort status (FI, body "fault filter
// abort", details "fault_filter_abort"), keeping Envoy's stats in `http.<stat_prefix>.fault.`
// (delays_injected, aborts_injected, faults_overflow, the active_faults gauge, and per downstream
// cluster `<cluster>.delays_injected` / `<cluster>.aborts_injected`).

import type { FaultConfig, Route } from '../config/model.ts';
import type { RequestHead } from '../http/head-parser.ts';
import type { IntegerRuntime } from '../router/cluster-choice.ts';
import type { LocalReply } from '../server/local-reply.ts';
import { addResponseFlag } from '../server/response-flags.ts';
import type { Counter, Gauge, StatsStore } from '../stats/store.ts';
import {
  downstreamServiceCluster,
  type FaultEnv,
  faultMatchesRequest,
  maxActiveFaults,
  selectAbort,
  selectDelay,
} from './fault-decision.ts';

export const FAULT_ABORT_BODY = 'fault filter abort';

class FaultStats {
  readonly delaysInjected: Counter;
  readonly abortsInjected: Counter;
  readonly faultsOverflow: Counter;
  readonly activeFaults: Gauge;
  private readonly store: StatsStore;
  private readonly prefix: string;

  constructor(store: StatsStore, statPrefix: string) {
    this.store = store;
    this.prefix = `http.${statPrefix}.fault.`;
    this.delaysInjected = store.counter(`${this.prefix}delays_injected`);
    this.abortsInjected = store.counter(`${this.prefix}aborts_injected`);
    this.faultsOverflow = store.counter(`${this.prefix}faults_overflow`);
    this.activeFaults = store.gauge(`${this.prefix}active_faults`);
  }

  perCluster(cluster: string, stat: 'delays_injected' | 'aborts_injected'): Counter {
    return this.store.counter(`${this.prefix}${cluster}.${stat}`);
  }
}

/** How the request path continues after the filter: on to routing, or a local reply. */
export interface FaultCallbacks {
  proceed(): void;
  abort(reply: LocalReply): void;
}

/** One request's fault: started with run(), ended with end() when the request is done. */
export class FaultRun {
  private readonly stats: FaultStats;
  private readonly config: FaultConfig;
  private readonly env: FaultEnv;
  private readonly req: RequestHead;
  /** `x-envoy-downstream-service-cluster`: its runtime keys apply, and its stats unless disabled. */
  private readonly cluster: string | undefined;
  private readonly delayMs: number | undefined;
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  /** A delay was injected (DI); an abort was injected (FI). */
  delayed = false;
  aborted = false;

  constructor(
    stats: FaultStats,
    config: FaultConfig,
    env: FaultEnv,
    req: RequestHead,
    cluster: string | undefined,
    delayMs: number | undefined,
  ) {
    this.stats = stats;
    this.config = config;
    this.env = env;
    this.req = req;
    this.cluster = cluster;
    this.delayMs = delayMs;
  }

  private statsCluster(): string | undefined {
    return this.config.disableDownstreamClusterStats ? undefined : this.cluster;
  }

  /** Starts the delay, or aborts now; calls `cb.proceed()` when no fault ends up injected. */
  run(cb: FaultCallbacks): void {
    const st = this.stats;
    if (this.delayMs !== undefined && this.tryActivate()) {
      this.delayed = true;
      st.delaysInjected.inc();
      const cluster = this.statsCluster();
      if (cluster !== undefined) st.perCluster(cluster, 'delays_injected').inc();
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.afterDelay(cb);
      }, this.delayMs);
      return;
    }
    this.afterDelay(cb);
  }

  /** Envoy evaluates the abort once the delay (if any) is over (FaultFilter::postDelayInjection). */
  private afterDelay(cb: FaultCallbacks): void {
    const status = selectAbort(this.config, this.env, this.req, this.cluster);
    if (status === undefined || !this.tryActivate()) {
      cb.proceed();
      return;
    }
    this.aborted = true;
    const st = this.stats;
    st.abortsInjected.inc();
    const cluster = this.statsCluster();
    if (cluster !== undefined) st.perCluster(cluster, 'aborts_injected').inc();
    cb.abort({ status, body: FAULT_ABORT_BODY, flag: 'FI', details: 'fault_filter_abort' });
  }

  /** Envoy charges one active fault per request, checked against max_active_faults when it starts. */
  private tryActivate(): boolean {
    if (this.active) return true;
    const st = this.stats;
    if (st.activeFaults.value >= maxActiveFaults(this.config, this.env.runtime)) {
      st.faultsOverflow.inc();
      return false;
    }
    st.activeFaults.add(1);
    this.active = true;
    return true;
  }

  /** The request is over (answered, or the client left): stop the delay, release the active fault. */
  end(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.active) {
      this.active = false;
      this.stats.activeFaults.sub(1);
    }
  }

  /** The response flags with DI / FI merged in, in Envoy's order (…,NR,DI,FI,…,DC,URX,…). */
  responseFlags(flags: string): string {
    let out = flags === '-' ? '' : flags;
    if (this.delayed) out = addResponseFlag(out, 'DI');
    if (this.aborted) out = addResponseFlag(out, 'FI');
    return out;
  }
}

/** One connection manager's fault filter: its config and stats. */
export class FaultFilter {
  readonly config: FaultConfig;
  readonly stats: FaultStats;
  private readonly random: () => number;

  constructor(
    config: FaultConfig,
    store: StatsStore,
    statPrefix: string,
    random: () => number = Math.random,
  ) {
    this.config = config;
    this.stats = new FaultStats(store, statPrefix);
    this.random = random;
  }

  /**
   * The fault for this request, or undefined when none can apply (headers do not match, or neither a
   * delay nor an abort is configured). A route's `typed_per_filter_config` replaces the filter's config.
   */
  select(req: RequestHead, route: Route | undefined, runtime: IntegerRuntime): FaultRun | undefined {
    const config = route?.faultOverride ?? this.config;
    if (config.delay === undefined && config.abort === undefined) return undefined;
    if (!faultMatchesRequest(config, req)) return undefined;
    const env: FaultEnv = { runtime, random: this.random };
    const cluster = downstreamServiceCluster(req);
    const delayMs = selectDelay(config, env, req, cluster);
    if (delayMs === undefined && config.abort === undefined) return undefined;
    return new FaultRun(this.stats, config, env, req, cluster, delayMs);
  }
}
