// MAGLEV (Envoy's MaglevLoadBalancer, Google's Maglev paper §3.4): a lookup table of `table_size`
// slots (default 65537, a prime) filled by letting every host claim slots in turn along its own
// permutation, offset = xxHash64(key) mod M and skip = xxHash64(key, seed 1) mod (M - 1) + 1, key being
// the host's `ip:port`. Weights are honoured as Envoy does: in round `r` a host claims a slot only once
// r × weight has caught up with its running target, so a host of half the maximum weight claims every
// other round. A request takes slot hash mod M. Removing a host disturbs few slots beyond its own.
import {
  type HashLbHost,
  HashLoadBalancerBase,
  hostHashKey,
  normalizedWeights,
} from './hash-load-balancer-base.ts';
import type { LoadBalancerOptions } from './load-balancer.ts';
import { xxHash64 } from './xxhash64.ts';

export const DEFAULT_MAGLEV_TABLE_SIZE = 65537;

export class MaglevLoadBalancer<H extends HashLbHost> extends HashLoadBalancerBase<H> {
  private readonly size: number;
  private readonly bigSize: bigint;
  private table = new Int32Array(0);
  private tableHosts: readonly H[] = [];

  constructor(opts: LoadBalancerOptions & { tableSize?: number }) {
    super(opts);
    this.size = opts.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE;
    this.bigSize = BigInt(this.size);
  }

  /** How many slots each host owns, by host (for tests). */
  slotCounts(): Map<H, number> {
    const counts = new Map<H, number>();
    for (const i of this.table) {
      const h = this.tableHosts[i]!;
      counts.set(h, (counts.get(h) ?? 0) + 1);
    }
    return counts;
  }

  protected build(hosts: readonly H[]): void {
    const m = this.size;
    const weights = normalizedWeights(hosts);
    const maxWeight = Math.max(...weights);
    const entries = hosts.map((h, i) => {
      const key = hostHashKey(h);
      return {
        pos: Number(xxHash64(key) % this.bigSize),
        skip: Number(xxHash64(key, 1n) % BigInt(m - 1)) + 1,
        weight: weights[i]!,
        target: 0,
      };
    });
    const table = new Int32Array(m).fill(-1);
    let filled = 0;
    for (let round = 1; filled < m; round++) {
      for (let i = 0; i < entries.length && filled < m; i++) {
        const e = entries[i]!;
        if (round * e.weight < e.target) continue;
        e.target += maxWeight;
        while (table[e.pos] !== -1) e.pos = (e.pos + e.skip) % m;
        table[e.pos] = i;
        e.pos = (e.pos + e.skip) % m;
        filled++;
      }
    }
    this.table = table;
    this.tableHosts = hosts;
  }

  protected lookup(hash: bigint): H {
    return this.tableHosts[this.table[Number(hash % this.bigSize)]!]!;
  }
}
