// Rules over what each workload sends to each upstream cluster (drawn as graph edges): 503 and 5xx
// ratios, p99 latency, and traffic that stopped.
//
// Requests refused for want of a healthy host (UH) are counted by Envoy in `upstream_cx_none_healthy`
// only, not in `upstream_rq_total` nor `upstream_rq_503`; they are added to both sides of the ratios
// (the exported PromQL does the same), so a cluster whose every host is down reads 100% 503.
import type { Traffic } from '../../../shared/api/graph.ts';
import { TRAFFIC_MEMORY_MS } from '../default-rules.ts';
import type { MeshSnapshot, UpstreamFacts } from '../mesh-snapshot.ts';
import { type Candidate, percent, type SettingsLookup } from './candidate.ts';

/** Requests per second the caller attempted: those sent upstream plus those refused UH. */
export function attemptedRps(t: Traffic): number {
  return t.rps + t.causes503.noHealthyUpstream;
}

function ratioRule(
  rule: 'edge503Ratio' | 'edge5xxRatio',
  u: UpstreamFacts,
  windowSeconds: number,
  settings: SettingsLookup,
): Candidate | undefined {
  const s = settings(rule, u.namespace);
  const t = u.traffic;
  const attempted = attemptedRps(t);
  if (s === undefined || !(attempted > 0) || attempted * windowSeconds < s.minRequests) return undefined;
  const uh = t.causes503.noHealthyUpstream;
  const ratio = ((rule === 'edge503Ratio' ? t.rate503 : t.status['5xx']) + uh) / attempted;
  if (!(ratio > s.threshold)) return undefined;
  const what = rule === 'edge503Ratio' ? '503' : '5xx';
  const c = t.causes503;
  const causes =
    rule === 'edge503Ratio'
      ? ` (per second: UO ${c.overflow.toFixed(2)}, UH ${uh.toFixed(2)}, UF ${c.connectFailure.toFixed(2)}, from upstream ${c.upstream.toFixed(2)})`
      : '';
  return {
    rule,
    subject: u,
    where: { cluster: u.cluster, ...(u.edge !== undefined && { edge: u.edge }) },
    value: ratio,
    summary: `${percent(ratio)} ${what} from ${u.workload} to ${u.target}`,
    description: `${u.namespace}/${u.workload} → ${u.target} (cluster ${u.cluster}): ${percent(ratio)} of ${attempted.toFixed(2)} requests per second answered ${what} over the last ${windowSeconds}s${causes}, above ${percent(s.threshold)}.`,
  };
}

function latencyRule(
  u: UpstreamFacts,
  windowSeconds: number,
  settings: SettingsLookup,
): Candidate | undefined {
  const s = settings('edgeLatencyP99', u.namespace);
  const t = u.traffic;
  if (s === undefined || t.latencyMs === null || t.rps * windowSeconds < s.minRequests) return undefined;
  const p99 = t.latencyMs.p99;
  if (!(p99 > s.threshold)) return undefined;
  return {
    rule: 'edgeLatencyP99',
    subject: u,
    where: { cluster: u.cluster, ...(u.edge !== undefined && { edge: u.edge }) },
    value: p99,
    summary: `p99 ${p99.toFixed(0)} ms from ${u.workload} to ${u.target}`,
    description: `${u.namespace}/${u.workload} → ${u.target} (cluster ${u.cluster}): 99th percentile latency ${p99.toFixed(1)} ms over the last ${windowSeconds}s, above ${s.threshold} ms.`,
  };
}

/** An upstream's last traffic: the memory trafficStopped needs across evaluations. */
export interface UpstreamActivity {
  facts: UpstreamFacts;
  /** Epoch ms of the last evaluation that saw it carry at least the rule's threshold. */
  at: number;
  rps: number;
}

export function evaluateUpstreams(
  snap: MeshSnapshot,
  settings: SettingsLookup,
  activity: Map<string, UpstreamActivity>,
): Candidate[] {
  const out: Candidate[] = [];
  const live = new Set<string>();
  for (const u of snap.upstreams) {
    for (const c of [
      ratioRule('edge503Ratio', u, snap.windowSeconds, settings),
      ratioRule('edge5xxRatio', u, snap.windowSeconds, settings),
      latencyRule(u, snap.windowSeconds, settings),
    ]) {
      if (c !== undefined) out.push(c);
    }
    const rps = attemptedRps(u.traffic);
    if (rps > 0) live.add(u.key);
    const stopped = settings('trafficStopped', u.namespace);
    if (stopped !== undefined && rps > 0 && rps >= stopped.threshold) {
      activity.set(u.key, { facts: u, at: snap.at, rps });
    }
  }
  // A workload with a sidecar that cannot be scraped: its counters stopped, not necessarily its traffic
  // (sidecarScrapeFailing says so instead).
  const unseen = new Set(snap.sidecars.filter((s) => !s.up).map((s) => `${s.namespace}/${s.workload}`));
  for (const [key, a] of activity) {
    if (snap.at - a.at > TRAFFIC_MEMORY_MS) {
      activity.delete(key);
      continue;
    }
    const u = a.facts;
    if (live.has(key) || unseen.has(`${u.namespace}/${u.workload}`)) continue;
    if (settings('trafficStopped', u.namespace) === undefined) continue;
    const ago = Math.round((snap.at - a.at) / 1000);
    out.push({
      rule: 'trafficStopped',
      subject: u,
      where: { cluster: u.cluster, ...(u.edge !== undefined && { edge: u.edge }) },
      value: a.rps,
      summary: `No traffic from ${u.workload} to ${u.target}`,
      description: `${u.namespace}/${u.workload} → ${u.target} (cluster ${u.cluster}) carried ${a.rps.toFixed(2)} requests per second ${ago}s ago and none over the last ${snap.windowSeconds}s.`,
    });
  }
  return out;
}
