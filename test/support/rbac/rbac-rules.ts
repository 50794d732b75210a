// RBAC's rule matching (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac: RuleAllows), for the
// rules of one ClusterRole: a rule allows a resource request when its apiGroups, resources and verbs
// each contain the request's (or `*`); `resourceNames` would narrow it further (meshscope's role has
// none). Non-resource URLs are matched against nonResourceURLs (exact, or a `prefix*`).
import type { RequestAttributes } from './request-attributes.ts';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** One thing a role grants: a verb on a resource of a group (`pods/proxy` for a subresource). */
export interface Grant {
  apiGroup: string;
  resource: string;
  verb: string;
}

export const grantKey = (g: Grant) => `${g.verb} ${g.apiGroup === '' ? 'core' : g.apiGroup}/${g.resource}`;

const has = (list: readonly string[] | undefined, x: string) =>
  list !== undefined && (list.includes('*') || list.includes(x));

export function rulesAllow(rules: readonly PolicyRule[], request: RequestAttributes): boolean {
  return rules.some((r) => {
    if (!has(r.verbs, request.verb)) return false;
    if (request.kind === 'non-resource') {
      return (r.nonResourceURLs ?? []).some((u) =>
        u.endsWith('*') ? request.path.startsWith(u.slice(0, -1)) : u === request.path,
      );
    }
    if (!has(r.apiGroups, request.apiGroup) || !has(r.resources, request.resource)) return false;
    return r.resourceNames === undefined || r.resourceNames.length === 0
      ? true
      : request.name !== undefined && r.resourceNames.includes(request.name);
  });
}

/** Every (group, resource, verb) the rules grant, one per combination; wildcards are kept as `*`. */
export function grantsOf(rules: readonly PolicyRule[]): Grant[] {
  const out = new Map<string, Grant>();
  for (const r of rules) {
    for (const apiGroup of r.apiGroups ?? [])
      for (const resource of r.resources ?? [])
        for (const verb of r.verbs) {
          const g = { apiGroup, resource, verb };
          out.set(grantKey(g), g);
        }
  }
  return [...out.values()];
}

/**
 * Paths every authenticated client may GET through the default `system:discovery` and
 * `system:public-info-viewer` ClusterRoles (bound to system:authenticated): a client library's
 * discovery needs no grant of ours.
 */
export const DEFAULT_NON_RESOURCE_RULES: readonly PolicyRule[] = [
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/openapi',
      '/openapi/*',
      '/version',
      '/version/',
    ],
  },
  { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz'] },
];
