// Reconciliation, pure: the weights last set through meshscope (the audit log's last change that took
// effect, per route) against what each replica's `/runtime` showed at its latest scrape. A replica that
// was down during a change, restarted without a disk layer, or had its runtime edited by hand, drifts;
// every scrape cycle, each drifting replica gets the desired values again (one `/runtime_modify` with
// every key of the route, as a change does). A replica whose latest scrape began before the change is
// neither drifting nor in line: unknown, and left alone until a newer scrape says.
import type { WeightedRoute } from '../../shared/api/routes.ts';
import { runtimeValues, type Weights } from './route-weights.ts';

export interface DesiredWeights {
  auditId: string;
  /** When the change was made (epoch ms). */
  at: number;
  weights: Weights;
}

/** What the scraper last saw of a replica. */
export interface ReplicaRuntime {
  /** When that scrape began (epoch ms). */
  startedAt: number;
  /** `/runtime` final values. */
  runtime: ReadonlyMap<string, string>;
}

/** Envoy reads a runtime weight only when the value is an unsigned integer (whitespace allowed). */
function runtimeInteger(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\s*\d+\s*$/.test(raw) ? Number(raw) : undefined;
}

/**
 * true when the replica's runtime differs from the desired weights, false when it matches, undefined
 * when unknown: no scrape since the change, or a route that no longer reads runtime weights.
 */
export function replicaDrift(
  prefix: string | null,
  desired: DesiredWeights,
  seen: ReplicaRuntime | undefined,
): boolean | undefined {
  if (prefix === null || seen === undefined || seen.startedAt < desired.at) return undefined;
  return Object.entries(desired.weights).some(
    ([cluster, w]) => runtimeInteger(seen.runtime.get(`${prefix}.${cluster}`)) !== w,
  );
}

export interface Repair {
  routeId: string;
  sidecarId: string;
  auditId: string;
  /** Every runtime key of the route with its desired value. */
  values: Record<string, string>;
}

export interface ManagedRoute {
  route: WeightedRoute;
  desired: DesiredWeights;
}

/** The repairs one cycle makes: one per drifting replica of each managed route. */
export function planRepairs(
  routes: readonly ManagedRoute[],
  seen: (sidecarId: string) => ReplicaRuntime | undefined,
): Repair[] {
  const out: Repair[] = [];
  for (const { route, desired } of routes) {
    const prefix = route.runtimeKeyPrefix;
    if (prefix === null) continue;
    // A configuration that gained or lost clusters since the change: the audited weights no longer
    // describe the route, and pushing them would leave a cluster at a stale value. Left to the user.
    const names = route.clusters.map((c) => c.name).sort();
    const desiredNames = Object.keys(desired.weights).sort();
    if (names.join('\n') !== desiredNames.join('\n')) continue;
    for (const replica of route.replicas) {
      if (replicaDrift(prefix, desired, seen(replica.sidecarId)) === true) {
        out.push({
          routeId: route.id,
          sidecarId: replica.sidecarId,
          auditId: desired.auditId,
          values: runtimeValues(prefix, desired.weights),
        });
      }
    }
  }
  return out;
}
