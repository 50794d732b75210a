// Every rule over plain snapshots: when it holds, when it does not (threshold, minimum requests,
// disabled, another namespace's override), and what it says.
import { describe, expect, it } from 'vitest';
import { candidates } from '../../../server/alerts/alert-engine.ts';
import type { Candidate } from '../../../server/alerts/conditions/candidate.ts';
import type { UpstreamActivity } from '../../../server/alerts/conditions/edge-conditions.ts';
import type { MeshSnapshot } from '../../../server/alerts/mesh-snapshot.ts';
import { defaultRuleSet, parseRulesFile, type RuleSet } from '../../../server/alerts/rules-file.ts';
import type { AlertRuleId } from '../../../shared/api/alerts.ts';
import { cluster, route, sidecar, snapshot, traffic, upstream } from './snapshot-data.ts';

function fired(snap: MeshSnapshot, rule: AlertRuleId, set: RuleSet = defaultRuleSet()): Candidate[] {
  return candidates(set, snap, new Map()).filter((c) => c.rule === rule);
}

describe('edge503Ratio', () => {
  it('holds above 1% of requests, with enough requests in the window', () => {
    const at = (rate503: number, rps = 10) =>
      snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps, rate503 }) })] });
    expect(fired(at(0.2), 'edge503Ratio')).toHaveLength(1); // 2%
    expect(fired(at(0.1), 'edge503Ratio')).toHaveLength(0); // exactly 1%: not above
    expect(fired(at(0.05), 'edge503Ratio')).toHaveLength(0);
    // 0.3 rps × 60 s = 18 requests < 20: too little traffic to judge, even at 100%.
    expect(fired(at(0.3, 0.3), 'edge503Ratio')).toHaveLength(0);
  });

  it('counts requests refused for want of a healthy host (UH) on both sides', () => {
    const snap = snapshot(0, {
      upstreams: [upstream({ edge: undefined, traffic: traffic({ rps: 0, uh: 4 }) })],
    });
    const [c] = fired(snap, 'edge503Ratio');
    expect(c!.value).toBe(1);
    expect(c!.description).toContain('UH 4.00');
    const mixed = snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 9, rate503: 0, uh: 1 }) })] });
    expect(fired(mixed, 'edge503Ratio')[0]!.value).toBeCloseTo(0.1);
  });

  it('uses a namespace’s override there only', () => {
    const set = parseRulesFile('namespaces:\n  payments:\n    edge503Ratio: { threshold: 0.001 }\n');
    const snap = snapshot(0, {
      upstreams: [
        upstream({ namespace: 'payments', traffic: traffic({ rps: 10, rate503: 0.05 }) }),
        upstream({ namespace: 'shop', traffic: traffic({ rps: 10, rate503: 0.05 }) }),
      ],
    });
    expect(fired(snap, 'edge503Ratio', set).map((c) => c.subject.namespace)).toEqual(['payments']);
  });

  it('says nothing when disabled', () => {
    const set = parseRulesFile('rules:\n  edge503Ratio: { enabled: false }\n');
    const snap = snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 10, rate503: 10 }) })] });
    expect(fired(snap, 'edge503Ratio', set)).toEqual([]);
  });
});

describe('edge5xxRatio', () => {
  it('holds above 5% 5xx (503s and other 5xx alike)', () => {
    const at = (s5xx: number) =>
      snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 10, s5xx }) })] });
    expect(fired(at(0.6), 'edge5xxRatio')[0]!.value).toBeCloseTo(0.06);
    expect(fired(at(0.5), 'edge5xxRatio')).toEqual([]);
  });
});

describe('edgeLatencyP99', () => {
  it('holds when p99 exceeds the threshold with enough requests', () => {
    const at = (p99: number, rps = 10) =>
      snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps, p99 }) })] });
    expect(fired(at(1500), 'edgeLatencyP99')[0]!.value).toBe(1500);
    expect(fired(at(900), 'edgeLatencyP99')).toEqual([]);
    expect(fired(at(1500, 0.1), 'edgeLatencyP99')).toEqual([]);
    expect(
      fired(snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 10 }) })] }), 'edgeLatencyP99'),
    ).toEqual([]);
  });
});

