// DNS for STRICT_DNS and LOGICAL_DNS clusters.
//
// Test and ops override: `createResolver({ hostsFile })` consults a file in /etc/hosts format first
// (several lines for one name = several A records, like a Kubernetes headless Service). The proxy takes
// it as `--hosts-file PATH` or the environment variable `MESHSCOPE_HOSTS_FILE`. The file is read again
// on every resolution (it is small, and resolutions are seconds apart), so editing it changes the
// "DNS" answer at the cluster's next refresh — which is how the tests move a STRICT_DNS cluster's
// membership. Names it does not answer (for the requested family) go to `dns.promises.lookup`.
import dns from 'node:dns';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { type DnsLookupFamily, parseHostsFile, selectFamily } from './hosts-file.ts';

export interface Resolver {
  /**
   * The addresses for `name`, in the order to use them (LOGICAL_DNS takes the first). A name with no
   * record (NXDOMAIN, or no record of the family) resolves to `[]`: Envoy treats that as a successful,
   * empty answer. Other failures (timeout, SERVFAIL, unreadable hosts file) reject.
   */
  resolve(name: string, family: DnsLookupFamily): Promise<string[]>;
}

/** One system lookup for an address family (0 = both); [] when the name has no such record. */
export type LookupFn = (name: string, family: 0 | 4 | 6) => Promise<string[]>;

export interface ResolverOptions {
  hostsFile?: string;
  /** Replaces the system lookup (unit tests). */
  lookup?: LookupFn;
}

export function createResolver(opts: ResolverOptions = {}): Resolver {
  const lookup = opts.lookup ?? systemLookup;
  const hostsFile = opts.hostsFile;
  return {
    async resolve(name, family) {
      if (net.isIP(name) !== 0) return selectFamily([name], family);
      if (hostsFile !== undefined) {
        const fromFile = selectFamily((await readHostsFile(hostsFile)).get(name.toLowerCase()) ?? [], family);
        if (fromFile.length > 0) return fromFile;
      }
      return lookupWithFamily(lookup, name, family);
    },
  };
}

/** Envoy's dns_lookup_family as one or two lookups (AUTO: IPv6 first, then IPv4 if it found nothing). */
export async function lookupWithFamily(
  lookup: LookupFn,
  name: string,
  family: DnsLookupFamily,
): Promise<string[]> {
  switch (family) {
    case 'V4_ONLY':
      return lookup(name, 4);
    case 'V6_ONLY':
      return lookup(name, 6);
    case 'AUTO': {
      const v6 = await lookup(name, 6);
      return v6.length > 0 ? v6 : lookup(name, 4);
    }
    case 'V4_PREFERRED': {
      const v4 = await lookup(name, 4);
      return v4.length > 0 ? v4 : lookup(name, 6);
    }
    case 'ALL':
      return lookup(name, 0);
  }
}

async function readHostsFile(path: string): Promise<Map<string, string[]>> {
  try {
    return parseHostsFile(await readFile(path, 'utf8'));
  } catch (e) {
    // A file not written yet answers nothing; any other error fails the resolution (and the cluster
    // keeps its hosts) rather than silently falling through to real DNS.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
}

const systemLookup: LookupFn = async (name, family) => {
  try {
    const found = await dns.promises.lookup(name, { all: true, family, order: 'verbatim' });
    return [...new Set(found.map((a) => a.address))];
  } catch (e) {
    // Node reports EAI_NONAME and EAI_NODATA as ENOTFOUND: the name has no such record, which modern
    // Envoy (dns_nodata_noname_is_success) treats as an empty success. EAI_AGAIN etc. stay failures.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw e;
  }
};
