import { describe, expect, it } from 'vitest';
import { buildRoutes } from '../../../server/graph/routes-builder.ts';
import { WeightedRouteSchema } from '../../../shared/api/routes.ts';
import { type FakeSidecar, FakeTrafficSource, host, traffic } from './fake-traffic-source.ts';
import { seedLab, sidecar } from './meshes.ts';

/** The seed lab with two frontend replicas carrying the same route. */
function twoReplicas(second: Partial<FakeSidecar> = {}) {
  const lab = seedLab({ v1: 8, v2: 2 });
  lab.inventory.sidecars.push(sidecar('default/app-with-envoy-2', 'default', 'frontend'));
  const first = lab.sidecars['default/app-with-envoy']!;
  lab.sidecars['default/app-with-envoy-2'] = {
    ...first,
    clusters: { backend_v1: traffic(4), backend_v2: traffic(6) },
    ...second,
  };
  return lab;
}

describe('buildRoutes', () => {
  it('lists the lab’s 80/20 route with weights, destinations and observed shares', () => {
    const lab = seedLab({ v1: 8, v2: 2 });
    const [route, ...rest] = buildRoutes(lab.inventory, new FakeTrafficSource(lab.sidecars));
    expect(rest).toEqual([]);
    expect(() => WeightedRouteSchema.parse(route)).not.toThrow();
    expect(route).toMatchObject({
      id: 'default/frontend/listener_0/local_route/backend/0',
      source: { namespace: 'default', workload: 'frontend' },
      replicas: [
        { sidecarId: 'default/app-with-envoy', adminUrl: 'http://admin.invalid/default/app-with-envoy' },
      ],
      listener: 'listener_0',
      routeConfig: 'local_route',
      virtualHost: 'backend',
      routeName: null,
      match: 'prefix /',
      runtimeKeyPrefix: 'routing.backend',
      totalWeight: 100,
      clusters: [
        {
          name: 'backend_v1',
          configuredWeight: 80,
          runtimeWeight: null,
          effectiveWeight: 80,
          destination: 'workload:default:backend-v1',
          observedShare: 0.8,
        },
        {
          name: 'backend_v2',
          configuredWeight: 20,
          runtimeWeight: null,
          effectiveWeight: 20,
          destination: 'workload:default:backend-v2',
          observedShare: 0.2,
        },
      ],
    });
    expect(route?.version).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it('groups replicas of a workload under one route and sums their traffic', () => {
    const lab = twoReplicas();
    const routes = buildRoutes(lab.inventory, new FakeTrafficSource(lab.sidecars));
    expect(routes).toHaveLength(1);
    expect(routes[0]?.replicas.map((r) => r.sidecarId)).toEqual([
      'default/app-with-envoy',
      'default/app-with-envoy-2',
    ]);
    expect(routes[0]?.clusters.map((c) => c.observedShare)).toEqual([12 / 20, 8 / 20]);
  });

  it('shows the runtime override as effective weight and total', () => {
    const lab = seedLab();
    lab.sidecars['default/app-with-envoy']!.runtime = {
      'routing.backend.backend_v1': '30',
      'routing.backend.backend_v2': '90',
      'unrelated.key': '1',
    };
    const [route] = buildRoutes(lab.inventory, new FakeTrafficSource(lab.sidecars));
    expect(route?.clusters.map((c) => [c.configuredWeight, c.runtimeWeight, c.effectiveWeight])).toEqual([
      [80, 30, 30],
      [20, 90, 90],
    ]);
    expect(route?.totalWeight).toBe(120);
  });

  it('changes its version whenever an effective weight changes, on any replica, and only then', () => {
    const version = (lab: ReturnType<typeof seedLab>) =>
      buildRoutes(lab.inventory, new FakeTrafficSource(lab.sidecars))[0]!.version;
    const base = version(twoReplicas());
    expect(version(twoReplicas())).toBe(base);
    // Traffic alone does not change it.
    expect(version(twoReplicas({ clusters: { backend_v1: traffic(1), backend_v2: traffic(1) } }))).toBe(base);
    const shifted = version(twoReplicas({ runtime: { 'routing.backend.backend_v1': '50' } }));
    expect(shifted).not.toBe(base);
    const other = version(twoReplicas({ runtime: { 'routing.backend.backend_v1': '51' } }));
    expect(other).not.toBe(shifted);
  });

  it('reports an idle route with null observed shares, and an unmapped cluster with its unknown node', () => {
    const lab = seedLab({ v1: 0, v2: 0 });
    const data = lab.sidecars['default/app-with-envoy']!;
    data.hosts = { ...data.hosts, backend_v2: [host('203.0.113.9', 80)] };
    const [route] = buildRoutes(lab.inventory, new FakeTrafficSource(lab.sidecars));
    expect(route?.clusters.map((c) => [c.destination, c.observedShare])).toEqual([
      ['workload:default:backend-v1', null],
      ['unknown:default:backend_v2', null],
    ]);
  });

  it('makes URL-safe ids from Istio-style names and keeps sidecars without a scrape out', () => {
    const lab = seedLab();
    const data = lab.sidecars['default/app-with-envoy']!;
    data.routes = data.routes!.map((r) => ({
      ...r,
      listener: '0.0.0.0_15001',
      routeConfig: '9080',
      virtualHost: 'backend.default.svc.cluster.local:9080',
    }));
    lab.inventory.sidecars.push(sidecar('default/never-scraped', 'default', 'frontend'));
    const [route] = buildRoutes(lab.inventory, new FakeTrafficSource(lab.sidecars));
    expect(route?.id).toBe('default/frontend/0.0.0.0_15001/9080/backend.default.svc.cluster.local~3A9080/0');
    expect(route?.replicas).toHaveLength(1);
  });
});
