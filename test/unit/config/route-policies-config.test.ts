// The request-path policy fields the loader reads for issue 6: retry_policy's retriable_status_codes
// and retry_back_off, a route's priority and request_mirror_policies, and the clusters'
// track_remaining and max_requests_per_connection, with Envoy's load-time checks.
import { describe, expect, it } from 'vitest';
import type { Bootstrap, RouteAction } from '../../../proxy/config/model.ts';
import { type Doc, firstRouteOf, load, loadError, minimalDoc, ROUTE_PATH } from './bootstrap-fixture.ts';

function action(b: Bootstrap): RouteAction {
  const a = b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!.action;
  if (a.kind !== 'route') throw new Error('not a route action');
  return a;
}

function withRoute(fields: Doc): Doc {
  const doc = minimalDoc();
  Object.assign(firstRouteOf(doc).route, fields);
  return doc;
}

describe('retry_policy', () => {
  it('reads retriable_status_codes and retry_back_off', () => {
    const a = action(
      load(
        withRoute({
          retry_policy: {
            retry_on: 'retriable-status-codes,connect-failure',
            num_retries: 3,
            retriable_status_codes: [503, 429],
            retry_back_off: { base_interval: '0.05s', max_interval: '1s' },
          },
        }),
      ),
    );
    expect(a.retryPolicy).toEqual({
      retryOn: ['retriable-status-codes', 'connect-failure'],
      numRetries: 3,
      retriableStatusCodes: [503, 429],
      backOff: { baseIntervalMs: 50, maxIntervalMs: 1000 },
    });
  });

  it('refuses a back-off base of 0 and a max below the base', () => {
    const zero = loadError(
      withRoute({ retry_policy: { retry_on: '5xx', retry_back_off: { base_interval: '0s' } } }),
    );
    expect(zero.path).toBe(`${ROUTE_PATH}.route.retry_policy.retry_back_off.base_interval`);
    const below = loadError(
      withRoute({
        retry_policy: { retry_on: '5xx', retry_back_off: { base_interval: '1s', max_interval: '0.5s' } },
      }),
    );
    expect(below.path).toBe(`${ROUTE_PATH}.route.retry_policy.retry_back_off.max_interval`);
    expect(below.message).toContain('greater than or equal to the base_interval');
  });
});

describe('priority and request_mirror_policies', () => {
  it('reads HIGH priority; DEFAULT is the default', () => {
    expect(action(load(withRoute({ priority: 'HIGH' }))).priority).toBe('HIGH');
    expect(action(load(withRoute({ priority: 'DEFAULT' }))).priority).toBeUndefined();
    expect(loadError(withRoute({ priority: 'LOW' })).path).toBe(`${ROUTE_PATH}.route.priority`);
  });

  it('reads mirror policies with their runtime fraction (denominator as a number)', () => {
    const a = action(
      load(
        withRoute({
          request_mirror_policies: [
            { cluster: 'v2' },
            {
              cluster: 'v1',
              runtime_fraction: {
                default_value: { numerator: 5, denominator: 'TEN_THOUSAND' },
                runtime_key: 'm.v1',
              },
              disable_shadow_host_suffix_append: true,
            },
            { cluster: 'v2', runtime_fraction: { default_value: { numerator: 50 } } },
          ],
        }),
      ),
    );
    expect(a.requestMirrorPolicies).toEqual([
      { cluster: 'v2' },
      {
        cluster: 'v1',
        runtimeFraction: { numerator: 5, denominator: 10_000, runtimeKey: 'm.v1' },
        disableShadowHostSuffixAppend: true,
      },
      { cluster: 'v2', runtimeFraction: { numerator: 50, denominator: 100 } },
    ]);
  });

  it('refuses a mirror to an unknown cluster, or without a cluster', () => {
    const unknown = loadError(withRoute({ request_mirror_policies: [{ cluster: 'shadow' }] }));
    expect(unknown.path).toBe(`${ROUTE_PATH}.route.request_mirror_policies[0].cluster`);
    expect(unknown.message).toContain('"shadow"');
    const none = loadError(
      withRoute({ request_mirror_policies: [{ runtime_fraction: { default_value: {} } }] }),
    );
    expect(none.path).toBe(`${ROUTE_PATH}.route.request_mirror_policies[0].cluster`);
  });
});

describe('cluster connection limits', () => {
  it('reads track_remaining and max_requests_per_connection', () => {
    const doc = minimalDoc();
    const cluster = doc.static_resources.clusters[0];
    cluster.circuit_breakers = { thresholds: [{ max_connections: 1, track_remaining: true }] };
    cluster.max_requests_per_connection = 1;
    const c = load(doc).clusters[0]!;
    expect(c.circuitBreakers?.thresholds[0]).toMatchObject({ maxConnections: 1, trackRemaining: true });
    expect(c.maxRequestsPerConnection).toBe(1);
    expect(load(minimalDoc()).clusters[0]!.maxRequestsPerConnection).toBeUndefined();
  });
});
