import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cluster } from '../../../proxy/config/model.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { ClusterManager } from '../../../proxy/upstream/cluster-manager.ts';
import { clusterConfig, FakeResolver } from './fake-resolver.ts';

let store: StatsStore;
let dns: FakeResolver;
let cm: ClusterManager;
let logs: string[];

function value(name: string): number | undefined {
  return (store.counters.get(name) ?? store.gauges.get(name))?.value;
}

const staticA = (): Cluster =>
  clusterConfig({ name: 'a', endpoints: [{ address: '10.0.0.1', port: 80, weight: 1 }] });
const dnsB = (port = 80): Cluster =>
  clusterConfig({
    name: 'b',
    type: 'STRICT_DNS',
    endpoints: [{ address: 'b.svc', port, weight: 1 }],
  });

beforeEach(() => {
  vi.useFakeTimers();
  store = new StatsStore();
  dns = new FakeResolver();
  logs = [];
  cm = new ClusterManager({
    stats: store,
    resolver: dns,
    random: () => 0,
    log: (level, msg) => logs.push(`${level}: ${msg}`),
  });
});

afterEach(() => {
  cm.close();
  vi.useRealTimers();
});

describe('ClusterManager.update', () => {
  it('adds clusters and counts them as Envoy does', async () => {
    dns.set('b.svc', ['10.9.0.1', '10.9.0.2']);
    cm.update([staticA(), dnsB()]);
    expect([...cm.all()].map((c) => c.name)).toEqual(['a', 'b']);
    expect(value('cluster_manager.cluster_added')).toBe(2);
    expect(value('cluster_manager.active_clusters')).toBe(2);
    expect(value('cluster_manager.warming_clusters')).toBe(1);
    await cm.ready();
    expect(cm.get('b')?.hosts).toHaveLength(2);
    expect(value('cluster_manager.warming_clusters')).toBe(0);
  });

  it('leaves a cluster with an unchanged config alone: same object, same hosts', async () => {
    dns.set('b.svc', ['10.9.0.1']);
    cm.update([staticA(), dnsB()]);
    await cm.ready();
    const a = cm.get('a')!;
    const b = cm.get('b')!;
    const bHost = b.hosts[0];
    cm.update([staticA(), dnsB()]);
    expect(cm.get('a')).toBe(a);
    expect(cm.get('b')).toBe(b);
    expect(cm.get('b')!.hosts[0]).toBe(bHost);
    expect(value('cluster_manager.cluster_modified')).toBe(0);
  });

  it('keeps serving a modified cluster until its replacement has resolved', async () => {
    dns.set('b.svc', ['10.9.0.1']);
    cm.update([dnsB(80)]);
    await cm.ready();
    const old = cm.get('b')!;

    const answer = dns.defer('b.svc');
    cm.update([dnsB(8080)]);
    expect(value('cluster_manager.cluster_modified')).toBe(1);
    expect(cm.get('b')).toBe(old);
    // The replacement's empty membership does not leak into the serving cluster's gauges.
    expect(value('cluster.b.membership_total')).toBe(1);
    expect(value('cluster_manager.warming_clusters')).toBe(1);

    await vi.advanceTimersByTimeAsync(4000);
    expect(cm.get('b')).toBe(old);
    answer(['10.9.0.5']);
    await vi.advanceTimersByTimeAsync(0);
    const current = cm.get('b')!;
    expect(current).not.toBe(old);
    expect(current.hosts.map((h) => `${h.address}:${h.port}`)).toEqual(['10.9.0.5:8080']);
    expect(value('cluster.b.membership_total')).toBe(1);
    expect(value('cluster_manager.warming_clusters')).toBe(0);

    // The old cluster no longer resolves.
    const before = dns.count('b.svc');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(dns.count('b.svc') - before).toBe(4);
  });

  it('drops a pending replacement when the config goes back to the serving one', async () => {
    dns.set('b.svc', ['10.9.0.1']);
    cm.update([dnsB(80)]);
    await cm.ready();
    const old = cm.get('b')!;
    dns.set('b.svc', 'hang');
    cm.update([dnsB(8080)]);
    cm.update([dnsB(80)]);
    expect(value('cluster_manager.warming_clusters')).toBe(0);
    dns.set('b.svc', ['10.9.0.1']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(cm.get('b')).toBe(old);
  });

  it('removes a cluster and its stats, but not those of a cluster whose name extends it', async () => {
    const ab = clusterConfig({ name: 'a.b', endpoints: [{ address: '10.0.0.2', port: 80, weight: 1 }] });
    cm.update([staticA(), ab]);
    store.counter('cluster.a.upstream_rq_total').inc();
    store.histogram('cluster.a.upstream_rq_time').record(3);
    cm.update([ab]);
    expect(cm.get('a')).toBeUndefined();
    expect(value('cluster_manager.cluster_removed')).toBe(1);
    expect(value('cluster_manager.active_clusters')).toBe(1);
    const left = [...store.counters.keys(), ...store.gauges.keys(), ...store.histograms.keys()];
    expect(left.filter((k) => k.startsWith('cluster.a.') && !k.startsWith('cluster.a.b.'))).toEqual([]);
    expect(value('cluster.a.b.membership_total')).toBe(1);
  });
});

describe('ClusterManager.ready', () => {
  it('waits for the initial resolution of every DNS cluster', async () => {
    let ready = false;
    dns.set('b.svc', 'hang');
    const c = new ClusterManager({ stats: store, resolver: dns, dnsTimeoutMs: 3000 });
    c.update([dnsB()]);
    void c.ready(60_000).then(() => {
      ready = true;
    });
    await vi.advanceTimersByTimeAsync(2999);
    expect(ready).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(ready).toBe(true);
    c.close();
  });

  it('gives up after its timeout, with a warning naming the clusters still warming', async () => {
    let ready = false;
    dns.set('b.svc', 'hang');
    const c = new ClusterManager({
      stats: store,
      resolver: dns,
      dnsTimeoutMs: 60_000,
      log: (level, msg) => logs.push(`${level}: ${msg}`),
    });
    c.update([staticA(), dnsB()]);
    void c.ready(1000).then(() => {
      ready = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(ready).toBe(true);
    expect(logs).toContain('warn: clusters still warming after 1000 ms: b');
    c.close();
  });
});
