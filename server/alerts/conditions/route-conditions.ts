// Rules over weighted routes: the observed split against the configured weights (is the difference more
// than chance?), and replicas whose runtime disagrees with the weights set through meshscope.
import { binomialInterval } from '../binomial-interval.ts';
import type { MeshSnapshot } from '../mesh-snapshot.ts';
import { type Candidate, percent, type SettingsLookup } from './candidate.ts';

export function evaluateRoutes(snap: MeshSnapshot, settings: SettingsLookup): Candidate[] {
  const out: Candidate[] = [];
  for (const r of snap.routes) {
    const share = settings('weightShareDrift', r.namespace);
    const n = Math.round(r.requests);
    if (share !== undefined && n > 0 && n >= share.minRequests) {
      for (const c of r.clusters) {
        const k = Math.round(c.requests);
        const [lo, hi] = binomialInterval(n, c.configuredShare, share.threshold);
        if (k >= lo && k <= hi) continue;
        const observed = k / n;
        out.push({
          rule: 'weightShareDrift',
          subject: r,
          where: { route: r.id, cluster: c.name, ...(c.edge !== undefined && { edge: c.edge }) },
          value: observed,
          summary: `${c.name} takes ${percent(observed)} of ${r.workload}'s route, configured ${percent(c.configuredShare)}`,
          description: `Route ${r.id}: ${k} of ${n} requests over the last ${snap.windowSeconds}s went to ${c.name}, outside [${lo}, ${hi}], the ${Number((share.threshold * 100).toPrecision(6))}% binomial interval around its configured share ${percent(c.configuredShare)}.`,
        });
      }
    }
    const replicas = settings('replicaWeightsDrift', r.namespace);
    if (replicas === undefined) continue;
    for (const rep of r.replicas) {
      if (rep.drift !== true) continue;
      out.push({
        rule: 'replicaWeightsDrift',
        subject: r,
        where: { route: r.id, sidecar: rep.sidecarId },
        value: 1,
        summary: `${rep.sidecarId} does not serve the weights set for its route`,
        description: `Replica ${rep.sidecarId} of route ${r.id}: its /runtime differs from the weights last set through meshscope (reconciliation puts them back each cycle; a lasting drift means it cannot).`,
      });
    }
  }
  return out;
}
