// The dashboard's Express application: JSON API, server-sent events, health and self metrics, and (when
// built) the UI's static files. No state of its own: everything comes from the DashboardCore.
import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import type { DashboardConfig } from '../shared/api/config.ts';
import { alertsRouter } from './api/alerts-router.ts';
import { sendError } from './api/api-error.ts';
import { apiRouter } from './api/api-router.ts';
import type { DashboardCore } from './api/dashboard-core.ts';
import { type EventsStats, eventsRouter } from './api/events-router.ts';
import { guardedShiftRouter } from './api/guarded-shift-router.ts';
import { createSelfMetrics } from './api/self-metrics.ts';
import { weightsRouter } from './api/weights-router.ts';
import { type WriteAccess, writeGate } from './api/write-gate.ts';
import type { GuardedShiftService } from './weights/guarded-shift-runner.ts';
import { authorizeWrite } from './weights/write-auth.ts';

export interface AppOptions {
  /** Directory of the built UI (client/dist); served when it exists. */
  staticDir?: string;
  /**
   * Who may write, and how often (api/write-gate.ts). Default: nobody (no token configured), which only
   * tests of the read side want; bin/meshscope always passes its tokens or --read-only.
   */
  writes?: WriteAccess;
  /** Guarded shifts (server/weights/guarded-shift-runner.ts): their API, and their events on /api/events. */
  guardedShifts?: GuardedShiftService;
}

export function createApp(core: DashboardCore, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const events: EventsStats = { clients: 0 };
  const metrics = createSelfMetrics(core, events);
  const writes: WriteAccess = opts.writes ?? {
    readOnly: false,
    authorize: (info) => authorizeWrite(info, []),
  };

  app.use((req, res, next) => {
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : req.baseUrl || 'other';
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
    });
    next();
  });
  // Before every route: no write, on any path, gets past it unauthorized (or at all with --read-only).
  app.use(writeGate(writes));

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    if (core.ready()) res.type('text/plain').send('ready\n');
    else
      res
        .status(503)
        .type('text/plain')
        .send('not ready: discovery or the first scrape cycle has not completed\n');
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/api/config', (_req, res) => {
    const config: DashboardConfig = {
      readOnly: writes.readOnly,
      writeAuth: 'bearer',
      writeRateLimit: writes.limiter ? { ...writes.limiter.rate } : null,
    };
    res.json(config);
  });
  app.use('/api/events', eventsRouter(core, events, undefined, opts.guardedShifts));
  if (core.weights) {
    // Before the generic JSON parser: the weights routes parse (and limit) their bodies themselves.
    app.use('/api', weightsRouter(core.weights));
  }
  if (opts.guardedShifts) {
    app.use('/api', guardedShiftRouter(opts.guardedShifts));
  }
  if (core.alerts) app.use('/api', alertsRouter(core.alerts));
  app.use('/api', express.json({ limit: '64kb' }), apiRouter(core));

  if (opts.staticDir && existsSync(opts.staticDir)) {
    app.use(express.static(opts.staticDir, { index: 'index.html' }));
  }
  app.use((_req, res) => sendError(res, 404, 'not_found', 'not found'));
  return app;
}
