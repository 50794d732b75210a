import { describe, expect, it } from 'vitest';
import { clusterDestinations, scrapeDestinations } from '../../../server/graph/destination-resolver.ts';
import { entityKey } from '../../../server/graph/mesh-entity.ts';
import { MeshIndex } from '../../../server/graph/mesh-index.ts';
import type { Inventory } from '../../../server/model/inventory.ts';
import type { SidecarScrape, UpstreamHost } from '../../../server/model/sidecar-data.ts';
import { host } from './fake-traffic-source.ts';
import { service, workload } from './meshes.ts';

const inventory: Inventory = {
  workloads: [
    workload('shop', 'web', 'web', 'v1', ['10.0.0.1'], true),
    workload('shop', 'api-v1', 'api', 'v1', ['10.0.0.11', '10.0.0.12'], true),
    workload('shop', 'api-v2', 'api', 'v2', ['10.0.0.21'], true),
    // Two workloads on one IP, told apart by port (as in a demo on one loopback address).
    workload('shop', 'cache', 'cache', undefined, ['127.0.0.9:6379'], false),
    workload('shop', 'queue', 'queue', undefined, ['127.0.0.9:5672'], false),
    workload('shop', 'db', 'db', undefined, ['10.0.0.31:5432'], false),
  ],
  services: [service('shop', 'api', ['10.0.0.11', '10.0.0.12', '10.0.0.21'], { app: 'api' }, ['10.96.0.5'])],
  sidecars: [],
};
const index = new MeshIndex(inventory);
const web = index.workload('shop', 'web')!;
const shares = (cluster: string, hosts: Parameters<typeof clusterDestinations>[3]) =>
  Object.fromEntries(
    clusterDestinations(index, web, cluster, hosts).map((d) => [entityKey(d.entity), d.share]),
  );

describe('clusterDestinations', () => {
  it('splits by host weight over the hosts’ workloads', () => {
    expect(
      shares('api', [host('10.0.0.11', 80), host('10.0.0.12', 80), host('10.0.0.21', 80, { weight: 2 })]),
    ).toEqual({
      'w/shop/api-v1': 0.5,
      'w/shop/api-v2': 0.5,
    });
  });

  it('leaves unhealthy hosts out, unless below the 50 % panic threshold', () => {
    expect(
      shares('api', [
        host('10.0.0.11', 80),
        host('10.0.0.12', 80),
        host('10.0.0.21', 80, { healthy: false }),
      ]),
    ).toEqual({
      'w/shop/api-v1': 1,
    });
    const panic = shares('api', [
      host('10.0.0.11', 80, { healthy: false }),
      host('10.0.0.12', 80, { healthy: false }),
      host('10.0.0.21', 80),
    ]);
    expect(panic['w/shop/api-v1']).toBeCloseTo(2 / 3);
    expect(panic['w/shop/api-v2']).toBeCloseTo(1 / 3);
  });

  it('maps ip:port when a workload is listed that way, and its bare IP when no one else claims it', () => {
    expect(shares('cache', [host('127.0.0.9', 6379)])).toEqual({ 'w/shop/cache': 1 });
    expect(shares('queue', [host('127.0.0.9', 5672)])).toEqual({ 'w/shop/queue': 1 });
    // Another port of a shared IP is no one's: a loopback host nobody claims is the caller's own app.
    expect(shares('other', [host('127.0.0.9', 9999)])).toEqual({ 'w/shop/web': 1 });
    expect(shares('db', [host('10.0.0.31', 6432)])).toEqual({ 'w/shop/db': 1 });
  });

  it('spreads a ClusterIP over the workloads behind the Service by endpoint count', () => {
    const s = shares('api', [host('10.96.0.5', 80)]);
    expect(s['w/shop/api-v1']).toBeCloseTo(2 / 3);
    expect(s['w/shop/api-v2']).toBeCloseTo(1 / 3);
  });

  it('reads an Istio cluster name when the hosts are missing, keeping the subset’s version', () => {
    expect(shares('outbound|80|v2|api.shop.svc.cluster.local', undefined)).toEqual({ 'w/shop/api-v2': 1 });
    expect(Object.keys(shares('outbound|80||api.shop.svc.cluster.local', []))).toEqual([
      'w/shop/api-v1',
      'w/shop/api-v2',
    ]);
    expect(shares('inbound|9080||', [host('10.0.0.1', 9080)])).toEqual({ 'w/shop/web': 1 });
  });

  it('names the unknown destination after the cluster, in the caller’s namespace', () => {
    expect(shares('stripe', [host('52.1.2.3', 443, { hostname: 'api.stripe.com' })])).toEqual({
      'u/shop/stripe': 1,
    });
    expect(shares('static_cluster', [])).toEqual({ 'u/shop/static_cluster': 1 });
  });

  it('keeps the part of a cluster it can map and sends the rest to unknown', () => {
    expect(shares('mixed', [host('10.0.0.21', 80), host('192.168.1.1', 80)])).toEqual({
      'w/shop/api-v2': 0.5,
      'u/shop/mixed': 0.5,
    });
  });
});

