// STRICT_DNS and LOGICAL_DNS clusters against the resolver's hosts-file override: the file plays the
// DNS server, as a headless Service's A records would.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../proxy/config/model.ts';
import { StatsStore } from '../../proxy/stats/store.ts';
import { ClusterManager } from '../../proxy/upstream/cluster-manager.ts';
import { createResolver } from '../../proxy/upstream/resolver.ts';

const REFRESH_MS = 150;
const NAME = 'backend-v1.default.svc.cluster.local';

let dir: string;
let hostsFile: string;
let store: StatsStore;
let cm: ClusterManager;

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

function stat(name: string): number | undefined {
  return (store.counters.get(name) ?? store.gauges.get(name))?.value;
}

function records(name: string, ...ips: string[]): string {
  return `# fake DNS\n${ips.map((ip) => `${ip} ${name}`).join('\n')}\n`;
}

function cluster(overrides: Partial<Cluster> & { name: string }): Cluster {
  return {
    type: 'STRICT_DNS',
    lbPolicy: 'ROUND_ROBIN',
    connectTimeoutMs: 250,
    dnsRefreshRateMs: REFRESH_MS,
    dnsLookupFamily: 'V4_ONLY',
    endpoints: [{ address: NAME, port: 9080, weight: 1 }],
    ...overrides,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshscope-dns-'));
  hostsFile = join(dir, 'hosts');
  store = new StatsStore();
  cm = new ClusterManager({ stats: store, resolver: createResolver({ hostsFile }) });
});

afterEach(async () => {
  cm.close();
  await rm(dir, { recursive: true, force: true });
});

describe('STRICT_DNS through the hosts file', () => {
  it('makes a host per A record and follows the records as they change', async () => {
    await writeFile(hostsFile, records(NAME, '127.0.0.1', '127.0.0.2', '127.0.0.3'));
    cm.update([cluster({ name: 'backend_v1' })]);
    await cm.ready();
    const c = cm.get('backend_v1')!;
    expect(c.hosts.map((h) => h.key)).toEqual(['127.0.0.1:9080', '127.0.0.2:9080', '127.0.0.3:9080']);
    expect(c.hosts.every((h) => h.hostname === NAME)).toBe(true);
    expect(stat('cluster.backend_v1.membership_total')).toBe(3);
    expect(stat('cluster.backend_v1.membership_healthy')).toBe(3);
    expect(stat('cluster.backend_v1.membership_change')).toBe(1);
    const picks = new Set(Array.from({ length: 3 }, () => c.chooseHost()?.key));
    expect(picks.size).toBe(3);

    // A pod goes away, another comes up.
    const kept = c.hosts[2];
    await writeFile(hostsFile, records(NAME, '127.0.0.3', '127.0.0.4'));
    const ms = await waitFor('the new records', () => c.hosts.some((h) => h.address === '127.0.0.4'));
    expect(ms).toBeLessThan(REFRESH_MS * 4 + 500);
    expect(c.hosts.map((h) => h.key)).toEqual(['127.0.0.3:9080', '127.0.0.4:9080']);
    expect(c.hosts[0]).toBe(kept);
    expect(stat('cluster.backend_v1.membership_total')).toBe(2);
    expect(stat('cluster.backend_v1.membership_healthy')).toBe(2);
    expect(stat('cluster.backend_v1.membership_change')).toBe(2);
    expect(stat('cluster.backend_v1.update_success')).toBe(stat('cluster.backend_v1.update_attempt'));
  });

  it('keeps the last hosts when the resolution fails', async () => {
    await writeFile(hostsFile, records(NAME, '127.0.0.1', '127.0.0.2'));
    cm.update([cluster({ name: 'backend_v1' })]);
    await cm.ready();
    const c = cm.get('backend_v1')!;

    // An unreadable hosts file fails the resolution (EISDIR) instead of answering.
    await rm(hostsFile);
    await mkdir(hostsFile);
    await waitFor('a failed refresh', () => (stat('cluster.backend_v1.update_failure') ?? 0) >= 2);
    expect(c.hosts.map((h) => h.address)).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(stat('cluster.backend_v1.membership_total')).toBe(2);
  });

  it('honours dns_lookup_family for the records in the file', async () => {
    await writeFile(hostsFile, records(NAME, '::1', '127.0.0.1'));
    cm.update([
      cluster({ name: 'v4', dnsLookupFamily: 'V4_ONLY' }),
      cluster({ name: 'auto', dnsLookupFamily: 'AUTO' }),
      cluster({ name: 'all', dnsLookupFamily: 'ALL' }),
    ]);
    await cm.ready();
    expect(cm.get('v4')!.hosts.map((h) => h.address)).toEqual(['127.0.0.1']);
    expect(cm.get('auto')!.hosts.map((h) => h.address)).toEqual(['::1']);
    expect(cm.get('all')!.hosts.map((h) => h.address)).toEqual(['::1', '127.0.0.1']);
  });
});

describe('LOGICAL_DNS through the hosts file', () => {
  it('sends new connections to the latest first address, keeping one host', async () => {
    await writeFile(hostsFile, records(NAME, '127.0.0.5', '127.0.0.6'));
    cm.update([cluster({ name: 'logical', type: 'LOGICAL_DNS' })]);
    await cm.ready();
    const c = cm.get('logical')!;
    const host = c.hosts[0]!;
    expect(c.hosts).toHaveLength(1);
    expect(host.address).toBe('127.0.0.5');

    await writeFile(hostsFile, records(NAME, '127.0.0.7'));
    await waitFor('the new address', () => host.address === '127.0.0.7');
    expect(c.hosts).toEqual([host]);
    expect(c.chooseHost()).toBe(host);
    expect(stat('cluster.logical.membership_total')).toBe(1);
    expect(stat('cluster.logical.membership_change')).toBe(1);
  });
});
