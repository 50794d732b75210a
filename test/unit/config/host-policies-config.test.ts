// Host-level policies: outlier_detection, health_checks, ring_hash_lb_config, maglev_lb_config,
// common_lb_config.healthy_panic_threshold and the route's hash_policy — Envoy's defaults, and clear errors at the field's path.

import { describe, expect, it } from 'vitest';
import { type Doc, load, loadError, minimalDoc } from './bootstrap-fixture.ts';

function withCluster(edit: (c: Doc) => void) {
  const doc = minimalDoc();
  edit(doc.static_resources.clusters[0]);
  return doc;
}

function withRoute(edit: (r: Doc) => void) {
  const doc = minimalDoc();
  const hcm = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  edit(hcm.route_config.virtual_hosts[0].routes[0].route);
  return doc;
}

const HC = {
  timeout: '1s',
  interval: '5s',
  unhealthy_threshold: 3,
  healthy_threshold: 2,
  http_health_check: { path: '/healthz' },
};

describe('outlier_detection', () => {
  it("fills Envoy's defaults", () => {
    const c = load(withCluster((c) => (c.outlier_detection = {}))).clusters[0]!;
    expect(c.outlierDetection).toEqual({
      consecutive5xx: 5,
      consecutiveGatewayFailure: 5,
      intervalMs: 10_000,
      baseEjectionTimeMs: 30_000,
      maxEjectionTimeMs: 300_000,
      maxEjectionPercent: 10,
      enforcingConsecutive5xx: 100,
      enforcingConsecutiveGatewayFailure: 0,
      successfulActiveHealthCheckUnejectHost: true,
    });
  });

  it("reads the Istio lab's DestinationRule as Envoy config (camelCase too)", () => {
    const c = load(
      withCluster((c) => {
        c.outlierDetection = {
          consecutive5xx: 1,
          interval: '1s',
          baseEjectionTime: '180s',
          maxEjectionPercent: 100,
        };
      }),
    ).clusters[0]!;
    expect(c.outlierDetection).toMatchObject({
      consecutive5xx: 1,
      intervalMs: 1000,
      baseEjectionTimeMs: 180_000,
      maxEjectionTimeMs: 300_000,
      maxEjectionPercent: 100,
    });
  });

  it('rejects a percentage over 100 and success-rate detection, at the field', () => {
    const over = loadError(withCluster((c) => (c.outlier_detection = { max_ejection_percent: 101 })));
    expect(over.path).toBe('static_resources.clusters[0].outlier_detection.max_ejection_percent');
    expect(over.message).toContain('between 0 and 100');
    const sr = loadError(withCluster((c) => (c.outlier_detection = { success_rate_minimum_hosts: 3 })));
    expect(sr.path).toBe('static_resources.clusters[0].outlier_detection.success_rate_minimum_hosts');
    expect(sr.message).toContain('not supported by meshscope-proxy yet');
    const zero = loadError(withCluster((c) => (c.outlier_detection = { interval: '0s' })));
    expect(zero.path).toBe('static_resources.clusters[0].outlier_detection.interval');
  });
});

describe('health_checks', () => {
  it("fills Envoy's defaults (200 expected, no-traffic interval 60 s, edge intervals)", () => {
    const c = load(withCluster((c) => (c.health_checks = [HC]))).clusters[0]!;
    expect(c.healthChecks).toEqual([
      {
        timeoutMs: 1000,
        intervalMs: 5000,
        initialJitterMs: 0,
        intervalJitterMs: 0,
        unhealthyThreshold: 3,
        healthyThreshold: 2,
        noTrafficIntervalMs: 60_000,
        noTrafficHealthyIntervalMs: 60_000,
        unhealthyIntervalMs: 5000,
        unhealthyEdgeIntervalMs: 5000,
        healthyEdgeIntervalMs: 5000,
        reuseConnection: true,
        http: { path: '/healthz', expectedStatuses: [{ start: 200, end: 201 }], retriableStatuses: [] },
      },
    ]);
  });

  it('requires the thresholds, an http_health_check, and valid status ranges', () => {
    const { unhealthy_threshold: _, ...noThreshold } = HC;
    const missing = loadError(withCluster((c) => (c.health_checks = [noThreshold])));
    expect(missing.path).toBe('static_resources.clusters[0].health_checks[0].unhealthy_threshold');
    expect(missing.message).toContain('is required');
    const tcp = loadError(
      withCluster((c) => (c.health_checks = [{ ...HC, http_health_check: undefined, tcp_health_check: {} }])),
    );
    expect(tcp.path).toBe('static_resources.clusters[0].health_checks[0].tcp_health_check');
    const range = loadError(
      withCluster(
        (c) =>
          (c.health_checks = [
            { ...HC, http_health_check: { path: '/', expected_statuses: [{ start: 300, end: 200 }] } },
          ]),
      ),
    );
    expect(range.path).toBe(
      'static_resources.clusters[0].health_checks[0].http_health_check.expected_statuses[0]',
    );
    const two = loadError(withCluster((c) => (c.health_checks = [HC, HC])));
    expect(two.path).toBe('static_resources.clusters[0].health_checks');
  });
});

