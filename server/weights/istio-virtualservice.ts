// Pure: Istio routes and the VirtualServices they come from. istiod stamps every Envoy route it
// generates from a VirtualService with `metadata.filter_metadata.istio.config`, the path of that
// VirtualService (`/apis/networking.istio.io/v1alpha3/namespaces/<ns>/virtual-service/<name>`), and
// names the weighted clusters `outbound|<port>|<subset>|<host FQDN>`. The weights are set where
// Istio reads them: `spec.http[].route[].weight` of the VirtualService (as Kiali's traffic-shifting
// wizard writes them), and each subset a destination names must exist in a DestinationRule for its
// host (Kiali creates `subsets: [{name: vX, labels: {version: vX}}]`); a missing one makes istiod
// route to a cluster that does not exist (503 NC).

export interface VirtualServiceRef {
  namespace: string;
  name: string;
}

export interface IstioCluster {
  port: number;
  subset: string;
  /** The FQDN, e.g. reviews.default.svc.cluster.local. */
  host: string;
}

const CONFIG_PATH = /^\/apis\/networking\.istio\.io\/[^/]+\/namespaces\/([^/]+)\/virtual-service\/([^/]+)$/;

/** The VirtualService named by a route's `istio` filter metadata `config`, if it is one. */
export function virtualServiceOf(config: string | undefined): VirtualServiceRef | undefined {
  const m = config === undefined ? null : CONFIG_PATH.exec(config);
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}

/** `outbound|9080|v1|reviews.default.svc.cluster.local` → its parts; undefined for other names. */
export function istioCluster(name: string): IstioCluster | undefined {
  const parts = name.split('|');
  if (parts.length !== 4 || parts[0] !== 'outbound') return undefined;
  const port = Number(parts[1]);
  if (!Number.isInteger(port) || parts[3] === '') return undefined;
  return { port, subset: parts[2]!, host: parts[3]! };
}

/** A VirtualService or DestinationRule host as an FQDN: short names are in the resource's namespace. */
export function fqdn(host: string, namespace: string, domain = 'cluster.local'): string {
  if (host.includes('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.${domain}`;
  if (parts.length === 2) return `${host}.svc.${domain}`;
  return host;
}

interface Destination {
  host?: string;
  subset?: string;
  port?: { number?: number };
}
interface RouteDestination {
  destination?: Destination;
  weight?: number;
  [k: string]: unknown;
}
interface HttpRoute {
  name?: string;
  route?: RouteDestination[];
  [k: string]: unknown;
}

function destinationIs(d: Destination | undefined, c: IstioCluster, namespace: string): boolean {
  if (d?.host === undefined) return false;
  if (fqdn(d.host, namespace) !== c.host) return false;
  if ((d.subset ?? '') !== c.subset) return false;
  return d.port?.number === undefined || d.port.number === c.port;
}

export type VirtualServicePatch =
  | { ok: true; http: HttpRoute[]; index: number; from: Record<string, number> }
  | { ok: false; error: string };

/**
 * `spec.http` with the weights of the one http route whose destinations are exactly the Envoy route's
 * clusters (told apart by the Envoy route's name, istiod's copy of `http[].name`, when several are).
 */
export function setVirtualServiceWeights(
  spec: unknown,
  vs: VirtualServiceRef,
  weights: Readonly<Record<string, number>>,
  routeName: string | null,
): VirtualServicePatch {
  const http = (spec as { http?: unknown } | undefined)?.http;
  if (!Array.isArray(http))
    return { ok: false, error: `VirtualService ${vs.namespace}/${vs.name} has no http routes` };
  const clusters: [string, IstioCluster][] = [];
  for (const name of Object.keys(weights)) {
    const c = istioCluster(name);
    if (c === undefined) return { ok: false, error: `${name} is not an Istio outbound cluster name` };
    clusters.push([name, c]);
  }
  const candidates = (http as HttpRoute[])
    .map((h, index) => ({ h, index }))
    .filter(({ h }) => {
      const route = h.route ?? [];
      return (
        route.length === clusters.length &&
        clusters.every(
          ([, c]) => route.filter((r) => destinationIs(r.destination, c, vs.namespace)).length === 1,
        )
      );
    });
  const named = candidates.filter(({ h }) => routeName !== null && h.name === routeName);
  const chosen = named.length === 1 ? named : candidates;
  if (chosen.length === 0) {
    return {
      ok: false,
      error: `no http route of VirtualService ${vs.namespace}/${vs.name} goes to exactly ${Object.keys(weights).join(', ')}`,
    };
  }
  if (chosen.length > 1) {
    return {
      ok: false,
      error: `${chosen.length} http routes of VirtualService ${vs.namespace}/${vs.name} go to these destinations; name them (http[].name) to tell them apart`,
    };
  }
  const { h, index } = chosen[0]!;
  const from: Record<string, number> = {};
  const route = (h.route ?? []).map((r) => {
    const entry = clusters.find(([, c]) => destinationIs(r.destination, c, vs.namespace))!;
    // A single destination without a weight gets 100; with several Istio requires them all.
    from[entry[0]] = r.weight ?? (h.route?.length === 1 ? 100 : 0);
    return { ...r, weight: weights[entry[0]]! };
  });
  const out = [...(http as HttpRoute[])];
  out[index] = { ...h, route };
  return { ok: true, http: out, index, from };
}

interface Subset {
  name?: string;
  labels?: Record<string, string>;
  [k: string]: unknown;
}

export interface DestinationRuleLike {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: { host?: string; subsets?: Subset[]; [k: string]: unknown };
}

export type SubsetPlan =
  | { action: 'none' }
  | { action: 'create'; namespace: string; name: string; spec: { host: string; subsets: Subset[] } }
  | { action: 'update'; rule: DestinationRuleLike; subsets: Subset[] };

/**
 * What makes every subset of `clusters` (of one host) exist: nothing, a new DestinationRule named after
 * the service (as Kiali's wizard names it), or the subsets added to the rule for that host.
 */
export function planSubsets(
  host: string,
  subsets: readonly string[],
  rules: readonly DestinationRuleLike[],
): SubsetPlan {
  const wanted = [...new Set(subsets.filter((s) => s !== ''))];
  if (wanted.length === 0) return { action: 'none' };
  const rule = rules.find(
    (r) => r.spec?.host !== undefined && fqdn(r.spec.host, r.metadata.namespace) === host,
  );
  const labels = (s: string) => ({ name: s, labels: { version: s } });
  if (rule === undefined) {
    const [service = host, namespace = 'default'] = host.split('.');
    return { action: 'create', namespace, name: service, spec: { host, subsets: wanted.map(labels) } };
  }
  const have = new Set((rule.spec?.subsets ?? []).map((s) => s.name));
  const missing = wanted.filter((s) => !have.has(s));
  if (missing.length === 0) return { action: 'none' };
  return { action: 'update', rule, subsets: [...(rule.spec?.subsets ?? []), ...missing.map(labels)] };
}
