// GET /api/events: server-sent events, one `graph` event per scrape cycle built for the parameters the
// client subscribed with, so the UI feeds them into its query cache instead of polling; and an `alerts`
// event (the current AlertList) on connecting and whenever an alert changes state. A guarded shift
// that changes (a step, a decision, a pause, its end) is sent as a `guarded-shift` event on the same
// stream, and alone on GET /api/events/guarded-shifts for views that show no graph (the weight editor).
import { type Response, Router } from 'express';
import type { GuardedShiftService } from '../weights/guarded-shift-runner.ts';
import { sendValidationError } from './api-error.ts';
import { type DashboardCore, graphJsonFor, graphJsonOf } from './dashboard-core.ts';
import { parseGraphRequest } from './graph-request.ts';

export interface EventsStats {
  clients: number;
}

function openStream(res: Response): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Tells nginx-style reverse proxies (and kubectl port-forward setups behind one) not to buffer.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
}

export function eventsRouter(
  core: DashboardCore,
  stats: EventsStats,
  heartbeatMs = 15_000,
  shifts?: GuardedShiftService,
): Router {
  const r = Router();
  const shiftEvents = (res: Response) =>
    shifts?.onChange((s) => res.write(`event: guarded-shift\ndata: ${JSON.stringify(s)}\n\n`)) ?? (() => {});

  r.get('/guarded-shifts', (req, res) => {
    openStream(res);
    stats.clients++;
    for (const s of shifts?.list() ?? []) res.write(`event: guarded-shift\ndata: ${JSON.stringify(s)}\n\n`);
    const off = shiftEvents(res);
    const hb = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.on('close', () => {
      off();
      clearInterval(hb);
      stats.clients--;
    });
  });

  r.get('/', (req, res) => {
    const q = parseGraphRequest(req, core);
    if (!q.ok) return sendValidationError(res, q.error);
    openStream(res);
    stats.clients++;
    const write = (text: string) => res.write(`event: graph\ndata: ${text}\n\n`);
    const unwatch = core.watch?.(q.value);
    // The first graph may need a build (a view nobody watched); later ones are kept by the cycle.
    if (core.ready()) {
      void graphJsonFor(core, q.value).then(
        (text) => res.writableEnded || write(text),
        () => {},
      );
    }
    const off = core.onCycle(() => write(graphJsonOf(core, q.value)));
    // Alert changes as their own events: the whole current list, so a client never has to merge.
    const sendAlerts = (list: unknown) => res.write(`event: alerts\ndata: ${JSON.stringify(list)}\n\n`);
    if (core.alerts) sendAlerts(core.alerts.list());
    const offAlerts = core.alerts?.onChange(sendAlerts);
    const offShifts = shiftEvents(res);
    // Comments keep idle connections from being closed by proxies in between.
    const hb = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.on('close', () => {
      off();
      unwatch?.();
      offShifts();
      offAlerts?.();
      clearInterval(hb);
      stats.clients--;
    });
  });
  return r;
}
