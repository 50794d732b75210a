import { z } from 'zod';

export const SidecarKindSchema = z.enum(['envoy', 'istio-proxy', 'meshscope-proxy']);
export type SidecarKind = z.infer<typeof SidecarKindSchema>;

/** One sidecar's scrape status (GET /api/sidecars). */
export const SidecarStatusSchema = z.object({
  id: z.string(),
  namespace: z.string(),
  workload: z.string(),
  pod: z.string().optional(),
  kind: SidecarKindSchema,
  adminUrl: z.string(),
  up: z.boolean(),
  lastSuccess: z.number().nullable(),
  lastAttempt: z.number().nullable(),
  lastDurationMs: z.number().nullable(),
  lastBytes: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type SidecarStatus = z.infer<typeof SidecarStatusSchema>;

export const SidecarListSchema = z.object({ sidecars: z.array(SidecarStatusSchema) });
export type SidecarList = z.infer<typeof SidecarListSchema>;
