// The four config dumps /config_dump returns, built from the current bootstrap. Static resources are
// printed from the raw document (what the user wrote, snake_case), as Envoy prints the protos it
// loaded; routes fetched through RDS from a file are printed from the normalized model.
import type { Bootstrap } from '../config/model.ts';
import { TYPE_URL } from '../config/type-urls.ts';
import { protoTimestamp } from './proto-json.ts';
import { redactSecrets } from './redact-secrets.ts';
import { routeConfigJson } from './route-config-json.ts';

type Json = Record<string, unknown>;

const TYPE_PREFIX = 'type.googleapis.com/';

/** Envoy's proto type names for the dumps and the resources inside them. */
export const DUMP_TYPE = {
  bootstrap: 'envoy.admin.v3.BootstrapConfigDump',
  clusters: 'envoy.admin.v3.ClustersConfigDump',
  listeners: 'envoy.admin.v3.ListenersConfigDump',
  routes: 'envoy.admin.v3.RoutesConfigDump',
} as const;

const CLUSTER_TYPE = `${TYPE_PREFIX}envoy.config.cluster.v3.Cluster`;
const LISTENER_TYPE = `${TYPE_PREFIX}envoy.config.listener.v3.Listener`;
const HCM_NAME = 'envoy.filters.network.http_connection_manager';

export interface DumpMessage {
  /** Proto full name, e.g. `envoy.admin.v3.ClustersConfigDump`. */
  typeName: string;
  /** The message as proto3 JSON, `@type` first. */
  message: Json;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** An embedded resource in an Any: `@type` first, then the resource's own fields. */
function packed(typeUrl: string, resource: Json): Json {
  const { '@type': _ignored, ...rest } = resource;
  return { '@type': typeUrl, ...rest };
}

/** proto3 JSON omits empty repeated fields. */
function withList(msg: Json, key: string, list: unknown[]): Json {
  if (list.length > 0) msg[key] = list;
  return msg;
}

function nameOf(resource: Json): string {
  return typeof resource['name'] === 'string' ? resource['name'] : '';
}

/** Inline `route_config`s of the HTTP connection managers in the raw listeners. */
function inlineRouteConfigs(listeners: Json[]): Json[] {
  const out: Json[] = [];
  for (const l of listeners) {
    for (const chain of objects(l['filter_chains'])) {
      for (const f of objects(chain['filters'])) {
        const tc = f['typed_config'];
        if (!isObject(tc)) continue;
        if (f['name'] !== HCM_NAME && tc['@type'] !== TYPE_URL.httpConnectionManager) continue;
        if (isObject(tc['route_config'])) out.push(tc['route_config']);
      }
    }
  }
  return out;
}

export interface DumpOptions {
  /** When the loaded config took effect (`last_updated`). */
  lastUpdated: Date;
  /** `?name_regex=`: keep only resources whose name matches. */
  nameMatcher?: RegExp;
}

/** The dumps in the order Envoy's config tracker lists them (bootstrap, clusters, listeners, routes). */
export function buildConfigDumps(bootstrap: Bootstrap, opts: DumpOptions): DumpMessage[] {
  const lastUpdated = protoTimestamp(opts.lastUpdated);
  const keep = (r: Json) => opts.nameMatcher === undefined || opts.nameMatcher.test(nameOf(r));
  const raw = redactSecrets(bootstrap.raw);
  const staticResources = isObject(raw['static_resources']) ? raw['static_resources'] : {};
  const rawClusters = objects(staticResources['clusters']);
  const rawListeners = objects(staticResources['listeners']);

  const bootstrapDump: Json = {
    '@type': TYPE_PREFIX + DUMP_TYPE.bootstrap,
    bootstrap: raw,
    last_updated: lastUpdated,
  };
  const clusters = withList({ '@type': TYPE_PREFIX + DUMP_TYPE.clusters }, 'static_clusters', [
    ...rawClusters.filter(keep).map((c) => ({ cluster: packed(CLUSTER_TYPE, c), last_updated: lastUpdated })),
  ]);
  const listeners = withList({ '@type': TYPE_PREFIX + DUMP_TYPE.listeners }, 'static_listeners', [
    ...rawListeners
      .filter(keep)
      .map((l) => ({ listener: packed(LISTENER_TYPE, l), last_updated: lastUpdated })),
  ]);

  const staticRoutes = inlineRouteConfigs(rawListeners)
    .filter(keep)
    .map((rc) => ({ route_config: packed(TYPE_URL.routeConfiguration, rc), last_updated: lastUpdated }));
  const seen = new Set<string>();
  const dynamicRoutes: Json[] = [];
  for (const l of bootstrap.listeners) {
    const rc = l.hcm.routeConfig;
    if (l.hcm.rdsPath === undefined || seen.has(rc.name)) continue;
    seen.add(rc.name);
    const json = routeConfigJson(rc);
    if (!keep(json)) continue;
    dynamicRoutes.push({
      route_config: packed(TYPE_URL.routeConfiguration, json),
      last_updated: lastUpdated,
    });
  }
  const routes: Json = { '@type': TYPE_PREFIX + DUMP_TYPE.routes };
  withList(routes, 'static_route_configs', staticRoutes);
  withList(routes, 'dynamic_route_configs', dynamicRoutes);

  return [
    { typeName: DUMP_TYPE.bootstrap, message: bootstrapDump },
    { typeName: DUMP_TYPE.clusters, message: clusters },
    { typeName: DUMP_TYPE.listeners, message: listeners },
    { typeName: DUMP_TYPE.routes, message: routes },
  ];
}
