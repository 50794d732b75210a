// The weights API, thin over WeightsService (server/weights/weights-controller.ts):
//   PUT  /api/routes/:id/weights   WeightChangeRequest, If-Match: <version>   → WeightChangeResult
//   POST /api/routes/:id/revert    RevertRequest, If-Match: <version>         → WeightChangeResult
//   GET  /api/routes/:id/history                                              → RouteHistory
//   POST /api/routes/:id/convert-to-runtime ConvertToRuntimeRequest, If-Match  → ConvertToRuntimeResult
//   POST /api/workloads/:namespace/:name/restart  (empty JSON body)            → WorkloadRestartResult
// Route ids contain `/` (server/graph/graph-ids.ts): they are accepted as is or percent-encoded as
// one segment (`encodeURIComponent`). Writes are authorized (write-gate.ts) before their body is read; the body must
// be JSON (415 otherwise) of at most 16 kB (413), and every error is an ApiError.
import { type NextFunction, type Request, type Response, Router } from 'express';
import { sendError } from './api-error.ts';
import type { WeightsService } from './dashboard-core.ts';
import { jsonBody, jsonBodyErrors, requireWriter, routeIdOf, sendResult, whoOf } from './json-writes.ts';

/** A weight change is a few cluster names and numbers; anything near this is not one. */
export const MAX_WEIGHTS_BODY = '16kb';

export function weightsRouter(weights: WeightsService): Router {
  const r = Router();
  const json = jsonBody(MAX_WEIGHTS_BODY);

  r.put('/routes/*id/weights', requireWriter, json, async (req, res) => {
    sendResult(res, await weights.change(routeIdOf(req), req.body, req.get('if-match'), whoOf(res)), {
      etag: (v) => v.version,
    });
  });

  r.post('/routes/*id/revert', requireWriter, json, async (req, res) => {
    sendResult(res, await weights.revert(routeIdOf(req), req.body, req.get('if-match'), whoOf(res)), {
      etag: (v) => v.version,
    });
  });

  r.post('/routes/*id/convert-to-runtime', requireWriter, json, async (req, res) => {
    if (weights.convertToRuntime === undefined) {
      return sendError(res, 501, 'not_implemented', 'converting routes is not available here');
    }
    sendResult(
      res,
      await weights.convertToRuntime(routeIdOf(req), req.body, req.get('if-match'), whoOf(res)),
    );
  });

  r.post('/workloads/:namespace/:name/restart', requireWriter, json, async (req, res) => {
    if (weights.restartWorkload === undefined) {
      return sendError(res, 501, 'not_implemented', 'restarting workloads is not available here');
    }
    sendResult(
      res,
      await weights.restartWorkload(String(req.params['namespace']), String(req.params['name']), whoOf(res)),
    );
  });

  r.get('/routes/*id/history', (req, res) => {
    sendResult(res, weights.history(routeIdOf(req)));
  });

  // A body in an encoding or charset the parser cannot read is the wrong media type.
  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: unknown }).type;
    if (!res.headersSent && (type === 'encoding.unsupported' || type === 'charset.unsupported')) {
      return sendError(res, 415, 'unsupported_media_type', (err as Error).message);
    }
    next(err);
  });
  r.use(jsonBodyErrors(MAX_WEIGHTS_BODY));
  return r;
}
