// The guarded shift API, thin over GuardedShiftService (server/weights/guarded-shift-runner.ts):
//   POST /api/routes/:id/guarded-shift                        GuardedShiftStart, If-Match → 201 GuardedShift
//   GET  /api/routes/:id/guarded-shift                                                 → GuardedShift
//   POST /api/routes/:id/guarded-shift/{pause,resume,abort}   GuardedShiftAction        → GuardedShift
//   GET  /api/guarded-shifts                                                           → GuardedShiftList
// Writes are authorized by the write gate (write-gate.ts), as weight changes are, and need a JSON body
// (`{}` will do for the actions), which a cross-site form cannot send without a CORS preflight.
import { Router } from 'express';
import { GuardedShiftActionSchema } from '../../shared/api/guarded-shift.ts';
import type { GuardedShiftService } from '../weights/guarded-shift-runner.ts';
import { sendError } from './api-error.ts';
import { jsonBody, jsonBodyErrors, requireWriter, routeIdOf, sendResult, whoOf } from './json-writes.ts';

export function guardedShiftRouter(shifts: GuardedShiftService): Router {
  const r = Router();
  const json = jsonBody('16kb');

  r.get('/guarded-shifts', (_req, res) => {
    res.json({ shifts: shifts.list() });
  });

  r.post('/routes/*id/guarded-shift', requireWriter, json, async (req, res) => {
    sendResult(res, await shifts.start(routeIdOf(req), req.body, req.get('if-match'), whoOf(res)), {
      status: 201,
    });
  });

  r.get('/routes/*id/guarded-shift', (req, res) => {
    sendResult(res, shifts.get(routeIdOf(req)));
  });

  for (const action of ['pause', 'resume', 'abort'] as const) {
    r.post(`/routes/*id/guarded-shift/${action}`, requireWriter, json, async (req, res) => {
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
      sendResult(res, await shifts.act(routeIdOf(req), action, body.data.reason, whoOf(res)));
    });
  }

  r.use(jsonBodyErrors('16kb'));
  return r;
}
