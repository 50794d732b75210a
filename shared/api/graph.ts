// The service graph as the API serves it (GET /api/graph, and every SSE `graph` event). Wire types
// and their zod schemas live together so the server validates what it sends and the client what it
// receives. View concerns (colours, widths, labels) are derived on the client, not stored here.
import { z } from 'zod';
import { PoliciesSchema } from './policies.ts';

export const GraphTypeSchema = z.enum(['workload', 'app', 'versionedApp', 'service']);
export type GraphType = z.infer<typeof GraphTypeSchema>;

export const HealthSchema = z.enum(['healthy', 'degraded', 'failing', 'idle']);
export type Health = z.infer<typeof HealthSchema>;

export const NodeKindSchema = z.enum(['workload', 'app', 'versionedApp', 'service', 'unknown', 'inbound']);
export type NodeKind = z.infer<typeof NodeKindSchema>;

/** Requests per second by status class; `5xx` includes every 503. */
export const StatusRatesSchema = z.object({
  '2xx': z.number().nonnegative(),
  '3xx': z.number().nonnegative(),
  '4xx': z.number().nonnegative(),
  '5xx': z.number().nonnegative(),
});
export type StatusRates = z.infer<typeof StatusRatesSchema>;

/**
 * 503s per second by cause, as Envoy's stats tell them apart: circuit-breaker overflow (UO:
 * upstream_rq_pending_overflow + upstream_cx_overflow), no healthy upstream (UH:
 * upstream_cx_none_healthy), connect failure (UF: upstream_cx_connect_fail), and the rest, which the
 * upstream itself answered. The cause counters are not 503 counters, so each cause takes at most what
 * the 503s leave, in that order.
 */
export const Causes503Schema = z.object({
  overflow: z.number().nonnegative(),
  noHealthyUpstream: z.number().nonnegative(),
  connectFailure: z.number().nonnegative(),
  upstream: z.number().nonnegative(),
});
export type Causes503 = z.infer<typeof Causes503Schema>;

export const LatencySchema = z.object({ p50: z.number(), p95: z.number(), p99: z.number() });
export type Latency = z.infer<typeof LatencySchema>;

export const TrafficSchema = z.object({
  /** Requests per second over the window. */
  rps: z.number().nonnegative(),
  status: StatusRatesSchema,
  /** 503s per second (part of status['5xx']). */
  rate503: z.number().nonnegative(),
  causes503: Causes503Schema,
  /** Milliseconds, from histogram buckets as histogram_quantile computes them; null without samples. */
  latencyMs: LatencySchema.nullable(),
});
export type Traffic = z.infer<typeof TrafficSchema>;

export const GraphNodeSchema = z.object({
  id: z.string(),
  kind: NodeKindSchema,
  namespace: z.string(),
  /** Workload, app, or service name; for `unknown`, the Envoy cluster or address traffic went to. */
  name: z.string(),
  app: z.string().optional(),
  version: z.string().optional(),
  workload: z.string().optional(),
  service: z.string().optional(),
  hasSidecar: z.boolean(),
  health: HealthSchema,
  /** Traffic received and sent by this node over the window. */
  inbound: TrafficSchema,
  outbound: TrafficSchema,
  /** Faults on its own inbound listener, and what its callers apply towards it (policies.ts). */
  policies: PoliciesSchema.optional(),
});
export type GraphNode = z.infer<typeof GraphNodeSchema>;

/** Configured weight beside the observed share, for edges produced by a weighted route. */
export const EdgeWeightSchema = z.object({
  routeId: z.string(),
  cluster: z.string(),
  /** The effective weight (runtime override applied) as a fraction of the route's total, 0..1. */
  configured: z.number().min(0).max(1),
  /** Share of the route's observed requests that went to this cluster, 0..1; null when idle. */
  observed: z.number().min(0).max(1).nullable(),
});
export type EdgeWeight = z.infer<typeof EdgeWeightSchema>;

export const GraphEdgeSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  protocol: z.literal('http'),
  /** Envoy clusters (or Istio destinations) the edge aggregates. */
  clusters: z.array(z.string()),
  traffic: TrafficSchema,
  weights: z.array(EdgeWeightSchema),
  health: HealthSchema,
  /** What the source's sidecar applies on the way (circuit breakers, retries, faults…), with figures. */
  policies: PoliciesSchema.optional(),
  /**
   * A mirrored copy of the source's requests (`request_mirror_policies`): its own edge, beside the
   * primary one, carrying the shadow cluster's figures; the caller never sees these answers.
   */
  mirror: z.literal(true).optional(),
});
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

export const GraphSchema = z.object({
  /** Epoch ms of the newest data the graph was built from. */
  timestamp: z.number(),
  windowSeconds: z.number().positive(),
  graphType: GraphTypeSchema,
  namespaces: z.array(z.string()),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
});
export type Graph = z.infer<typeof GraphSchema>;

export function emptyTraffic(): Traffic {
  return {
    rps: 0,
    status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    rate503: 0,
    causes503: { overflow: 0, noHealthyUpstream: 0, connectFailure: 0, upstream: 0 },
    latencyMs: null,
  };
}
