// Istio's VirtualService and DestinationRule objects (networking.istio.io) → the same policy summary
// the config dumps give (shared/api/policies.ts), keyed by destination host and subset, mapped the way
// istiod translates them into Envoy configuration:
// - DestinationRule `trafficPolicy` (and each subset's, which overrides it for that subset):
//   connectionPool.tcp.maxConnections → circuit_breakers max_connections, http.http1MaxPendingRequests
//   → max_pending_requests, http.http2MaxRequests → max_requests, http.maxRetries → max_retries;
//   outlierDetection consecutive5xxErrors / consecutiveGatewayErrors / interval / baseEjectionTime /
//   maxEjectionPercent → outlier_detection; loadBalancer.consistentHash → a RING_HASH cluster (MAGLEV
//   when asked) hashing on a header, cookie, source IP or query parameter; tls ISTIO_MUTUAL / MUTUAL →
//   mutual TLS, SIMPLE → TLS;
// - VirtualService `http[]`: retries (attempts, perTryTimeout, retryOn), timeout, fault (delay
//   fixedDelay, abort httpStatus, each with its percentage), mirror (+ mirrorPercentage), applied to the
//   route's destinations; a route's `match[].headers` restrict its fault (the lab's `end-user: jason`).
import type { Policies } from '../../../shared/api/policies.ts';
import type { IstioHostPolicy } from '../../model/policy-config.ts';
import { fqdn } from '../../weights/istio-virtualservice.ts';
import {
  field,
  isJsonObject,
  type JsonObject,
  objectField,
  objectList,
  stringField,
} from '../envoy/proto-json.ts';
import { durationMs } from '../envoy/proto-values.ts';

export interface IstioObject {
  metadata?: { name?: string; namespace?: string };
  spec?: unknown;
}

export function istioPolicies(
  virtualServices: readonly IstioObject[],
  destinationRules: readonly IstioObject[],
): IstioHostPolicy[] {
  const out = new Map<string, IstioHostPolicy>();
  const entry = (host: string, subset: string | undefined): IstioHostPolicy => {
    const key = `${host}|${subset ?? ''}`;
    let e = out.get(key);
    if (e === undefined) {
      e = { host, ...(subset !== undefined && { subset }), policies: { sources: ['istio'] } };
      out.set(key, e);
    }
    return e;
  };
  for (const dr of destinationRules) {
    const spec = dr.spec;
    const ns = dr.metadata?.namespace ?? 'default';
    const hostName = stringField(spec, 'host');
    if (!hostName) continue;
    const host = fqdn(hostName, ns);
    const top = objectField(spec, 'trafficPolicy');
    if (top !== undefined) Object.assign(entry(host, undefined).policies, trafficPolicy(top));
    for (const s of objectList(spec, 'subsets')) {
      const name = stringField(s, 'name');
      if (!name) continue;
      const e = entry(host, name);
      const labels = objectField(s, 'labels');
      if (labels !== undefined) e.labels = stringRecord(labels);
      // A subset's trafficPolicy replaces the rule's for that subset, field by field as istiod merges.
      Object.assign(e.policies, top === undefined ? {} : trafficPolicy(top));
      const own = objectField(s, 'trafficPolicy');
      if (own !== undefined) Object.assign(e.policies, trafficPolicy(own));
    }
  }
  for (const vs of virtualServices) {
    const ns = vs.metadata?.namespace ?? 'default';
    for (const http of objectList(vs.spec, 'http')) {
      const p = httpRoutePolicies(http, ns);
      if (Object.keys(p).length === 0) continue;
      for (const r of objectList(http, 'route')) {
        const d = objectField(r, 'destination');
        const hostName = stringField(d, 'host');
        if (!hostName) continue;
        const subset = stringField(d, 'subset') || undefined;
        const e = entry(fqdn(hostName, ns), subset);
        // The first route of a VirtualService that reaches a destination is what most requests take.
        for (const [k, v] of Object.entries(p)) {
          const key = k as keyof Policies;
          if (e.policies[key] === undefined) (e.policies as Record<string, unknown>)[key] = v;
        }
      }
    }
  }
  return [...out.values()].filter((e) => Object.keys(e.policies).length > 1);
}

