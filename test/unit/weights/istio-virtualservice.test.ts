// Istio's side of a weight change, pure: which VirtualService a route came from, its http route with
// the new weights (others untouched), and the DestinationRule subsets to create, as Kiali's wizard does.
import { describe, expect, it } from 'vitest';
import { weightedRoutesFromConfigDump } from '../../../server/sources/envoy/config-dump-routes.ts';
import {
  fqdn,
  istioCluster,
  planSubsets,
  setVirtualServiceWeights,
  virtualServiceOf,
} from '../../../server/weights/istio-virtualservice.ts';

const V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local';
const V2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';
const VS = { namespace: 'default', name: 'reviews' };
const weighted = (a: number, b: number) => ({
  route: [
    { destination: { host: 'reviews', subset: 'v1' }, weight: a },
    {
      destination: { host: 'reviews.default.svc.cluster.local', subset: 'v2', port: { number: 9080 } },
      weight: b,
    },
  ],
});

describe('Istio names', () => {
  it('reads the VirtualService from the route metadata istiod writes', () => {
    expect(
      virtualServiceOf('/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/virtual-service/reviews'),
    ).toEqual({
      namespace: 'bookinfo',
      name: 'reviews',
    });
    expect(
      virtualServiceOf('/apis/networking.istio.io/v1alpha3/namespaces/x/destination-rule/y'),
    ).toBeUndefined();
    expect(virtualServiceOf(undefined)).toBeUndefined();
  });

  it('splits outbound cluster names and qualifies short hosts', () => {
    expect(istioCluster(V1)).toEqual({ port: 9080, subset: 'v1', host: 'reviews.default.svc.cluster.local' });
    expect(istioCluster('outbound|9080||reviews.default.svc.cluster.local')?.subset).toBe('');
    expect(istioCluster('backend_v1')).toBeUndefined();
    expect(fqdn('reviews', 'default')).toBe('reviews.default.svc.cluster.local');
    expect(fqdn('reviews.other', 'default')).toBe('reviews.other.svc.cluster.local');
  });

  it('the config dump parser keeps the route’s istio config', () => {
    const dump = {
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
          dynamic_route_configs: [
            {
              route_config: {
                name: '9080',
                virtual_hosts: [
                  {
                    name: 'reviews:9080',
                    routes: [
                      {
                        match: { prefix: '/' },
                        metadata: {
                          filter_metadata: {
                            istio: {
                              config:
                                '/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews',
                            },
                          },
                        },
                        route: {
                          weighted_clusters: {
                            clusters: [
                              { name: V1, weight: 80 },
                              { name: V2, weight: 20 },
                            ],
                          },
                        },
                      },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(weightedRoutesFromConfigDump(dump)[0]?.istioConfig).toBe(
      '/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews',
    );
  });
});

describe('setVirtualServiceWeights', () => {
  it('sets the weights of the http route going to exactly those destinations, nothing else', () => {
    const mirror = {
      match: [{ uri: { prefix: '/x' } }],
      route: [{ destination: { host: 'reviews', subset: 'v2' } }],
    };
    const r = setVirtualServiceWeights(
      { http: [mirror, weighted(80, 20)] },
      VS,
      { [V1]: 30, [V2]: 70 },
      null,
    );
    expect(r).toMatchObject({ ok: true, index: 1, from: { [V1]: 80, [V2]: 20 } });
    if (!r.ok) return;
    expect(r.http[0]).toBe(mirror);
    expect(r.http[1]).toEqual(weighted(30, 70));
  });

  it('tells equal routes apart by name, or refuses', () => {
    const a = { name: 'a', ...weighted(80, 20) };
    const b = { name: 'b', ...weighted(50, 50) };
    expect(setVirtualServiceWeights({ http: [a, b] }, VS, { [V1]: 1, [V2]: 99 }, 'b')).toMatchObject({
      ok: true,
      index: 1,
    });
    expect(setVirtualServiceWeights({ http: [a, b] }, VS, { [V1]: 1, [V2]: 99 }, null)).toMatchObject({
      ok: false,
      error: /2 http routes/,
    });
  });

  it('refuses clusters it has no route for, or that are not Istio’s', () => {
    const other = 'outbound|9080|v3|reviews.default.svc.cluster.local';
    expect(
      setVirtualServiceWeights({ http: [weighted(80, 20)] }, VS, { [V1]: 50, [other]: 50 }, null),
    ).toMatchObject({
      ok: false,
      error: /no http route/,
    });
    expect(setVirtualServiceWeights({ http: [weighted(80, 20)] }, VS, { backend: 100 }, null)).toMatchObject({
      ok: false,
    });
    expect(setVirtualServiceWeights({}, VS, { [V1]: 100 }, null)).toMatchObject({
      ok: false,
      error: /no http routes/,
    });
  });
});

describe('planSubsets', () => {
  const rule = (subsets: string[]) => ({
    metadata: { name: 'reviews-dr', namespace: 'default', resourceVersion: '7' },
    spec: { host: 'reviews', subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
  });
  it('creates a DestinationRule named after the service when there is none', () => {
    expect(planSubsets('reviews.default.svc.cluster.local', ['v1', 'v2'], [])).toEqual({
      action: 'create',
      namespace: 'default',
      name: 'reviews',
      spec: {
        host: 'reviews.default.svc.cluster.local',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    });
  });
  it('adds only the missing subsets to the host’s rule, and nothing when all are there', () => {
    const plan = planSubsets('reviews.default.svc.cluster.local', ['v1', 'v2'], [rule(['v1'])]);
    expect(plan).toMatchObject({
      action: 'update',
      subsets: [{ name: 'v1' }, { name: 'v2', labels: { version: 'v2' } }],
    });
    expect(planSubsets('reviews.default.svc.cluster.local', ['v1'], [rule(['v1'])])).toEqual({
      action: 'none',
    });
    expect(planSubsets('reviews.default.svc.cluster.local', [''], [])).toEqual({ action: 'none' });
  });
});
