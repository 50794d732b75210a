import { describe, expect, it } from 'vitest';
import { Counter } from '../../../proxy/stats/store.ts';
import { Host } from '../../../proxy/upstream/host.ts';
import { createLoadBalancer } from '../../../proxy/upstream/load-balancer.ts';
import { MaglevLoadBalancer } from '../../../proxy/upstream/maglev-load-balancer.ts';
import { RingHashLoadBalancer } from '../../../proxy/upstream/ring-hash-load-balancer.ts';
import { xxHash64 } from '../../../proxy/upstream/xxhash64.ts';
import { seededRandom } from '../../support/seeded-random.ts';

function hosts(n: number, weight = 1): Host[] {
  return Array.from({ length: n }, (_, i) => new Host(`10.0.0.${i + 1}`, 8080, `10.0.0.${i + 1}`, weight));
}

const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

function assignment(lb: { chooseHost(h?: bigint): Host | undefined }): Map<string, Host> {
  const m = new Map<string, Host>();
  for (const u of users) m.set(u, lb.chooseHost(xxHash64(u))!);
  return m;
}

function shares(a: Map<string, Host>, hs: Host[]): number[] {
  return hs.map((h) => [...a.values()].filter((x) => x === h).length / a.size);
}

describe('xxHash64', () => {
  it('matches the reference vectors (XXH64, seed 0)', () => {
    expect(xxHash64('').toString(16)).toBe('ef46db3751d8e999');
    expect(xxHash64('a').toString(16)).toBe('d24ec4f1a98c6e5b');
    expect(xxHash64('abc').toString(16)).toBe('44bc2cf5ad770999');
    // ≥ 32 bytes: the four-lane path.
    expect(xxHash64('Nobody inspects the spammish repetition').toString(16)).toBe('fbcea83c8a378bf1');
  });

  it('depends on the seed', () => {
    expect(xxHash64('10.0.0.1:8080', 1n)).not.toBe(xxHash64('10.0.0.1:8080'));
  });
});

