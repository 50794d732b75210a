// Requests as RBAC sees them (verb, group, resource/subresource) and the matching of a ClusterRole's
// rules, on the request shapes client-node's informers, its typed clients and meshscope's pods/proxy
// scraping send.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NON_RESOURCE_RULES,
  grantsOf,
  type PolicyRule,
  rulesAllow,
} from '../../support/rbac/rbac-rules.ts';
import { requestAttributes } from '../../support/rbac/request-attributes.ts';

describe('requestAttributes', () => {
  it.each([
    ['GET', '/api/v1/pods?resourceVersion=0', 'list', '', 'pods', undefined, undefined],
    [
      'GET',
      '/api/v1/pods?watch=true&resourceVersion=12&allowWatchBookmarks=true',
      'watch',
      '',
      'pods',
      undefined,
      undefined,
    ],
    [
      'GET',
      '/apis/discovery.k8s.io/v1/endpointslices?watch=1',
      'watch',
      'discovery.k8s.io',
      'endpointslices',
      undefined,
      undefined,
    ],
    ['GET', '/apis/apps/v1/namespaces/shop/replicasets', 'list', 'apps', 'replicasets', 'shop', undefined],
    ['GET', '/api/v1/namespaces/shop/configmaps/web-runtime', 'get', '', 'configmaps', 'shop', 'web-runtime'],
    [
      'PATCH',
      '/api/v1/namespaces/shop/configmaps/web-runtime',
      'patch',
      '',
      'configmaps',
      'shop',
      'web-runtime',
    ],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl',
      'patch',
      'apps',
      'deployments',
      'shop',
      'web',
    ],
    ['POST', '/api/v1/namespaces/shop/events', 'create', '', 'events', 'shop', undefined],
    [
      'PUT',
      '/apis/networking.istio.io/v1/namespaces/shop/virtualservices/web',
      'update',
      'networking.istio.io',
      'virtualservices',
      'shop',
      'web',
    ],
    ['DELETE', '/api/v1/namespaces/shop/pods/web-1', 'delete', '', 'pods', 'shop', 'web-1'],
    ['DELETE', '/api/v1/namespaces/shop/pods', 'deletecollection', '', 'pods', 'shop', undefined],
    [
      'GET',
      '/api/v1/namespaces/shop/pods/web-1:9901/proxy/stats/prometheus',
      'get',
      '',
      'pods/proxy',
      'shop',
      'web-1:9901',
    ],
    [
      'POST',
      '/api/v1/namespaces/shop/pods/web-1:9901/proxy/runtime_modify?a=1',
      'create',
      '',
      'pods/proxy',
      'shop',
      'web-1:9901',
    ],
    ['GET', '/api/v1/namespaces/shop', 'get', '', 'namespaces', undefined, 'shop'],
    [
      'GET',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/meshscope',
      'get',
      'rbac.authorization.k8s.io',
      'clusterroles',
      undefined,
      'meshscope',
    ],
  ])('%s %s is %s on %s/%s', (method, url, verb, apiGroup, resource, namespace, name) => {
    expect(requestAttributes(method, url)).toEqual({
      kind: 'resource',
      verb,
      apiGroup,
      resource,
      namespace,
      name,
    });
  });

  it.each(['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3'])(
    'GET %s is a non-resource URL',
    (path) => {
      expect(requestAttributes('GET', path)).toEqual({ kind: 'non-resource', verb: 'get', path });
    },
  );
});

describe('rulesAllow and grantsOf', () => {
  const rules: PolicyRule[] = [
    { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods/proxy'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'], resourceNames: ['web'] },
  ];
  const allows = (method: string, url: string) => rulesAllow(rules, requestAttributes(method, url));

  it('allows a verb on a resource of a group only when one rule has all three', () => {
    expect(allows('GET', '/api/v1/pods?watch=true')).toBe(true);
    expect(allows('GET', '/api/v1/namespaces/a/services/s')).toBe(true);
    expect(allows('PATCH', '/api/v1/namespaces/a/pods/p')).toBe(false);
    expect(allows('GET', '/apis/apps/v1/pods')).toBe(false); // pods are not in the apps group
    expect(allows('GET', '/api/v1/configmaps')).toBe(false);
  });

  it('treats a subresource as its own resource', () => {
    expect(allows('GET', '/api/v1/namespaces/a/pods/p:9901/proxy/stats')).toBe(true);
    expect(allows('POST', '/api/v1/namespaces/a/pods/p:9901/proxy/runtime_modify')).toBe(false);
    expect(
      rulesAllow(
        [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
        requestAttributes('GET', '/api/v1/namespaces/a/pods/p:1/proxy/x'),
      ),
    ).toBe(false);
  });

  it('honours resourceNames and wildcards', () => {
    expect(allows('PATCH', '/apis/apps/v1/namespaces/a/deployments/web')).toBe(true);
    expect(allows('PATCH', '/apis/apps/v1/namespaces/a/deployments/api')).toBe(false);
    const star: PolicyRule[] = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];
    expect(rulesAllow(star, requestAttributes('DELETE', '/apis/x.io/v1/things'))).toBe(true);
  });

  it('lets every client read discovery documents, and nothing else without a rule', () => {
    for (const path of ['/api', '/apis/apps/v1', '/version', '/openapi/v2'])
      expect(rulesAllow(DEFAULT_NON_RESOURCE_RULES, requestAttributes('GET', path))).toBe(true);
    expect(rulesAllow(DEFAULT_NON_RESOURCE_RULES, requestAttributes('GET', '/metrics'))).toBe(false);
    expect(rulesAllow(DEFAULT_NON_RESOURCE_RULES, requestAttributes('GET', '/api/v1/pods'))).toBe(false);
  });

  it('lists each granted (group, resource, verb) once', () => {
    expect(grantsOf([...rules, rules[1]!]).map((g) => `${g.verb} ${g.apiGroup}/${g.resource}`)).toEqual([
      'get /pods',
      'list /pods',
      'watch /pods',
      'get /services',
      'list /services',
      'watch /services',
      'get /pods/proxy',
      'patch apps/deployments',
    ]);
  });
});
