// Route tables: matchers, regexes, actions and RDS files.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import type { Bootstrap, Route } from '../../../proxy/config/model.ts';
import {
  configError,
  type Doc,
  firstRouteOf,
  HCM_PATH,
  hcmOf,
  load,
  loadError,
  minimalDoc,
  ROUTE_PATH,
} from './bootstrap-fixture.ts';

function firstRoute(b: Bootstrap): Route {
  return b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.routes[0]!;
}

function withMatch(match: Doc): Route {
  const doc = minimalDoc();
  firstRouteOf(doc).match = match;
  return firstRoute(load(doc));
}

describe('route match', () => {
  it('compiles safe_regex anchored to the whole path (RE2 full match)', () => {
    const route = withMatch({ safe_regex: { google_re2: {}, regex: '/api/v[0-9]+/.*' } });
    const re = route.match.safeRegex!;
    expect(re.test('/api/v2/users')).toBe(true);
    expect(re.test('/x/api/v2/users')).toBe(false);
    expect(re.test('/api/vX/')).toBe(false);
    expect(route.match.prefix).toBeUndefined();
  });

  it('rejects an invalid regex and RE2-incompatible syntax at the regex field', () => {
    for (const regex of ['/api/(', '(a)\\1', 'foo(?=bar)']) {
      const doc = minimalDoc();
      firstRouteOf(doc).match = { safe_regex: { regex } };
      const err = loadError(doc);
      expect(err.path).toBe(`${ROUTE_PATH}.match.safe_regex.regex`);
      expect(err.message).toContain('not a valid RE2 regex');
    }
  });

  it('needs exactly one of prefix, path, safe_regex', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).match = { prefix: '/', path: '/x' };
    const both = loadError(doc);
    expect(both.path).toBe(`${ROUTE_PATH}.match.path`);
    expect(both.message).toContain('set only one of prefix, path, safe_regex');
    firstRouteOf(doc).match = { case_sensitive: false };
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.match`);
  });

  it('converts every header matcher form, lower-casing names', () => {
    const route = withMatch({
      path: '/exact',
      headers: [
        { name: 'X-Canary', exact_match: 'yes' },
        { name: 'x-p', prefix_match: 'ab' },
        { name: 'x-s', suffix_match: 'yz' },
        { name: 'x-c', contains_match: 'mid' },
        { name: 'x-present', present_match: true },
        { name: 'x-absent', present_match: false },
        { name: 'x-re', safe_regex_match: { regex: 'v[12]' } },
        { name: 'x-sm', string_match: { prefix: 'Pre', ignore_case: true }, invert_match: true },
        { name: 'x-only-name' },
      ],
    });
    expect(route.match.path).toBe('/exact');
    const h = route.match.headers;
    expect(h[0]).toEqual({
      name: 'x-canary',
      match: { kind: 'exact', value: 'yes', ignoreCase: false },
      invert: false,
    });
    expect(h.slice(1, 4).map((m) => m.match)).toEqual([
      { kind: 'prefix', value: 'ab', ignoreCase: false },
      { kind: 'suffix', value: 'yz', ignoreCase: false },
      { kind: 'contains', value: 'mid', ignoreCase: false },
    ]);
    expect(h[4]!.match).toEqual({ kind: 'present', present: true });
    expect(h[5]!.match).toEqual({ kind: 'present', present: false });
    const re = h[6]!.match;
    expect(re.kind === 'regex' && re.regex.test('v1') && !re.regex.test('v12')).toBe(true);
    expect(h[7]).toEqual({
      name: 'x-sm',
      match: { kind: 'prefix', value: 'Pre', ignoreCase: true },
      invert: true,
    });
    expect(h[8]!.match).toEqual({ kind: 'present', present: true });
  });

  it('rejects two specifiers in one header matcher, and the v2 regex_match', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).match.headers = [{ name: 'a', exact_match: 'x', prefix_match: 'y' }];
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.match.headers[0].prefix_match`);
    firstRouteOf(doc).match.headers = [{ name: 'a', regex_match: 'x.*' }];
    const err = loadError(doc);
    expect(err.path).toBe(`${ROUTE_PATH}.match.headers[0].regex_match`);
    expect(err.message).toContain('use safe_regex_match');
  });

  it('converts query parameter matchers', () => {
    const route = withMatch({
      prefix: '/',
      query_parameters: [
        { name: 'debug', present_match: true },
        { name: 'v', string_match: { exact: '2' } },
        { name: 'bare' },
      ],
    });
    expect(route.match.queryParameters).toEqual([
      { name: 'debug', match: { kind: 'present', present: true } },
      { name: 'v', match: { kind: 'exact', value: '2', ignoreCase: false } },
      { name: 'bare', match: { kind: 'present', present: true } },
    ]);
  });

  it('needs exactly one pattern in a string_match', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).match.query_parameters = [{ name: 'v', string_match: { ignore_case: true } }];
    const err = loadError(doc);
    expect(err.path).toBe(`${ROUTE_PATH}.match.query_parameters[0].string_match`);
    expect(err.message).toContain('needs one of exact, prefix, suffix, contains, safe_regex');
  });
});

