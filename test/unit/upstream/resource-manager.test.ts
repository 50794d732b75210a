// Circuit breakers as Envoy's ResourceManagerImpl: per-priority thresholds (first entry per priority
// wins, Envoy's defaults otherwise), the *_open gauges following "count >= max", remaining_* only with
// track_remaining.
import { describe, expect, it } from 'vitest';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { ClusterResources, Resource } from '../../../proxy/upstream/resource-manager.ts';

const gauge = (store: StatsStore, name: string) =>
  store.gauges.get(`cluster.web.circuit_breakers.${name}`)?.value;

describe('Resource', () => {
  it('can create below its max, not at it, and never counts below zero', () => {
    const r = new Resource(2);
    expect(r.canCreate()).toBe(true);
    r.inc();
    r.inc();
    expect(r.canCreate()).toBe(false);
    r.dec();
    expect(r.canCreate()).toBe(true);
    r.dec();
    r.dec();
    expect(r.count).toBe(0);
  });

  it('a max of 0 refuses everything', () => {
    expect(new Resource(0).canCreate()).toBe(false);
  });
});

describe('ClusterResources', () => {
  it('uses the first thresholds of each priority and Envoy defaults for a priority without any', () => {
    const store = new StatsStore();
    const res = new ClusterResources(
      'web',
      [
        { priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 2, maxRequests: 3, maxRetries: 4 },
        { priority: 'DEFAULT', maxConnections: 9, maxPendingRequests: 9, maxRequests: 9, maxRetries: 9 },
      ],
      store,
    );
    expect(res.forPriority(undefined).connections.max).toBe(1);
    expect(res.forPriority('DEFAULT').pendingRequests.max).toBe(2);
    expect(res.default.requests.max).toBe(3);
    expect(res.default.retries.max).toBe(4);
    expect(res.forPriority('HIGH').connections.max).toBe(1024);
    expect(res.high.retries.max).toBe(3);
  });

  it('publishes circuit_breakers.<priority>.*_open while a resource is at its max', () => {
    const store = new StatsStore();
    const res = new ClusterResources(
      'web',
      [{ priority: 'HIGH', maxConnections: 1, maxPendingRequests: 1, maxRequests: 2, maxRetries: 0 }],
      store,
    );
    expect(gauge(store, 'high.cx_open')).toBe(0);
    expect(gauge(store, 'high.rq_retry_open')).toBe(1); // max_retries 0: open from the start
    res.high.connections.inc();
    expect(gauge(store, 'high.cx_open')).toBe(1);
    res.high.connections.dec();
    expect(gauge(store, 'high.cx_open')).toBe(0);
    res.high.requests.inc();
    expect(gauge(store, 'high.rq_open')).toBe(0);
    res.high.requests.inc();
    expect(gauge(store, 'high.rq_open')).toBe(1);
    res.high.pendingRequests.inc();
    expect(gauge(store, 'high.rq_pending_open')).toBe(1);
    expect(gauge(store, 'default.rq_pending_open')).toBe(0);
    // No track_remaining: no remaining_* series.
    expect(store.gauges.has('cluster.web.circuit_breakers.high.remaining_cx')).toBe(false);
  });

  it('track_remaining adds remaining_cx, remaining_pending, remaining_rq and remaining_retries', () => {
    const store = new StatsStore();
    const res = new ClusterResources(
      'web',
      [
        {
          priority: 'DEFAULT',
          maxConnections: 3,
          maxPendingRequests: 2,
          maxRequests: 5,
          maxRetries: 1,
          trackRemaining: true,
        },
      ],
      store,
    );
    expect(gauge(store, 'default.remaining_cx')).toBe(3);
    expect(gauge(store, 'default.remaining_pending')).toBe(2);
    expect(gauge(store, 'default.remaining_rq')).toBe(5);
    expect(gauge(store, 'default.remaining_retries')).toBe(1);
    res.default.connections.inc();
    res.default.retries.inc();
    expect(gauge(store, 'default.remaining_cx')).toBe(2);
    expect(gauge(store, 'default.remaining_retries')).toBe(0);
    expect(gauge(store, 'default.rq_retry_open')).toBe(1);
  });
});
