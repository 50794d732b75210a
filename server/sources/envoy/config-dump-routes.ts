// `/config_dump` → every route that splits traffic with `weighted_clusters`, with where it lives
// (listener, route configuration, virtual host, index of the route in the virtual host) so the weights
// API can name it and the graph can set the configured split beside the observed one.
//
// Route configurations come from three places in an Envoy config dump (config-dump-walk.ts finds them):
// - inline `route_config` of an HTTP connection manager in a listener (ListenersConfigDump
//   `static_listeners[].listener`, `dynamic_listeners[].active_state.listener`);
// - RDS: RoutesConfigDump `dynamic_route_configs[].route_config`, attached to the listener whose HCM
//   names it in `rds.route_config_name`;
// - RoutesConfigDump `static_route_configs[].route_config`, which is where Envoy lists the inline route
//   configs again: those already read from their listener are skipped, so each route appears once.
// Both the full dump and the `?resource=` form (one entry per element, typed
// `...RoutesConfigDump.DynamicRouteConfig` and so on) are read; field names in either JSON style.
import type { WeightedRouteConfig } from '../../model/sidecar-data.ts';
import { configDumpParts, type HcmRouteConfig, routeConfigsWithListeners } from './config-dump-walk.ts';
import {
  field,
  type JsonObject,
  objectField,
  objectList,
  stringField,
  wrappedNumberField,
} from './proto-json.ts';

export function weightedRoutesFromConfigDump(doc: unknown): WeightedRouteConfig[] {
  return weightedRoutesFromRouteConfigs(routeConfigsWithListeners(configDumpParts(doc)));
}

/** The same from route configurations already found (scrape-sidecar.ts walks the dump once). */
export function weightedRoutesFromRouteConfigs(
  routeConfigs: readonly HcmRouteConfig[],
): WeightedRouteConfig[] {
  const out: WeightedRouteConfig[] = [];
  for (const s of routeConfigs) weightedRoutesOf(s, out);
  return out;
}

function weightedRoutesOf(source: HcmRouteConfig, out: WeightedRouteConfig[]): void {
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
        ...istioConfigOf(route),
      });
    });
  }
}

/** `metadata.filter_metadata.istio.config`: the VirtualService istiod generated the route from. */
function istioConfigOf(route: JsonObject): { istioConfig?: string } {
  const istio = objectField(objectField(objectField(route, 'metadata'), 'filter_metadata'), 'istio');
  const config = stringField(istio, 'config');
  return config === undefined ? {} : { istioConfig: config };
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
