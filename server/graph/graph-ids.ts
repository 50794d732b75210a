// Stable, URL-safe ids for graph nodes, edges and weighted routes. They appear in API paths
// (`/api/nodes/:id/series`, `/api/edges/:id/series`, route ids in weight changes), so every part is
// escaped to the characters a URL path carries as is: Kubernetes names ([a-z0-9.-]) and Envoy
// cluster names with `_` read unchanged, anything else (`|` in Istio's `outbound|9080||reviews…`,
// `:`, `/`, `,`, `~`, non-ASCII) becomes `~XX` per UTF-8 byte. `~` is escaped too, so decoding is
// unambiguous and no separator can occur inside a part.
import type { NodeKind } from '../../shared/api/graph.ts';

const encoder = new TextEncoder();
const PLAIN = /[^A-Za-z0-9._-]/gu;

/** One part of an id, escaped: `[A-Za-z0-9._-]` kept, every other byte as `~XX` (upper-case hex). */
export function idPart(value: string): string {
  return value.replace(PLAIN, (ch) => {
    let out = '';
    for (const byte of encoder.encode(ch)) out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  });
}

/** `kind:namespace:name[:version]`, e.g. `workload:default:backend-v1`, `versionedApp:default:reviews:v2`. */
export function nodeId(kind: NodeKind, namespace: string, name: string, version?: string): string {
  const base = `${kind}:${idPart(namespace)}:${idPart(name)}`;
  return version === undefined ? base : `${base}:${idPart(version)}`;
}

/** `source,target`: `,` is a valid path character that never occurs inside a node id. */
export function edgeId(source: string, target: string): string {
  return `${source},${target}`;
}

/**
 * `namespace/workload/listener/routeConfig/virtualHost/routeIndex`, each part escaped: a route is
 * identified by where it sits in the configuration of its source workload, which all replicas share.
 */
export function routeId(
  namespace: string,
  workload: string,
  listener: string,
  routeConfig: string,
  virtualHost: string,
  routeIndex: number,
): string {
  return [namespace, workload, listener, routeConfig, virtualHost, String(routeIndex)].map(idPart).join('/');
}
