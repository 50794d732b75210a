// What a file behind `rds.config_source.path_config_source` may hold: Envoy reads it as a
// DiscoveryResponse (`resources: [{"@type": ...RouteConfiguration, ...}]`); a bare RouteConfiguration is
// accepted too. Pure: picks the route configuration named by the listener and says where it sits.

import { type FieldPath, fail } from './config-error.ts';
import { describeValue, isPlainObject } from './schema-common.ts';
import { TYPE_URL } from './type-urls.ts';

const DISCOVERY_RESPONSE_FIELDS = new Set(['version_info', 'resources', 'type_url', 'nonce']);

/** The RouteConfiguration fields (without `@type`) and their path in the document. */
export function pickRouteConfiguration(
  doc: unknown,
  routeConfigName: string,
): { routeConfig: Record<string, unknown>; path: FieldPath } {
  if (!isPlainObject(doc))
    fail([], `must be a RouteConfiguration or a discovery response, got ${describeValue(doc)}`);

  if (doc.resources === undefined) {
    const { '@type': typeUrl, ...fields } = doc;
    if (typeUrl !== undefined && typeUrl !== TYPE_URL.routeConfiguration) {
      fail(['@type'], `must be "${TYPE_URL.routeConfiguration}"; got ${describeValue(typeUrl)}`);
    }
    if (fields.name !== undefined && fields.name !== routeConfigName) {
      fail(
        ['name'],
        `is ${describeValue(fields.name)}, but the listener asks for route_config_name "${routeConfigName}"`,
      );
    }
    return { routeConfig: { ...fields, name: routeConfigName }, path: [] };
  }

  for (const key of Object.keys(doc)) {
    if (!DISCOVERY_RESPONSE_FIELDS.has(key))
      fail([key], 'is not a field of a discovery response (version_info, resources, type_url)');
  }
  if (doc.type_url !== undefined && doc.type_url !== TYPE_URL.routeConfiguration) {
    fail(['type_url'], `must be "${TYPE_URL.routeConfiguration}"; got ${describeValue(doc.type_url)}`);
  }
  const resources = doc.resources;
  if (!Array.isArray(resources)) fail(['resources'], `must be a list, got ${describeValue(resources)}`);
  const names: string[] = [];
  for (const [i, resource] of resources.entries()) {
    if (!isPlainObject(resource)) fail(['resources', i], `must be an object, got ${describeValue(resource)}`);
    const { '@type': typeUrl, ...fields } = resource;
    if (typeUrl !== TYPE_URL.routeConfiguration) {
      fail(
        ['resources', i, '@type'],
        `must be "${TYPE_URL.routeConfiguration}"; got ${describeValue(typeUrl)}`,
      );
    }
    if (fields.name === routeConfigName) return { routeConfig: fields, path: ['resources', i] };
    names.push(String(fields.name));
  }
  return fail(
    ['resources'],
    `has no RouteConfiguration named "${routeConfigName}"${names.length > 0 ? ` (found: ${names.join(', ')})` : ''}`,
  );
}
