// Sidecars that cannot be scraped: the `for` of the rule (30 s by default) is how long scrapes must
// have kept failing, as `up == 0` for 30s would say in Prometheus.
import type { MeshSnapshot } from '../mesh-snapshot.ts';
import type { Candidate, SettingsLookup } from './candidate.ts';

export function evaluateSidecars(snap: MeshSnapshot, settings: SettingsLookup): Candidate[] {
  const out: Candidate[] = [];
  for (const s of snap.sidecars) {
    if (s.up || settings('sidecarScrapeFailing', s.namespace) === undefined) continue;
    const since =
      s.lastSuccess === null
        ? 'never scraped successfully'
        : `last success ${Math.round((snap.at - s.lastSuccess) / 1000)}s ago`;
    out.push({
      rule: 'sidecarScrapeFailing',
      subject: s,
      where: { sidecar: s.id },
      value: s.lastSuccess === null ? 0 : (snap.at - s.lastSuccess) / 1000,
      summary: `Sidecar ${s.id} cannot be scraped`,
      description: `${s.id}: ${s.lastError ?? 'scrape failed'} (${since}).`,
    });
  }
  return out;
}
