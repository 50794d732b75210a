// The /etc/hosts format, for the resolver's override file, and the address-family policy of
// `Cluster.dns_lookup_family` applied to a list of addresses. Pure.
import net from 'node:net';
import type { Cluster } from '../config/model.ts';

export type DnsLookupFamily = Cluster['dnsLookupFamily'];

/**
 * Name (lower-cased) → addresses in file order, duplicates dropped. Each line is `address name
 * [aliases…]`, `#` starts a comment; a name on several lines has several records, as a Kubernetes
 * headless Service has one A record per ready pod. Lines whose first field is not an IP are skipped.
 */
export function parseHostsFile(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).trim().split(/\s+/);
    const address = fields[0];
    if (!address || net.isIP(address) === 0) continue;
    for (let i = 1; i < fields.length; i++) {
      const name = fields[i]!.toLowerCase();
      const list = out.get(name);
      if (!list) out.set(name, [address]);
      else if (!list.includes(address)) list.push(address);
    }
  }
  return out;
}

/**
 * The addresses a lookup with this family policy answers, from a full list (Envoy's semantics):
 * V4_ONLY / V6_ONLY filter; AUTO prefers IPv6 and falls back to IPv4; V4_PREFERRED the reverse;
 * ALL keeps both, in the given order.
 */
export function selectFamily(addresses: readonly string[], family: DnsLookupFamily): string[] {
  const v4 = addresses.filter((a) => net.isIPv4(a));
  const v6 = addresses.filter((a) => net.isIPv6(a));
  switch (family) {
    case 'V4_ONLY':
      return v4;
    case 'V6_ONLY':
      return v6;
    case 'AUTO':
      return v6.length > 0 ? v6 : v4;
    case 'V4_PREFERRED':
      return v4.length > 0 ? v4 : v6;
    case 'ALL':
      return addresses.filter((a) => net.isIP(a) !== 0);
  }
}
