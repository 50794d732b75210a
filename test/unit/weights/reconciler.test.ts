import { describe, expect, it } from 'vitest';
import { type DesiredWeights, planRepairs, replicaDrift } from '../../../server/weights/reconciler.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';

const PREFIX = 'routing.split';
const desired: DesiredWeights = { auditId: 'c1', at: 1000, weights: { v1: 50, v2: 50 } };
const seen = (startedAt: number, values: Record<string, string>) => ({
  startedAt,
  runtime: new Map(Object.entries(values)),
});

describe('replicaDrift', () => {
  it('is unknown without a scrape since the change or without a prefix', () => {
    expect(replicaDrift(PREFIX, desired, undefined)).toBeUndefined();
    expect(replicaDrift(PREFIX, desired, seen(999, {}))).toBeUndefined();
    expect(replicaDrift(null, desired, seen(2000, {}))).toBeUndefined();
  });

  it('compares the values Envoy would read: unsigned integers, whitespace allowed', () => {
    expect(
      replicaDrift(PREFIX, desired, seen(1000, { 'routing.split.v1': '50', 'routing.split.v2': ' 50 ' })),
    ).toBe(false);
    expect(
      replicaDrift(PREFIX, desired, seen(2000, { 'routing.split.v1': '80', 'routing.split.v2': '20' })),
    ).toBe(true);
    // A restart without a disk layer: the keys are gone, the configured weights apply.
    expect(replicaDrift(PREFIX, desired, seen(2000, {}))).toBe(true);
    // Not an integer: Envoy ignores it and uses the configured weight, so it does not hold 50.
    expect(
      replicaDrift(PREFIX, desired, seen(2000, { 'routing.split.v1': '50.0', 'routing.split.v2': '50' })),
    ).toBe(true);
  });
});

const route = (
  replicas: string[],
  clusters = ['v1', 'v2'],
  prefix: string | null = PREFIX,
): WeightedRoute => ({
  id: 'ns/web/l/rc/vh/0',
  source: { namespace: 'ns', workload: 'web' },
  replicas: replicas.map((sidecarId) => ({ sidecarId, adminUrl: '' })),
  listener: 'l',
  routeConfig: 'rc',
  virtualHost: 'vh',
  routeName: null,
  match: 'prefix /',
  runtimeKeyPrefix: prefix,
  totalWeight: 100,
  clusters: clusters.map((name) => ({
    name,
    configuredWeight: 50,
    runtimeWeight: null,
    effectiveWeight: 50,
    destination: null,
    observedShare: null,
  })),
  version: 'v',
});

describe('planRepairs', () => {
  const views = {
    a: seen(2000, { 'routing.split.v1': '50', 'routing.split.v2': '50' }),
    b: seen(2000, { 'routing.split.v1': '80', 'routing.split.v2': '20' }),
    c: seen(500, {}),
  };
  const lookup = (id: string) => views[id as keyof typeof views];

  it('repairs each drifting replica with every key of the route, and only those', () => {
    expect(planRepairs([{ route: route(['a', 'b', 'c', 'd']), desired }], lookup)).toEqual([
      {
        routeId: 'ns/web/l/rc/vh/0',
        sidecarId: 'b',
        auditId: 'c1',
        values: { 'routing.split.v1': '50', 'routing.split.v2': '50' },
      },
    ]);
  });

  it('leaves a route alone whose clusters changed since the change, or that lost its prefix', () => {
    expect(planRepairs([{ route: route(['b'], ['v1', 'v2', 'v3']), desired }], lookup)).toEqual([]);
    expect(planRepairs([{ route: route(['b'], ['v1', 'v2'], null), desired }], lookup)).toEqual([]);
  });
});
