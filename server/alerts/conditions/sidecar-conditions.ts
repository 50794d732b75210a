// Sidecars that cannot be scraped: the `for` of the rule (30 s by default) is how long scrapes must
// have kept failing, as `up == 0` for 30s would say in Prometheus.
import type { MeshSnapshot } from '../mesh-snapshot.ts';
import type { Candidate, SettingsLookup } from './candidate.ts';

/**
 * The scrape error without what repeats or swamps it: the sidecar id the scraper prefixes, and the
 * query strings of admin URLs (a `filter=` regex runs to hundreds of characters).
 */
export function scrapeErrorText(id: string, error: string | null): string {
  if (error === null) return 'scrape failed';
  const text = (error.startsWith(`${id}: `) ? error.slice(id.length + 2) : error).replace(
    /(https?:\/\/[^\s?]+)\?\S*/g,
    '$1',
  );
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

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
      description: `${s.id}: ${scrapeErrorText(s.id, s.lastError)} (${since}).`,
    });
  }
  return out;
}
