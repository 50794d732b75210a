// The dashboard's own /metrics (prom-client): its HTTP traffic, SSE clients and scrape health, so a
// Prometheus that scrapes the mesh can watch meshscope too.
import client from 'prom-client';
import type { DashboardCore } from './dashboard-core.ts';
import type { EventsStats } from './events-router.ts';

export interface SelfMetrics {
  registry: client.Registry;
  httpRequests: client.Counter<'route' | 'status'>;
}

export function createSelfMetrics(core: DashboardCore, events: EventsStats): SelfMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'meshscope_' });
  const httpRequests = new client.Counter({
    name: 'meshscope_http_requests_total',
    help: 'HTTP requests served by the dashboard, by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: 'meshscope_sse_clients',
    help: 'Open server-sent event streams.',
    registers: [registry],
    collect() {
      this.set(events.clients);
    },
  });
  new client.Gauge({
    name: 'meshscope_sidecars',
    help: 'Sidecars known to discovery, by scrape state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const all = core.sidecars();
      const up = all.filter((s) => s.up).length;
      this.set({ state: 'up' }, up);
      this.set({ state: 'down' }, all.length - up);
    },
  });
  const graphStats = core.graphStats?.bind(core);
  if (graphStats !== undefined) {
    const counted = { cycle: 0, request: 0 };
    new client.Counter({
      name: 'meshscope_graph_builds_total',
      help: 'Graphs built: by the scrape cycle (its own views and the views kept for clients), or on a request for a view not kept.',
      labelNames: ['by'] as const,
      registers: [registry],
      collect() {
        const now = graphStats().builds;
        for (const by of ['cycle', 'request'] as const) {
          this.inc({ by }, now[by] - counted[by]);
          counted[by] = now[by];
        }
      },
    });
    new client.Gauge({
      name: 'meshscope_graph_views_kept',
      help: "Graph views (a type, window and namespace selection) kept up to date by every cycle besides the cycle's own four, by whether an event stream watches them.",
      labelNames: ['watched'] as const,
      registers: [registry],
      collect() {
        const s = graphStats();
        this.set({ watched: 'true' }, s.watchedViews);
        this.set({ watched: 'false' }, s.keptViews - s.watchedViews);
      },
    });
  }
  if (core.alerts) {
    const alerts = core.alerts;
    new client.Gauge({
      name: 'meshscope_alerts',
      help: "meshscope's own alerts, by state (resolved: within the last 15 minutes) and severity.",
      labelNames: ['state', 'severity'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const state of ['pending', 'firing', 'resolved'] as const)
          for (const severity of ['critical', 'warning', 'info'] as const) this.set({ state, severity }, 0);
        for (const a of alerts.list().alerts) this.inc({ state: a.state, severity: a.labels.severity });
      },
    });
  }
  return { registry, httpRequests };
}
