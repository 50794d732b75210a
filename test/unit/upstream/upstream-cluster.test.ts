import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LayeredRuntime } from '../../../proxy/runtime/layered-runtime.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { UpstreamCluster, type UpstreamClusterOptions } from '../../../proxy/upstream/upstream-cluster.ts';
import { clusterConfig, FakeResolver } from './fake-resolver.ts';

const REFRESH = 5000;

function stat(store: StatsStore, name: string): number | undefined {
  return (store.counters.get(name) ?? store.gauges.get(name))?.value;
}

function addresses(c: UpstreamCluster): string[] {
  return c.hosts.map((h) => `${h.address}:${h.port}`);
}

let store: StatsStore;
let dns: FakeResolver;
let clusters: UpstreamCluster[];

function make(config: Parameters<typeof clusterConfig>[0], opts: Partial<UpstreamClusterOptions> = {}) {
  const c = new UpstreamCluster(clusterConfig(config), {
    stats: store,
    resolver: dns,
    random: () => 0,
    ...opts,
  });
  clusters.push(c);
  c.start();
  return c;
}

beforeEach(() => {
  vi.useFakeTimers();
  store = new StatsStore();
  dns = new FakeResolver();
  clusters = [];
});

afterEach(() => {
  for (const c of clusters) c.close();
  vi.useRealTimers();
});

