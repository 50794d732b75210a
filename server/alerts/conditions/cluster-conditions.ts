// Rules over each sidecar's upstream clusters: open circuit breakers, overflows (UO), outlier
// ejections, and hosts that are not healthy.
import type { ClusterFacts, MeshSnapshot } from '../mesh-snapshot.ts';
import type { Candidate, SettingsLookup } from './candidate.ts';

function candidate(
  rule: Candidate['rule'],
  c: ClusterFacts,
  value: number,
  summary: string,
  description: string,
): Candidate {
  return {
    rule,
    subject: c,
    where: { cluster: c.cluster, sidecar: c.sidecarId, ...(c.edge !== undefined && { edge: c.edge }) },
    value,
    summary,
    description: `${c.sidecarId}, cluster ${c.cluster}: ${description}`,
  };
}

export function evaluateClusters(snap: MeshSnapshot, settings: SettingsLookup): Candidate[] {
  const out: Candidate[] = [];
  for (const c of snap.clusters) {
    const ns = c.namespace;
    const breakers = settings('circuitBreakerOpen', ns);
    const open = c.gauges?.openBreakers ?? [];
    if (breakers !== undefined && open.length > breakers.threshold) {
      out.push(
        candidate(
          'circuitBreakerOpen',
          c,
          open.length,
          `Circuit breaker open on ${c.cluster} (${c.workload})`,
          `circuit_breakers ${open.join(', ')} open: new requests or connections over the limit are refused (503 UO).`,
        ),
      );
    }
    const overflow = settings('upstreamOverflow', ns);
    if (overflow !== undefined && c.overflowRate > overflow.threshold) {
      out.push(
        candidate(
          'upstreamOverflow',
          c,
          c.overflowRate,
          `${c.overflowRate.toFixed(2)}/s overflowing on ${c.cluster} (${c.workload})`,
          `${c.overflowRate.toFixed(2)} requests or connections per second refused by a circuit breaker over the last ${snap.windowSeconds}s (upstream_rq_pending_overflow + upstream_cx_overflow, 503 UO).`,
        ),
      );
    }
    const ejections = settings('outlierEjections', ns);
    const ejected = c.gauges?.ejectionsActive ?? c.hosts.ejected;
    if (ejections !== undefined && ejected > ejections.threshold) {
      out.push(
        candidate(
          'outlierEjections',
          c,
          ejected,
          `${ejected} host(s) ejected from ${c.cluster} (${c.workload})`,
          `outlier_detection.ejections_active = ${ejected}: hosts taken out of load balancing by outlier detection.`,
        ),
      );
    }
    const unhealthy = settings('unhealthyHosts', ns);
    // Envoy's own gauges when the sidecar reports them, else /clusters' host health flags.
    const total = c.gauges?.membershipTotal ?? c.hosts.total;
    const healthy = c.gauges?.membershipHealthy ?? c.hosts.healthy;
    if (unhealthy !== undefined && total > 0 && total - healthy > unhealthy.threshold) {
      out.push(
        candidate(
          'unhealthyHosts',
          c,
          total - healthy,
          `${healthy}/${total} healthy hosts in ${c.cluster} (${c.workload})`,
          `membership_healthy ${healthy} < membership_total ${total}.`,
        ),
      );
    }
  }
  return out;
}
