// envoy.filters.http.fault in the bootstrap: the filter before the router, its per-route override, and
// clear errors for what Envoy would refuse or we do not support.

import { describe, expect, it } from 'vitest';
import {
  firstRouteOf,
  HCM_PATH,
  hcmOf,
  load,
  loadError,
  minimalDoc,
  ROUTE_PATH,
} from './bootstrap-fixture.ts';

const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const ROUTER = { name: 'envoy.filters.http.router' };

// The Istio lab's ratings VirtualService (7 s delay for end-user: jason), written as Envoy config.
const labFault = {
  name: 'envoy.filters.http.fault',
  typed_config: {
    '@type': FAULT_TYPE,
    delay: { fixed_delay: '7s', percentage: { numerator: 100, denominator: 'HUNDRED' } },
    headers: [{ name: 'end-user', string_match: { exact: 'jason' } }],
  },
};

function withFilters(filters: unknown[]) {
  const doc = minimalDoc();
  hcmOf(doc).http_filters = filters;
  return doc;
}

describe('fault filter config', () => {
  it("loads the lab's 7 s delay for jason, before the router", () => {
    const filters = load(withFilters([labFault, ROUTER])).listeners[0]!.hcm.httpFilters;
    expect(filters.map((f) => f.name)).toEqual(['envoy.filters.http.fault', 'envoy.filters.http.router']);
    const fault = filters[0]!.name === 'envoy.filters.http.fault' ? filters[0]!.fault : undefined;
    expect(fault?.delay).toEqual({ fixedDelayMs: 7_000, percentage: { numerator: 100, denominator: 100 } });
    expect(fault?.headers).toEqual([
      { name: 'end-user', match: { kind: 'exact', value: 'jason', ignoreCase: false }, invert: false },
    ]);
    expect(fault?.runtimeKeys.abortPercent).toBe('fault.http.abort.abort_percent');
  });

  it('reads abort, denominators, max_active_faults and runtime key names', () => {
    const f = {
      name: 'envoy.filters.http.fault',
      typed_config: {
        '@type': FAULT_TYPE,
        abort: { http_status: 503, percentage: { numerator: 25, denominator: 'TEN_THOUSAND' } },
        max_active_faults: 3,
        downstream_nodes: ['productpage-v1'],
        abort_percent_runtime: 'my.abort_percent',
      },
    };
    const filter = load(withFilters([f, ROUTER])).listeners[0]!.hcm.httpFilters[0]!;
    if (filter.name !== 'envoy.filters.http.fault') throw new Error('expected the fault filter');
    expect(filter.fault.abort).toEqual({
      httpStatus: 503,
      percentage: { numerator: 25, denominator: 10_000 },
    });
    expect(filter.fault.maxActiveFaults).toBe(3);
    expect(filter.fault.downstreamNodes).toEqual(['productpage-v1']);
    expect(filter.fault.runtimeKeys.abortPercent).toBe('my.abort_percent');
    // An unset percentage is FractionalPercent's zero value: 0 %.
    const bare = { ...f, typed_config: { '@type': FAULT_TYPE, abort: { http_status: 500 } } };
    const f2 = load(withFilters([bare, ROUTER])).listeners[0]!.hcm.httpFilters[0]!;
    expect(f2.name === 'envoy.filters.http.fault' && f2.fault.abort?.percentage.numerator).toBe(0);
  });

  it('accepts a per-route typed_per_filter_config override', () => {
    const doc = withFilters([{ ...labFault, typed_config: { '@type': FAULT_TYPE } }, ROUTER]);
    firstRouteOf(doc).typed_per_filter_config = {
      'envoy.filters.http.fault': {
        '@type': FAULT_TYPE,
        abort: { http_status: 418, percentage: { numerator: 100 } },
      },
    };
    const route = load(doc).listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!;
    expect(route.faultOverride?.abort?.httpStatus).toBe(418);
  });

  it('lets a route inherit the virtual host or route configuration override, the most specific winning', () => {
    const doc = withFilters([{ ...labFault, typed_config: { '@type': FAULT_TYPE } }, ROUTER]);
    const abort = (status: number) => ({
      'envoy.filters.http.fault': {
        '@type': FAULT_TYPE,
        abort: { http_status: status, percentage: { numerator: 100 } },
      },
    });
    const rc = hcmOf(doc).route_config;
    rc.typed_per_filter_config = abort(500);
    rc.virtual_hosts[0].routes.push({ match: { prefix: '/b' }, route: { cluster: 'v1' } });
    rc.virtual_hosts.push({
      name: 'other',
      domains: ['other'],
      typed_per_filter_config: abort(502),
      routes: [
        { match: { prefix: '/' }, route: { cluster: 'v1' } },
        { match: { prefix: '/own' }, route: { cluster: 'v1' }, typed_per_filter_config: abort(418) },
      ],
    });
    const statuses = load(doc).listeners[0]!.hcm.routeConfig.virtualHosts.map((vh) =>
      vh.routes.map((r) => r.faultOverride?.abort?.httpStatus),
    );
    expect(statuses).toEqual([
      [500, 500],
      [502, 418],
    ]);
  });

  it('rejects the fault filter after (or instead of) the router', () => {
    expect(loadError(withFilters([ROUTER, labFault])).message).toContain(
      `${HCM_PATH}.http_filters[0] is the router, which must be the last HTTP filter`,
    );
    expect(loadError(withFilters([labFault])).message).toContain('the last HTTP filter must be the router');
  });

  it('rejects an abort without a usable status source', () => {
    const bad = (abort: unknown) =>
      loadError(withFilters([{ name: 'x', typed_config: { '@type': FAULT_TYPE, abort } }, ROUTER])).message;
    expect(bad({ percentage: { numerator: 1 } })).toContain('abort needs one of http_status, header_abort');
    expect(bad({ http_status: 150 })).toContain('abort.http_status must be between 200 and 599, got 150');
    expect(bad({ http_status: 503, header_abort: {} })).toContain(
      'abort.header_abort must not be set together with http_status',
    );
    expect(bad({ grpc_status: 14 })).toContain('grpc_status is not supported by meshscope-proxy yet');
  });

  it('rejects a delay without fixed_delay or header_delay', () => {
    const bad = (delay: unknown) =>
      loadError(withFilters([{ name: 'x', typed_config: { '@type': FAULT_TYPE, delay } }, ROUTER])).message;
    expect(bad({ percentage: { numerator: 1 } })).toContain('delay needs one of fixed_delay, header_delay');
  });

  it('reads header-controlled faults (header_delay, header_abort)', () => {
    const f = {
      name: 'envoy.filters.http.fault',
      typed_config: {
        '@type': FAULT_TYPE,
        max_active_faults: 10,
        delay: { header_delay: {}, percentage: { numerator: 100 } },
        abort: { header_abort: {}, percentage: { numerator: 100 } },
      },
    };
    const filter = load(withFilters([f, ROUTER])).listeners[0]!.hcm.httpFilters[0]!;
    if (filter.name !== 'envoy.filters.http.fault') throw new Error('expected the fault filter');
    expect(filter.fault.delay).toEqual({
      fromHeader: true,
      percentage: { numerator: 100, denominator: 100 },
    });
    expect(filter.fault.abort).toEqual({
      fromHeader: true,
      percentage: { numerator: 100, denominator: 100 },
    });
  });

  it('rejects the fault filter without a typed_config, and the v2 type', () => {
    expect(loadError(withFilters([{ name: 'envoy.filters.http.fault' }, ROUTER])).message).toContain(
      'typed_config is required for envoy.filters.http.fault',
    );
    const v2 = {
      name: 'x',
      typed_config: { '@type': 'type.googleapis.com/envoy.config.filter.http.fault.v2.HTTPFault' },
    };
    expect(loadError(withFilters([v2, ROUTER])).message).toContain("Envoy's v3 API removed");
  });

  it('rejects per-route config for other filters', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).typed_per_filter_config = {
      'envoy.filters.http.cors': { '@type': FAULT_TYPE },
    };
    expect(loadError(doc).message).toContain(
      `${ROUTE_PATH}.typed_per_filter_config["envoy.filters.http.cors"] is per-route config for a filter that is not supported`,
    );
  });
});
