// GET /api/events: server-sent events, one `graph` event per scrape cycle built for the parameters the
// client subscribed with, so the UI feeds them into its query cache instead of polling.
import { Router } from 'express';
import { sendValidationError } from './api-error.ts';
import type { DashboardCore } from './dashboard-core.ts';
import { parseGraphRequest } from './graph-request.ts';

export interface EventsStats {
  clients: number;
}

export function eventsRouter(core: DashboardCore, stats: EventsStats, heartbeatMs = 15_000): Router {
  const r = Router();
  r.get('/', (req, res) => {
    const q = parseGraphRequest(req, core);
    if (!q.ok) return sendValidationError(res, q.error);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Tells nginx-style reverse proxies (and kubectl port-forward setups behind one) not to buffer.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    stats.clients++;
    const send = () => {
      if (!core.ready()) return;
      res.write(`event: graph\ndata: ${JSON.stringify(core.graph(q.value))}\n\n`);
    };
    send();
    const off = core.onCycle(send);
    // Comments keep idle connections from being closed by proxies in between.
    const hb = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.on('close', () => {
      off();
      clearInterval(hb);
      stats.clients--;
    });
  });
  return r;
}
