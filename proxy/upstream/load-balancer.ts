// Host selection inside one cluster (`Cluster.lb_policy`), pure: hosts in, one host out, randomness
// injected. Every pick is a single pass over the host list with no allocation; the lists are small
// (one cluster's endpoints), and a pass lets health flags change at any time without a rebuild.
//
// Health and panic follow Envoy's `LoadBalancerBase`: only healthy hosts are chosen, unless fewer than
// `healthy_panic_threshold` percent (default 50) are healthy, in which case Envoy "panics" and picks
// among all hosts, counting `lb_healthy_panic`. An empty host set is 0 % healthy, so Envoy counts a
// panic for it too (and finds no host). The runtime key `upstream.healthy_panic_threshold`, when set,
// overrides the configured threshold (panic-threshold.ts).
import type { LbPolicy } from '../config/model.ts';
import type { IntegerRuntime } from '../router/cluster-choice.ts';
import type { HashLbHost } from './hash-load-balancer-base.ts';
import { MaglevLoadBalancer } from './maglev-load-balancer.ts';
import { isHostSetInPanic, panicThresholdReader } from './panic-threshold.ts';
import { RingHashLoadBalancer } from './ring-hash-load-balancer.ts';

/** What a load balancer reads from a host; `Host` satisfies it. */
export interface LbHost {
  readonly weight: number;
  readonly healthy: boolean;
  readonly stats: { readonly rq_active: number };
}

export interface LoadBalancerOptions {
  /** Uniform in [0, 1). `Math.random` by default; tests pass a seeded generator. */
  random?: () => number;
  /** `common_lb_config.healthy_panic_threshold` in percent; Envoy's default 50; 0 disables panic. */
  healthyPanicThreshold?: number;
  /** Read on every pick for `upstream.healthy_panic_threshold`, which overrides `healthyPanicThreshold`. */
  runtime?: IntegerRuntime;
  /** Incremented on every pick made in panic mode (`cluster.<name>.lb_healthy_panic`). */
  panicCounter?: { inc(): void };
  /** `least_request_lb_config.active_request_bias`; Envoy's default 1.0. */
  activeRequestBias?: number;
  /** `ring_hash_lb_config` (RING_HASH). */
  minimumRingSize?: number;
  maximumRingSize?: number;
  /** `maglev_lb_config.table_size` (MAGLEV). */
  tableSize?: number;
}

export interface LoadBalancer<H extends LbHost> {
  /** Call again whenever the list or a host's weight changes (health changes need no call). */
  setHosts(hosts: readonly H[]): void;
  /** `hash`: the request's hash-policy hash, read only by RING_HASH and MAGLEV. */
  chooseHost(hash?: bigint): H | undefined;
}

abstract class BaseLoadBalancer<H extends LbHost> implements LoadBalancer<H> {
  protected hosts: readonly H[] = [];
  /** All weights equal: Envoy then uses its unweighted algorithms. */
  protected uniformWeights = true;
  protected readonly random: () => number;
  private readonly panicThreshold: () => number;
  private readonly panicCounter: { inc(): void } | undefined;

  constructor(opts: LoadBalancerOptions) {
    this.random = opts.random ?? Math.random;
    this.panicThreshold = panicThresholdReader(opts.healthyPanicThreshold, opts.runtime);
    this.panicCounter = opts.panicCounter;
  }

  setHosts(hosts: readonly H[]): void {
    this.hosts = hosts;
    this.uniformWeights = hosts.every((h) => h.weight === hosts[0]!.weight);
    this.hostsChanged();
  }

  chooseHost(): H | undefined {
    const hosts = this.hosts;
    const n = hosts.length;
    let healthy = 0;
    for (let i = 0; i < n; i++) if (hosts[i]!.healthy) healthy++;
    const panic = isHostSetInPanic(healthy, n, this.panicThreshold());
    if (panic) {
      this.panicCounter?.inc();
      return n === 0 ? undefined : this.pick(true, n);
    }
    if (healthy === 0) return undefined;
    return this.pick(healthy === n, healthy);
  }

  protected hostsChanged(): void {}

  /**
   * Chooses among the eligible hosts: all of them when `all`, else the healthy ones; `count` is how
   * many are eligible (at least 1).
   */
  protected abstract pick(all: boolean, count: number): H;

  /** The k-th eligible host (0-based), without building a filtered list. */
  protected nth(all: boolean, k: number): H {
    const hosts = this.hosts;
    if (all) return hosts[k]!;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      if (h.healthy && k-- === 0) return h;
    }
    return hosts[hosts.length - 1]!;
  }
}