describe('clusterDestinations of a cluster with no host (its configured addresses from config_dump)', () => {
  const hostless = (cluster: string, configured: string[], hosts: Parameters<typeof shares>[1] = []) =>
    Object.fromEntries(
      clusterDestinations(index, web, cluster, hosts, configured).map((d) => [entityKey(d.entity), d.share]),
    );

  it('names a headless Service scaled to zero by its STRICT_DNS name, not unknown', () => {
    // No such Service in the inventory (its endpoints are gone with its pods): the name alone makes it.
    expect(hostless('backend_v1', ['backend-v1.default.svc.cluster.local'])).toEqual({
      's/default/backend-v1': 1,
    });
    // The same with /clusters not listing the cluster at all.
    expect(
      Object.fromEntries(
        clusterDestinations(index, web, 'backend_v1', undefined, [
          'backend-v1.default.svc.cluster.local',
        ]).map((d) => [entityKey(d.entity), d.share]),
      ),
    ).toEqual({ 's/default/backend-v1': 1 });
  });

  it('goes through the Service to the workloads behind it when its endpoints are known', () => {
    const s = hostless('api', ['api.shop.svc.cluster.local']);
    expect(s['w/shop/api-v1']).toBeCloseTo(2 / 3);
    expect(s['w/shop/api-v2']).toBeCloseTo(1 / 3);
  });

  it('shares equally over several names, and keeps an address that names no Service as unknown', () => {
    expect(
      hostless('two', ['backend-v1.default.svc.cluster.local', 'backend-v2.default.svc.cluster.local']),
    ).toEqual({ 's/default/backend-v1': 0.5, 's/default/backend-v2': 0.5 });
    expect(hostless('mixed', ['backend-v1.default.svc.cluster.local', 'db.example.com'])).toEqual({
      's/default/backend-v1': 0.5,
      'u/shop/mixed': 0.5,
    });
    expect(hostless('external', ['api.stripe.com'])).toEqual({ 'u/shop/external': 1 });
    expect(hostless('none', [])).toEqual({ 'u/shop/none': 1 });
  });

  it('is only a fallback: hosts, when there are any, decide', () => {
    expect(hostless('api_v2', ['backend-v1.default.svc.cluster.local'], [host('10.0.0.21', 80)])).toEqual({
      'w/shop/api-v2': 1,
    });
  });
});

