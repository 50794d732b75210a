// Pure: rewrites a route's `weighted_clusters` inside an Envoy bootstrap's text, and nothing else. The
// document is parsed with the `yaml` package's Document API only to find where the values are (each
// node's source `range`); the new values are spliced into the original text at those offsets, so
// comments, key order, quoting, indentation and blank lines stay byte for byte (a Document's
// toString() re-indents sequences and re-spaces comments). JSON bootstraps are YAML too and are
// rewritten the same way. The result is parsed again and checked to hold exactly the new values.
//
// The route is found where the config dump said it was (server/sources/envoy/config-dump-routes.ts):
// `static_resources.listeners[name=listener].filter_chains[].filters[<HttpConnectionManager>]
//  .typed_config.route_config[name=routeConfig].virtual_hosts[name=virtualHost].routes[routeIndex]
//  .route.weighted_clusters` (envoy.config.route.v3.WeightedCluster).
export { defaultRuntimePrefix } from '../../shared/api/weights.ts';

import { isMap, isScalar, isSeq, type Node, parseDocument, type Scalar, type YAMLMap } from 'yaml';

export interface RouteLocator {
  listener: string;
  routeConfig: string;
  virtualHost: string;
  routeIndex: number;
}

export type RewriteResult =
  | { ok: true; text: string; from: Record<string, number> }
  | { ok: false; error: string };

/** Runtime keys are dotted words (`routing.traffic_split.backend`): what Envoy's runtime layers accept. */
export const RUNTIME_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

const HCM_NAMES = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']);

interface Splice {
  at: number;
  end: number;
  text: string;
}

function get(node: unknown, key: string): unknown {
  return isMap(node) ? node.get(key, true) : undefined;
}

function str(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function items(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

function isHcm(filter: unknown): boolean {
  if (HCM_NAMES.has(str(get(filter, 'name')) ?? '')) return true;
  return (str(get(get(filter, 'typed_config'), '@type')) ?? '').endsWith('.HttpConnectionManager');
}

/** The `weighted_clusters` map of the route, or why it is not in this bootstrap. */
function findWeightedClusters(root: unknown, at: RouteLocator): YAMLMap | string {
  const where = `listener '${at.listener}'`;
  const listeners = items(get(get(root, 'static_resources'), 'listeners'));
  const listener = listeners.find((l) => str(get(l, 'name')) === at.listener);
  if (listener === undefined) return `the bootstrap has no static listener named '${at.listener}'`;
  for (const chain of items(get(listener, 'filter_chains'))) {
    for (const filter of items(get(chain, 'filters'))) {
      if (!isHcm(filter)) continue;
      const rc = get(get(filter, 'typed_config'), 'route_config');
      if (rc === undefined || (str(get(rc, 'name')) ?? '') !== at.routeConfig) continue;
      const vh = items(get(rc, 'virtual_hosts')).find((v) => (str(get(v, 'name')) ?? '') === at.virtualHost);
      if (vh === undefined)
        return `route configuration '${at.routeConfig}' has no virtual host '${at.virtualHost}'`;
      const route = items(get(vh, 'routes'))[at.routeIndex];
      if (route === undefined) return `virtual host '${at.virtualHost}' has no route #${at.routeIndex}`;
      const wc = get(get(route, 'route'), 'weighted_clusters');
      if (!isMap(wc)) return `route #${at.routeIndex} of '${at.virtualHost}' has no weighted_clusters`;
      return wc;
    }
  }
  return `${where} has no inline route configuration '${at.routeConfig}' (RDS routes are not in the bootstrap)`;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The number as the old scalar was written: plain, or in the same quotes. */
function numberLike(old: Scalar, value: number): string {
  if (old.type === 'QUOTE_DOUBLE') return `"${value}"`;
  if (old.type === 'QUOTE_SINGLE') return `'${value}'`;
  return String(value);
}

/** `key: value` in the style of the map's existing keys (JSON maps quote their keys). */
function pairText(map: YAMLMap, key: string, value: string): string {
  const first = map.items[0]?.key;
  return isScalar(first) && first.type === 'QUOTE_DOUBLE' ? `"${key}": ${value}` : `${key}: ${value}`;
}

/** A splice that adds `key: value` to a map after its pair `after` (block: a new line; flow: `, k: v`). */
function insertAfter(text: string, map: YAMLMap, after: Node, key: string, value: string): Splice | string {
  const end = after.range?.[1];
  const pair = pairText(map, key, value);
  if (end === undefined) return `cannot place ${key}: the document has no source positions`;
  if (map.flow) return { at: end, end, text: `, ${pair}` };
  const firstKey = map.items[0]?.key as Node | undefined;
  const keyAt = firstKey?.range?.[0];
  if (keyAt === undefined) return `cannot place ${key} in an empty map`;
  const column = keyAt - lineStart(text, keyAt);
  const eol = text.indexOf('\n', end);
  const at = eol === -1 ? text.length : eol;
  return { at, end: at, text: `\n${' '.repeat(column)}${pair}` };
}

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at))
    out = out.slice(0, s.at) + s.text + out.slice(s.end);
  return out;
}

