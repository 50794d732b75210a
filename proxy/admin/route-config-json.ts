// A normalized RouteConfig printed back as an `envoy.config.route.v3.RouteConfiguration` (proto3 JSON,
// snake_case). /config_dump needs it for routes loaded through RDS from a file: the raw bootstrap only
// names the file, and the dashboard reads weighted_clusters from the dump.
import type {
  HeaderMatcher,
  QueryParameterMatcher,
  Route,
  RouteConfig,
  RouteMatch,
  StringMatcher,
} from '../config/model.ts';

type Json = Record<string, unknown>;

/** Envoy's default route timeout; a route without an explicit timeout prints none. */
const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

/** The RE2 pattern behind a compiled matcher: undoes the `^(?:…)$` anchoring added when compiling. */
function regexSource(re: RegExp): string {
  const s = re.source;
  return s.startsWith('^(?:') && s.endsWith(')$') ? s.slice(4, -2) : s;
}

/** google.protobuf.Duration in JSON: seconds with 0, 3, 6 or 9 fractional digits. */
function duration(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = ms % 1000;
  return frac === 0 ? `${whole}s` : `${whole}.${String(frac).padStart(3, '0')}s`;
}

function stringMatcher(m: StringMatcher): Json {
  if (m.kind === 'regex') return { safe_regex: { regex: regexSource(m.regex) } };
  const out: Json = { [m.kind]: m.value };
  if (m.ignoreCase) out['ignore_case'] = true;
  return out;
}

function headerMatcher(h: HeaderMatcher): Json {
  const out: Json = { name: h.name };
  if (h.match.kind === 'present') out['present_match'] = h.match.present;
  else out['string_match'] = stringMatcher(h.match);
  if (h.invert) out['invert_match'] = true;
  return out;
}

function queryMatcher(q: QueryParameterMatcher): Json {
  const out: Json = { name: q.name };
  if (q.match.kind === 'present') out['present_match'] = q.match.present;
  else out['string_match'] = stringMatcher(q.match);
  return out;
}

function routeMatch(m: RouteMatch): Json {
  const out: Json = {};
  if (m.prefix !== undefined) out['prefix'] = m.prefix;
  else if (m.path !== undefined) out['path'] = m.path;
  else if (m.safeRegex !== undefined) out['safe_regex'] = { regex: regexSource(m.safeRegex) };
  if (!m.caseSensitive) out['case_sensitive'] = false;
  if (m.headers.length > 0) out['headers'] = m.headers.map(headerMatcher);
  if (m.queryParameters.length > 0) out['query_parameters'] = m.queryParameters.map(queryMatcher);
  return out;
}

function route(r: Route): Json {
  const out: Json = {};
  if (r.name !== undefined) out['name'] = r.name;
  out['match'] = routeMatch(r.match);
  const a = r.action;
  if (a.kind === 'direct') {
    const direct: Json = { status: a.status };
    if (a.body !== undefined) direct['body'] = { inline_string: a.body };
    out['direct_response'] = direct;
    return out;
  }
  const action: Json = {};
  if (a.cluster !== undefined) action['cluster'] = a.cluster;
  if (a.weightedClusters) {
    const wc: Json = {
      clusters: a.weightedClusters.clusters.map((c) => ({ name: c.name, weight: c.weight })),
    };
    if (a.weightedClusters.totalWeight !== undefined) wc['total_weight'] = a.weightedClusters.totalWeight;
    if (a.weightedClusters.runtimeKeyPrefix !== undefined) {
      wc['runtime_key_prefix'] = a.weightedClusters.runtimeKeyPrefix;
    }
    action['weighted_clusters'] = wc;
  }
  if (a.prefixRewrite !== undefined) action['prefix_rewrite'] = a.prefixRewrite;
  if (a.hostRewriteLiteral !== undefined) action['host_rewrite_literal'] = a.hostRewriteLiteral;
  if (a.timeoutMs !== DEFAULT_ROUTE_TIMEOUT_MS) action['timeout'] = duration(a.timeoutMs);
  if (a.idleTimeoutMs !== undefined) action['idle_timeout'] = duration(a.idleTimeoutMs);
  if (a.retryPolicy) {
    const rp: Json = { retry_on: a.retryPolicy.retryOn.join(','), num_retries: a.retryPolicy.numRetries };
    if (a.retryPolicy.perTryTimeoutMs !== undefined)
      rp['per_try_timeout'] = duration(a.retryPolicy.perTryTimeoutMs);
    action['retry_policy'] = rp;
  }
  out['route'] = action;
  return out;
}

/** The RouteConfiguration as proto3 JSON, without `@type`. */
export function routeConfigJson(rc: RouteConfig): Json {
  return {
    name: rc.name,
    virtual_hosts: rc.virtualHosts.map((vh) => ({
      name: vh.name,
      domains: vh.domains,
      routes: vh.routes.map(route),
    })),
  };
}
