// Listener (schema output) → model Listener: one filter chain holding one HTTP connection manager, whose
// routes come inline or from an RDS file, with the router as its (only, and last) HTTP filter.

import { type FieldPath, fail } from './config-error.ts';
import { convertAccessLog } from './convert-access-log.ts';
import { convertFault } from './convert-fault.ts';
import { convertRouteConfig, type RouteContext } from './convert-route.ts';
import { convertDownstreamTls } from './convert-tls.ts';
import type { HttpConnectionManager, HttpFilter, Listener, RouteConfig } from './model.ts';
import { NOT_SUPPORTED_YET } from './schema-common.ts';
import type { HttpConnectionManagerInput, HttpFilterInput, ListenerInput } from './schema-listener.ts';
import type { RouteConfigurationInput } from './schema-route.ts';
import { EXTENSION_NAME, TYPE_URL } from './type-urls.ts';

/** What converting a listener needs from outside: cluster names, and a way to read an RDS file. */
export interface ListenerContext extends RouteContext {
  /**
   * Reads the RouteConfiguration named `routeConfigName` from `file` and converts it with `convert`.
   * Errors inside the file are reported against the file; an unreadable file against `fieldPath`.
   */
  loadRds(request: {
    file: string;
    routeConfigName: string;
    fieldPath: FieldPath;
    convert: (input: RouteConfigurationInput, path: FieldPath) => RouteConfig;
  }): { routeConfig: RouteConfig; rdsPath: string };
}

/** Envoy's defaults for HttpConnectionManager fields we model. */
export const HCM_DEFAULTS = {
  serverName: 'envoy',
  streamIdleTimeoutMs: 300_000,
  requestTimeoutMs: 0,
  generateRequestId: true,
  useRemoteAddress: false,
} as const;

function convertHttpFilters(filters: readonly HttpFilterInput[], path: FieldPath): HttpFilter[] {
  if (filters.length === 0) fail(path, `needs the ${EXTENSION_NAME.router} filter`);
  const supported = `${EXTENSION_NAME.fault} and ${EXTENSION_NAME.router}`;
  return filters.map((f, i): HttpFilter => {
    const typeUrl = f.typed_config?.typeUrl;
    const isFault = typeUrl === TYPE_URL.fault || (typeUrl === undefined && f.name === EXTENSION_NAME.fault);
    const isRouter =
      typeUrl === TYPE_URL.router || (typeUrl === undefined && f.name === EXTENSION_NAME.router);
    const last = i === filters.length - 1;
    if (isFault) {
      // Envoy needs the fault filter's typed_config (HTTPFault has no meaningful empty default here).
      const typed = f.typed_config;
      if (typed?.typeUrl !== TYPE_URL.fault)
        fail(
          [...path, i, 'typed_config'],
          `is required for ${EXTENSION_NAME.fault} (@type ${TYPE_URL.fault})`,
        );
      if (last) fail([...path, i], `is ${EXTENSION_NAME.fault}; the last HTTP filter must be the router`);
      return { name: EXTENSION_NAME.fault, fault: convertFault(typed.config, [...path, i, 'typed_config']) };
    }
    if (!isRouter) {
      fail(
        [...path, i, 'name'],
        `is "${f.name}", an HTTP filter that is ${NOT_SUPPORTED_YET} (only ${supported} are)`,
      );
    }
    // The router is terminal: Envoy refuses filters after it.
    if (!last) fail([...path, i], `is the router, which must be the last HTTP filter`);
    return { name: EXTENSION_NAME.router, ...(f.typed_config !== undefined ? { typedConfig: {} } : {}) };
  });
}

function rdsFile(hcm: HttpConnectionManagerInput, path: FieldPath): { file: string; fieldPath: FieldPath } {
  const source = hcm.rds!.config_source;
  const sourcePath = [...path, 'rds', 'config_source'];
  if (source.path !== undefined && source.path_config_source !== undefined) {
    fail([...sourcePath, 'path'], 'must not be set together with path_config_source');
  }
  if (source.path_config_source !== undefined) {
    return { file: source.path_config_source.path, fieldPath: [...sourcePath, 'path_config_source', 'path'] };
  }
  if (source.path !== undefined) return { file: source.path, fieldPath: [...sourcePath, 'path'] };
  return fail(
    sourcePath,
    `needs path_config_source (a local file); other config sources are ${NOT_SUPPORTED_YET}`,
  );
}

