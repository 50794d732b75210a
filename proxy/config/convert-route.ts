// RouteConfiguration (schema output) → model RouteConfig, with the checks Envoy makes when it loads a
// route table: one path specifier and one action per route, weighted clusters whose weights add up,
// unique domains, and (unless `validate_clusters: false`) every referenced cluster defined.

import { type FieldPath, fail } from './config-error.ts';
import { convertFault } from './convert-fault.ts';
import { convertHashPolicies } from './convert-hash-policy.ts';
import { convertHeaderMatcher, convertQueryParameterMatcher, oneOf } from './convert-matchers.ts';
import { convertMirrorPolicy, convertRetryBackOff } from './convert-route-policies.ts';
import type {
  DirectResponseAction,
  FaultConfig,
  RetryPolicy,
  Route,
  RouteAction,
  RouteConfig,
  RouteMatch,
  VirtualHost,
} from './model.ts';
import { NOT_YET, UINT32_MAX } from './schema-common.ts';
import type {
  RouteActionInput,
  RouteConfigurationInput,
  RouteInput,
  VirtualHostInput,
} from './schema-route.ts';
import { EXTENSION_NAME } from './type-urls.ts';

export interface RouteContext {
  clusterNames: ReadonlySet<string>;
}

/** Envoy's router timeout when a route sets none (RouteAction.timeout). */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

/** The retry_on conditions Envoy's router knows (HTTP and gRPC). */
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

function checkCluster(name: string, path: FieldPath, ctx: RouteContext, validate: boolean): void {
  if (validate && !ctx.clusterNames.has(name)) fail(path, `unknown cluster "${name}"`);
}

function convertMatch(route: RouteInput, path: FieldPath): RouteMatch {
  const m = route.match;
  const matchPath = [...path, 'match'];
  const specifier = oneOf(m, ['prefix', 'path', 'safe_regex'], matchPath, true);
  return {
    ...(specifier === 'prefix' ? { prefix: m.prefix } : {}),
    ...(specifier === 'path' ? { path: m.path } : {}),
    ...(specifier === 'safe_regex' ? { safeRegex: m.safe_regex!.regex } : {}),
    caseSensitive: m.case_sensitive ?? true,
    headers: (m.headers ?? []).map((h, i) => convertHeaderMatcher(h, [...matchPath, 'headers', i])),
    queryParameters: (m.query_parameters ?? []).map((q, i) =>
      convertQueryParameterMatcher(q, [...matchPath, 'query_parameters', i]),
    ),
  };
}

function convertRetryPolicy(
  input: NonNullable<RouteActionInput['retry_policy']>,
  path: FieldPath,
): RetryPolicy {
  const retryOn = (input.retry_on ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const condition of retryOn) {
    if (!RETRY_ON.has(condition))
      fail([...path, 'retry_on'], `has an unknown retry condition "${condition}"`);
  }
  return {
    retryOn,
    numRetries: input.num_retries ?? 1,
    ...(input.per_try_timeout !== undefined ? { perTryTimeoutMs: input.per_try_timeout } : {}),
    ...(input.retriable_status_codes !== undefined && input.retriable_status_codes.length > 0
      ? { retriableStatusCodes: input.retriable_status_codes }
      : {}),
    ...(input.retry_back_off !== undefined
      ? { backOff: convertRetryBackOff(input.retry_back_off, [...path, 'retry_back_off']) }
      : {}),
  };
}

function convertRouteAction(
  a: RouteActionInput,
  path: FieldPath,
  ctx: RouteContext,
  validate: boolean,
): RouteAction {
  const target = oneOf(a, ['cluster', 'weighted_clusters'], path, true);
  const action: RouteAction = { kind: 'route', timeoutMs: a.timeout ?? DEFAULT_ROUTE_TIMEOUT_MS };
  if (target === 'cluster') {
    checkCluster(a.cluster!, [...path, 'cluster'], ctx, validate);
    action.cluster = a.cluster!;
  } else {
    const wc = a.weighted_clusters!;
    const wcPath = [...path, 'weighted_clusters'];
    const clusters = wc.clusters.map((c, i) => {
      checkCluster(c.name, [...wcPath, 'clusters', i, 'name'], ctx, validate);
      // ClusterWeight.weight is a UInt32Value: unset reads as 0.
      return { name: c.name, weight: c.weight ?? 0 };
    });
    const sum = clusters.reduce((total, c) => total + c.weight, 0);
    if (sum === 0) fail(wcPath, 'has weights that add up to 0; at least one cluster needs a positive weight');
    if (sum > UINT32_MAX) fail(wcPath, `has weights that add up to ${sum}, more than ${UINT32_MAX} (uint32)`);
    if (wc.total_weight !== undefined && wc.total_weight !== sum) {
      fail([...wcPath, 'total_weight'], `is ${wc.total_weight} but the cluster weights add up to ${sum}`);
    }
    action.weightedClusters = {
      clusters,
      ...(wc.total_weight !== undefined ? { totalWeight: wc.total_weight } : {}),
      ...(wc.runtime_key_prefix !== undefined && wc.runtime_key_prefix !== ''
        ? { runtimeKeyPrefix: wc.runtime_key_prefix }
        : {}),
    };
  }
  if (a.host_rewrite_literal !== undefined) action.hostRewriteLiteral = a.host_rewrite_literal;
  if (a.prefix_rewrite !== undefined) action.prefixRewrite = a.prefix_rewrite;
  if (a.idle_timeout !== undefined) action.idleTimeoutMs = a.idle_timeout;
  if (a.retry_policy !== undefined)
    action.retryPolicy = convertRetryPolicy(a.retry_policy, [...path, 'retry_policy']);
  if (a.priority === 'HIGH') action.priority = 'HIGH';
  if (a.hash_policy !== undefined && a.hash_policy.length > 0) {
    action.hashPolicy = convertHashPolicies(a.hash_policy, [...path, 'hash_policy']);
  }
  if (a.request_mirror_policies !== undefined && a.request_mirror_policies.length > 0) {
    action.requestMirrorPolicies = a.request_mirror_policies.map((m, i) =>
      convertMirrorPolicy(m, [...path, 'request_mirror_policies', i], (name, p) =>
        checkCluster(name, p, ctx, validate),
      ),
    );
  }
  return action;
}

