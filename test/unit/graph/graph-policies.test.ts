import { describe, expect, it } from 'vitest';
import { mergePolicies } from '../../../server/graph/edge-policies.ts';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import type { SidecarPolicyConfig } from '../../../server/model/policy-config.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { policyBadges } from '../../../shared/api/policies.ts';
import { FakeTrafficSource, host, traffic } from './fake-traffic-source.ts';
import { edgeOf, nodeOf } from './graph-lookup.ts';
import { seedLab } from './meshes.ts';

const FRONTEND = 'workload:default:frontend';
const V1 = 'workload:default:backend-v1';
const V2 = 'workload:default:backend-v2';

/** The lab's frontend sidecar with its resilience exercises configured at once. */
function labPolicies(): SidecarPolicyConfig {
  return {
    clusters: new Map([
      [
        'backend_v1',
        {
          circuitBreakers: [{ priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 }],
          outlierDetection: {
            consecutive5xx: 3,
            intervalMs: 1000,
            baseEjectionTimeMs: 30_000,
            maxEjectionPercent: 100,
          },
        },
      ],
    ]),
    routes: [
      {
        listener: 'listener_0',
        statPrefix: 'egress_http',
        clusters: ['backend_v1', 'backend_v2'],
        retries: { retryOn: ['5xx'], numRetries: 3 },
        timeoutMs: 3000,
        mirrors: [{ cluster: 'backend_shadow', percent: 100 }],
        hashOn: [],
        fault: { delay: { fixedDelayMs: 7000, percent: 100 }, headers: ['end-user = jason'] },
      },
      // The inbound listener's route to the local app, with a fault of its own.
      {
        listener: 'ingress',
        statPrefix: 'ingress_http',
        clusters: ['local_app'],
        mirrors: [],
        hashOn: [],
        fault: { abort: { httpStatus: 503, percent: 10 }, headers: [] },
      },
    ],
  };
}

function labGraph(opts: { configured?: boolean } = {}) {
  const { inventory, sidecars } = seedLab();
  const frontend = sidecars['default/app-with-envoy']!;
  frontend.clusters = {
    ...frontend.clusters,
    backend_v1: traffic(8, { '5xx': 1, rate503: 1, causes503: { overflow: 0.75, upstream: 0.25 } }),
    backend_shadow: traffic(5),
    local_app: traffic(10),
  };
  frontend.hosts = {
    ...frontend.hosts,
    // The shadow is backend-v2's pod, as in the lab's mirroring exercise.
    backend_shadow: [host('10.244.0.22', 80)],
    local_app: [host('10.244.0.10', 8080)],
  };
  if (opts.configured !== false) {
    frontend.policies = labPolicies();
    frontend.gauges = {
      backend_v1: {
        openBreakers: ['default.rq_pending_open'],
        ejectionsActive: 1,
        membershipHealthy: 1,
        membershipTotal: 2,
      },
    };
    frontend.policyFigures = {
      clusters: new Map([['backend_v1', { retryRps: 0.5, retryOverflowRps: 0.1, timeoutRps: 0.2 }]]),
      faults: new Map([
        ['egress_http', { abortsRps: 0, delaysRps: 0.3 }],
        ['ingress_http', { abortsRps: 1, delaysRps: 0 }],
      ]),
    };
  }
  return buildGraph(inventory, new FakeTrafficSource(sidecars), { graphType: 'workload' });
}

