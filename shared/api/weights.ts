// The weight-shifting contract (issue: weight control): what the weight editor sends and what it gets
// back. PUT /api/routes/:id/weights with `If-Match: <route version>`.
import { z } from 'zod';

/** Weights are uint32 in Envoy; anything near that is a mistake, not a weight. */
export const MAX_WEIGHT = 1_000_000;

export const WeightChangeRequestSchema = z
  .object({
    /** Every cluster of the route, by name, with its new integer weight. */
    weights: z.record(z.string().min(1), z.number().int().nonnegative().max(MAX_WEIGHT)),
    reason: z.string().max(500).optional(),
  })
  .strict();
export type WeightChangeRequest = z.infer<typeof WeightChangeRequestSchema>;

export const ReplicaOutcomeSchema = z.object({
  sidecarId: z.string(),
  adminUrl: z.string(),
  /** applied: confirmed by reading the replica's /runtime back; pending: will be reconciled when it returns. */
  status: z.enum(['applied', 'pending', 'failed']),
  error: z.string().optional(),
});
export type ReplicaOutcome = z.infer<typeof ReplicaOutcomeSchema>;

/** Sidecars that serve a rewritten bootstrap only once restarted, and the workloads to restart. */
export const RestartNeededSchema = z.object({
  reason: z.string(),
  sidecars: z.array(z.string()),
  /** Workloads a rollout restart can restart (Kubernetes Deployments); empty locally. */
  workloads: z.array(z.object({ namespace: z.string(), name: z.string() })),
});
export type RestartNeeded = z.infer<typeof RestartNeededSchema>;

export const WeightChangeResultSchema = z.object({
  routeId: z.string(),
  /** The route's version after the change (the next If-Match). */
  version: z.string(),
  from: z.record(z.string(), z.number()),
  to: z.record(z.string(), z.number()),
  /** How the weights were applied: runtime_modify + disk layer, static bootstrap rewrite, or Istio VirtualService. */
  strategy: z.enum(['runtime', 'static', 'istio']),
  replicas: z.array(ReplicaOutcomeSchema),
  auditId: z.string(),
  /** The audit entry's outcome: applied everywhere, or partly (replicas pending or failed). */
  outcome: z.enum(['applied', 'partial', 'failed']).optional(),
  /** Where the weights were made durable (a runtime directory's disk layer, a ConfigMap). */
  persisted: z
    .array(
      z.object({
        kind: z.enum(['runtime-dir', 'configmap', 'bootstrap-file', 'virtualservice']),
        location: z.string(),
      }),
    )
    .optional(),
  /**
   * Static strategy on sidecars that cannot reload their bootstrap (Envoy): the new weights are written
   * but serve only after a restart (POST /api/workloads/:namespace/:name/restart in Kubernetes).
   */
  restartNeeded: RestartNeededSchema.optional(),
  /** Things the user should know, e.g. a replica without a writable disk layer loses them on restart. */
  warnings: z.array(z.string()).optional(),
});
export type WeightChangeResult = z.infer<typeof WeightChangeResultSchema>;

export const AuditEntrySchema = z.object({
  id: z.string(),
  /** Epoch ms. */
  at: z.number(),
  who: z.string(),
  routeId: z.string(),
  from: z.record(z.string(), z.number()),
  to: z.record(z.string(), z.number()),
  reason: z.string().optional(),
  outcome: z.enum(['applied', 'partial', 'failed']),
  /** Set when this change reverted an earlier one. */
  revertOf: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** GET /api/routes/:id/history: the route's audit entries, newest first. */
export const RouteHistorySchema = z.object({ routeId: z.string(), entries: z.array(AuditEntrySchema) });
export type RouteHistory = z.infer<typeof RouteHistorySchema>;

/** POST /api/routes/:id/revert with If-Match: puts back the `from` weights of an audit entry. */
export const RevertRequestSchema = z
  .object({ auditId: z.string().min(1), reason: z.string().max(500).optional() })
  .strict();
export type RevertRequest = z.infer<typeof RevertRequestSchema>;

/** POST /api/workloads/:namespace/:name/restart: what `kubectl rollout restart deployment/<name>` does. */
export const WorkloadRestartResultSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  kind: z.literal('Deployment'),
  /** The pod template's `kubectl.kubernetes.io/restartedAt` annotation, as set. */
  restartedAt: z.string(),
});
export type WorkloadRestartResult = z.infer<typeof WorkloadRestartResultSchema>;

/**
 * POST /api/routes/:id/convert-to-runtime with If-Match: adds `runtime_key_prefix` to the route's
 * weighted_clusters in its bootstrap, after which weights are set live (runtime strategy).
 */
export const ConvertToRuntimeRequestSchema = z
  .object({
    /** Default: `meshscope.weights.<route config>.<virtual host>.<index>`. */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dotted words of letters, digits, _ and -')
      .max(200)
      .optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();
export type ConvertToRuntimeRequest = z.infer<typeof ConvertToRuntimeRequestSchema>;

export const ConvertToRuntimeResultSchema = z.object({
  routeId: z.string(),
  /** The runtime_key_prefix written: cluster C's weight is runtime key `<prefix>.C`. */
  prefix: z.string(),
  persisted: z.array(z.object({ kind: z.enum(['bootstrap-file', 'configmap']), location: z.string() })),
  replicas: z.array(ReplicaOutcomeSchema),
  restartNeeded: RestartNeededSchema.optional(),
  warnings: z.array(z.string()).optional(),
});
export type ConvertToRuntimeResult = z.infer<typeof ConvertToRuntimeResultSchema>;

/**
 * The runtime_key_prefix a conversion writes unless told otherwise: unique per route (its route
 * configuration, virtual host and index), readable in `/runtime`.
 */
export function defaultRuntimePrefix(at: {
  routeConfig: string;
  virtualHost: string;
  routeIndex: number;
}): string {
  const word = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
  return `meshscope.weights.${word(at.routeConfig)}.${word(at.virtualHost)}.${at.routeIndex}`;
}
