// Query parameters of GET /api/graph and /api/events, as the client builds them and the server checks them.
import { z } from 'zod';
import { GraphTypeSchema } from './graph.ts';

const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'is not a valid namespace name');

export const GraphQuerySchema = z
  .object({
    graphType: GraphTypeSchema.default('versionedApp'),
    /** Comma-separated; empty or absent means every namespace. */
    namespaces: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').filter(Boolean) : []))
      .pipe(z.array(Namespace).max(100)),
    /** Rate window in seconds (10 s … 1 h); absent means the server's default. */
    window: z.coerce.number().int().min(10).max(3600).optional(),
  })
  .strict();
export type GraphQuery = z.infer<typeof GraphQuerySchema>;
