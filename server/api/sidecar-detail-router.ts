// GET /api/sidecars/:id/clusters and /api/sidecars/:id/config_dump: the side panel's live view of one
// sidecar. Sidecar ids contain `/` (`namespace/pod`, `namespace/workload/N`), so clients send them
// URL-encoded as one path segment; Express decodes the parameter. 404 for an id discovery does not
// know, 502 when the sidecar itself does not answer (the dashboard is a gateway to it here).
import { type Response, Router } from 'express';
import { sendError } from './api-error.ts';
import type { DashboardCore } from './dashboard-core.ts';

/** What discovery issues: `namespace/pod` or `namespace/workload/N`, Kubernetes names and digits. */
const SIDECAR_ID = /^[A-Za-z0-9_.:~/-]{1,512}$/;

export function sidecarDetailRouter(core: DashboardCore): Router {
  const r = Router();

  r.get('/:id/clusters', async (req, res) => {
    const id = req.params['id'] as string;
    if (!validId(res, id)) return;
    try {
      const clusters = await core.sidecarClusters(id);
      if (clusters === undefined) return unknownSidecar(res, id);
      res.json(clusters);
    } catch (e) {
      sidecarFailed(res, id, e);
    }
  });

  r.get('/:id/config_dump', async (req, res) => {
    const id = req.params['id'] as string;
    if (!validId(res, id)) return;
    try {
      const dump = await core.sidecarConfigDump(id);
      if (dump === undefined) return unknownSidecar(res, id);
      // Sent as the sidecar wrote it: re-serialising a multi-MB dump would only cost time.
      res.type('application/json').send(dump);
    } catch (e) {
      sidecarFailed(res, id, e);
    }
  });

  return r;
}

function validId(res: Response, id: string): boolean {
  if (SIDECAR_ID.test(id)) return true;
  sendError(res, 400, 'invalid_parameter', `'${id}' is not a valid sidecar id`, 'id');
  return false;
}

function unknownSidecar(res: Response, id: string): void {
  sendError(res, 404, 'not_found', `no sidecar '${id}' in the inventory`);
}

function sidecarFailed(res: Response, id: string, e: unknown): void {
  const why = e instanceof Error ? e.message : String(e);
  sendError(res, 502, 'sidecar_unreachable', `sidecar '${id}' did not answer: ${why}`);
}
