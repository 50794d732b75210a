// Resource URLs of the API: `/api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>[/<rest>]]]`
// and the same under `/apis/<group>/<version>`.
import { ApiError } from './api-status.ts';
import { type ResourceType, resourceTypeOf } from './resources.ts';

/** A parsed resource URL: `/api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>[/<rest>]]]`. */
export interface ResourceRoute {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** Everything after the subresource, undecoded, with a leading '/' (or ''). */
  rest: string;
}

const RESOURCE_URL =
  /^\/(?:api\/(?<coreVersion>v1)|apis\/(?<group>[^/]+)\/(?<version>[^/]+))(?:\/namespaces\/(?<ns>[^/]+))?\/(?<resource>[^/]+)(?:\/(?<name>[^/]+)(?:\/(?<sub>[^/]+)(?<rest>\/.*)?)?)?$/;

export function matchResource(pathname: string): ResourceRoute | undefined {
  const m = RESOURCE_URL.exec(pathname);
  const g = m?.groups;
  if (!g) return undefined;
  const group = g['coreVersion'] ? '' : (g['group'] ?? '');
  const version = g['coreVersion'] ?? g['version'] ?? '';
  const type = resourceTypeOf(
    decodeURIComponent(g['resource'] ?? ''),
    group === '' ? version : `${group}/${version}`,
  );
  if (!type) return undefined;
  const decode = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s));
  return {
    type,
    namespace: decode(g['ns']),
    name: decode(g['name']),
    subresource: decode(g['sub']),
    rest: g['rest'] ?? '',
  };
}

/** A selector parser whose failure is the API server's 400. */
export function parseSelector(
  parse: (s: string | null) => (l: Readonly<Record<string, string>>) => boolean,
  text: string | null,
) {
  try {
    return parse(text);
  } catch (e) {
    throw new ApiError(400, 'BadRequest', (e as Error).message);
  }
}
