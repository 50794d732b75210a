// PrometheusTrafficSource's refreshes against a real Prometheus scraping real proxies under paced load
// (the rig is in ../support/prometheus-source-rig.ts): onRefresh after each refresh, good or failed,
// queries Prometheus rejects, a Prometheus that is unreachable or goes away.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../server/model/inventory.ts';
import { PrometheusTrafficSource } from '../../server/sources/prometheus/prometheus-traffic-source.ts';
import type { Traffic } from '../../shared/api/graph.ts';
import type { PrometheusSourceStatus } from '../../shared/api/sources.ts';
import { freePort } from '../support/processes.ts';
import type { PrometheusProcess } from '../support/prometheus-server.ts';
import { setUpPrometheusSourceRig, WINDOW_S } from '../support/prometheus-source-rig.ts';

const rig = setUpPrometheusSourceRig();
let prom: PrometheusProcess;
let targets: SidecarTarget[];
let byInstance: PrometheusTrafficSource;
beforeAll(() => {
  ({ prom, targets, byInstance } = rig);
});

describe('PrometheusTrafficSource against a real Prometheus', () => {
  it('calls onRefresh once per completed refresh, with the new snapshot already in place', async () => {
    const seen: { status: PrometheusSourceStatus; updatedAt: number; traffic: Traffic | undefined }[] = [];
    const source: PrometheusTrafficSource = new PrometheusTrafficSource({
      url: prom.url,
      targets: () => targets,
      windowSeconds: WINDOW_S,
      onRefresh: (status) =>
        seen.push({
          status,
          updatedAt: source.updatedAt,
          traffic: source.clusterTraffic('shop/frontend-1', 'backend_v1'),
        }),
    });
    // Two callers during one refresh share it: one callback.
    await Promise.all([source.refresh(), source.refresh()]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.status).toMatchObject({ up: true, refreshes: 1, lastError: null });
    expect(seen[0]!.updatedAt).toBe(seen[0]!.status.lastSuccess);
    expect(seen[0]!.traffic?.rps).toBeGreaterThan(0);
    await source.refresh();
    expect(seen).toHaveLength(2);
    expect(seen[1]!.status.refreshes).toBe(2);
    expect(seen[1]!.updatedAt).toBeGreaterThan(seen[0]!.updatedAt);
  });

  it('calls onRefresh after a failed refresh too, and survives a throwing listener', async () => {
    const statuses: PrometheusSourceStatus[] = [];
    const down = new PrometheusTrafficSource({
      url: `http://127.0.0.1:${await freePort()}`,
      targets: () => targets,
      onRefresh: (status) => {
        statuses.push(status);
        throw new Error('listener bug');
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await expect(down.refresh()).resolves.toBeUndefined();
      await expect(down.refresh()).resolves.toBeUndefined();
    } finally {
      console.error = original;
    }
    expect(statuses.map((s) => [s.up, s.refreshes])).toEqual([
      [false, 1],
      [false, 2],
    ]);
    expect(statuses[0]!.lastError).toMatch(/ECONNREFUSED/);
    expect(errors).toHaveLength(2);
    // The listener's error is reported as its own, not as the refresh's.
    expect(down.status().lastError).toMatch(/ECONNREFUSED/);
  });

  it('reports a query Prometheus rejects, without throwing', async () => {
    const bad = new PrometheusTrafficSource({ url: prom.url, targets: () => targets, extraMatchers: 'job=' });
    await expect(bad.refresh()).resolves.toBeUndefined();
    const s = bad.status();
    expect(s.up).toBe(false);
    expect(s.queryFailures).toBe(Object.keys(bad.queries).length);
    expect(s.lastError).toMatch(/HTTP 400/);
    expect(s.lastError).toMatch(/parse error/);
    expect(bad.updatedAt).toBe(0);
  });

  it('reports an unreachable Prometheus and counts every failed query', async () => {
    const down = new PrometheusTrafficSource({
      url: `http://127.0.0.1:${await freePort()}`,
      targets: () => targets,
    });
    await down.refresh();
    await down.refresh();
    const s = down.status();
    expect(s).toMatchObject({ up: false, refreshes: 2, lastSuccess: null });
    expect(s.queryFailures).toBe(2 * Object.keys(down.queries).length);
    expect(s.lastError).toMatch(/ECONNREFUSED/);
    expect(down.clusterTraffic('shop/frontend-1', 'backend_v1')).toBeUndefined();
  });

  it('keeps the last good figures when Prometheus goes away', async () => {
    const before = byInstance.clusterTraffic('shop/frontend-1', 'backend_v1');
    const updatedAt = byInstance.updatedAt;
    await prom.stop();
    await byInstance.refresh();
    expect(byInstance.status()).toMatchObject({ up: false, lastSuccess: updatedAt });
    expect(byInstance.updatedAt).toBe(updatedAt);
    expect(byInstance.clusterTraffic('shop/frontend-1', 'backend_v1')).toBe(before);
  });
});