/**
 * ROUND_ROBIN. Smooth weighted round robin: each pick adds every eligible host's weight to its running
 * credit, takes the host with the most credit and charges it the total. With equal weights this is
 * plain rotation; with weights 5:1:1 it interleaves (a a b a c a a) rather than bursting, the same
 * long-run shares as Envoy's EDF scheduler. Like Envoy, the rotation starts at a random host so that
 * many proxies restarted together do not all hit the first host first.
 */
export class RoundRobinLoadBalancer<H extends LbHost> extends BaseLoadBalancer<H> {
  private credit = new Float64Array(0);
  private offset = 0;

  protected override hostsChanged(): void {
    const n = this.hosts.length;
    this.credit = new Float64Array(n);
    this.offset = n > 0 ? Math.min(n - 1, Math.floor(this.random() * n)) : 0;
  }

  protected pick(all: boolean): H {
    return smoothWeightedPick(this.hosts, this.credit, this.offset, all, weightOf);
  }
}

/** RANDOM: a random eligible host, in proportion to `load_balancing_weight`. */
export class RandomLoadBalancer<H extends LbHost> extends BaseLoadBalancer<H> {
  protected pick(all: boolean, count: number): H {
    if (this.uniformWeights) return this.nth(all, randomIndex(this.random(), count));
    const hosts = this.hosts;
    let total = 0;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      if (all || h.healthy) total += h.weight;
    }
    let target = this.random() * total;
    let last = hosts[0]!;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      if (!all && !h.healthy) continue;
      last = h;
      target -= h.weight;
      if (target < 0) return h;
    }
    return last;
  }
}

/**
 * LEAST_REQUEST, as Envoy: with equal weights, "power of two choices" — two hosts drawn at random (with
 * replacement), the one with fewer active requests wins, ties to the first. With unequal weights,
 * weighted round robin where each host's weight is divided by `(rq_active + 1) ^ active_request_bias`
 * at pick time, so a busy host gets proportionally less.
 */
export class LeastRequestLoadBalancer<H extends LbHost> extends BaseLoadBalancer<H> {
  private credit = new Float64Array(0);
  private readonly effectiveWeight: (h: LbHost) => number;

  constructor(opts: LoadBalancerOptions) {
    super(opts);
    const bias = opts.activeRequestBias ?? 1;
    this.effectiveWeight =
      bias === 1
        ? (h) => h.weight / (h.stats.rq_active + 1)
        : bias === 0
          ? weightOf
          : (h) => h.weight / (h.stats.rq_active + 1) ** bias;
  }

  protected override hostsChanged(): void {
    this.credit = new Float64Array(this.hosts.length);
  }

  protected pick(all: boolean, count: number): H {
    if (!this.uniformWeights) {
      return smoothWeightedPick(this.hosts, this.credit, 0, all, this.effectiveWeight);
    }
    const first = this.nth(all, randomIndex(this.random(), count));
    const second = this.nth(all, randomIndex(this.random(), count));
    return second.stats.rq_active < first.stats.rq_active ? second : first;
  }
}

function weightOf(h: LbHost): number {
  return h.weight;
}

function randomIndex(r: number, n: number): number {
  const i = Math.floor(r * n);
  return i < n ? i : n - 1;
}

function smoothWeightedPick<H extends LbHost>(
  hosts: readonly H[],
  credit: Float64Array,
  offset: number,
  all: boolean,
  weight: (h: LbHost) => number,
): H {
  const n = hosts.length;
  let total = 0;
  let best = -1;
  let bestCredit = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    let j = i + offset;
    if (j >= n) j -= n;
    const h = hosts[j]!;
    if (!all && !h.healthy) continue;
    const w = weight(h);
    const c = credit[j]! + w;
    credit[j] = c;
    total += w;
    // Strictly greater: ties go to the host met first from the offset, which makes equal weights rotate.
    if (c > bestCredit) {
      bestCredit = c;
      best = j;
    }
  }
  credit[best] = bestCredit - total;
  return hosts[best]!;
}

export function createLoadBalancer<H extends HashLbHost>(
  policy: LbPolicy,
  opts: LoadBalancerOptions = {},
): LoadBalancer<H> {
  switch (policy) {
    case 'ROUND_ROBIN':
      return new RoundRobinLoadBalancer<H>(opts);
    case 'RANDOM':
      return new RandomLoadBalancer<H>(opts);
    case 'LEAST_REQUEST':
      return new LeastRequestLoadBalancer<H>(opts);
    case 'RING_HASH':
      return new RingHashLoadBalancer<H>(opts);
    case 'MAGLEV':
      return new MaglevLoadBalancer<H>(opts);
  }
}
