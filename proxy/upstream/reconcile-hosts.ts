// A STRICT_DNS name's new answer against its current hosts, as Envoy's `updateDynamicHostList`:
// a host whose address is still in the answer keeps its object (its stats, pool and health flags),
// new addresses become new hosts, missing ones are dropped. Duplicate records count once. Pure.
import type { Endpoint } from '../config/model.ts';
import { Host } from './host.ts';

export interface ReconciledHosts {
  /** In the order of the answer. */
  hosts: Host[];
  added: number;
  removed: number;
}

export function reconcileHosts(
  current: readonly Host[],
  addresses: readonly string[],
  endpoint: Endpoint,
): ReconciledHosts {
  const byKey = new Map<string, Host>();
  for (const h of current) byKey.set(h.key, h);
  const hosts: Host[] = [];
  const seen = new Set<string>();
  let added = 0;
  for (const address of addresses) {
    const key = `${address}:${endpoint.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const existing = byKey.get(key);
    if (existing) {
      hosts.push(existing);
    } else {
      hosts.push(new Host(address, endpoint.port, endpoint.address, endpoint.weight));
      added++;
    }
  }
  const kept = hosts.length - added;
  return { hosts, added, removed: current.length - kept };
}