for (const policy of ['RING_HASH', 'MAGLEV'] as const) {
  describe(policy, () => {
    it('sends one key to one host every time, and another build agrees', () => {
      const hs = hosts(3);
      const lb = createLoadBalancer<Host>(policy, { random: seededRandom(1) });
      lb.setHosts(hs);
      const diego = xxHash64('diego');
      const first = lb.chooseHost(diego);
      for (let i = 0; i < 50; i++) expect(lb.chooseHost(diego)).toBe(first);
      const again = createLoadBalancer<Host>(policy, { random: seededRandom(99) });
      again.setHosts(hs);
      expect(again.chooseHost(diego)).toBe(first);
    });

    it('spreads different keys over the hosts roughly evenly', () => {
      const hs = hosts(4);
      const lb = createLoadBalancer<Host>(policy);
      lb.setHosts(hs);
      for (const s of shares(assignment(lb), hs)) {
        expect(s).toBeGreaterThan(0.17);
        expect(s).toBeLessThan(0.33);
      }
    });

    it('honours load_balancing_weight', () => {
      const hs = [new Host('10.0.0.1', 80, '10.0.0.1', 3), new Host('10.0.0.2', 80, '10.0.0.2', 1)];
      const lb = createLoadBalancer<Host>(policy);
      lb.setHosts(hs);
      const [heavy] = shares(assignment(lb), hs);
      expect(heavy).toBeGreaterThan(0.68);
      expect(heavy).toBeLessThan(0.82);
    });

    it('moves only the keys of a removed host', () => {
      const hs = hosts(5);
      const lb = createLoadBalancer<Host>(policy);
      lb.setHosts(hs);
      const before = assignment(lb);
      lb.setHosts(hs.slice(0, 4));
      const after = assignment(lb);
      let movedFromKept = 0;
      for (const u of users) {
        if (before.get(u) !== hs[4] && after.get(u) !== before.get(u)) movedFromKept++;
      }
      // Not zero: like Envoy's, the ring keeps minimum_ring_size entries, so the kept hosts gain points
      // (and take a few keys from each other); Maglev re-fills the table. A modulo hash would move ~80 %.
      expect(movedFromKept / users.length).toBeLessThan(0.15);
      expect([...after.values()]).not.toContain(hs[4]);
    });

    it('skips unhealthy hosts and takes them back when healthy', () => {
      const hs = hosts(3);
      const lb = createLoadBalancer<Host>(policy);
      lb.setHosts(hs);
      const before = assignment(lb);
      hs[1]!.failedOutlierCheck = true;
      const during = assignment(lb);
      expect([...during.values()]).not.toContain(hs[1]);
      // The structure is rebuilt over the healthy hosts (Envoy's thread-aware balancers do the same):
      // most keys of the healthy hosts stay where they were.
      const kept = users.filter((u) => before.get(u) !== hs[1]);
      const stayed = kept.filter((u) => during.get(u) === before.get(u));
      expect(stayed.length / kept.length).toBeGreaterThan(0.85);
      hs[1]!.failedOutlierCheck = false;
      expect(assignment(lb)).toEqual(before);
    });

    it('without a hash picks a random host (all of them over many requests)', () => {
      const hs = hosts(3);
      const lb = createLoadBalancer<Host>(policy, { random: seededRandom(5) });
      lb.setHosts(hs);
      const seen = new Set(Array.from({ length: 60 }, () => lb.chooseHost()));
      expect(seen.size).toBe(3);
    });

    it('panics below the healthy threshold (all hosts eligible) and finds nothing when empty', () => {
      const panic = new Counter('panic');
      const hs = hosts(3);
      const lb = createLoadBalancer<Host>(policy, { panicCounter: panic });
      lb.setHosts(hs);
      hs[0]!.failedActiveHealthCheck = true;
      hs[1]!.failedActiveHealthCheck = true;
      const picked = new Set(users.slice(0, 200).map((u) => lb.chooseHost(xxHash64(u))));
      expect(picked.size).toBe(3);
      expect(panic.value).toBe(200);
      lb.setHosts([]);
      expect(lb.chooseHost(1n)).toBeUndefined();
    });
  });
}

describe('ring size', () => {
  it('is minimum_ring_size with equal weights, scaled up for a light host, capped by maximum_ring_size', () => {
    const even = new RingHashLoadBalancer<Host>({});
    even.setHosts(hosts(4));
    even.chooseHost(1n);
    expect(even.ringSize).toBe(1024);
    const uneven = new RingHashLoadBalancer<Host>({ minimumRingSize: 64 });
    uneven.setHosts([new Host('10.0.0.1', 80, '', 1), new Host('10.0.0.2', 80, '', 99)]);
    uneven.chooseHost(1n);
    // min weight 0.01: ceil(0.01 × 64) / 0.01 = 100 entries.
    expect(uneven.ringSize).toBe(100);
    const capped = new RingHashLoadBalancer<Host>({ minimumRingSize: 64, maximumRingSize: 80 });
    capped.setHosts([new Host('10.0.0.1', 80, '', 1), new Host('10.0.0.2', 80, '', 99)]);
    capped.chooseHost(1n);
    expect(capped.ringSize).toBe(80);
  });
});

describe('maglev table', () => {
  it('fills every one of the 65537 slots, shares split by weight', () => {
    const hs = [
      new Host('10.0.0.1', 80, '', 2),
      new Host('10.0.0.2', 80, '', 1),
      new Host('10.0.0.3', 80, '', 1),
    ];
    const lb = new MaglevLoadBalancer<Host>({});
    lb.setHosts(hs);
    lb.chooseHost(1n);
    const counts = lb.slotCounts();
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(65537);
    expect(Math.abs(counts.get(hs[0]!)! / total - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(counts.get(hs[1]!)! / total - 0.25)).toBeLessThan(0.01);
  });
});