function parse(text: string): { root: unknown } | { error: string } {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) return { error: `the bootstrap does not parse: ${doc.errors[0]!.message}` };
  return { root: doc.contents };
}

/** Each cluster's weight as the bootstrap has it (a missing weight is proto3's 0). */
function weightsOf(wc: YAMLMap): Map<string, { entry: YAMLMap; weight: Scalar | undefined; name: Node }> {
  const out = new Map<string, { entry: YAMLMap; weight: Scalar | undefined; name: Node }>();
  for (const c of items(wc.get('clusters', true))) {
    const name = get(c, 'name');
    const n = str(name);
    if (n === undefined || !isMap(c)) continue; // cluster_header entries have no name
    const w = get(c, 'weight');
    out.set(n, { entry: c, weight: isScalar(w) ? w : undefined, name: name as Node });
  }
  return out;
}

function readWeights(text: string, at: RouteLocator): Record<string, number> | string {
  const parsed = parse(text);
  if ('error' in parsed) return parsed.error;
  const wc = findWeightedClusters(parsed.root, at);
  if (typeof wc === 'string') return wc;
  const out: Record<string, number> = {};
  for (const [name, { weight }] of weightsOf(wc)) out[name] = weight === undefined ? 0 : Number(weight.value);
  return out;
}

/**
 * Sets every cluster's weight of the route to `weights` (which must name exactly the route's
 * clusters). Nothing but those numbers changes; a cluster without a `weight` (proto3's 0) gets one.
 */
export function rewriteBootstrapWeights(
  text: string,
  at: RouteLocator,
  weights: Readonly<Record<string, number>>,
): RewriteResult {
  const parsed = parse(text);
  if ('error' in parsed) return { ok: false, error: parsed.error };
  const wc = findWeightedClusters(parsed.root, at);
  if (typeof wc === 'string') return { ok: false, error: wc };
  const present = weightsOf(wc);
  const from: Record<string, number> = {};
  for (const [name, { weight }] of present) from[name] = weight === undefined ? 0 : Number(weight.value);
  const unknown = Object.keys(weights).filter((n) => !present.has(n));
  if (unknown.length > 0) {
    return { ok: false, error: `the bootstrap's weighted_clusters have no cluster ${unknown.join(', ')}` };
  }
  const missing = [...present.keys()].filter((n) => !Object.hasOwn(weights, n));
  if (missing.length > 0) return { ok: false, error: `no weight given for cluster ${missing.join(', ')}` };
  const splices: Splice[] = [];
  for (const [name, { entry, weight, name: nameNode }] of present) {
    const value = weights[name]!;
    if (weight !== undefined) {
      const [start, end] = weight.range ?? [];
      if (start === undefined || end === undefined) return { ok: false, error: 'no source positions' };
      if (Number(weight.value) !== value) splices.push({ at: start, end, text: numberLike(weight, value) });
    } else {
      const s = insertAfter(text, entry, nameNode, 'weight', String(value));
      if (typeof s === 'string') return { ok: false, error: s };
      splices.push(s);
    }
  }
  return checked(applySplices(text, splices), at, { ...weights }, from);
}