describe('circuitBreakerOpen and upstreamOverflow', () => {
  it('fires on an open breaker gauge, naming it', () => {
    const gauges = {
      openBreakers: ['default.rq_pending_open'],
      ejectionsActive: 0,
      membershipHealthy: 1,
      membershipTotal: 1,
    };
    const [c] = fired(snapshot(0, { clusters: [cluster({ gauges })] }), 'circuitBreakerOpen');
    expect(c!.description).toContain('default.rq_pending_open');
    expect(c!.where).toMatchObject({ cluster: 'backend_v1', sidecar: 'default/frontend/0' });
    expect(
      fired(
        snapshot(0, { clusters: [cluster({ gauges: { ...gauges, openBreakers: [] } })] }),
        'circuitBreakerOpen',
      ),
    ).toEqual([]);
  });

  it('fires on any overflow (UO) rate above 0', () => {
    expect(
      fired(snapshot(0, { clusters: [cluster({ overflowRate: 0.02 })] }), 'upstreamOverflow'),
    ).toHaveLength(1);
    expect(fired(snapshot(0, { clusters: [cluster({ overflowRate: 0 })] }), 'upstreamOverflow')).toEqual([]);
  });
});

describe('outlierEjections and unhealthyHosts', () => {
  it('reads ejections_active, else the hosts flagged failed_outlier_check', () => {
    const g = { openBreakers: [], ejectionsActive: 2, membershipHealthy: 1, membershipTotal: 3 };
    expect(fired(snapshot(0, { clusters: [cluster({ gauges: g })] }), 'outlierEjections')[0]!.value).toBe(2);
    const hostsOnly = cluster({ hosts: { total: 3, healthy: 2, ejected: 1 } });
    expect(fired(snapshot(0, { clusters: [hostsOnly] }), 'outlierEjections')[0]!.value).toBe(1);
    expect(fired(snapshot(0, { clusters: [cluster({})] }), 'outlierEjections')).toEqual([]);
  });

  it('compares membership_healthy with membership_total (gauges first, then /clusters)', () => {
    const g = { openBreakers: [], ejectionsActive: 0, membershipHealthy: 1, membershipTotal: 3 };
    const [c] = fired(snapshot(0, { clusters: [cluster({ gauges: g })] }), 'unhealthyHosts');
    expect(c!.value).toBe(2);
    expect(c!.summary).toContain('1/3 healthy hosts');
    expect(
      fired(
        snapshot(0, { clusters: [cluster({ hosts: { total: 2, healthy: 1, ejected: 0 } })] }),
        'unhealthyHosts',
      ),
    ).toHaveLength(1);
    expect(
      fired(
        snapshot(0, { clusters: [cluster({ hosts: { total: 0, healthy: 0, ejected: 0 } })] }),
        'unhealthyHosts',
      ),
    ).toEqual([]);
  });
});

describe('weightShareDrift', () => {
  const split = (requests: number, v1: number) =>
    snapshot(0, {
      routes: [
        route({
          requests,
          clusters: [
            { name: 'backend_v1', configuredShare: 0.8, requests: v1, edge: 'e1' },
            { name: 'backend_v2', configuredShare: 0.2, requests: requests - v1, edge: 'e2' },
          ],
        }),
      ],
    });

  it('is quiet while the observed split is within the 99.9% binomial interval', () => {
    // 1000 requests at 80/20: the interval of v1 is [757, 841].
    expect(fired(split(1000, 800), 'weightShareDrift')).toEqual([]);
    expect(fired(split(1000, 760), 'weightShareDrift')).toEqual([]);
  });

  it('fires for each cluster outside it', () => {
    const c = fired(split(1000, 700), 'weightShareDrift');
    expect(c.map((x) => x.where.cluster)).toEqual(['backend_v1', 'backend_v2']);
    expect(c[0]!.value).toBeCloseTo(0.7);
    expect(c[0]!.where).toMatchObject({ route: 'default/frontend/listener/rc/vh/0', edge: 'e1' });
    expect(c[0]!.description).toMatch(/700 of 1000 requests .* outside \[\d+, \d+\]/);
  });

  it('needs the minimum requests: a 60/40 split of 50 requests says nothing', () => {
    expect(fired(split(50, 30), 'weightShareDrift')).toEqual([]);
  });
});