function convertRoute(
  route: RouteInput,
  path: FieldPath,
  ctx: RouteContext,
  validate: boolean,
  inheritedFault: FaultConfig | undefined,
): Route {
  const match = convertMatch(route, path);
  const kind = oneOf(route, ['route', 'direct_response'], path, true);
  let action: RouteAction | DirectResponseAction;
  if (kind === 'route') {
    action = convertRouteAction(route.route!, [...path, 'route'], ctx, validate);
  } else {
    const d = route.direct_response!;
    action = {
      kind: 'direct',
      status: d.status,
      ...(d.body !== undefined ? { body: d.body.inline_string } : {}),
    };
  }
  const faultOverride = convertPerFilterConfig(route.typed_per_filter_config, path) ?? inheritedFault;
  return {
    ...(route.name !== undefined ? { name: route.name } : {}),
    match,
    action,
    ...(faultOverride !== undefined ? { faultOverride } : {}),
  };
}

/**
 * `typed_per_filter_config`: only the fault filter's (an HTTPFault replacing the filter's config).
 * Envoy takes the most specific one (route, then virtual host, then route configuration), so each
 * route gets its own or inherits its virtual host's.
 */
function convertPerFilterConfig(
  perFilter: RouteInput['typed_per_filter_config'],
  path: FieldPath,
): FaultConfig | undefined {
  let fault: FaultConfig | undefined;
  for (const [name, typed] of Object.entries(perFilter ?? {})) {
    const entryPath = [...path, 'typed_per_filter_config', name];
    if (name !== EXTENSION_NAME.fault) {
      fail(entryPath, `is per-route config for a filter that ${NOT_YET} (only ${EXTENSION_NAME.fault})`);
    }
    fault = convertFault(typed.config, entryPath);
  }
  return fault;
}

function convertVirtualHost(
  vh: VirtualHostInput,
  path: FieldPath,
  ctx: RouteContext,
  validate: boolean,
  domainOwners: Map<string, string>,
  inheritedFault: FaultConfig | undefined,
): VirtualHost {
  // Host matching is case-insensitive; Envoy requires each domain once per route configuration.
  const domains = vh.domains.map((domain, i) => {
    const lower = domain.toLowerCase();
    if (lower === '') fail([...path, 'domains', i], 'must not be empty');
    const owner = domainOwners.get(lower);
    if (owner !== undefined) {
      fail(
        [...path, 'domains', i],
        `is a duplicate: "${lower}" is already a domain of virtual host "${owner}"`,
      );
    }
    domainOwners.set(lower, vh.name);
    return lower;
  });
  const vhFault = convertPerFilterConfig(vh.typed_per_filter_config, path) ?? inheritedFault;
  const routes = (vh.routes ?? []).map((r, i) =>
    convertRoute(r, [...path, 'routes', i], ctx, validate, vhFault),
  );
  return { name: vh.name, domains, routes };
}

export function convertRouteConfig(
  rc: RouteConfigurationInput,
  path: FieldPath,
  ctx: RouteContext,
): RouteConfig {
  const validate = rc.validate_clusters ?? true;
  const domainOwners = new Map<string, string>();
  const names = new Set<string>();
  const rcFault = convertPerFilterConfig(rc.typed_per_filter_config, path);
  const virtualHosts = (rc.virtual_hosts ?? []).map((vh, i) => {
    const vhPath = [...path, 'virtual_hosts', i];
    if (names.has(vh.name)) fail([...vhPath, 'name'], `is a duplicate virtual host name "${vh.name}"`);
    names.add(vh.name);
    return convertVirtualHost(vh, vhPath, ctx, validate, domainOwners, rcFault);
  });
  return { name: rc.name ?? '', virtualHosts };
}
