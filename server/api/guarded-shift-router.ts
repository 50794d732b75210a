// The guarded shift API, thin over GuardedShiftService (server/weights/guarded-shift-runner.ts):
//   POST /api/routes/:id/guarded-shift                        GuardedShiftStart, If-Match → 201 GuardedShift
//   GET  /api/routes/:id/guarded-shift                                                 → GuardedShift
//   POST /api/routes/:id/guarded-shift/{pause,resume,abort}   GuardedShiftAction        → GuardedShift
//   GET  /api/guarded-shifts                                                           → GuardedShiftList
// Writes are authorized by the write gate (write-gate.ts), as weight changes are, and need a JSON body
// (`{}` will do for the actions), which a cross-site form cannot send without a CORS preflight.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { GuardedShiftActionSchema } from '../../shared/api/guarded-shift.ts';
import type { GuardedShiftService } from '../weights/guarded-shift-runner.ts';
import { sendError } from './api-error.ts';
import type { ServiceResult } from './dashboard-core.ts';

function routeIdOf(req: Request): string {
  const id = req.params['id'] as string | string[] | undefined;
  return Array.isArray(id) ? id.join('/') : (id ?? '');
}

function send<T>(res: Response, result: ServiceResult<T>, status = 200): void {
  if (!result.ok) {
    const { status: s, code, message, field } = result.error;
    sendError(res, s, code, message, field);
    return;
  }
  res.status(status).json(result.value);
}

export function guardedShiftRouter(shifts: GuardedShiftService): Router {
  const r = Router();
  const writer = (req: Request, res: Response, next: NextFunction) => {
    // Authorized by the write gate (write-gate.ts), which createApp mounts before every router; a
    // router mounted without it writes for nobody.
    if (typeof res.locals['who'] !== 'string') {
      return sendError(res, 403, 'forbidden', 'writes are not authorized on this server');
    }
    if (!req.is('application/json')) {
      return sendError(
        res,
        415,
        'unsupported_media_type',
        'the body must be JSON (Content-Type: application/json)',
      );
    }
    next();
  };
  const json = express.json({ limit: '16kb', strict: false });
  const who = (res: Response) => String(res.locals['who']);

  r.get('/guarded-shifts', (_req, res) => {
    res.json({ shifts: shifts.list() });
  });

  r.post('/routes/*id/guarded-shift', writer, json, async (req, res) => {
    send(res, await shifts.start(routeIdOf(req), req.body, req.get('if-match'), who(res)), 201);
  });

  r.get('/routes/*id/guarded-shift', (req, res) => {
    send(res, shifts.get(routeIdOf(req)));
  });

  for (const action of ['pause', 'resume', 'abort'] as const) {
    r.post(`/routes/*id/guarded-shift/${action}`, writer, json, async (req, res) => {
      const body = GuardedShiftActionSchema.safeParse(req.body ?? {});
      if (!body.success) {
        const issue = body.error.issues[0];
        return sendError(
          res,
          400,
          'invalid_action',
          issue?.message ?? 'invalid body',
          issue?.path.join('.') || undefined,
        );
      }
      send(res, await shifts.act(routeIdOf(req), action, body.data.reason, who(res)));
    });
  }

  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', 'the body exceeds 16kb');
    if (type === 'entity.parse.failed') {
      return sendError(res, 400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
    }
    sendError(res, 500, 'internal', err instanceof Error ? err.message : String(err));
  });
  return r;
}
