// Rules over the workload graph's edges: 503 and 5xx ratios, p99 latency, and traffic that stopped.

import { TRAFFIC_MEMORY_MS } from '../default-rules.ts';
import type { EdgeFacts, MeshSnapshot } from '../mesh-snapshot.ts';
import { type Candidate, percent, type SettingsLookup } from './candidate.ts';

function ratioRule(
  rule: 'edge503Ratio' | 'edge5xxRatio',
  edge: EdgeFacts,
  windowSeconds: number,
  settings: SettingsLookup,
): Candidate | undefined {
  const s = settings(rule, edge.namespace);
  const t = edge.traffic;
  if (s === undefined || !(t.rps > 0) || t.rps * windowSeconds < s.minRequests) return undefined;
  const bad = rule === 'edge503Ratio' ? t.rate503 : t.status['5xx'];
  const ratio = bad / t.rps;
  if (!(ratio > s.threshold)) return undefined;
  const what = rule === 'edge503Ratio' ? '503' : '5xx';
  const c = t.causes503;
  const causes =
    rule === 'edge503Ratio'
      ? ` (by cause per second: UO ${c.overflow.toFixed(2)}, UH ${c.noHealthyUpstream.toFixed(2)}, UF ${c.connectFailure.toFixed(2)}, upstream ${c.upstream.toFixed(2)})`
      : '';
  return {
    rule,
    subject: edge,
    where: { edge: edge.id },
    value: ratio,
    summary: `${percent(ratio)} ${what} from ${edge.workload} to ${edge.target}`,
    description: `${edge.namespace}/${edge.workload} → ${edge.target}: ${percent(ratio)} of ${t.rps.toFixed(2)} rps answered ${what} over the last ${windowSeconds}s${causes}, above ${percent(s.threshold)}.`,
  };
}

function latencyRule(
  edge: EdgeFacts,
  windowSeconds: number,
  settings: SettingsLookup,
): Candidate | undefined {
  const s = settings('edgeLatencyP99', edge.namespace);
  const t = edge.traffic;
  if (s === undefined || t.latencyMs === null || t.rps * windowSeconds < s.minRequests) return undefined;
  const p99 = t.latencyMs.p99;
  if (!(p99 > s.threshold)) return undefined;
  return {
    rule: 'edgeLatencyP99',
    subject: edge,
    where: { edge: edge.id },
    value: p99,
    summary: `p99 ${p99.toFixed(0)} ms from ${edge.workload} to ${edge.target}`,
    description: `${edge.namespace}/${edge.workload} → ${edge.target}: 99th percentile latency ${p99.toFixed(1)} ms over the last ${windowSeconds}s, above ${s.threshold} ms.`,
  };
}

/** An edge's last traffic: the memory trafficStopped needs across evaluations. */
export interface EdgeActivity {
  edge: EdgeFacts;
  /** Epoch ms of the last evaluation that saw it carry at least the rule's threshold. */
  at: number;
  rps: number;
}

export function evaluateEdges(
  snap: MeshSnapshot,
  settings: SettingsLookup,
  activity: Map<string, EdgeActivity>,
): Candidate[] {
  const out: Candidate[] = [];
  const live = new Set<string>();
  for (const edge of snap.edges) {
    for (const c of [
      ratioRule('edge503Ratio', edge, snap.windowSeconds, settings),
      ratioRule('edge5xxRatio', edge, snap.windowSeconds, settings),
      latencyRule(edge, snap.windowSeconds, settings),
    ]) {
      if (c !== undefined) out.push(c);
    }
    const stopped = settings('trafficStopped', edge.namespace);
    if (edge.traffic.rps > 0) live.add(edge.id);
    if (stopped !== undefined && edge.traffic.rps >= stopped.threshold && edge.traffic.rps > 0) {
      activity.set(edge.id, { edge, at: snap.at, rps: edge.traffic.rps });
    }
  }
  for (const [id, a] of activity) {
    if (snap.at - a.at > TRAFFIC_MEMORY_MS) {
      activity.delete(id);
      continue;
    }
    if (live.has(id) || settings('trafficStopped', a.edge.namespace) === undefined) continue;
    const ago = Math.round((snap.at - a.at) / 1000);
    out.push({
      rule: 'trafficStopped',
      subject: a.edge,
      where: { edge: id },
      value: a.rps,
      summary: `No traffic from ${a.edge.workload} to ${a.edge.target}`,
      description: `${a.edge.namespace}/${a.edge.workload} → ${a.edge.target} carried ${a.rps.toFixed(2)} rps ${ago}s ago and none over the last ${snap.windowSeconds}s.`,
    });
  }
  return out;
}