function trafficPolicy(tp: JsonObject): Policies {
  const p: Policies = {};
  const pool = objectField(tp, 'connectionPool');
  if (pool !== undefined) {
    const tcp = objectField(pool, 'tcp');
    const http = objectField(pool, 'http');
    const t = {
      priority: 'DEFAULT' as const,
      ...num('maxConnections', field(tcp, 'maxConnections')),
      ...num('maxPendingRequests', field(http, 'http1MaxPendingRequests')),
      ...num('maxRequests', field(http, 'http2MaxRequests')),
      ...num('maxRetries', field(http, 'maxRetries')),
    };
    if (Object.keys(t).length > 1)
      p.circuitBreaker = { thresholds: [t], open: [], overflowRps: 0, retryOverflowRps: 0 };
  }
  const od = objectField(tp, 'outlierDetection');
  if (od !== undefined) {
    // consecutiveErrors is the deprecated name of consecutive5xxErrors (before Istio 1.5 it counted 502-504).
    const c5 = field(od, 'consecutive5xxErrors') ?? field(od, 'consecutiveErrors');
    p.outlierDetection = {
      ...num('consecutive5xx', c5),
      ...num('consecutiveGatewayFailure', field(od, 'consecutiveGatewayErrors')),
      ...num('intervalMs', durationMs(field(od, 'interval'))),
      ...num('baseEjectionTimeMs', durationMs(field(od, 'baseEjectionTime'))),
      ...num('maxEjectionPercent', field(od, 'maxEjectionPercent')),
      ejectedHosts: 0,
    };
  }
  const hash = objectField(objectField(tp, 'loadBalancer'), 'consistentHash');
  if (hash !== undefined) {
    const hashOn: string[] = [];
    const header = stringField(hash, 'httpHeaderName');
    const cookie = stringField(objectField(hash, 'httpCookie'), 'name');
    const query = stringField(hash, 'httpQueryParameterName');
    if (header) hashOn.push(`header ${header}`);
    if (cookie) hashOn.push(`cookie ${cookie}`);
    if (field(hash, 'useSourceIp') === true) hashOn.push('source ip');
    if (query) hashOn.push(`query ${query}`);
    p.hash = { lbPolicy: objectField(hash, 'maglev') !== undefined ? 'MAGLEV' : 'RING_HASH', hashOn };
  }
  const tls = objectField(tp, 'tls');
  const mode = stringField(tls, 'mode');
  if (mode === 'ISTIO_MUTUAL' || mode === 'MUTUAL' || mode === 'SIMPLE') {
    const sni = stringField(tls, 'sni');
    p.tls = { mutual: mode !== 'SIMPLE', ...(sni ? { sni } : {}) };
  }
  return p;
}

function httpRoutePolicies(http: JsonObject, ns: string): Policies {
  const p: Policies = {};
  const retries = objectField(http, 'retries');
  if (retries !== undefined) {
    const perTry = durationMs(field(retries, 'perTryTimeout'));
    p.retries = {
      retryOn: (stringField(retries, 'retryOn') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      numRetries: numberOf(field(retries, 'attempts')) ?? 0,
      ...(perTry !== undefined && { perTryTimeoutMs: perTry }),
      rps: 0,
    };
  }
  const timeout = durationMs(field(http, 'timeout'));
  if (timeout !== undefined) p.timeout = { timeoutMs: timeout, rps: 0 };
  const fault = objectField(http, 'fault');
  if (fault !== undefined) {
    const delay = objectField(fault, 'delay');
    const abort = objectField(fault, 'abort');
    const f: NonNullable<Policies['fault']> = { headers: matchHeaders(http), abortsRps: 0, delaysRps: 0 };
    if (delay !== undefined) {
      const fixed = durationMs(field(delay, 'fixedDelay'));
      f.delay = { ...(fixed !== undefined && { fixedDelayMs: fixed }), percent: percentOf(delay) };
    }
    if (abort !== undefined) {
      const status = numberOf(field(abort, 'httpStatus'));
      f.abort = { ...(status !== undefined && { httpStatus: status }), percent: percentOf(abort) };
    }
    if (f.delay !== undefined || f.abort !== undefined) p.fault = f;
  }
  const mirror = objectField(http, 'mirror');
  const mirrorHost = stringField(mirror, 'host');
  if (mirrorHost) {
    const subset = stringField(mirror, 'subset');
    // The mirror's host (and subset): its port, and so istiod's cluster name, may be left to the Service.
    const cluster = `${fqdn(mirrorHost, ns)}${subset ? ` (${subset})` : ''}`;
    const pct = objectField(http, 'mirrorPercentage');
    p.mirrors = [{ cluster, percent: pct === undefined ? 100 : (numberOf(field(pct, 'value')) ?? 100) }];
  }
  return p;
}

/** `percentage.value` (a double, 0–100), or the deprecated integer `percent`; Istio's default is 100. */
function percentOf(f: JsonObject): number {
  const pct = objectField(f, 'percentage');
  if (pct !== undefined) return numberOf(field(pct, 'value')) ?? 0;
  return numberOf(field(f, 'percent')) ?? 100;
}

/** A route's `match[].headers` (StringMatch exact / prefix / regex) in words. */
function matchHeaders(http: JsonObject): string[] {
  const out: string[] = [];
  for (const m of objectList(http, 'match')) {
    const headers = objectField(m, 'headers');
    if (headers === undefined) continue;
    for (const [name, v] of Object.entries(headers)) {
      if (!isJsonObject(v)) continue;
      const exact = stringField(v, 'exact');
      const prefix = stringField(v, 'prefix');
      const regex = stringField(v, 'regex');
      if (exact !== undefined) out.push(`${name} = ${exact}`);
      else if (prefix !== undefined) out.push(`${name} starts with ${prefix}`);
      else if (regex !== undefined) out.push(`${name} ~ ${regex}`);
      else out.push(`${name} present`);
    }
  }
  return out;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function num<K extends string>(key: K, v: unknown): Partial<Record<K, number>> {
  const n = numberOf(v);
  return n === undefined ? {} : ({ [key]: n } as Record<K, number>);
}

function stringRecord(o: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string') out[k] = v;
  return out;
}
