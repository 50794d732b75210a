// Where the dashboard's traffic figures come from (GET /api/sources): the sidecars' own stats, scraped
// (their status is GET /api/sidecars), or PromQL over a Prometheus (`meshscope --prometheus URL`), whose
// health is shown here. When Prometheus fails, the graph keeps its last figures; this says since when,
// and why.
import { z } from 'zod';

export const PrometheusSourceStatusSchema = z.object({
  url: z.string(),
  /** The last refresh answered every query. */
  up: z.boolean(),
  /** Epoch ms. */
  lastAttempt: z.number().nullable(),
  /** Epoch ms of the evaluation time of the figures in use (the graph's timestamp). */
  lastSuccess: z.number().nullable(),
  lastDurationMs: z.number().nullable(),
  /** Why the last refresh failed (the first failing query's error); null after a success. */
  lastError: z.string().nullable(),
  refreshes: z.number().int().nonnegative(),
  /** Queries that failed, since start. */
  queryFailures: z.number().int().nonnegative(),
});
export type PrometheusSourceStatus = z.infer<typeof PrometheusSourceStatusSchema>;

export const SourcesSchema = z.object({
  traffic: z.enum(['scrape', 'prometheus']),
  /** Set when `traffic` is `prometheus`. */
  prometheus: PrometheusSourceStatusSchema.nullable(),
});
export type Sources = z.infer<typeof SourcesSchema>;
