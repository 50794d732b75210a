import { z } from 'zod';

export const RouteClusterSchema = z.object({
  name: z.string(),
  /** Weight written in the configuration (`weighted_clusters.clusters[].weight`). */
  configuredWeight: z.number().int().nonnegative(),
  /** Runtime override `<runtime_key_prefix>.<name>` when set. */
  runtimeWeight: z.number().int().nonnegative().nullable(),
  /** What the sidecar uses: runtime override or configured weight. */
  effectiveWeight: z.number().int().nonnegative(),
  /** Graph node the cluster's endpoints map to, when known. */
  destination: z.string().nullable(),
  /** Share of the route's observed requests, 0..1; null when the route carried no traffic. */
  observedShare: z.number().min(0).max(1).nullable(),
});
export type RouteCluster = z.infer<typeof RouteClusterSchema>;

export const WeightedRouteSchema = z.object({
  /** Stable id: namespace/workload/listener/route-config/virtual-host/route index. */
  id: z.string(),
  source: z.object({ namespace: z.string(), workload: z.string() }),
  replicas: z.array(
    z.object({
      sidecarId: z.string(),
      adminUrl: z.string(),
      /**
       * Set on routes whose weights were changed through meshscope: true when the replica's scraped
       * /runtime differs from those weights (reconciliation repairs it every cycle), false when it
       * matches, absent when unknown (not scraped since the change).
       */
      drift: z.boolean().optional(),
    }),
  ),
  listener: z.string(),
  routeConfig: z.string(),
  virtualHost: z.string(),
  routeName: z.string().nullable(),
  /** Human summary of the match, e.g. `prefix /`. */
  match: z.string(),
  runtimeKeyPrefix: z.string().nullable(),
  totalWeight: z.number().int().nonnegative(),
  clusters: z.array(RouteClusterSchema),
  /** Opaque version for optimistic concurrency (If-Match on weight changes). */
  version: z.string(),
  /** The weights last set through meshscope (its audit log), which reconciliation keeps in place. */
  desiredWeights: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** True when any replica drifts from `desiredWeights`. */
  drift: z.boolean().optional(),
  /**
   * Sums a weight change may have (PUT /api/routes/:id/weights): `total_weight` when the route sets
   * it, otherwise 100 and, when they add up to something else, the configured weights' sum.
   */
  allowedTotals: z.array(z.number().int().positive()).optional(),
  /**
   * How PUT /api/routes/:id/weights applies weights here: `runtime` (runtime_key_prefix: live through
   * /runtime_modify), `static` (rewriting the bootstrap: live on meshscope-proxy, a restart on Envoy),
   * `istio` (the VirtualService the route was generated from).
   */
  strategy: z.enum(['runtime', 'static', 'istio']).optional(),
});
export type WeightedRoute = z.infer<typeof WeightedRouteSchema>;

export const RouteListSchema = z.object({ routes: z.array(WeightedRouteSchema) });
export type RouteList = z.infer<typeof RouteListSchema>;
