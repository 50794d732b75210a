// RING_HASH (Envoy's RingHashLoadBalancer, `ring_hash_lb_config`): a ketama-style ring of 64-bit points.
// Each host gets a share of the ring proportional to its normalized weight; the ring has at least
// `minimum_ring_size` entries (default 1024), scaled up so the lightest host gets a whole number of
// them, and at most `maximum_ring_size` (default 8M). Host h's points are xxHash64("<ip:port>_<i>"),
// i = 0, 1, ...; a request goes to the first point at or after its hash, wrapping to the start. Adding
// or removing a host moves only the keys on the points it gains or loses.
import {
  type HashLbHost,
  HashLoadBalancerBase,
  hostHashKey,
  normalizedWeights,
} from './hash-load-balancer-base.ts';
import type { LoadBalancerOptions } from './load-balancer.ts';
import { xxHash64 } from './xxhash64.ts';

export const DEFAULT_MIN_RING_SIZE = 1024;
export const DEFAULT_MAX_RING_SIZE = 8 * 1024 * 1024;

export interface RingHashOptions {
  minimumRingSize?: number;
  maximumRingSize?: number;
}

export class RingHashLoadBalancer<H extends HashLbHost> extends HashLoadBalancerBase<H> {
  private readonly minSize: number;
  private readonly maxSize: number;
  private ringHashes = new BigUint64Array(0);
  private ringHosts: H[] = [];

  constructor(opts: LoadBalancerOptions & RingHashOptions) {
    super(opts);
    this.minSize = opts.minimumRingSize ?? DEFAULT_MIN_RING_SIZE;
    this.maxSize = opts.maximumRingSize ?? DEFAULT_MAX_RING_SIZE;
  }

  /** Entries in the current ring (for tests and /clusters-style introspection). */
  get ringSize(): number {
    return this.ringHashes.length;
  }

  protected build(hosts: readonly H[]): void {
    const weights = normalizedWeights(hosts);
    const minWeight = Math.min(...weights);
    // Envoy: scale = min(ceil(min_weight * min_ring_size) / min_weight, max_ring_size).
    const scale = Math.min(Math.ceil(minWeight * this.minSize) / minWeight, this.maxSize);
    const entries: { hash: bigint; host: H }[] = [];
    let current = 0;
    let target = 0;
    hosts.forEach((host, k) => {
      const key = hostHashKey(host);
      target += scale * weights[k]!;
      // Running sums over the whole host set, so fractional shares add up to the ring size.
      for (let i = 0; current < target; i++, current++) {
        entries.push({ hash: xxHash64(`${key}_${i}`), host });
      }
    });
    entries.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    this.ringHashes = BigUint64Array.from(entries, (e) => e.hash);
    this.ringHosts = entries.map((e) => e.host);
  }

  protected lookup(hash: bigint): H {
    const ring = this.ringHashes;
    // First point >= hash; past the last point, wrap to the first.
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ring[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return this.ringHosts[lo === ring.length ? 0 : lo]!;
  }
}