describe('STATIC', () => {
  it('serves its endpoints and reports Envoy membership stats', async () => {
    const c = make({
      name: 'static_a',
      endpoints: [
        { address: '10.0.0.1', port: 8080, weight: 1 },
        { address: '10.0.0.2', port: 8080, weight: 3 },
      ],
    });
    await c.initialized;
    expect(c.isInitialized).toBe(true);
    expect(addresses(c)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    expect(stat(store, 'cluster.static_a.membership_total')).toBe(2);
    expect(stat(store, 'cluster.static_a.membership_healthy')).toBe(2);
    expect(stat(store, 'cluster.static_a.membership_change')).toBe(1);
    expect(stat(store, 'cluster.static_a.max_host_weight')).toBe(3);
    // Envoy lists its other cluster stats at 0 from the start.
    expect(stat(store, 'cluster.static_a.lb_zone_routing_sampled')).toBe(0);
    expect(stat(store, 'cluster.static_a.circuit_breakers.default.rq_open')).toBe(0);
    const picks = Array.from({ length: 8 }, () => c.chooseHost()?.address);
    expect(picks.filter((a) => a === '10.0.0.2')).toHaveLength(6);
  });

  it('answers undefined with no endpoints and counts lb_healthy_panic', () => {
    const c = make({ name: 'empty' });
    expect(c.chooseHost()).toBeUndefined();
    expect(stat(store, 'cluster.empty.lb_healthy_panic')).toBe(1);
  });

  it('moves membership_healthy when health changes', () => {
    const c = make({ name: 'h', endpoints: [{ address: '10.0.0.1', port: 80, weight: 1 }] });
    c.hosts[0]!.failedOutlierCheck = true;
    c.healthChanged();
    expect(stat(store, 'cluster.h.membership_healthy')).toBe(0);
    expect(stat(store, 'cluster.h.membership_total')).toBe(1);
  });
});

describe('healthyPanicThreshold', () => {
  // 1 of 2 hosts healthy (50 %): below a threshold of 60, not below the default 50 nor 0.
  function halfHealthy(lbPolicy: 'ROUND_ROBIN' | 'RING_HASH' | 'MAGLEV', threshold?: number) {
    const c = make({
      name: `${lbPolicy}_${threshold ?? 'default'}`,
      lbPolicy,
      endpoints: [
        { address: '10.0.0.1', port: 80, weight: 1 },
        { address: '10.0.0.2', port: 80, weight: 1 },
      ],
      ...(threshold !== undefined ? { healthyPanicThreshold: threshold } : {}),
      ...(lbPolicy === 'MAGLEV' ? { maglevTableSize: 251 } : {}),
    });
    c.hosts[1]!.failedOutlierCheck = true;
    c.healthChanged();
    return c;
  }

  /** Request hashes spread over the 64-bit space (golden-ratio steps), for the hash balancers. */
  const spread = (i: number) => BigInt.asUintN(64, BigInt(i + 1) * 0x9e3779b97f4a7c15n);

  it('reaches every load balancer policy, ring hash and maglev included', () => {
    for (const policy of ['ROUND_ROBIN', 'RING_HASH', 'MAGLEV'] as const) {
      for (const threshold of [undefined, 0]) {
        const c = halfHealthy(policy, threshold);
        const picks = Array.from({ length: 16 }, (_, i) => c.chooseHost(spread(i))?.address);
        expect(new Set(picks), `${policy} ${threshold}`).toEqual(new Set(['10.0.0.1']));
        expect(stat(store, `cluster.${c.name}.lb_healthy_panic`)).toBe(0);
      }
      const panicky = halfHealthy(policy, 60);
      const picks = Array.from({ length: 64 }, (_, i) => panicky.chooseHost(spread(i))?.address);
      expect(new Set(picks), policy).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
      expect(stat(store, `cluster.${panicky.name}.lb_healthy_panic`)).toBe(64);
    }
  });
});

describe('STRICT_DNS', () => {
  const config = {
    name: 'backend',
    type: 'STRICT_DNS' as const,
    dnsRefreshRateMs: REFRESH,
    endpoints: [
      { address: 'backend-v1.svc', port: 80, weight: 2 },
      { address: 'backend-v2.svc', port: 8080, weight: 1 },
    ],
  };

  it('makes one host per address of every name, with the endpoint port and weight', async () => {
    dns.set('backend-v1.svc', ['10.1.0.1', '10.1.0.2', '10.1.0.1']).set('backend-v2.svc', ['10.2.0.1']);
    const c = make(config);
    expect(c.isInitialized).toBe(false);
    await c.initialized;
    expect(addresses(c)).toEqual(['10.1.0.1:80', '10.1.0.2:80', '10.2.0.1:8080']);
    expect(c.hosts.map((h) => [h.hostname, h.weight])).toEqual([
      ['backend-v1.svc', 2],
      ['backend-v1.svc', 2],
      ['backend-v2.svc', 1],
    ]);
    expect(stat(store, 'cluster.backend.membership_total')).toBe(3);
    expect(stat(store, 'cluster.backend.update_attempt')).toBe(2);
    expect(stat(store, 'cluster.backend.update_success')).toBe(2);
    expect(stat(store, 'cluster.backend.max_host_weight')).toBe(2);
  });

  it('re-resolves every dns_refresh_rate, keeping the Host objects of unchanged records', async () => {
    dns.set('backend-v1.svc', ['10.1.0.1', '10.1.0.2']).set('backend-v2.svc', []);
    const c = make(config);
    await c.initialized;
    const [first, second] = c.hosts;

    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(dns.count('backend-v1.svc')).toBe(2);
    // backend-v2's first, empty answer changed nothing either (Envoy counts that as no rebuild too).
    expect(stat(store, 'cluster.backend.update_no_rebuild')).toBe(3);
    expect(c.hosts[0]).toBe(first);

    dns.set('backend-v1.svc', ['10.1.0.2', '10.1.0.3']);
    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(addresses(c)).toEqual(['10.1.0.2:80', '10.1.0.3:80']);
    expect(c.hosts[0]).toBe(second);
    expect(stat(store, 'cluster.backend.membership_change')).toBe(2);
    expect(stat(store, 'cluster.backend.membership_total')).toBe(2);
    expect(stat(store, 'cluster.backend.update_attempt')).toBe(6);
  });

  it('keeps its hosts when a resolution fails, and empties on an empty answer', async () => {
    dns.set('backend-v1.svc', ['10.1.0.1']).set('backend-v2.svc', ['10.2.0.1']);
    const c = make(config);
    await c.initialized;

    dns.set('backend-v1.svc', new Error('SERVFAIL'));
    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(addresses(c)).toEqual(['10.1.0.1:80', '10.2.0.1:8080']);
    expect(stat(store, 'cluster.backend.update_failure')).toBe(1);

    // NXDOMAIN (scaled to zero): Envoy takes it as a successful, empty answer.
    dns.set('backend-v1.svc', []).set('backend-v2.svc', []);
    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(c.hosts).toEqual([]);
    expect(stat(store, 'cluster.backend.membership_total')).toBe(0);
    expect(c.chooseHost()).toBeUndefined();
  });

  it('counts a resolution that outlasts the timeout as failed, without stacking lookups', async () => {
    dns.set('slow.svc', 'hang');
    const c = make(
      { name: 'slow', type: 'STRICT_DNS', endpoints: [{ address: 'slow.svc', port: 80, weight: 1 }] },
      { dnsTimeoutMs: 1000 },
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.isInitialized).toBe(true);
    expect(stat(store, 'cluster.slow.update_failure')).toBe(1);
    await vi.advanceTimersByTimeAsync(3 * (REFRESH + 1000));
    expect(stat(store, 'cluster.slow.update_attempt')).toBe(4);
    expect(dns.count('slow.svc')).toBe(1);
  });

  it('stops resolving once closed', async () => {
    dns.set('backend-v1.svc', ['10.1.0.1']);
    const c = make(config);
    await c.initialized;
    c.close();
    await vi.advanceTimersByTimeAsync(3 * REFRESH);
    expect(dns.count('backend-v1.svc')).toBe(1);
  });
});

describe('LOGICAL_DNS', () => {
  const config = {
    name: 'google',
    type: 'LOGICAL_DNS' as const,
    dnsRefreshRateMs: REFRESH,
    endpoints: [{ address: 'www.example.com', port: 443, weight: 1 }],
  };

  it('has one host at the first address, moved in place when DNS changes', async () => {
    dns.set('www.example.com', ['93.184.0.1', '93.184.0.2']);
    const c = make(config);
    await c.initialized;
    expect(addresses(c)).toEqual(['93.184.0.1:443']);
    const host = c.hosts[0]!;

    dns.set('www.example.com', ['93.184.0.7']);
    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(c.hosts).toEqual([host]);
    expect(host.address).toBe('93.184.0.7');
    expect(host.hostname).toBe('www.example.com');
    expect(c.chooseHost()).toBe(host);
    expect(stat(store, 'cluster.google.membership_change')).toBe(1);
    expect(stat(store, 'cluster.google.update_success')).toBe(2);
    expect(stat(store, 'cluster.google.max_host_weight')).toBe(0);
  });

  it('keeps the address on failure or on an empty answer, counting update_failure', async () => {
    dns.set('www.example.com', ['93.184.0.1']);
    const c = make(config);
    await c.initialized;
    dns.set('www.example.com', []);
    await vi.advanceTimersByTimeAsync(REFRESH);
    dns.set('www.example.com', new Error('timeout'));
    await vi.advanceTimersByTimeAsync(REFRESH);
    expect(addresses(c)).toEqual(['93.184.0.1:443']);
    expect(stat(store, 'cluster.google.update_failure')).toBe(2);
    expect(stat(store, 'cluster.google.update_attempt')).toBe(3);
  });
});

describe('healthyPanicThreshold under the runtime key upstream.healthy_panic_threshold', () => {
  it("overrides the cluster's configured threshold for as long as it is set", () => {
    const runtime = new LayeredRuntime([{ kind: 'admin', name: 'admin' }], { serviceCluster: 'test' });
    const c = make(
      {
        name: 'overridden',
        endpoints: [
          { address: '10.0.0.1', port: 80, weight: 1 },
          { address: '10.0.0.2', port: 80, weight: 1 },
        ],
        healthyPanicThreshold: 0,
      },
      { runtime },
    );
    c.hosts[1]!.failedOutlierCheck = true;
    c.healthChanged();
    const picks = () => new Set(Array.from({ length: 8 }, () => c.chooseHost()?.address));
    expect(picks()).toEqual(new Set(['10.0.0.1']));
    runtime.modify({ 'upstream.healthy_panic_threshold': '100' });
    expect(picks()).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    expect(stat(store, 'cluster.overridden.lb_healthy_panic')).toBe(8);
    runtime.modify({ 'upstream.healthy_panic_threshold': '' });
    expect(picks()).toEqual(new Set(['10.0.0.1']));
    runtime.close();
  });
});
