import { describe, expect, it } from 'vitest';
import type { Route, RouteConfig, VirtualHost } from '../../../proxy/config/model.ts';
import { isHeadError, parseRequestHead, type RequestHead } from '../../../proxy/http/head-parser.ts';
import { buildRouteTable } from '../../../proxy/router/route-table.ts';

function req(raw: string): RequestHead {
  const h = parseRequestHead(`${raw.replace(/\n/g, '\r\n')}\r\n\r\n`);
  if (isHeadError(h)) throw new Error(h.reason);
  return h;
}

function route(name: string, match: Partial<Route['match']>): Route {
  return {
    name,
    match: { caseSensitive: true, headers: [], queryParameters: [], ...match },
    action: { kind: 'route', cluster: name, timeoutMs: 15000 },
  };
}

function vh(name: string, domains: string[], routes: Route[]): VirtualHost {
  return { name, domains, routes };
}

describe('route table', () => {
  const config: RouteConfig = {
    name: 'r',
    virtualHosts: [
      vh('exact', ['api.example.com', 'api.example.com:8080'], [route('exact', { prefix: '/' })]),
      vh('suffix', ['*.example.com'], [route('suffix', { prefix: '/' })]),
      vh('longer-suffix', ['*.svc.example.com'], [route('longer-suffix', { prefix: '/' })]),
      vh('prefix', ['foo.*'], [route('prefix', { prefix: '/' })]),
      vh(
        'default',
        ['*'],
        [
          route('path', { path: '/exact' }),
          route('regex', { safeRegex: /^\/items\/[0-9]+$/ }),
          route('hdr', {
            prefix: '/h',
            headers: [
              { name: 'x-canary', match: { kind: 'exact', value: 'yes', ignoreCase: false }, invert: false },
            ],
          }),
          route('present', {
            prefix: '/h',
            headers: [{ name: 'x-user', match: { kind: 'present', present: true }, invert: false }],
          }),
          route('query', {
            prefix: '/q',
            queryParameters: [{ name: 'debug', match: { kind: 'exact', value: 'on', ignoreCase: false } }],
          }),
          route('ci', { prefix: '/CaSe', caseSensitive: false }),
          route('fallback', { prefix: '/' }),
        ],
      ),
    ],
  };
  const t = buildRouteTable(config);
  const pick = (raw: string) => t.selectRoute(req(raw))?.route.name;

  it('selects virtual hosts: exact, longest suffix wildcard, prefix wildcard, then *', () => {
    expect(pick('GET / HTTP/1.1\nHost: api.example.com')).toBe('exact');
    expect(pick('GET / HTTP/1.1\nHost: API.example.com:8080')).toBe('exact');
    expect(pick('GET / HTTP/1.1\nHost: api.example.com:9999')).toBe('exact');
    expect(pick('GET / HTTP/1.1\nHost: a.svc.example.com')).toBe('longer-suffix');
    expect(pick('GET / HTTP/1.1\nHost: www.example.com')).toBe('suffix');
    expect(pick('GET / HTTP/1.1\nHost: foo.bar')).toBe('prefix');
    expect(pick('GET /exact HTTP/1.1\nHost: other')).toBe('path');
  });

  it('matches path, regex, headers, query parameters in order', () => {
    expect(pick('GET /exact?x=1 HTTP/1.1\nHost: h')).toBe('path');
    expect(pick('GET /exact/more HTTP/1.1\nHost: h')).toBe('fallback');
    expect(pick('GET /items/42 HTTP/1.1\nHost: h')).toBe('regex');
    expect(pick('GET /items/42x HTTP/1.1\nHost: h')).toBe('fallback');
    expect(pick('GET /h HTTP/1.1\nHost: h\nX-Canary: yes')).toBe('hdr');
    expect(pick('GET /h HTTP/1.1\nHost: h\nX-Canary: no\nx-user: bob')).toBe('present');
    expect(pick('GET /h HTTP/1.1\nHost: h')).toBe('fallback');
    expect(pick('GET /q?a=1&debug=on HTTP/1.1\nHost: h')).toBe('query');
    expect(pick('GET /q?debug=off HTTP/1.1\nHost: h')).toBe('fallback');
    expect(pick('GET /case/x HTTP/1.1\nHost: h')).toBe('ci');
  });

  it('returns nothing when no virtual host matches', () => {
    const t2 = buildRouteTable({
      name: 'x',
      virtualHosts: [vh('only', ['a.com'], [route('a', { prefix: '/' })])],
    });
    expect(t2.selectRoute(req('GET / HTTP/1.1\nHost: b.com'))).toBeUndefined();
  });
});