describe('policies on the graph', () => {
  const graph = labGraph();

  it('is a valid wire graph', () => {
    expect(() => GraphSchema.parse(graph)).not.toThrow();
  });

  it("puts the cluster's and route's policies on the edge, with their figures", () => {
    const v1 = edgeOf(graph, FRONTEND, V1);
    expect(v1.policies).toEqual({
      circuitBreaker: {
        thresholds: [{ priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 }],
        open: ['default.rq_pending_open'],
        overflowRps: 0.75,
        retryOverflowRps: 0.1,
      },
      outlierDetection: {
        consecutive5xx: 3,
        intervalMs: 1000,
        baseEjectionTimeMs: 30_000,
        maxEjectionPercent: 100,
        ejectedHosts: 1,
      },
      retries: { retryOn: ['5xx'], numRetries: 3, rps: 0.5 },
      timeout: { timeoutMs: 3000, rps: 0.2 },
      mirrors: [{ cluster: 'backend_shadow', percent: 100 }],
      fault: {
        delay: { fixedDelayMs: 7000, percent: 100 },
        headers: ['end-user = jason'],
        abortsRps: 0,
        delaysRps: 0.3,
      },
      sources: ['envoy'],
    });
    expect(policyBadges(v1.policies)).toEqual([
      'circuitBreakerOpen',
      'ejected',
      'retries',
      'timeout',
      'fault',
      'mirror',
    ]);
    // backend_v2 shares the route (retries, timeout, mirror, fault) but not backend_v1's cluster settings.
    const v2 = edgeOf(graph, FRONTEND, V2);
    expect(policyBadges(v2.policies)).toEqual(['retries', 'timeout', 'fault', 'mirror']);
  });

  it('draws mirrored traffic as its own edge with the shadow cluster rate, outside the caller’s outbound', () => {
    const mirrors = graph.edges.filter((e) => e.mirror === true);
    expect(mirrors).toHaveLength(1);
    expect(mirrors[0]).toMatchObject({
      id: `${FRONTEND},${V2},mirror`,
      source: FRONTEND,
      target: V2,
      clusters: ['backend_shadow'],
      traffic: { rps: 5 },
    });
    expect(edgeOf(graph, FRONTEND, V2).mirror).toBeUndefined();
    expect(nodeOf(graph, FRONTEND).outbound.rps).toBe(10);
    expect(nodeOf(graph, V2).inbound.rps).toBe(7);
  });

  it("gives a node its inbound listener's fault and its callers' policies towards it", () => {
    const frontend = nodeOf(graph, FRONTEND);
    expect(frontend.policies?.fault).toEqual({
      abort: { httpStatus: 503, percent: 10 },
      headers: [],
      abortsRps: 1,
      delaysRps: 0,
    });
    expect(policyBadges(nodeOf(graph, V1).policies)).toContain('circuitBreakerOpen');
  });

  it('shows breakers that refused requests even with default thresholds, and nothing without policies', () => {
    const plain = labGraph({ configured: false });
    const v1 = edgeOf(plain, FRONTEND, V1);
    expect(v1.policies?.circuitBreaker).toEqual({
      thresholds: [],
      open: [],
      overflowRps: 0.75,
      retryOverflowRps: 0,
    });
    expect(edgeOf(plain, FRONTEND, V2).policies).toBeUndefined();
    // Without a mirror policy the shadow cluster is an ordinary destination.
    expect(plain.edges.some((e) => e.mirror === true)).toBe(false);
  });
});

describe('mergePolicies', () => {
  it('adds rates, unions open breakers and keeps the largest ejection count', () => {
    const a = {
      circuitBreaker: { thresholds: [], open: ['default.cx_open'], overflowRps: 1, retryOverflowRps: 0 },
      outlierDetection: { ejectedHosts: 1 },
      retries: { retryOn: ['5xx'], numRetries: 2, rps: 1 },
    };
    const b = {
      circuitBreaker: {
        thresholds: [],
        open: ['default.rq_pending_open'],
        overflowRps: 2,
        retryOverflowRps: 0,
      },
      outlierDetection: { ejectedHosts: 2 },
      retries: { retryOn: ['5xx'], numRetries: 2, rps: 3 },
    };
    expect(mergePolicies(a, b)).toEqual({
      circuitBreaker: {
        thresholds: [],
        open: ['default.cx_open', 'default.rq_pending_open'],
        overflowRps: 3,
        retryOverflowRps: 0,
      },
      outlierDetection: { ejectedHosts: 2 },
      retries: { retryOn: ['5xx'], numRetries: 2, rps: 4 },
    });
    expect(mergePolicies(undefined, undefined)).toBeUndefined();
  });
});
