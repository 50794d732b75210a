// Requests received by a sidecar's inbound listener: the HTTP connection manager's
// `http.<stat_prefix>.downstream_rq_total` and `downstream_rq_<N>xx`. Which HCM is the inbound one is a
// naming convention of the mesh: Istio names it `inbound_<ip>_<port>`, Consul `public_listener`. A
// plain Envoy sidecar (the seed lab's `ingress_http`) proxies its app's outbound calls, so its HCMs are
// not inbound unless the caller says so (`isInbound`). `admin` (the admin listener) never counts.

import type { Labels, ParsedExposition } from '../../metrics/prom-exposition.ts';
import type { SidecarScrape } from '../../model/sidecar-data.ts';
import { hcmPrefixOf, responseClassOf } from './stat-labels.ts';

export type InboundHcmPredicate = (statPrefix: string) => boolean;

/**
 * The inbound HCMs' stat prefixes (Istio's and Consul's conventions), as a regex anchored at both ends
 * the way PromQL's `=~` is: the Prometheus source selects the same HCMs with it, so both sources count
 * the same requests as inbound.
 */
export const INBOUND_HCM_PREFIXES = 'inbound.*|public_listener';
const INBOUND_HCM = new RegExp(`^(?:${INBOUND_HCM_PREFIXES})$`, 's');

export const defaultIsInboundHcm: InboundHcmPredicate = (prefix) => INBOUND_HCM.test(prefix);

const TOTAL = 'envoy_http_downstream_rq_total';
const XX_TAGGED = 'envoy_http_downstream_rq_xx';
const XX_UNTAGGED = ['1xx', '2xx', '3xx', '4xx', '5xx'].map((c) => `envoy_http_downstream_rq_${c}`);

interface HcmCounts {
  total: number;
  tagged: number[];
  untagged: number[];
}

export function extractDownstream(
  parsed: ParsedExposition,
  isInbound: InboundHcmPredicate = defaultIsInboundHcm,
): SidecarScrape['downstream'] {
  // Per HCM first: the tagged and untagged class counters of one HCM count the same requests.
  const byHcm = new Map<string, HcmCounts>();
  const countsOf = (labels: Labels): HcmCounts | undefined => {
    const prefix = hcmPrefixOf(labels);
    if (prefix === undefined || prefix === 'admin' || !isInbound(prefix)) return undefined;
    let c = byHcm.get(prefix);
    if (c === undefined) {
      c = { total: 0, tagged: [0, 0, 0, 0, 0], untagged: [0, 0, 0, 0, 0] };
      byHcm.set(prefix, c);
    }
    return c;
  };
  for (const s of parsed.families.get(TOTAL)?.samples ?? []) {
    const c = Number.isFinite(s.value) ? countsOf(s.labels) : undefined;
    if (c !== undefined) c.total += s.value;
  }
  for (const s of parsed.families.get(XX_TAGGED)?.samples ?? []) {
    const cls = responseClassOf(s.labels);
    const c = cls !== undefined && Number.isFinite(s.value) ? countsOf(s.labels) : undefined;
    if (c !== undefined) c.tagged[cls! - 1]! += s.value;
  }
  XX_UNTAGGED.forEach((name, i) => {
    for (const s of parsed.families.get(name)?.samples ?? []) {
      const c = Number.isFinite(s.value) ? countsOf(s.labels) : undefined;
      if (c !== undefined) c.untagged[i]! += s.value;
    }
  });
  if (byHcm.size === 0) return undefined;
  let rq_total = 0;
  const rq_xx: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const c of byHcm.values()) {
    let sum = 0;
    for (let i = 0; i < 5; i++) {
      const v = Math.max(c.tagged[i]!, c.untagged[i]!);
      rq_xx[i]! += v;
      sum += v;
    }
    rq_total += Math.max(c.total, sum);
  }
  return { rq_total, rq_xx };
}
