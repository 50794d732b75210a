// Where a host starts when its cluster has active health checking (Envoy's rules): a STATIC host starts
// healthy and needs unhealthy_threshold failed checks to leave; a host added by STRICT_DNS starts as
// failed_active_hc and is healthy only once a check passes (the first pass is enough). Either way the
// cluster is initialized (warm) only after every host's first check. ClusterManager in-process,
// checking real sockets; the hosts file plays the DNS server.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster, HealthCheck } from '../../../proxy/config/model.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { ClusterManager } from '../../../proxy/upstream/cluster-manager.ts';
import { createResolver } from '../../../proxy/upstream/resolver.ts';
import { freePort } from '../../support/processes.ts';

const NAME = 'web.default.svc.cluster.local';

const HC: HealthCheck = {
  timeoutMs: 200,
  intervalMs: 300,
  initialJitterMs: 0,
  intervalJitterMs: 0,
  unhealthyThreshold: 2,
  healthyThreshold: 2,
  noTrafficIntervalMs: 300,
  noTrafficHealthyIntervalMs: 300,
  unhealthyIntervalMs: 300,
  unhealthyEdgeIntervalMs: 300,
  healthyEdgeIntervalMs: 300,
  reuseConnection: true,
  http: { path: '/healthz', expectedStatuses: [{ start: 200, end: 201 }], retriableStatuses: [] },
};

let server: http.Server;
let livePort = 0;
let deadPort = 0;
let dir: string;
let hostsFile: string;
let store: StatsStore;
let cm: ClusterManager;

function cluster(name: string, type: 'STATIC' | 'STRICT_DNS', port: number): Cluster {
  return {
    name,
    type,
    lbPolicy: 'ROUND_ROBIN',
    connectTimeoutMs: 250,
    dnsRefreshRateMs: 60_000,
    dnsLookupFamily: 'V4_ONLY',
    endpoints: [{ address: type === 'STATIC' ? '127.0.0.1' : NAME, port, weight: 1 }],
    healthChecks: [HC],
  };
}

const gauge = (name: string) => store.gauges.get(name)?.value;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  livePort = (server.address() as AddressInfo).port;
  deadPort = await freePort();
});

afterAll(() => {
  server.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshscope-hc-'));
  hostsFile = join(dir, 'hosts');
  await writeFile(hostsFile, `127.0.0.1 ${NAME}\n`);
  store = new StatsStore();
  cm = new ClusterManager({ stats: store, resolver: createResolver({ hostsFile }) });
});

afterEach(async () => {
  cm.close();
  await rm(dir, { recursive: true, force: true });
});

describe('initial health-check state', () => {
  it('a STATIC host starts healthy: one refused check leaves it healthy, the second marks it', async () => {
    cm.update([cluster('static_dead', 'STATIC', deadPort)]);
    const c = cm.get('static_dead')!;
    expect(c.isInitialized).toBe(false);
    await cm.ready();
    expect(c.isInitialized).toBe(true);
    const host = c.hosts[0]!;
    expect(store.counters.get('cluster.static_dead.health_check.network_failure')?.value).toBe(1);
    expect(host.failedActiveHealthCheck).toBe(false);
    expect(gauge('cluster.static_dead.membership_healthy')).toBe(1);
    const start = Date.now();
    while (!host.failedActiveHealthCheck && Date.now() - start < 3000)
      await new Promise((r) => setTimeout(r, 20));
    expect(host.failedActiveHealthCheck).toBe(true);
    expect(gauge('cluster.static_dead.membership_healthy')).toBe(0);
    expect(gauge('cluster.static_dead.health_check.healthy')).toBe(0);
  });

  it('a STRICT_DNS host starts failed_active_hc: refused, it is never healthy', async () => {
    cm.update([cluster('dns_dead', 'STRICT_DNS', deadPort)]);
    await cm.ready();
    const c = cm.get('dns_dead')!;
    expect(c.hosts).toHaveLength(1);
    expect(c.hosts[0]!.failedActiveHealthCheck).toBe(true);
    expect(gauge('cluster.dns_dead.membership_healthy')).toBe(0);
    expect(gauge('cluster.dns_dead.membership_total')).toBe(1);
  });

  it('a STRICT_DNS host answering 200 is healthy after its first check (healthy_threshold bypassed)', async () => {
    cm.update([cluster('dns_live', 'STRICT_DNS', livePort)]);
    await cm.ready();
    const c = cm.get('dns_live')!;
    expect(c.hosts[0]!.failedActiveHealthCheck).toBe(false);
    expect(store.counters.get('cluster.dns_live.health_check.success')?.value).toBe(1);
    expect(gauge('cluster.dns_live.membership_healthy')).toBe(1);
    expect(gauge('cluster.dns_live.health_check.healthy')).toBe(1);
  });
});
