import type { Request } from 'express';
import { type ZodError, z } from 'zod';
import { GraphQuerySchema } from '../../shared/api/graph-query.ts';
import type { DashboardCore, GraphRequest } from './dashboard-core.ts';

/** Validates /api/graph and /api/events query parameters; a window the source cannot serve is an error. */
export function parseGraphRequest(
  req: Request,
  core: DashboardCore,
): { ok: true; value: GraphRequest } | { ok: false; error: ZodError } {
  const r = GraphQuerySchema.safeParse(req.query);
  if (!r.success) return { ok: false, error: r.error };
  const w = r.data.window;
  if (w !== undefined && !core.windows.includes(w)) {
    const err = new z.ZodError([
      {
        code: 'custom',
        path: ['window'],
        message: `must be one of ${core.windows.join(', ')} (seconds)`,
        input: w,
      },
    ]);
    return { ok: false, error: err };
  }
  return {
    ok: true,
    value: { graphType: r.data.graphType, namespaces: r.data.namespaces, windowSeconds: w },
  };
}
