// Mesh-shaped graphs for the UI benchmark, in the API's own shape (shared/api/graph.ts), so the real UI
// reads them exactly as it reads the server's: services in 5 tiers (edge proxies, frontends, middle
// tiers, back ends, data stores), each deployed in 1–3 versions; callers call services of the next tier
// (now and then one further down), and a call to a service with several versions is a weighted route:
// one edge per version, with configured and observed shares. Deterministic for a given seed.
import {
  emptyTraffic,
  type Graph,
  type GraphEdge,
  type GraphNode,
  type GraphType,
  type Health,
  type Traffic,
} from '../../shared/api/graph.ts';

export interface SyntheticGraphOptions {
  nodes: number;
  edges: number;
  seed?: number;
  namespaces?: number;
}

/** One deployed version of a service: a node of the versioned-app graph. */
interface Entity {
  namespace: string;
  app: string;
  version: string;
  tier: number;
}

interface Call {
  from: number;
  to: number;
  rps: number;
  /** The route's configured share for this version, when the callee has several versions. */
  configured: number | null;
  routeId: string | null;
}

export interface SyntheticMesh {
  readonly entities: readonly Entity[];
  readonly calls: readonly Call[];
}

/** Share of the services in each of the 5 tiers: few entry points, a wide middle, fewer data stores. */
const TIER_SHARES = [0.05, 0.2, 0.3, 0.3, 0.15];

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The mesh: exactly `nodes` versioned workloads and `edges` calls between them. */
export function syntheticMesh(opts: SyntheticGraphOptions): SyntheticMesh {
  const rnd = random(opts.seed ?? 1);
  const namespaces = Array.from({ length: opts.namespaces ?? 10 }, (_, i) => `team-${i}`);
  // Services with 1, 2 or 3 versions until the node count is reached.
  const services: { tier: number; members: number[] }[] = [];
  const entities: Entity[] = [];
  const tierOf = (fraction: number) => {
    let acc = 0;
    for (let t = 0; t < TIER_SHARES.length; t++) {
      acc += TIER_SHARES[t]!;
      if (fraction < acc) return t;
    }
    return TIER_SHARES.length - 1;
  };
  while (entities.length < opts.nodes) {
    const tier = tierOf(entities.length / opts.nodes);
    const versions = Math.min(1 + Math.floor(rnd() * 3), opts.nodes - entities.length);
    const s = services.length;
    const namespace = namespaces[s % namespaces.length]!;
    const members: number[] = [];
    for (let v = 1; v <= versions; v++) {
      members.push(entities.length);
      entities.push({ namespace, app: `svc-${tier}-${s}`, version: `v${v}`, tier });
    }
    services.push({ tier, members });
  }
  const byTier = TIER_SHARES.map((_, t) => services.filter((s) => s.tier === t));
  const callers = TIER_SHARES.map((_, t) => byTier[t]!.flatMap((s) => s.members));
  const calls: Call[] = [];
  const seen = new Set<string>();
  let routes = 0;
  const callService = (from: number, service: { members: number[] }, limit: number) => {
    const members = service.members.filter((m) => !seen.has(`${from},${m}`)).slice(0, limit);
    if (members.length === 0) return;
    const routeId = service.members.length > 1 ? `route-${routes++}` : null;
    const total = 5 + rnd() * 200;
    // A canary split: most traffic to v1, the rest spread over the others.
    const shares =
      members.length === 1 ? [1] : members.map((_, i) => (i === 0 ? 0.8 : 0.2 / (members.length - 1)));
    members.forEach((to, i) => {
      seen.add(`${from},${to}`);
      calls.push({
        from,
        to,
        rps: total * shares[i]!,
        configured: routeId === null ? null : shares[i]!,
        routeId,
      });
    });
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  // Everything below the entry tier is called by someone in the tier above, so the graph is connected.
  for (let t = 1; t < TIER_SHARES.length; t++) {
    for (const s of byTier[t]!) {
      if (calls.length >= opts.edges) break;
      const above = callers[t - 1]!.length > 0 ? callers[t - 1]! : callers[0]!;
      callService(pick(above), s, opts.edges - calls.length);
    }
  }
  // Then more calls, mostly to the next tier, sometimes two tiers down, until the edge count is reached.
  for (let guard = 0; calls.length < opts.edges && guard < opts.edges * 50; guard++) {
    const fromTier = Math.floor(rnd() * (TIER_SHARES.length - 1));
    const toTier = Math.min(TIER_SHARES.length - 1, fromTier + (rnd() < 0.85 ? 1 : 2));
    if (callers[fromTier]!.length === 0 || byTier[toTier]!.length === 0) continue;
    callService(pick(callers[fromTier]!), pick(byTier[toTier]!), opts.edges - calls.length);
  }
  return { entities, calls };
}

function trafficOf(rps: number, failing: boolean): Traffic {
  const t = emptyTraffic();
  const fiveXx = failing ? rps * 0.08 : 0;
  t.rps = rps;
  t.status['2xx'] = rps - fiveXx;
  t.status['5xx'] = fiveXx;
  t.rate503 = fiveXx / 2;
  t.causes503.upstream = fiveXx / 2;
  t.latencyMs = { p50: 4 + (rps % 7), p95: 20 + (rps % 90), p99: 60 + (rps % 300) };
  return t;
}

function nodeKey(e: Entity, type: GraphType): { id: string; name: string; version?: string } {
  switch (type) {
    case 'versionedApp':
      return { id: `versionedApp:${e.namespace}:${e.app}:${e.version}`, name: e.app, version: e.version };
    case 'workload':
      return {
        id: `workload:${e.namespace}:${e.app}-${e.version}`,
        name: `${e.app}-${e.version}`,
        version: e.version,
      };
    case 'app':
      return { id: `app:${e.namespace}:${e.app}`, name: e.app };
    case 'service':
      return { id: `service:${e.namespace}:${e.app}`, name: e.app };
  }
}

/**
 * The mesh as GET /api/graph would serve it for `type`; `round` scales every rate (each round gives
 * every edge a different rps, so every rate label changes), and 1 edge in 20 fails with 8 % 5xx.
 */
export function graphOf(mesh: SyntheticMesh, type: GraphType, round = 0, timestamp = Date.now()): Graph {
  const factor = 1 + round * 0.37;
  const nodes = new Map<string, GraphNode>();
  const inbound = new Map<string, number>();
  const outbound = new Map<string, number>();
  const edges = new Map<string, GraphEdge>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const e of mesh.entities) {
    const k = nodeKey(e, type);
    if (nodes.has(k.id)) continue;
    nodes.set(k.id, {
      id: k.id,
      kind: type,
      namespace: e.namespace,
      name: k.name,
      app: e.app,
      ...(k.version === undefined ? {} : { version: k.version }),
      ...(type === 'workload' ? { workload: k.name } : {}),
      ...(type === 'service' ? { service: k.name } : {}),
      hasSidecar: true,
      health: 'healthy',
      inbound: emptyTraffic(),
      outbound: emptyTraffic(),
    });
  }
  mesh.calls.forEach((c, i) => {
    const source = nodeKey(mesh.entities[c.from]!, type).id;
    const target = nodeKey(mesh.entities[c.to]!, type).id;
    if (source === target) return;
    const rps = c.rps * factor;
    const failing = i % 20 === 7;
    const health: Health = failing ? 'degraded' : 'healthy';
    add(inbound, target, rps);
    add(outbound, source, rps);
    const id = `${source},${target}`;
    const prev = edges.get(id);
    const total = (prev?.traffic.rps ?? 0) + rps;
    edges.set(id, {
      id,
      source,
      target,
      protocol: 'http',
      clusters: [`outbound|8080|${mesh.entities[c.to]!.version}|${mesh.entities[c.to]!.app}`],
      traffic: trafficOf(total, failing || prev?.health === 'degraded'),
      weights:
        c.routeId === null || type !== 'versionedApp'
          ? []
          : [
              {
                routeId: c.routeId,
                cluster: `${mesh.entities[c.to]!.app}_${mesh.entities[c.to]!.version}`,
                configured: c.configured!,
                // Observed drifts around the configured share from round to round.
                observed: Math.min(1, Math.max(0, c.configured! + (((i + round) % 5) - 2) * 0.01)),
              },
            ],
      health: failing || prev?.health === 'degraded' ? 'degraded' : health,
    });
  });
  for (const n of nodes.values()) {
    n.inbound = trafficOf(inbound.get(n.id) ?? 0, false);
    n.outbound = trafficOf(outbound.get(n.id) ?? 0, false);
    n.health = (inbound.get(n.id) ?? 0) + (outbound.get(n.id) ?? 0) > 0 ? 'healthy' : 'idle';
  }
  return {
    timestamp,
    windowSeconds: 60,
    graphType: type,
    namespaces: [...new Set(mesh.entities.map((e) => e.namespace))].sort(),
    nodes: [...nodes.values()],
    edges: [...edges.values()],
  };
}
