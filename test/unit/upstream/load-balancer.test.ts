import { describe, expect, it } from 'vitest';
import { Counter } from '../../../proxy/stats/store.ts';
import { Host } from '../../../proxy/upstream/host.ts';
import {
  createLoadBalancer,
  type LoadBalancerOptions,
  RoundRobinLoadBalancer,
} from '../../../proxy/upstream/load-balancer.ts';
import { seededRandom } from '../../support/seeded-random.ts';

function hosts(...weights: number[]): Host[] {
  return weights.map((w, i) => new Host(`10.0.0.${i + 1}`, 80, `10.0.0.${i + 1}`, w));
}

function names(picks: (Host | undefined)[]): string[] {
  return picks.map((h) => (h ? h.address.slice('10.0.0.'.length) : '-'));
}

function pickMany(lb: { chooseHost(): Host | undefined }, n: number): (Host | undefined)[] {
  return Array.from({ length: n }, () => lb.chooseHost());
}

function shares(picks: (Host | undefined)[], hs: Host[]): number[] {
  return hs.map((h) => picks.filter((p) => p === h).length / picks.length);
}

describe('round robin', () => {
  it('rotates through equal-weight hosts starting at the random offset', () => {
    const lb = new RoundRobinLoadBalancer<Host>({ random: () => 0.5 });
    lb.setHosts(hosts(1, 1, 1, 1));
    // offset floor(0.5 * 4) = 2
    expect(names(pickMany(lb, 9))).toEqual(['3', '4', '1', '2', '3', '4', '1', '2', '3']);
  });

  it('interleaves weighted hosts smoothly (5:1:1)', () => {
    const lb = new RoundRobinLoadBalancer<Host>({ random: () => 0 });
    lb.setHosts(hosts(5, 1, 1));
    expect(names(pickMany(lb, 14))).toEqual([
      ...['1', '1', '2', '1', '3', '1', '1'],
      ...['1', '1', '2', '1', '3', '1', '1'],
    ]);
  });

  it('gives each host exactly its weight share over a full cycle', () => {
    const hs = hosts(3, 2, 5);
    const lb = createLoadBalancer<Host>('ROUND_ROBIN', { random: seededRandom(7) });
    lb.setHosts(hs);
    expect(shares(pickMany(lb, 1000), hs)).toEqual([0.3, 0.2, 0.5]);
  });

  it('skips unhealthy hosts while at least half are healthy', () => {
    const hs = hosts(1, 1, 1, 1);
    hs[1]!.failedActiveHealthCheck = true;
    hs[3]!.failedOutlierCheck = true;
    const panic = new Counter('lb_healthy_panic');
    const lb = createLoadBalancer<Host>('ROUND_ROBIN', { random: () => 0, panicCounter: panic });
    lb.setHosts(hs);
    expect(names(pickMany(lb, 4))).toEqual(['1', '3', '1', '3']);
    expect(panic.value).toBe(0);
  });
});

