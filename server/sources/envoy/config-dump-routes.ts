// `/config_dump` → every route that splits traffic with `weighted_clusters`, with where it lives
// (listener, route configuration, virtual host, index of the route in the virtual host) so the weights
// API can name it and the graph can set the configured split beside the observed one.
//
// Route configurations come from three places in an Envoy config dump:
// - inline `route_config` of an HTTP connection manager in a listener (ListenersConfigDump
//   `static_listeners[].listener`, `dynamic_listeners[].active_state.listener`);
// - RDS: RoutesConfigDump `dynamic_route_configs[].route_config`, attached to the listener whose HCM
//   names it in `rds.route_config_name`;
// - RoutesConfigDump `static_route_configs[].route_config`, which is where Envoy lists the inline route
//   configs again: those already read from their listener are skipped, so each route appears once.
// Both the full dump and the `?resource=` form (one entry per element, typed
// `...RoutesConfigDump.DynamicRouteConfig` and so on) are read; field names in either JSON style.
import type { WeightedRouteConfig } from '../../model/sidecar-data.ts';
import {
  field,
  isJsonObject,
  type JsonObject,
  objectField,
  objectList,
  stringField,
  wrappedNumberField,
} from './proto-json.ts';

const HCM_NAMES: ReadonlySet<string> = new Set([
  'envoy.filters.network.http_connection_manager',
  'envoy.http_connection_manager', // names before Envoy 1.14
]);
const HCM_TYPE_SUFFIX = '.HttpConnectionManager';

interface RouteConfigSource {
  listener: string;
  routeConfig: JsonObject;
}

export function weightedRoutesFromConfigDump(doc: unknown): WeightedRouteConfig[] {
  const listeners: JsonObject[] = [];
  const staticRouteConfigs: JsonObject[] = [];
  const dynamicRouteConfigs: JsonObject[] = [];
  for (const config of objectList(doc, 'configs')) {
    const type = typeName(config);
    if (type === 'envoy.admin.v3.ListenersConfigDump') {
      for (const s of objectList(config, 'static_listeners')) pushObject(listeners, field(s, 'listener'));
      for (const d of objectList(config, 'dynamic_listeners')) pushObject(listeners, activeListener(d));
    } else if (type === 'envoy.admin.v3.ListenersConfigDump.StaticListener') {
      pushObject(listeners, field(config, 'listener'));
    } else if (type === 'envoy.admin.v3.ListenersConfigDump.DynamicListener') {
      pushObject(listeners, activeListener(config));
    } else if (type === 'envoy.admin.v3.RoutesConfigDump') {
      for (const s of objectList(config, 'static_route_configs'))
        pushObject(staticRouteConfigs, field(s, 'route_config'));
      for (const d of objectList(config, 'dynamic_route_configs'))
        pushObject(dynamicRouteConfigs, field(d, 'route_config'));
    } else if (type === 'envoy.admin.v3.RoutesConfigDump.StaticRouteConfig') {
      pushObject(staticRouteConfigs, field(config, 'route_config'));
    } else if (type === 'envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig') {
      pushObject(dynamicRouteConfigs, field(config, 'route_config'));
    }
  }

  const sources: RouteConfigSource[] = [];
  const inlineNames = new Set<string>();
  /** RDS route configuration name → the first listener that uses it. */
  const rdsListener = new Map<string, string>();
  for (const listener of listeners) {
    const listenerName = stringField(listener, 'name') ?? '';
    const seenHere = new Set<string>();
    for (const hcm of httpConnectionManagers(listener)) {
      const inline = objectField(hcm, 'route_config');
      if (inline !== undefined) {
        // Filter chains of one listener often repeat one HCM (one chain per destination address).
        const name = stringField(inline, 'name') ?? '';
        if (seenHere.has(name)) continue;
        seenHere.add(name);
        inlineNames.add(name);
        sources.push({ listener: listenerName, routeConfig: inline });
      }
      const rdsName = stringField(objectField(hcm, 'rds'), 'route_config_name');
      if (rdsName !== undefined && !rdsListener.has(rdsName)) rdsListener.set(rdsName, listenerName);
    }
  }
  for (const rc of staticRouteConfigs) {
    const name = stringField(rc, 'name') ?? '';
    if (!inlineNames.has(name)) sources.push({ listener: rdsListener.get(name) ?? '', routeConfig: rc });
  }
  for (const rc of dynamicRouteConfigs) {
    sources.push({ listener: rdsListener.get(stringField(rc, 'name') ?? '') ?? '', routeConfig: rc });
  }

  const out: WeightedRouteConfig[] = [];
  for (const s of sources) weightedRoutesOf(s, out);
  return out;
}