describe('clusterDestinations under a cluster’s healthy_panic_threshold (config_dump common_lb_config)', () => {
  const withThreshold = (hosts: UpstreamHost[], threshold: number | undefined) =>
    Object.fromEntries(
      clusterDestinations(index, web, 'api', hosts, undefined, threshold).map((d) => [
        entityKey(d.entity),
        d.share,
      ]),
    );
  /** Four hosts, the first `healthy` of them healthy: api-v1 ×2, api-v2, and one no workload claims. */
  const fourHosts = (healthy: number) =>
    ['10.0.0.11', '10.0.0.21', '10.0.0.12', '192.168.1.1'].map((address, i) =>
      host(address, 80, { healthy: i < healthy }),
    );
  const healthyOnly = { 'w/shop/api-v1': 0.5, 'w/shop/api-v2': 0.5 };
  const allHosts = { 'w/shop/api-v1': 0.5, 'w/shop/api-v2': 0.25, 'u/shop/api': 0.25 };

  it('keeps to the healthy hosts at 50 % healthy under Envoy’s default 50 (unset or configured)', () => {
    expect(withThreshold(fourHosts(2), undefined)).toEqual(healthyOnly);
    expect(withThreshold(fourHosts(2), 50)).toEqual(healthyOnly);
  });

  it('panics over all hosts when the healthy percentage is below a higher threshold', () => {
    expect(withThreshold(fourHosts(2), 60)).toEqual(allHosts);
    // 100: panic unless every host is healthy.
    expect(withThreshold(fourHosts(3), 100)).toEqual(allHosts);
    expect(withThreshold(fourHosts(4), 100)).toEqual(allHosts);
    // 3 of 4 healthy is 75 %, not below 75: no panic.
    expect(withThreshold(fourHosts(3), 75)).toEqual({ 'w/shop/api-v1': 2 / 3, 'w/shop/api-v2': 1 / 3 });
  });

  it('never panics at 0, however few hosts are healthy', () => {
    expect(withThreshold(fourHosts(2), 0)).toEqual(healthyOnly);
    expect(withThreshold(fourHosts(1), 0)).toEqual({ 'w/shop/api-v1': 1 });
    // No healthy host at all: Envoy answers 503 UH; the requests stay on the cluster's hosts.
    expect(withThreshold(fourHosts(0), 0)).toEqual(allHosts);
  });

  it('counts hosts, not weights, as Envoy’s isHostSetInPanic does', () => {
    // One heavy healthy host of three: 75 % of the weight but 33 % of the hosts, so Envoy panics.
    const hosts = [
      host('10.0.0.11', 80, { weight: 6 }),
      host('10.0.0.12', 80, { healthy: false }),
      host('10.0.0.21', 80, { healthy: false, weight: 1 }),
    ];
    const s = withThreshold(hosts, 50);
    expect(s['w/shop/api-v1']).toBeCloseTo(7 / 8);
    expect(s['w/shop/api-v2']).toBeCloseTo(1 / 8);
  });

  it('reads the threshold from the scrape, resolved once per scrape', () => {
    const scrape = (panicThresholds?: Map<string, number>): SidecarScrape => ({
      targetId: 'shop/web',
      at: 0,
      clusters: new Map(),
      istio: [],
      hosts: new Map([['api', fourHosts(2)]]),
      ...(panicThresholds !== undefined && { panicThresholds }),
      routes: [],
      runtime: new Map(),
      downstream: undefined,
    });
    const sharesOf = (s: SidecarScrape) =>
      Object.fromEntries(scrapeDestinations(index, web, s, 'api').map((d) => [entityKey(d.entity), d.share]));
    const strict = scrape(new Map([['api', 60]]));
    expect(sharesOf(scrape())).toEqual(healthyOnly);
    expect(sharesOf(scrape(new Map([['other', 60]])))).toEqual(healthyOnly);
    expect(sharesOf(strict)).toEqual(allHosts);
    expect(scrapeDestinations(index, web, strict, 'api')).toBe(scrapeDestinations(index, web, strict, 'api'));
  });

  it('takes the runtime’s upstream.healthy_panic_threshold over every cluster’s, per scrape', () => {
    const scrape = (
      runtime: Record<string, string>,
      panicThresholds?: Map<string, number>,
    ): SidecarScrape => ({
      targetId: 'shop/web',
      at: 0,
      clusters: new Map(),
      istio: [],
      hosts: new Map([['api', fourHosts(2)]]),
      ...(panicThresholds !== undefined && { panicThresholds }),
      routes: [],
      runtime: new Map(Object.entries(runtime)),
      downstream: undefined,
    });
    const sharesOf = (s: SidecarScrape) =>
      Object.fromEntries(scrapeDestinations(index, web, s, 'api').map((d) => [entityKey(d.entity), d.share]));
    const key = 'upstream.healthy_panic_threshold';
    // Over Envoy's default 50 and over a configured 0 alike.
    expect(sharesOf(scrape({ [key]: '60' }))).toEqual(allHosts);
    expect(sharesOf(scrape({ [key]: '100' }, new Map([['api', 0]])))).toEqual(allHosts);
    // Down as well as up: 0 keeps a cluster configured at 60 off its failing hosts.
    expect(sharesOf(scrape({ [key]: '0' }, new Map([['api', 60]])))).toEqual(healthyOnly);
    // Envoy caps the runtime value at 100 and floors a fraction.
    expect(sharesOf(scrape({ [key]: '400' }))).toEqual(allHosts);
    expect(sharesOf(scrape({ [key]: '50.9' }, new Map([['api', 60]])))).toEqual(healthyOnly);
    // A value with no integer reading leaves the configured threshold in force.
    expect(sharesOf(scrape({ [key]: 'high' }, new Map([['api', 60]])))).toEqual(allHosts);
    expect(sharesOf(scrape({ [key]: '-1' }))).toEqual(healthyOnly);
    // Each scrape resolves with its own runtime: the next one, the override removed, is read afresh.
    const overridden = scrape({ [key]: '100' });
    expect(sharesOf(overridden)).toEqual(allHosts);
    expect(sharesOf(scrape({}))).toEqual(healthyOnly);
    expect(sharesOf(overridden)).toEqual(allHosts);
  });
});