describe('random', () => {
  it('honours weights within statistical bounds', () => {
    const hs = hosts(1, 3, 6);
    const lb = createLoadBalancer<Host>('RANDOM', { random: seededRandom(42) });
    lb.setHosts(hs);
    const s = shares(pickMany(lb, 20_000), hs);
    // n = 20 000: one standard deviation of a share is below 0.0035, so ±0.015 is > 4 sigma.
    expect(Math.abs(s[0]! - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(s[1]! - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(s[2]! - 0.6)).toBeLessThan(0.015);
  });

  it('spreads evenly over equal weights and never picks an unhealthy host', () => {
    const hs = hosts(1, 1, 1, 1, 1);
    hs[4]!.failedActiveHealthCheck = true;
    const lb = createLoadBalancer<Host>('RANDOM', { random: seededRandom(3) });
    lb.setHosts(hs);
    const s = shares(pickMany(lb, 20_000), hs);
    for (const share of s.slice(0, 4)) expect(Math.abs(share - 0.25)).toBeLessThan(0.02);
    expect(s[4]).toBe(0);
  });
});

describe('least request', () => {
  it('avoids the busy host: it wins only when both choices land on it (1/9 of picks)', () => {
    const hs = hosts(1, 1, 1);
    hs[0]!.stats.rq_active = 10;
    const lb = createLoadBalancer<Host>('LEAST_REQUEST', { random: seededRandom(11) });
    lb.setHosts(hs);
    const s = shares(pickMany(lb, 18_000), hs);
    expect(Math.abs(s[0]! - 1 / 9)).toBeLessThan(0.015);
    expect(Math.abs(s[1]! - 4 / 9)).toBeLessThan(0.02);
    expect(Math.abs(s[2]! - 4 / 9)).toBeLessThan(0.02);
  });

  it('with unequal weights divides each weight by (active + 1)', () => {
    const hs = hosts(4, 1);
    const opts: LoadBalancerOptions = { random: seededRandom(5) };
    const idle = createLoadBalancer<Host>('LEAST_REQUEST', opts);
    idle.setHosts(hs);
    expect(shares(pickMany(idle, 1000), hs)).toEqual([0.8, 0.2]);

    // Host 1 now carries 3 requests: effective weights 4/4 = 1 and 1/1 = 1, an even split.
    hs[0]!.stats.rq_active = 3;
    const busy = createLoadBalancer<Host>('LEAST_REQUEST', opts);
    busy.setHosts(hs);
    expect(shares(pickMany(busy, 1000), hs)).toEqual([0.5, 0.5]);
  });

  it('with active_request_bias 0 ignores load and follows the weights', () => {
    const hs = hosts(4, 1);
    hs[0]!.stats.rq_active = 100;
    const lb = createLoadBalancer<Host>('LEAST_REQUEST', { activeRequestBias: 0 });
    lb.setHosts(hs);
    expect(shares(pickMany(lb, 1000), hs)).toEqual([0.8, 0.2]);
  });
});

describe('panic mode (healthy_panic_threshold 50 %)', () => {
  it('picks among all hosts and counts lb_healthy_panic when fewer than half are healthy', () => {
    const hs = hosts(1, 1, 1);
    hs[0]!.failedActiveHealthCheck = true;
    hs[1]!.failedActiveHealthCheck = true;
    const panic = new Counter('lb_healthy_panic');
    const lb = createLoadBalancer<Host>('ROUND_ROBIN', { random: () => 0, panicCounter: panic });
    lb.setHosts(hs);
    expect(names(pickMany(lb, 6))).toEqual(['1', '2', '3', '1', '2', '3']);
    expect(panic.value).toBe(6);
  });

  it('is not entered at exactly half healthy', () => {
    const hs = hosts(1, 1);
    hs[0]!.failedActiveHealthCheck = true;
    const panic = new Counter('lb_healthy_panic');
    const lb = createLoadBalancer<Host>('RANDOM', { random: seededRandom(1), panicCounter: panic });
    lb.setHosts(hs);
    expect(new Set(pickMany(lb, 50))).toEqual(new Set([hs[1]]));
    expect(panic.value).toBe(0);
  });

  it('still picks a host when none is healthy', () => {
    const hs = hosts(1, 1);
    for (const h of hs) h.failedOutlierCheck = true;
    const lb = createLoadBalancer<Host>('LEAST_REQUEST', { random: seededRandom(2) });
    lb.setHosts(hs);
    expect(hs).toContain(lb.chooseHost());
  });

  it('finds no host in an empty cluster, and counts the panic as Envoy does', () => {
    const panic = new Counter('lb_healthy_panic');
    const lb = createLoadBalancer<Host>('ROUND_ROBIN', { panicCounter: panic });
    lb.setHosts([]);
    expect(lb.chooseHost()).toBeUndefined();
    expect(panic.value).toBe(1);
  });

  it('with the threshold at 0, never panics: no healthy host means no host', () => {
    const hs = hosts(1, 1);
    for (const h of hs) h.failedActiveHealthCheck = true;
    const panic = new Counter('lb_healthy_panic');
    const lb = createLoadBalancer<Host>('RANDOM', { healthyPanicThreshold: 0, panicCounter: panic });
    lb.setHosts(hs);
    expect(lb.chooseHost()).toBeUndefined();
    expect(panic.value).toBe(0);
  });
});