describe('hash load balancers', () => {
  it('accepts RING_HASH and MAGLEV with their configs', () => {
    const ring = load(
      withCluster((c) => {
        c.lb_policy = 'RING_HASH';
        c.ring_hash_lb_config = { minimum_ring_size: 2048 };
      }),
    ).clusters[0]!;
    expect(ring.lbPolicy).toBe('RING_HASH');
    expect(ring.ringHash).toEqual({ minimumRingSize: 2048, maximumRingSize: 8 * 1024 * 1024 });
    const maglev = load(
      withCluster((c) => {
        c.lb_policy = 'MAGLEV';
        c.maglev_lb_config = { table_size: 251 };
      }),
    ).clusters[0]!;
    expect(maglev.maglevTableSize).toBe(251);
  });

  it('rejects a ring whose minimum exceeds its maximum and a table size that is not prime', () => {
    const ring = loadError(
      withCluster((c) => (c.ring_hash_lb_config = { minimum_ring_size: 10, maximum_ring_size: 5 })),
    );
    expect(ring.path).toBe('static_resources.clusters[0].ring_hash_lb_config');
    const maglev = loadError(withCluster((c) => (c.maglev_lb_config = { table_size: 65536 })));
    expect(maglev.path).toBe('static_resources.clusters[0].maglev_lb_config.table_size');
    expect(maglev.message).toContain('prime');
    const murmur = loadError(
      withCluster((c) => (c.ring_hash_lb_config = { hash_function: 'MURMUR_HASH_2' })),
    );
    expect(murmur.message).toContain('not supported by meshscope-proxy yet');
  });
});

describe('common_lb_config.healthy_panic_threshold', () => {
  const threshold = (value: unknown) =>
    withCluster((c) => (c.common_lb_config = { healthy_panic_threshold: value }));
  const path = 'static_resources.clusters[0].common_lb_config';

  it('reads a Percent, rounded to a whole percent as Envoy does; {} is 0 and unset is left to the default', () => {
    expect(load(threshold({ value: 60 })).clusters[0]!.healthyPanicThreshold).toBe(60);
    expect(load(threshold({ value: '12.5' })).clusters[0]!.healthyPanicThreshold).toBe(13);
    expect(load(threshold({})).clusters[0]!.healthyPanicThreshold).toBe(0);
    expect(load(withCluster((c) => (c.common_lb_config = {}))).clusters[0]!).not.toHaveProperty(
      'healthyPanicThreshold',
    );
    expect(load(minimalDoc()).clusters[0]!).not.toHaveProperty('healthyPanicThreshold');
    // camelCase, as Istio tooling writes it.
    const camel = withCluster((c) => (c.commonLbConfig = { healthyPanicThreshold: { value: 30 } }));
    expect(load(camel).clusters[0]!.healthyPanicThreshold).toBe(30);
  });

  it('refuses a value outside 0..100 at its path', () => {
    for (const value of [101, -1, 'half']) {
      const err = loadError(threshold({ value }));
      expect(err.path).toBe(`${path}.healthy_panic_threshold.value`);
      expect(err.message).toContain('between 0 and 100');
    }
  });

  it('still refuses the CommonLbConfig fields it does not implement, saying so', () => {
    const err = loadError(
      withCluster((c) => (c.common_lb_config = { zone_aware_lb_config: { min_cluster_size: 6 } })),
    );
    expect(err.path).toBe(`${path}.zone_aware_lb_config`);
    expect(err.message).toContain('not supported by meshscope-proxy yet');
  });
});

describe('hash_policy', () => {
  it('reads header (lower-cased), cookie and source IP policies with terminal', () => {
    const doc = withRoute((r) => {
      r.hash_policy = [
        { header: { header_name: 'X-User' }, terminal: true },
        { cookie: { name: 'session' } },
        { connection_properties: { source_ip: true } },
      ];
    });
    const action = load(doc).listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!.action;
    expect(action.kind === 'route' && action.hashPolicy).toEqual([
      { kind: 'header', headerName: 'x-user', terminal: true },
      { kind: 'cookie', name: 'session', terminal: false },
      { kind: 'sourceIp', terminal: false },
    ]);
  });

  it('needs exactly one method per policy, and rejects cookie generation (ttl)', () => {
    const hcmPath = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
    const routePath = `${hcmPath}.route_config.virtual_hosts[0].routes[0].route`;
    const two = loadError(
      withRoute((r) => (r.hash_policy = [{ header: { header_name: 'a' }, cookie: { name: 'b' } }])),
    );
    expect(two.path).toBe(`${routePath}.hash_policy[0]`);
    const ttl = loadError(withRoute((r) => (r.hash_policy = [{ cookie: { name: 'b', ttl: '10s' } }])));
    expect(ttl.path).toBe(`${routePath}.hash_policy[0].cookie.ttl`);
    expect(ttl.message).toContain('not supported by meshscope-proxy yet');
  });
});
