// What RBAC authorizes a request as: the API server's RequestInfo (k8s.io/apiserver
// pkg/endpoints/request/requestinfo.go) reduced to what meshscope's requests need. A resource request
// is a verb on a resource (or resource/subresource) of an API group; anything else is a
// non-resource URL (/api, /apis, /version… for discovery).
//
// Verbs from the HTTP method, as RequestInfoFactory maps them: GET is `get` on a name, `list` on a
// collection, and `watch` on either with ?watch=true; POST `create`, PUT `update`, PATCH `patch` (a
// server-side apply too), DELETE `delete` on a name, `deletecollection` on a collection. A
// subresource's verb follows the same rule (GET pods/proxy is `get`, POST is `create`).

export type RequestAttributes =
  | {
      kind: 'resource';
      verb: string;
      apiGroup: string;
      /** `pods`, or `pods/proxy` for a subresource. */
      resource: string;
      namespace: string | undefined;
      name: string | undefined;
    }
  | { kind: 'non-resource'; verb: string; path: string };

const RESOURCE_PATH =
  /^\/(?:api\/(?<core>[^/]+)|apis\/(?<group>[^/]+)\/(?<version>[^/]+))(?:\/namespaces\/(?<ns>[^/]+))?\/(?<resource>[^/]+)(?:\/(?<name>[^/]+)(?:\/(?<sub>[^/]+))?)?/;

const HTTP_VERBS: Readonly<Record<string, string>> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
};

export function requestAttributes(method: string, url: string): RequestAttributes {
  const u = new URL(url, 'http://apiserver');
  const path = u.pathname;
  const m = RESOURCE_PATH.exec(path);
  const g = m?.groups;
  const lower = method.toUpperCase();
  if (!g) {
    // Non-resource URLs: GET is `get` (as in the system:discovery ClusterRole's rules).
    return {
      kind: 'non-resource',
      verb: lower === 'GET' ? 'get' : (HTTP_VERBS[lower] ?? lower.toLowerCase()),
      path,
    };
  }
  // `/api/v1/namespaces/<name>` parses as the namespace object (the optional namespace part backs off).
  const { ns: namespace, resource = '', name, sub } = g;
  const decode = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s));
  const watch = u.searchParams.get('watch') === 'true' || u.searchParams.get('watch') === '1';
  let verb: string;
  if (lower === 'GET' || lower === 'HEAD') verb = watch ? 'watch' : name === undefined ? 'list' : 'get';
  else if (lower === 'DELETE') verb = name === undefined ? 'deletecollection' : 'delete';
  else verb = HTTP_VERBS[lower] ?? lower.toLowerCase();
  return {
    kind: 'resource',
    verb,
    apiGroup: g['group'] ?? '',
    resource: sub === undefined ? resource : `${resource}/${sub}`,
    namespace: decode(namespace),
    // pods/proxy names carry the port: `<pod>:<port>` (or `https:<pod>:<port>`).
    name: decode(name),
  };
}