function weightedRoutesOf(source: RouteConfigSource, out: WeightedRouteConfig[]): void {
  const routeConfig = stringField(source.routeConfig, 'name') ?? '';
  for (const vh of objectList(source.routeConfig, 'virtual_hosts')) {
    const virtualHost = stringField(vh, 'name') ?? '';
    objectList(vh, 'routes').forEach((route, routeIndex) => {
      const weighted = objectField(objectField(route, 'route'), 'weighted_clusters');
      if (weighted === undefined) return;
      const clusters: WeightedRouteConfig['clusters'] = [];
      for (const c of objectList(weighted, 'clusters')) {
        const name = stringField(c, 'name');
        // A `cluster_header` entry names its cluster per request: nothing to show a weight for.
        // proto3 JSON omits a weight of 0.
        if (name !== undefined) clusters.push({ name, weight: wrappedNumberField(c, 'weight') ?? 0 });
      }
      out.push({
        listener: source.listener,
        routeConfig,
        virtualHost,
        routeIndex,
        routeName: stringField(route, 'name') || undefined,
        match: matchSummary(objectField(route, 'match')),
        // `runtime_key_prefix`: the weight of cluster C is read from runtime key `<prefix>.C`.
        runtimeKeyPrefix: stringField(weighted, 'runtime_key_prefix') || undefined,
        // `total_weight` is deprecated; when absent the total is the sum of the weights.
        totalWeight: wrappedNumberField(weighted, 'total_weight'),
        clusters,
      });
    });
  }
}

/** A short human summary of a RouteMatch: `prefix /api`, `path /x headers x-canary`, `regex ^/v[12]/`. */
export function matchSummary(match: JsonObject | undefined): string {
  if (match === undefined) return '';
  const parts: string[] = [];
  const prefix = stringField(match, 'prefix');
  const path = stringField(match, 'path');
  const separated = stringField(match, 'path_separated_prefix');
  const regex = stringField(objectField(match, 'safe_regex'), 'regex') ?? stringField(match, 'regex');
  if (prefix !== undefined) parts.push(`prefix ${prefix}`);
  else if (path !== undefined) parts.push(`path ${path}`);
  else if (separated !== undefined) parts.push(`path_separated_prefix ${separated}`);
  else if (regex !== undefined) parts.push(`regex ${regex}`);
  else if (field(match, 'connect_matcher') !== undefined) parts.push('CONNECT');
  else if (field(match, 'path_match_policy') !== undefined) parts.push('path template');
  const headers = objectList(match, 'headers').map((h) => stringField(h, 'name') ?? '?');
  if (headers.length > 0) parts.push(`headers ${headers.join(',')}`);
  const query = objectList(match, 'query_parameters').map((q) => stringField(q, 'name') ?? '?');
  if (query.length > 0) parts.push(`query ${query.join(',')}`);
  return parts.join(' ');
}

function typeName(config: JsonObject): string {
  const t = config['@type'];
  if (typeof t !== 'string') return '';
  const slash = t.lastIndexOf('/');
  return slash === -1 ? t : t.slice(slash + 1);
}

/** A DynamicListener's serving version (`warming_state` is not serving yet, `draining_state` no longer). */
function activeListener(dynamic: JsonObject): unknown {
  return field(objectField(dynamic, 'active_state'), 'listener');
}

function* httpConnectionManagers(listener: JsonObject): Generator<JsonObject> {
  const chains = objectList(listener, 'filter_chains');
  const fallback = objectField(listener, 'default_filter_chain');
  if (fallback !== undefined) chains.push(fallback);
  for (const chain of chains) {
    for (const filter of objectList(chain, 'filters')) {
      const typed = objectField(filter, 'typed_config');
      if (typed === undefined) continue;
      const type = typed['@type'];
      const isHcm =
        HCM_NAMES.has(stringField(filter, 'name') ?? '') ||
        (typeof type === 'string' && type.endsWith(HCM_TYPE_SUFFIX));
      if (isHcm) yield typed;
    }
  }
}

function pushObject(list: JsonObject[], v: unknown): void {
  if (isJsonObject(v)) list.push(v);
}
