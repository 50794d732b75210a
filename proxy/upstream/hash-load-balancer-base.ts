// What RING_HASH and MAGLEV share (Envoy's ThreadAwareLoadBalancerBase): a lookup structure built over
// the eligible hosts (the healthy ones, or all of them when the cluster is in panic, with the same
// `healthy_panic_threshold` rule as the other balancers) and rebuilt when that set changes. A request
// brings the 64-bit hash its route's `hash_policy` computed; without one (no policy, or the header or
// cookie absent) Envoy uses a random 64-bit value, so such requests spread like RANDOM.
import type { LbHost, LoadBalancer, LoadBalancerOptions } from './load-balancer.ts';
import { isHostSetInPanic, panicThresholdReader } from './panic-threshold.ts';

/** A host as the hash balancers read it: `Host` satisfies it. */
export interface HashLbHost extends LbHost {
  /** `ip:port`. */
  readonly key: string;
}

export abstract class HashLoadBalancerBase<H extends HashLbHost> implements LoadBalancer<H> {
  protected hosts: readonly H[] = [];
  private readonly random: () => number;
  private readonly panicThreshold: () => number;
  private readonly panicCounter: { inc(): void } | undefined;
  /** Health of each host when the structure was last built; 2 = never built. */
  private builtHealth = new Uint8Array(0);
  private builtPanic = false;
  private dirty = true;
  /** Hosts the structure was built over. */
  protected eligible: H[] = [];

  constructor(opts: LoadBalancerOptions) {
    this.random = opts.random ?? Math.random;
    this.panicThreshold = panicThresholdReader(opts.healthyPanicThreshold, opts.runtime);
    this.panicCounter = opts.panicCounter;
  }

  setHosts(hosts: readonly H[]): void {
    this.hosts = hosts;
    this.builtHealth = new Uint8Array(hosts.length).fill(2);
    this.dirty = true;
  }

  chooseHost(hash?: bigint): H | undefined {
    const hosts = this.hosts;
    const n = hosts.length;
    let healthy = 0;
    let healthChanged = false;
    for (let i = 0; i < n; i++) {
      const ok = hosts[i]!.healthy ? 1 : 0;
      healthy += ok;
      if (this.builtHealth[i] !== ok) healthChanged = true;
    }
    // Per pick like the health flags: a runtime override flips panic, and so rebuilds, at once.
    const panic = isHostSetInPanic(healthy, n, this.panicThreshold());
    if (panic) this.panicCounter?.inc();
    if (this.dirty || panic !== this.builtPanic || (!panic && healthChanged)) {
      this.eligible = panic ? [...hosts] : hosts.filter((h) => h.healthy);
      for (let i = 0; i < n; i++) this.builtHealth[i] = hosts[i]!.healthy ? 1 : 0;
      this.builtPanic = panic;
      this.dirty = false;
      if (this.eligible.length > 0) this.build(this.eligible);
    }
    if (this.eligible.length === 0) return undefined;
    return this.lookup(hash ?? this.randomHash());
  }

  /** Envoy draws a random uint64 for a request without a hash. */
  private randomHash(): bigint {
    const hi = BigInt(Math.floor(this.random() * 0x1_0000_0000));
    const lo = BigInt(Math.floor(this.random() * 0x1_0000_0000));
    return (hi << 32n) | lo;
  }

  /** Builds the structure over a non-empty host list. */
  protected abstract build(hosts: readonly H[]): void;
  protected abstract lookup(hash: bigint): H;
}

/** Envoy's hash key for a host: its address as `ip:port` (`use_hostname_for_hashing` unset). */
export function hostHashKey(h: HashLbHost): string {
  return h.key;
}

/** Each host's weight over the sum of the weights (Envoy's normalized host weights). */
export function normalizedWeights(hosts: readonly LbHost[]): number[] {
  let sum = 0;
  for (const h of hosts) sum += h.weight;
  return hosts.map((h) => (sum > 0 ? h.weight / sum : 1 / hosts.length));
}