describe('route action', () => {
  it('keeps runtime_key_prefix and total_weight of weighted clusters', () => {
    const doc = minimalDoc();
    Object.assign(firstRouteOf(doc).route.weighted_clusters, {
      runtime_key_prefix: 'routing.split',
      total_weight: 100,
    });
    const action = firstRoute(load(doc)).action;
    expect(action).toEqual({
      kind: 'route',
      timeoutMs: 15_000,
      weightedClusters: {
        clusters: [
          { name: 'v1', weight: 80 },
          { name: 'v2', weight: 20 },
        ],
        totalWeight: 100,
        runtimeKeyPrefix: 'routing.split',
      },
    });
  });

  it('needs exactly one of cluster and weighted_clusters, and one of route and direct_response', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).route.cluster = 'v1';
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.route.weighted_clusters`);
    delete firstRouteOf(doc).route;
    expect(loadError(doc).message).toContain('needs one of route, direct_response');
  });

  it('converts a direct response', () => {
    const doc = minimalDoc();
    hcmOf(doc).route_config.virtual_hosts[0].routes.unshift({
      match: { path: '/healthz' },
      direct_response: { status: 200, body: { inline_string: 'ok' } },
    });
    expect(firstRoute(load(doc)).action).toEqual({ kind: 'direct', status: 200, body: 'ok' });
    firstRouteOf(doc).direct_response.status = 42;
    expect(loadError(doc).path).toBe(`${ROUTE_PATH}.direct_response.status`);
  });

  it('validates retry_on conditions', () => {
    const doc = minimalDoc();
    firstRouteOf(doc).route.retry_policy = { retry_on: 'connect-failure, 5xx', per_try_timeout: '0.5s' };
    const action = firstRoute(load(doc)).action;
    expect(action.kind === 'route' && action.retryPolicy).toEqual({
      retryOn: ['connect-failure', '5xx'],
      numRetries: 1,
      perTryTimeoutMs: 500,
    });
    firstRouteOf(doc).route.retry_policy = { retry_on: '5xx,teapot' };
    const err = loadError(doc);
    expect(err.path).toBe(`${ROUTE_PATH}.route.retry_policy.retry_on`);
    expect(err.message).toContain('"teapot"');
  });
});

describe('rds from a file', () => {
  function rdsDoc(path: Doc): Doc {
    const doc = minimalDoc();
    const hcm = hcmOf(doc);
    delete hcm.route_config;
    hcm.rds = { route_config_name: 'local', config_source: path };
    return doc;
  }

  const routeConfiguration = {
    name: 'local',
    virtual_hosts: [
      { name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'v2' } }] },
    ],
  };

  function loadWith(doc: Doc, files: Record<string, string>) {
    return parseBootstrap(stringify(doc), {
      baseDir: '/etc/envoy',
      readFile: (p) => {
        const text = files[p];
        if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return text;
      },
    });
  }

  it('reads a discovery response from path_config_source, resolving relative paths from baseDir', () => {
    const doc = rdsDoc({ path_config_source: { path: 'rds.yaml' }, resource_api_version: 'V3' });
    const discovery = {
      version_info: '1',
      resources: [
        {
          '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
          ...routeConfiguration,
          name: 'other',
        },
        { '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', ...routeConfiguration },
      ],
    };
    const b = loadWith(doc, { '/etc/envoy/rds.yaml': stringify(discovery) });
    const hcm = b.listeners[0]!.hcm;
    expect(hcm.rdsPath).toBe('/etc/envoy/rds.yaml');
    expect(hcm.routeConfig.name).toBe('local');
    expect(hcm.routeConfig.virtualHosts[0]!.routes[0]!.action).toMatchObject({ cluster: 'v2' });
  });

  it('reads a bare RouteConfiguration in JSON from the legacy config_source.path', () => {
    const doc = rdsDoc({ path: '/srv/routes.json' });
    const b = loadWith(doc, { '/srv/routes.json': JSON.stringify(routeConfiguration) });
    expect(b.listeners[0]!.hcm.rdsPath).toBe('/srv/routes.json');
    expect(b.listeners[0]!.hcm.routeConfig.virtualHosts[0]!.name).toBe('all');
  });

  it('reports errors inside the RDS file against that file, with the line', () => {
    const doc = rdsDoc({ path_config_source: { path: '/srv/rds.yaml' } });
    const bad = structuredClone(routeConfiguration);
    bad.virtual_hosts[0]!.routes[0]!.route.cluster = 'ghost';
    const text = stringify({
      resources: [{ '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', ...bad }],
    });
    const err = configError(() => loadWith(doc, { '/srv/rds.yaml': text }));
    expect(err.file).toBe('/srv/rds.yaml');
    expect(err.path).toBe('resources[0].virtual_hosts[0].routes[0].route.cluster');
    expect(err.message).toContain('unknown cluster "ghost"');
    expect(err.line).toBe(text.split('\n').findIndex((l) => l.includes('cluster: ghost')) + 1);
  });

  it('reports a missing file, or a missing route configuration name, at the right place', () => {
    const doc = rdsDoc({ path_config_source: { path: '/srv/none.yaml' } });
    const missing = configError(() => loadWith(doc, {}));
    expect(missing.path).toBe(`${HCM_PATH}.rds.config_source.path_config_source.path`);
    expect(missing.message).toContain('ENOENT');
    const other = stringify({
      resources: [{ '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'x' }],
    });
    const err = configError(() => loadWith(doc, { '/srv/none.yaml': other }));
    expect(err.path).toBe('resources');
    expect(err.message).toContain('no RouteConfiguration named "local" (found: x)');
  });

  it('rejects other config sources as not supported yet', () => {
    const doc = rdsDoc({ ads: {} });
    const err = loadError(doc);
    expect(err.path).toBe(`${HCM_PATH}.rds.config_source.ads`);
    expect(err.message).toContain('not supported by meshscope-proxy yet');
  });
});
