// The parts of an Envoy `/config_dump` that the parsers read (listeners, route configurations,
// clusters), found once whichever form the dump has: the full dump (one `*ConfigDump` per config
// tracker entry) or the `?resource=` form (one entry per element, typed `...ConfigDump.StaticCluster`
// and so on); field names in either JSON style (proto-json.ts).
import { field, isJsonObject, type JsonObject, objectField, objectList, stringField } from './proto-json.ts';

const HCM_NAMES: ReadonlySet<string> = new Set([
  'envoy.filters.network.http_connection_manager',
  'envoy.http_connection_manager', // names before Envoy 1.14
]);
const HCM_TYPE_SUFFIX = '.HttpConnectionManager';

export interface ConfigDumpParts {
  /** Serving listeners: static ones and the `active_state` of dynamic ones. */
  listeners: JsonObject[];
  staticRouteConfigs: JsonObject[];
  dynamicRouteConfigs: JsonObject[];
  /** Static and active dynamic clusters (`dynamic_warming_clusters` do not serve yet). */
  clusters: JsonObject[];
}

export function configDumpParts(doc: unknown): ConfigDumpParts {
  const parts: ConfigDumpParts = {
    listeners: [],
    staticRouteConfigs: [],
    dynamicRouteConfigs: [],
    clusters: [],
  };
  const { listeners, staticRouteConfigs, dynamicRouteConfigs, clusters } = parts;
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
    } else if (type === 'envoy.admin.v3.ClustersConfigDump') {
      for (const s of objectList(config, 'static_clusters')) pushObject(clusters, field(s, 'cluster'));
      for (const d of objectList(config, 'dynamic_active_clusters'))
        pushObject(clusters, field(d, 'cluster'));
    } else if (
      type === 'envoy.admin.v3.ClustersConfigDump.StaticCluster' ||
      type === 'envoy.admin.v3.ClustersConfigDump.DynamicCluster'
    ) {
      pushObject(clusters, field(config, 'cluster'));
    }
  }
  return parts;
}

export interface HcmRouteConfig {
  listener: string;
  /** The HTTP connection manager's typed config. */
  hcm: JsonObject;
  routeConfig: JsonObject;
  /** Where the route configuration came from: inline in the HCM, or RDS by name. */
  inline: boolean;
}

/**
 * Every route configuration with the listener (and HCM) that serves it, each once: inline ones from
 * their listener, RDS ones (dynamic, or static ones not already read inline: Envoy lists inline route
 * configs again under `static_route_configs`) attached to the first listener whose HCM names them.
 * A route configuration no listener names keeps listener '' and an empty HCM.
 */
export function routeConfigsWithListeners(parts: ConfigDumpParts): HcmRouteConfig[] {
  const out: HcmRouteConfig[] = [];
  const inlineNames = new Set<string>();
  const rds = new Map<string, { listener: string; hcm: JsonObject }>();
  for (const listener of parts.listeners) {
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
        out.push({ listener: listenerName, hcm, routeConfig: inline, inline: true });
      }
      const rdsName = stringField(objectField(hcm, 'rds'), 'route_config_name');
      if (rdsName !== undefined && !rds.has(rdsName)) rds.set(rdsName, { listener: listenerName, hcm });
    }
  }
  const fromRds = (rc: JsonObject): HcmRouteConfig => {
    const at = rds.get(stringField(rc, 'name') ?? '');
    return { listener: at?.listener ?? '', hcm: at?.hcm ?? {}, routeConfig: rc, inline: false };
  };
  for (const rc of parts.staticRouteConfigs) {
    if (!inlineNames.has(stringField(rc, 'name') ?? '')) out.push(fromRds(rc));
  }
  for (const rc of parts.dynamicRouteConfigs) out.push(fromRds(rc));
  return out;
}

/** The last segment of an `@type` URL: `envoy.admin.v3.RoutesConfigDump`. */
export function typeName(config: JsonObject): string {
  const t = config['@type'];
  if (typeof t !== 'string') return '';
  const slash = t.lastIndexOf('/');
  return slash === -1 ? t : t.slice(slash + 1);
}

/** A DynamicListener's serving version (`warming_state` is not serving yet, `draining_state` no longer). */
function activeListener(dynamic: JsonObject): unknown {
  return field(objectField(dynamic, 'active_state'), 'listener');
}

export function* httpConnectionManagers(listener: JsonObject): Generator<JsonObject> {
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