function convertHcm(
  hcm: HttpConnectionManagerInput,
  path: FieldPath,
  ctx: ListenerContext,
): HttpConnectionManager {
  if (hcm.route_config !== undefined && hcm.rds !== undefined) {
    fail([...path, 'rds'], 'must not be set together with route_config (set only one)');
  }
  let routeConfig: RouteConfig;
  let rdsPath: string | undefined;
  if (hcm.route_config !== undefined) {
    routeConfig = convertRouteConfig(hcm.route_config, [...path, 'route_config'], ctx);
  } else if (hcm.rds !== undefined) {
    const { file, fieldPath } = rdsFile(hcm, path);
    const loaded = ctx.loadRds({
      file,
      routeConfigName: hcm.rds.route_config_name,
      fieldPath,
      convert: (input, inputPath) => convertRouteConfig(input, inputPath, ctx),
    });
    routeConfig = loaded.routeConfig;
    rdsPath = loaded.rdsPath;
  } else {
    return fail(path, 'needs route_config or rds');
  }
  const upgradeTypes = (hcm.upgrade_configs ?? [])
    .filter((u) => u.enabled !== false)
    .map((u) => u.upgrade_type.toLowerCase());
  return {
    statPrefix: hcm.stat_prefix,
    codecType: hcm.codec_type ?? 'AUTO',
    routeConfig,
    ...(rdsPath !== undefined ? { rdsPath } : {}),
    httpFilters: convertHttpFilters(hcm.http_filters ?? [], [...path, 'http_filters']),
    accessLogs: (hcm.access_log ?? []).map((log, i) => convertAccessLog(log, [...path, 'access_log', i])),
    serverName: hcm.server_name ?? HCM_DEFAULTS.serverName,
    ...(upgradeTypes.length > 0 ? { upgradeTypes } : {}),
    useRemoteAddress: hcm.use_remote_address ?? HCM_DEFAULTS.useRemoteAddress,
    generateRequestId: hcm.generate_request_id ?? HCM_DEFAULTS.generateRequestId,
    streamIdleTimeoutMs: hcm.stream_idle_timeout ?? HCM_DEFAULTS.streamIdleTimeoutMs,
    requestTimeoutMs: hcm.request_timeout ?? HCM_DEFAULTS.requestTimeoutMs,
  };
}

export function convertListener(l: ListenerInput, path: FieldPath, ctx: ListenerContext): Listener {
  const socket = l.address.socket_address;
  const chainsPath = [...path, 'filter_chains'];
  // Several chains only make sense with filter_chain_match, which is not implemented.
  if (l.filter_chains.length !== 1) {
    fail(chainsPath, `must hold exactly one filter chain (got ${l.filter_chains.length})`);
  }
  const filters = l.filter_chains[0]!.filters;
  const filtersPath = [...chainsPath, 0, 'filters'];
  if (filters.length !== 1) {
    fail(
      filtersPath,
      `must hold exactly one filter, the ${EXTENSION_NAME.httpConnectionManager} (got ${filters.length})`,
    );
  }
  const hcm = filters[0]!.typed_config.config;
  const transportSocket = l.filter_chains[0]!.transport_socket;
  const tls =
    transportSocket === undefined
      ? undefined
      : convertDownstreamTls(transportSocket.typed_config.config, [
          ...chainsPath,
          0,
          'transport_socket',
          'typed_config',
        ]);
  return {
    // Envoy names an unnamed listener itself; a name derived from the address stays stable across reloads.
    name: l.name !== undefined && l.name !== '' ? l.name : `${socket.address}_${socket.port_value}`,
    address: { address: socket.address, port: socket.port_value },
    hcm: convertHcm(hcm, [...filtersPath, 0, 'typed_config'], ctx),
    ...(tls !== undefined ? { tls } : {}),
  };
}

export function convertListeners(
  listeners: readonly ListenerInput[],
  path: FieldPath,
  ctx: ListenerContext,
): Listener[] {
  const names = new Set<string>();
  const addresses = new Map<string, string>();
  return listeners.map((input, i) => {
    const listener = convertListener(input, [...path, i], ctx);
    if (names.has(listener.name))
      fail([...path, i, 'name'], `is a duplicate listener name "${listener.name}"`);
    names.add(listener.name);
    const key = `${listener.address.address}:${listener.address.port}`;
    const other = addresses.get(key);
    // Port 0 asks the kernel for a free port, so several listeners may use it.
    if (other !== undefined && listener.address.port !== 0) {
      fail([...path, i, 'address'], `is ${key}, already the address of listener "${other}"`);
    }
    addresses.set(key, listener.name);
    return listener;
  });
}
