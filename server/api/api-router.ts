// The JSON API: thin handlers over DashboardCore. Every bad parameter is a 400 with an ApiError body.
import { Router } from 'express';
import { sendError, sendValidationError } from './api-error.ts';
import { type DashboardCore, graphJsonFor } from './dashboard-core.ts';
import { parseGraphRequest } from './graph-request.ts';
import { sidecarDetailRouter } from './sidecar-detail-router.ts';

/** Node and edge ids (server/graph/graph-ids.ts): escaped parts joined by `:`, `,` and `/`; nothing else is an id we issued. */
const ID = /^[A-Za-z0-9_.:,~/-]{1,1024}$/;

export function apiRouter(core: DashboardCore): Router {
  const r = Router();

  r.get('/graph', async (req, res) => {
    const q = parseGraphRequest(req, core);
    if (!q.ok) return sendValidationError(res, q.error);
    res.type('application/json').send(await graphJsonFor(core, q.value));
  });

  r.get('/sidecars', (_req, res) => {
    res.json({ sidecars: core.sidecars() });
  });

  r.use('/sidecars', sidecarDetailRouter(core));

  r.get('/sources', (_req, res) => {
    res.json(core.sources());
  });

  r.get('/routes', (_req, res) => {
    res.json({ routes: core.routes() });
  });

  for (const kind of ['nodes', 'edges'] as const) {
    r.get(`/${kind}/:id/series`, (req, res) => {
      const id = req.params.id;
      if (!ID.test(id))
        return sendError(
          res,
          400,
          'invalid_parameter',
          `'${id}' is not a valid ${kind.slice(0, -1)} id`,
          'id',
        );
      const s = kind === 'nodes' ? core.nodeSeries(id) : core.edgeSeries(id);
      if (!s) return sendError(res, 404, 'not_found', `no ${kind.slice(0, -1)} '${id}' in the history`);
      res.json(s);
    });
  }

  r.use((_req, res) => sendError(res, 404, 'not_found', 'no such API endpoint'));
  return r;
}