/** The rewritten text, if it parses and holds exactly `expected` (a guard against a splice gone wrong). */
function checked(
  text: string,
  at: RouteLocator,
  expected: Record<string, number>,
  from: Record<string, number>,
): RewriteResult {
  const now = readWeights(text, at);
  if (typeof now === 'string') return { ok: false, error: `the rewritten bootstrap is wrong: ${now}` };
  const same =
    Object.keys(now).length === Object.keys(expected).length &&
    Object.entries(expected).every(([k, v]) => now[k] === v);
  if (!same) return { ok: false, error: `the rewritten bootstrap reads ${JSON.stringify(now)}` };
  return { ok: true, text, from };
}

/**
 * Adds `runtime_key_prefix: <prefix>` to the route's `weighted_clusters` (as its first key), after which
 * Envoy reads each cluster's weight from runtime key `<prefix>.<cluster>`, defaulting to the weights
 * written here. Refuses a route that already has one.
 */
export function addRuntimeKeyPrefix(text: string, at: RouteLocator, prefix: string): RewriteResult {
  if (!RUNTIME_PREFIX_PATTERN.test(prefix)) {
    return { ok: false, error: `'${prefix}' is not a runtime key prefix (dotted words of A-Z a-z 0-9 _ -)` };
  }
  const parsed = parse(text);
  if ('error' in parsed) return { ok: false, error: parsed.error };
  const wc = findWeightedClusters(parsed.root, at);
  if (typeof wc === 'string') return { ok: false, error: wc };
  const existing = str(wc.get('runtime_key_prefix', true));
  if (existing !== undefined)
    return { ok: false, error: `the route already has runtime_key_prefix ${existing}` };
  const from = readWeights(text, at);
  if (typeof from === 'string') return { ok: false, error: from };
  const firstKey = wc.items[0]?.key as Node | undefined;
  const keyAt = firstKey?.range?.[0];
  if (keyAt === undefined) return { ok: false, error: 'weighted_clusters is empty' };
  const value = isScalar(firstKey) && firstKey.type === 'QUOTE_DOUBLE' ? `"${prefix}"` : prefix;
  const pair = pairText(wc, 'runtime_key_prefix', value);
  let out: string;
  if (wc.flow) {
    out = applySplices(text, [{ at: keyAt, end: keyAt, text: `${pair}, ` }]);
  } else {
    let start = lineStart(text, keyAt);
    if (text.slice(start, keyAt).trim() !== '') {
      return { ok: false, error: 'weighted_clusters does not start on a line of its own' };
    }
    const column = keyAt - start;
    // Above the comment lines that belong to the first key, so they stay with it.
    while (start > 0) {
      const prev = lineStart(text, start - 1);
      if (!text.slice(prev, start).trimStart().startsWith('#')) break;
      start = prev;
    }
    out = applySplices(text, [{ at: start, end: start, text: `${' '.repeat(column)}${pair}\n` }]);
  }
  const again = parse(out);
  const wc2 = 'root' in again ? findWeightedClusters(again.root, at) : again.error;
  if (typeof wc2 === 'string' || str(wc2.get('runtime_key_prefix', true)) !== prefix) {
    return { ok: false, error: 'the rewritten bootstrap does not read back the prefix' };
  }
  return checked(out, at, from, from);
}

/** The route's weights in a bootstrap (for a read-back or a preview), or why it is not there. */
export function bootstrapWeights(text: string, at: RouteLocator): Record<string, number> | string {
  return readWeights(text, at);
}

/**
 * Whether the bootstrap has an admin layer (`layered_runtime.layers[].admin_layer`): without one,
 * /runtime_modify is refused ("No admin layer specified"), and without `layered_runtime` at all Envoy
 * uses the null runtime provider.
 */
export function hasAdminLayer(text: string): boolean {
  const parsed = parse(text);
  if ('error' in parsed) return false;
  return items(get(get(parsed.root, 'layered_runtime'), 'layers')).some(
    (l) => get(l, 'admin_layer') !== undefined,
  );
}
