import { z } from 'zod';

/**
 * GET /api/config: what the UI needs to know about this dashboard before offering a write.
 * `readOnly`: started with --read-only, every write is refused (403 read_only), so the UI shows the
 * weights without edit controls. Otherwise writes need `Authorization: Bearer <token>` and are limited
 * per client to `writeRateLimit` (429 with Retry-After beyond it).
 */
export const DashboardConfigSchema = z.object({
  readOnly: z.boolean(),
  writeAuth: z.literal('bearer'),
  writeRateLimit: z.object({ burst: z.number(), perSecond: z.number() }).nullable(),
});
export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;
