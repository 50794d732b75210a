// The seed lab with backend-v1 scaled to zero: its headless Service's STRICT_DNS name resolves to no
// host, so frontend's sidecar answers 503 UH on backend_v1 and /clusters lists no host for it. The
// edge is named from the cluster's configured address (config_dump load_assignment), not `unknown`.
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import type { Inventory } from '../../../server/model/inventory.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { FakeTrafficSource, traffic } from './fake-traffic-source.ts';
import { edgeOf, nodeOf, shape } from './graph-lookup.ts';
import { seedLab, service } from './meshes.ts';

const V1_NAME = 'backend-v1.default.svc.cluster.local';

function scaledToZero(configured: boolean) {
  const lab = seedLab({ v1: 4, v2: 1 });
  const inventory: Inventory = {
    ...lab.inventory,
    // The Deployment's pods are gone, and with them the Service's endpoints.
    workloads: lab.inventory.workloads.filter((w) => w.name !== 'backend-v1'),
    services: lab.inventory.services.map((s) =>
      s.name === 'backend-v1' ? service('default', 'backend-v1', [], s.selector, []) : s,
    ),
  };
  const sidecar = lab.sidecars['default/app-with-envoy']!;
  sidecar.clusters = {
    ...sidecar.clusters,
    backend_v1: traffic(4, { '5xx': 4, rate503: 4, causes503: { noHealthyUpstream: 4 } }),
  };
  sidecar.hosts = { ...sidecar.hosts, backend_v1: [] };
  if (configured) sidecar.configuredAddresses = { backend_v1: [V1_NAME] };
  return { inventory, source: new FakeTrafficSource(lab.sidecars) };
}

describe('a STRICT_DNS cluster with no host left', () => {
  it('shows its 503 UH on an edge to the Service its configured DNS name designates', () => {
    const { inventory, source } = scaledToZero(true);
    const g = buildGraph(inventory, source, { graphType: 'workload' });
    expect(() => GraphSchema.parse(g)).not.toThrow();
    expect(shape(g)).toEqual([
      'inbound:default:frontend -> workload:default:frontend',
      'workload:default:frontend -> service:default:backend-v1',
      'workload:default:frontend -> workload:default:backend-v2',
    ]);
    const edge = edgeOf(g, 'workload:default:frontend', 'service:default:backend-v1');
    expect(edge.clusters).toEqual(['backend_v1']);
    expect(edge.traffic.rps).toBe(4);
    expect(edge.traffic.rate503).toBe(4);
    expect(edge.traffic.causes503).toEqual({
      overflow: 0,
      noHealthyUpstream: 4,
      connectFailure: 0,
      upstream: 0,
    });
    expect(edge.health).toBe('failing');
    // The weighted route's configured share lands on the same edge.
    expect(edge.weights).toEqual([
      {
        routeId: 'default/frontend/listener_0/local_route/backend/0',
        cluster: 'backend_v1',
        configured: 0.8,
        observed: 0.8,
      },
    ]);
    expect(nodeOf(g, 'service:default:backend-v1')).toMatchObject({ kind: 'service', service: 'backend-v1' });
  });

  it('is the same Service node in the service graph', () => {
    const { inventory, source } = scaledToZero(true);
    const g = buildGraph(inventory, source, { graphType: 'service' });
    const edge = g.edges.find((e) => e.target === 'service:default:backend-v1');
    expect(edge?.traffic.causes503.noHealthyUpstream).toBe(4);
    expect(g.nodes.some((n) => n.kind === 'unknown')).toBe(false);
  });

  it('was `unknown` without the configured addresses (what an older scrape gives)', () => {
    const { inventory, source } = scaledToZero(false);
    const g = buildGraph(inventory, source, { graphType: 'workload' });
    expect(edgeOf(g, 'workload:default:frontend', 'unknown:default:backend_v1').traffic.rps).toBe(4);
  });
});
