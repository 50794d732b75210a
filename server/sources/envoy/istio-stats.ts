// Istio's standard metrics in an istio-proxy scrape (`:15090/stats/prometheus`, or the merged
// `:15020/stats/prometheus`): `istio_requests_total` and `istio_request_duration_milliseconds`, one
// series per (reporter, source, destination, response code, response flags, …). They are grouped per
// destination as seen by one reporter; codes and flags are kept together (`"503|UO"`) because the flags
// tell a 503's cause (UO overflow, UH no healthy upstream, UF connect failure). Labels a proxy did not
// set read as "unknown", as Istio itself writes them.

import type { Labels, MetricFamily, ParsedExposition } from '../../metrics/prom-exposition.ts';
import { ISTIO_DESTINATION_LABELS, type IstioDestinationCounters } from '../../model/sidecar-data.ts';
import { HistogramSum } from './histogram-sum.ts';
import { detach } from './stat-labels.ts';

const REQUESTS = 'istio_requests_total';
const DURATION = 'istio_request_duration_milliseconds';

interface Group {
  counters: IstioDestinationCounters;
  duration: HistogramSum | undefined;
}

export function extractIstioCounters(parsed: ParsedExposition): IstioDestinationCounters[] {
  const groups = new Map<string, Group>();
  const requests = parsed.families.get(REQUESTS);
  if (requests !== undefined) {
    for (const s of requests.samples) {
      const g = groupOf(groups, s.labels);
      if (g === undefined || !Number.isFinite(s.value)) continue;
      const code = s.labels['response_code'] ?? 'unknown';
      const flags = s.labels['response_flags'] ?? '-';
      const key = `${code}|${flags}`;
      g.counters.byCodeAndFlags[key] = (g.counters.byCodeAndFlags[key] ?? 0) + s.value;
    }
  }
  for (const family of durationFamilies(parsed)) {
    for (const s of family.samples) {
      const g = groupOf(groups, s.labels);
      if (g === undefined || !Number.isFinite(s.value)) continue;
      g.duration ??= new HistogramSum();
      g.duration.add(s);
    }
  }
  const out: IstioDestinationCounters[] = [];
  for (const g of groups.values()) {
    g.counters.duration = g.duration?.result();
    out.push(g.counters);
  }
  return out;
}

/**
 * The duration histogram as one typed family, or, in scrapes without `# TYPE` lines (the merged
 * endpoint excerpt), as separate untyped `_bucket` / `_sum` / `_count` families.
 */
function durationFamilies(parsed: ParsedExposition): MetricFamily[] {
  const typed = parsed.families.get(DURATION);
  if (typed !== undefined && typed.type === 'histogram') return [typed];
  const out: MetricFamily[] = [];
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const f = parsed.families.get(DURATION + suffix);
    if (f !== undefined) out.push(f);
  }
  return out;
}

function groupOf(groups: Map<string, Group>, labels: Labels): Group | undefined {
  const reporter = labels['reporter'];
  if (reporter !== 'source' && reporter !== 'destination') return undefined;
  const values = ISTIO_DESTINATION_LABELS.map((name) => labels[name] ?? 'unknown');
  const key = `${reporter}\u0000${values.join('\u0000')}`;
  let g = groups.get(key);
  if (g === undefined) {
    const [sw, sn, dw, dn, ds, da, dv] = values.map(detach) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    g = {
      counters: {
        reporter,
        sourceWorkload: sw,
        sourceNamespace: sn,
        destinationWorkload: dw,
        destinationNamespace: dn,
        destinationService: ds,
        destinationApp: da,
        destinationVersion: dv,
        byCodeAndFlags: {},
        duration: undefined,
      },
      duration: undefined,
    };
    groups.set(key, g);
  }
  return g;
}
