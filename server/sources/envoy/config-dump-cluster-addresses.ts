// `/config_dump` → the addresses each cluster is configured with, for naming a destination that has no
// host left: a STRICT_DNS cluster whose name resolves to nothing (a headless Service scaled to zero)
// lists no hosts in `/clusters`, but its configuration still says where it sends. Read from the
// cluster's `load_assignment` (config.endpoint.v3.ClusterLoadAssignment):
// `endpoints[].lb_endpoints[].endpoint.address.socket_address.address`, for static clusters and active
// dynamic ones (config-dump-walk.ts). EDS clusters carry no `load_assignment` in the dump (their
// endpoints come from EDS, shown by `/clusters`), so they do not appear here.
import { configDumpParts } from './config-dump-walk.ts';
import { objectField, objectList, stringField } from './proto-json.ts';

/** Cluster name → its configured endpoint addresses (each once, in configuration order). */
export function clusterAddressesFromConfigDump(doc: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const cluster of configDumpParts(doc).clusters) {
    const name = stringField(cluster, 'name');
    if (name === undefined) continue;
    const addresses = new Set<string>();
    for (const locality of objectList(objectField(cluster, 'load_assignment'), 'endpoints')) {
      for (const lb of objectList(locality, 'lb_endpoints')) {
        const socket = objectField(objectField(objectField(lb, 'endpoint'), 'address'), 'socket_address');
        const address = stringField(socket, 'address');
        if (address !== undefined && address !== '') addresses.add(address);
      }
    }
    if (addresses.size > 0) out.set(name, [...addresses]);
  }
  return out;
}