describe('replicaWeightsDrift', () => {
  it('fires per replica whose runtime differs from the desired weights', () => {
    const snap = snapshot(0, {
      routes: [
        route({
          replicas: [
            { sidecarId: 'default/frontend/0', drift: true },
            { sidecarId: 'default/frontend/1', drift: false },
            { sidecarId: 'default/frontend/2', drift: undefined },
          ],
        }),
      ],
    });
    expect(fired(snap, 'replicaWeightsDrift').map((c) => c.where.sidecar)).toEqual(['default/frontend/0']);
  });
});

describe('sidecarScrapeFailing', () => {
  it('holds while the sidecar is down, saying since when', () => {
    const snap = snapshot(40_000, {
      sidecars: [
        sidecar({ up: false, lastSuccess: 10_000, lastError: 'connect ECONNREFUSED' }),
        sidecar({ id: 'x' }),
      ],
    });
    const [c] = fired(snap, 'sidecarScrapeFailing');
    expect(c!.value).toBe(30);
    expect(c!.description).toBe('default/backend-v1/0: connect ECONNREFUSED (last success 30s ago).');
    expect(fired(snapshot(0, { sidecars: [sidecar({})] }), 'sidecarScrapeFailing')).toEqual([]);
  });

  it('keeps the scrape error short: no repeated id, no admin URL query strings', () => {
    const lastError =
      'default/backend-v1/0: GET http://127.0.0.12:9901/stats/prometheus?usedonly&filter=%5Ecluster%5C..%2B (long): connect ECONNREFUSED';
    const [c] = fired(
      snapshot(5000, { sidecars: [sidecar({ up: false, lastSuccess: 0, lastError })] }),
      'sidecarScrapeFailing',
    );
    expect(c!.description).toBe(
      'default/backend-v1/0: GET http://127.0.0.12:9901/stats/prometheus (long): connect ECONNREFUSED (last success 5s ago).',
    );
  });
});

describe('trafficStopped', () => {
  it('fires when an upstream that carried traffic carries none, and forgets it after 10 minutes', () => {
    const memory = new Map<string, UpstreamActivity>();
    const set = defaultRuleSet();
    const busy = snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 5 }) })] });
    const idle = (at: number) => snapshot(at, { upstreams: [upstream({ traffic: traffic({ rps: 0 }) })] });
    const gone = (at: number) => snapshot(at, {});
    expect(candidates(set, busy, memory).filter((c) => c.rule === 'trafficStopped')).toEqual([]);
    const [c] = candidates(set, idle(60_000), memory).filter((c) => c.rule === 'trafficStopped');
    expect(c!.summary).toBe('No traffic from frontend to backend-v1');
    expect(c!.value).toBe(5);
    expect(candidates(set, gone(120_000), memory).filter((c) => c.rule === 'trafficStopped')).toHaveLength(1);
    expect(candidates(set, gone(601_000), memory).filter((c) => c.rule === 'trafficStopped')).toEqual([]);
    expect(memory.size).toBe(0);
  });

  it('says nothing while the workload’s sidecar cannot be scraped (its counters stopped, not its traffic)', () => {
    const memory = new Map<string, UpstreamActivity>();
    const set = defaultRuleSet();
    candidates(set, snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 5 }) })] }), memory);
    const down = snapshot(60_000, {
      sidecars: [sidecar({ id: 'default/frontend/0', workload: 'frontend', up: false })],
    });
    expect(candidates(set, down, memory).filter((c) => c.rule === 'trafficStopped')).toEqual([]);
  });

  it('does not fire for an upstream that never carried the threshold', () => {
    const memory = new Map<string, UpstreamActivity>();
    const set = defaultRuleSet();
    candidates(set, snapshot(0, { upstreams: [upstream({ traffic: traffic({ rps: 0.05 }) })] }), memory);
    expect(candidates(set, snapshot(1, {}), memory)).toEqual([]);
  });
});
