import { describe, expect, it } from 'vitest';
import { staleNodeIds, staleWorkloads } from '../../../client/src/graph/stale-nodes.ts';
import type { SidecarStatus } from '../../../shared/api/sidecars.ts';
import { graph, node } from './graph-fixture.ts';

function sidecar(namespace: string, workload: string, up: boolean, n = 0): SidecarStatus {
  return {
    id: `${namespace}/${workload}/${n}`,
    namespace,
    workload,
    kind: 'meshscope-proxy',
    adminUrl: 'http://127.0.0.1:9901/',
    up,
    lastSuccess: null,
    lastAttempt: null,
    lastDurationMs: null,
    lastBytes: null,
    lastError: up ? null : 'connect ECONNREFUSED',
  };
}

// The workload graph tells which app and version each workload is.
const workloads = graph(
  [
    node('workload:bookinfo:reviews-v2', { workload: 'reviews-v2', app: 'reviews', version: 'v2' }),
    node('workload:bookinfo:reviews-v1', { workload: 'reviews-v1', app: 'reviews', version: 'v1' }),
    node('workload:bookinfo:ratings-canary', { workload: 'ratings-canary', app: 'ratings', version: 'v9' }),
  ],
  [],
  { graphType: 'workload' },
);

describe('stale nodes', () => {
  const sidecars = [
    sidecar('bookinfo', 'reviews-v2', false),
    sidecar('bookinfo', 'reviews-v2', true, 1),
    sidecar('bookinfo', 'reviews-v1', true),
    sidecar('bookinfo', 'ratings-canary', false),
  ];

  it('lists each workload with a sidecar down once, with its labels', () => {
    expect(staleWorkloads(sidecars, workloads)).toEqual([
      { namespace: 'bookinfo', workload: 'reviews-v2', app: 'reviews', version: 'v2' },
      { namespace: 'bookinfo', workload: 'ratings-canary', app: 'ratings', version: 'v9' },
    ]);
    expect(staleWorkloads(sidecars.filter((s) => s.up))).toEqual([]);
  });

  it('marks the nodes drawn from those workloads in every graph type', () => {
    const stale = staleWorkloads(sidecars, workloads);
    const versioned = graph(
      [
        node('versionedApp:bookinfo:reviews:v2'),
        node('versionedApp:bookinfo:reviews:v1'),
        node('versionedApp:bookinfo:ratings:v9'),
        node('inbound:bookinfo:reviews:v2', { app: 'reviews', version: 'v2' }),
        node('versionedApp:other:reviews:v2'),
      ],
      [],
    );
    expect([...staleNodeIds(versioned, stale)]).toEqual([
      'versionedApp:bookinfo:reviews:v2',
      'versionedApp:bookinfo:ratings:v9',
    ]);
    const apps = graph([node('app:bookinfo:reviews'), node('app:bookinfo:details')], [], {
      graphType: 'app',
    });
    expect([...staleNodeIds(apps, stale)]).toEqual(['app:bookinfo:reviews']);
    const services = graph(
      [
        node('service:bookinfo:ratings', { app: 'ratings' }),
        node('service:bookinfo:details', { app: 'details' }),
      ],
      [],
      { graphType: 'service' },
    );
    expect([...staleNodeIds(services, stale)]).toEqual(['service:bookinfo:ratings']);
    const wl = graph([node('workload:bookinfo:reviews-v2', { workload: 'reviews-v2' })], [], {
      graphType: 'workload',
    });
    expect([...staleNodeIds(wl, stale)]).toEqual(['workload:bookinfo:reviews-v2']);
  });

  it('guesses from the usual app-version naming when labels are unknown', () => {
    const stale = staleWorkloads([
      sidecar('bookinfo', 'reviews-v2', false),
      sidecar('bookinfo', 'ratings-canary', false),
    ]);
    const g = graph([node('versionedApp:bookinfo:reviews:v2'), node('versionedApp:bookinfo:ratings:v9')], []);
    expect([...staleNodeIds(g, stale)]).toEqual(['versionedApp:bookinfo:reviews:v2']);
  });
});
