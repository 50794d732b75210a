// Route selection as Envoy's router does it: pick the virtual host by the request's authority
// (exact domain, then longest `*.suffix`, then longest `prefix.*`, then `*`; the port is tried with and
// then without), then the first route whose match fits. Built once per route configuration.

import type {
  HeaderMatcher,
  QueryParameterMatcher,
  Route,
  RouteConfig,
  StringMatcher,
  VirtualHost,
} from '../config/model.ts';
import type { RequestHead } from '../http/head-parser.ts';

export interface RouteTable {
  readonly config: RouteConfig;
  selectVirtualHost(authority: string): VirtualHost | undefined;
  selectRoute(req: RequestHead): { vhost: VirtualHost; route: Route } | undefined;
}

function matchString(m: StringMatcher, v: string): boolean {
  switch (m.kind) {
    case 'regex':
      return m.regex.test(v);
    case 'exact':
      return m.ignoreCase ? v.toLowerCase() === m.value.toLowerCase() : v === m.value;
    case 'prefix':
      return m.ignoreCase ? v.toLowerCase().startsWith(m.value.toLowerCase()) : v.startsWith(m.value);
    case 'suffix':
      return m.ignoreCase ? v.toLowerCase().endsWith(m.value.toLowerCase()) : v.endsWith(m.value);
    case 'contains':
      return m.ignoreCase ? v.toLowerCase().includes(m.value.toLowerCase()) : v.includes(m.value);
  }
}

export function headerMatches(hm: HeaderMatcher, req: RequestHead): boolean {
  // Envoy joins repeated headers with "," before matching.
  let value: string | undefined;
  for (let i = 0; i < req.lower.length; i++) {
    if (req.lower[i] === hm.name) value = value === undefined ? req.values[i] : `${value},${req.values[i]}`;
  }
  let ok: boolean;
  if (hm.match.kind === 'present') ok = (value !== undefined) === hm.match.present;
  else ok = value !== undefined && matchString(hm.match, value);
  return hm.invert ? !ok : ok;
}

function parseQuery(query: string): Map<string, string> {
  const out = new Map<string, string>();
  if (query.length <= 1) return out;
  for (const part of query.slice(1).split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    let dk: string;
    let dv: string;
    try {
      dk = decodeURIComponent(k.replace(/\+/g, ' '));
      dv = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      dk = k;
      dv = v;
    }
    // Envoy uses the first occurrence of a repeated parameter.
    if (!out.has(dk)) out.set(dk, dv);
  }
  return out;
}

function queryMatches(qm: QueryParameterMatcher, params: Map<string, string>): boolean {
  const v = params.get(qm.name);
  if (qm.match.kind === 'present') return (v !== undefined) === qm.match.present;
  return v !== undefined && matchString(qm.match, v);
}

function pathMatches(route: Route, path: string): boolean {
  const m = route.match;
  if (m.prefix !== undefined) {
    return m.caseSensitive
      ? path.startsWith(m.prefix)
      : path.toLowerCase().startsWith(m.prefix.toLowerCase());
  }
  if (m.path !== undefined) {
    return m.caseSensitive ? path === m.path : path.toLowerCase() === m.path.toLowerCase();
  }
  if (m.safeRegex !== undefined) return m.safeRegex.test(path);
  return false;
}

export function routeMatches(route: Route, req: RequestHead, params: () => Map<string, string>): boolean {
  if (!pathMatches(route, req.path)) return false;
  const m = route.match;
  for (let i = 0; i < m.headers.length; i++) if (!headerMatches(m.headers[i]!, req)) return false;
  if (m.queryParameters.length > 0) {
    const p = params();
    for (const qm of m.queryParameters) if (!queryMatches(qm, p)) return false;
  }
  return true;
}

export function buildRouteTable(config: RouteConfig): RouteTable {
  const exact = new Map<string, VirtualHost>();
  const suffixes: { suffix: string; vhost: VirtualHost }[] = [];
  const prefixes: { prefix: string; vhost: VirtualHost }[] = [];
  let fallback: VirtualHost | undefined;
  for (const vh of config.virtualHosts) {
    for (const d of vh.domains) {
      if (d === '*') fallback ??= vh;
      else if (d.startsWith('*')) suffixes.push({ suffix: d.slice(1), vhost: vh });
      else if (d.endsWith('*')) prefixes.push({ prefix: d.slice(0, -1), vhost: vh });
      else if (!exact.has(d)) exact.set(d, vh);
    }
  }
  // Longest wildcard wins (Envoy: "the most specific").
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  const onlyFallback = exact.size === 0 && suffixes.length === 0 && prefixes.length === 0;

  function lookup(host: string): VirtualHost | undefined {
    const e = exact.get(host);
    if (e) return e;
    for (const s of suffixes) if (host.length > s.suffix.length && host.endsWith(s.suffix)) return s.vhost;
    for (const p of prefixes) if (host.length > p.prefix.length && host.startsWith(p.prefix)) return p.vhost;
    return undefined;
  }

  function selectVirtualHost(authority: string): VirtualHost | undefined {
    if (onlyFallback) return fallback;
    let vh = lookup(authority);
    if (!vh) {
      const colon = authority.lastIndexOf(':');
      if (colon > 0 && !authority.endsWith(']')) vh = lookup(authority.slice(0, colon));
    }
    return vh ?? fallback;
  }

  return {
    config,
    selectVirtualHost,
    selectRoute(req) {
      const vhost = selectVirtualHost(req.authority);
      if (!vhost) return undefined;
      let params: Map<string, string> | undefined;
      const lazyParams = () => {
        params ??= parseQuery(req.query);
        return params;
      };
      for (const route of vhost.routes) if (routeMatches(route, req, lazyParams)) return { vhost, route };
      return undefined;
    },
  };
}
