// The weights API, thin over WeightsService (server/weights/weights-controller.ts):
//   PUT  /api/routes/:id/weights   WeightChangeRequest, If-Match: <version>   → WeightChangeResult
//   POST /api/routes/:id/revert    RevertRequest, If-Match: <version>         → WeightChangeResult
//   GET  /api/routes/:id/history                                              → RouteHistory
//   POST /api/routes/:id/convert-to-runtime ConvertToRuntimeRequest, If-Match  → ConvertToRuntimeResult
//   POST /api/workloads/:namespace/:name/restart  (empty JSON body)            → WorkloadRestartResult
// Route ids contain `/` (server/graph/graph-ids.ts): they are accepted as is or percent-encoded as
// one segment (`encodeURIComponent`). Writes are authorized (write-gate.ts) before their body is read; the body must
// be JSON (415 otherwise) of at most 16 kB (413), and every error is an ApiError.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { sendError } from './api-error.ts';
import type { ServiceResult, WeightsService } from './dashboard-core.ts';

/** A weight change is a few cluster names and numbers; anything near this is not one. */
export const MAX_WEIGHTS_BODY = '16kb';

function routeIdOf(req: Request): string {
  const id = req.params['id'] as string | string[] | undefined;
  return Array.isArray(id) ? id.join('/') : (id ?? '');
}

function send<T>(res: Response, result: ServiceResult<T>, version?: (v: T) => string): void {
  if (!result.ok) {
    const { status, code, message, field } = result.error;
    sendError(res, status, code, message, field);
    return;
  }
  if (version !== undefined) res.set('etag', `"${version(result.value)}"`);
  res.json(result.value);
}

export function weightsRouter(weights: WeightsService): Router {
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
  // Not `strict`: a body that is JSON but not an object gets the validator's message, naming what came.
  const json = express.json({ limit: MAX_WEIGHTS_BODY, strict: false });
  const who = (res: Response) => String(res.locals['who']);

  r.put('/routes/*id/weights', writer, json, async (req, res) => {
    send(
      res,
      await weights.change(routeIdOf(req), req.body, req.get('if-match'), who(res)),
      (v) => v.version,
    );
  });

  r.post('/routes/*id/revert', writer, json, async (req, res) => {
    send(
      res,
      await weights.revert(routeIdOf(req), req.body, req.get('if-match'), who(res)),
      (v) => v.version,
    );
  });

  r.post('/routes/*id/convert-to-runtime', writer, json, async (req, res) => {
    if (weights.convertToRuntime === undefined) {
      return sendError(res, 501, 'not_implemented', 'converting routes is not available here');
    }
    send(res, await weights.convertToRuntime(routeIdOf(req), req.body, req.get('if-match'), who(res)));
  });

  r.post('/workloads/:namespace/:name/restart', writer, json, async (req, res) => {
    if (weights.restartWorkload === undefined) {
      return sendError(res, 501, 'not_implemented', 'restarting workloads is not available here');
    }
    send(
      res,
      await weights.restartWorkload(String(req.params['namespace']), String(req.params['name']), who(res)),
    );
  });

  r.get('/routes/*id/history', (req, res) => {
    send(res, weights.history(routeIdOf(req)));
  });

  // Errors of the body parser (and anything thrown above) as ApiErrors, never Express's HTML page.
  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      return sendError(res, 413, 'payload_too_large', `the body exceeds ${MAX_WEIGHTS_BODY}`);
    }
    if (type === 'entity.parse.failed') {
      return sendError(res, 400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return sendError(res, 415, 'unsupported_media_type', (err as Error).message);
    }
    sendError(res, 500, 'internal', err instanceof Error ? err.message : String(err));
  });
  return r;
}
