// GET /config_dump (server/admin/config_dump_handler.cc): all dumps, or with `?resource=` one repeated
// field of whichever dump has it, each element packed on its own; `?mask=` trims fields; `?name_regex=`
// keeps resources by name. Errors use Envoy's status codes and texts.

import type { Bootstrap } from '../config/model.ts';
import { type AdminResponse, jsonResponse, textResponse } from './admin-response.ts';
import { buildConfigDumps, DUMP_TYPE, type DumpMessage, type DumpOptions } from './config-dumps.ts';
import { fieldMaskDebugString, parseFieldMask, trimMessage } from './field-mask.ts';
import { prettyJson } from './proto-json.ts';

type Json = Record<string, unknown>;
type FieldKind = 'scalar' | 'message' | { repeated: string };

const A = 'envoy.admin.v3.';

/** Top-level fields of each dump message (names from envoy/admin/v3/config_dump_shared.proto). */
const DUMP_FIELDS: Record<string, Record<string, FieldKind>> = {
  [DUMP_TYPE.bootstrap]: { bootstrap: 'message', last_updated: 'scalar' },
  [DUMP_TYPE.clusters]: {
    version_info: 'scalar',
    static_clusters: { repeated: `${A}ClustersConfigDump.StaticCluster` },
    dynamic_active_clusters: { repeated: `${A}ClustersConfigDump.DynamicCluster` },
    dynamic_warming_clusters: { repeated: `${A}ClustersConfigDump.DynamicCluster` },
  },
  [DUMP_TYPE.listeners]: {
    version_info: 'scalar',
    static_listeners: { repeated: `${A}ListenersConfigDump.StaticListener` },
    dynamic_listeners: { repeated: `${A}ListenersConfigDump.DynamicListener` },
  },
  [DUMP_TYPE.routes]: {
    static_route_configs: { repeated: `${A}RoutesConfigDump.StaticRouteConfig` },
    dynamic_route_configs: { repeated: `${A}RoutesConfigDump.DynamicRouteConfig` },
  },
};

/** Fields of the resource messages, and which one holds the resource as an Any. */
const RESOURCE_FIELDS: Record<string, { any?: string; fields: string[] }> = {
  [`${A}ClustersConfigDump.StaticCluster`]: { any: 'cluster', fields: ['cluster', 'last_updated'] },
  [`${A}ClustersConfigDump.DynamicCluster`]: {
    any: 'cluster',
    fields: ['version_info', 'cluster', 'last_updated', 'error_state', 'client_status'],
  },
  [`${A}ListenersConfigDump.StaticListener`]: { any: 'listener', fields: ['listener', 'last_updated'] },
  [`${A}ListenersConfigDump.DynamicListener`]: {
    fields: ['name', 'active_state', 'warming_state', 'draining_state', 'error_state', 'client_status'],
  },
  [`${A}RoutesConfigDump.StaticRouteConfig`]: {
    any: 'route_config',
    fields: ['route_config', 'last_updated'],
  },
  [`${A}RoutesConfigDump.DynamicRouteConfig`]: {
    any: 'route_config',
    fields: ['version_info', 'route_config', 'last_updated', 'error_state', 'client_status'],
  },
};

/** Whether every path names real fields of the dump (masks cannot index into repeated fields). */
function maskFitsDump(typeName: string, paths: string[]): boolean {
  const fields = DUMP_FIELDS[typeName] ?? {};
  return paths.every((p) => {
    const [first = '', ...rest] = p.split('.');
    const kind = fields[first];
    return kind !== undefined && (rest.length === 0 || kind === 'message');
  });
}

/** Envoy's `trimResourceMessage`: paths into the Any field are applied to the packed resource. */
function trimResource(resource: Json, typeName: string, paths: string[]): Json | undefined {
  const schema = RESOURCE_FIELDS[typeName];
  if (!schema) return undefined;
  const outer = new Set<string>();
  const inner: string[] = [];
  for (const p of paths) {
    const [first = '', ...rest] = p.split('.');
    if (!schema.fields.includes(first)) return undefined;
    if (first === schema.any && rest.length > 0) inner.push(rest.join('.'));
    else if (rest.length > 0) return undefined;
    outer.add(first);
  }
  const out = trimMessage(resource, [...outer]);
  const anyField = schema.any;
  const packedResource = anyField !== undefined ? out[anyField] : undefined;
  if (
    anyField !== undefined &&
    inner.length > 0 &&
    typeof packedResource === 'object' &&
    packedResource !== null
  ) {
    out[anyField] = trimMessage(packedResource as Json, inner);
  }
  return out;
}

function configsBody(configs: Json[]): string {
  return prettyJson(configs.length > 0 ? { configs } : {});
}

function resourceDump(dumps: DumpMessage[], resource: string, mask: string | null): AdminResponse {
  for (const d of dumps) {
    const kind = DUMP_FIELDS[d.typeName]?.[resource];
    if (kind === undefined) continue;
    if (typeof kind === 'string') {
      return textResponse(
        `${resource} is not a repeated field. Use ?mask=${resource} to get only this field`,
        400,
      );
    }
    const configs: Json[] = [];
    const elements = Array.isArray(d.message[resource]) ? (d.message[resource] as Json[]) : [];
    for (const el of elements) {
      let msg: Json | undefined = el;
      if (mask !== null) {
        const paths = parseFieldMask(mask);
        msg = trimResource(el, kind.repeated, paths);
        if (!msg)
          return textResponse(
            `FieldMask ${fieldMaskDebugString(paths)} could not be successfully used.`,
            400,
          );
      }
      configs.push({ '@type': `type.googleapis.com/${kind.repeated}`, ...msg });
    }
    return jsonResponse(configsBody(configs));
  }
  return textResponse(`${resource} not found in config dump`, 404);
}

function allDumps(dumps: DumpMessage[], mask: string | null): AdminResponse {
  if (mask === null) return jsonResponse(configsBody(dumps.map((d) => d.message)));
  const paths = parseFieldMask(mask);
  // A mask only fits some dumps; Envoy silently leaves out the others.
  const configs = dumps
    .filter((d) => maskFitsDump(d.typeName, paths))
    .map((d) => trimMessage(d.message, paths));
  if (configs.length === 0) {
    return textResponse(`FieldMask ${mask} could not be successfully applied to any configs.`, 400);
  }
  return jsonResponse(configsBody(configs));
}

export function handleConfigDump(
  bootstrap: Bootstrap,
  query: URLSearchParams,
  lastUpdated: Date,
): AdminResponse {
  const opts: DumpOptions = { lastUpdated };
  const nameRegex = query.get('name_regex');
  if (nameRegex) {
    try {
      // Envoy builds a safe_regex StringMatcher: the whole name must match.
      opts.nameMatcher = new RegExp(`^(?:${nameRegex})$`);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return textResponse(`INVALID_ARGUMENT: Error while parsing name_regex from ${nameRegex}: ${why}`, 400);
    }
  }
  const dumps = buildConfigDumps(bootstrap, opts);
  const resource = query.get('resource');
  const mask = query.get('mask');
  return resource !== null ? resourceDump(dumps, resource, mask) : allDumps(dumps, mask);
}
