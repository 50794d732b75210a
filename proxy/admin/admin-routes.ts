// The admin endpoint table and dispatch (server/admin/admin.cc): exact path match, state-changing
// endpoints only over POST (405 otherwise), unknown paths 404 with the list of commands.
import type { HistogramIntervals } from '../stats/histogram-quantiles.ts';
import type { AdminRequest, AdminResponse } from './admin-response.ts';
import { jsonResponse, textResponse } from './admin-response.ts';
import { renderClustersJson, renderClustersText } from './clusters-render.ts';
import { handleConfigDump } from './config-dump.ts';
import type { AdminContext } from './context.ts';
import { handleRuntime, handleRuntimeModify } from './runtime-handlers.ts';
import {
  handleHealthcheck,
  handleListeners,
  handleMemory,
  handleQuit,
  handleReady,
  handleServerInfo,
} from './server-handlers.ts';
import { handleResetCounters, handleStats } from './stats-handlers.ts';

/** State shared by requests to one admin server. */
export interface AdminState {
  intervals: HistogramIntervals;
}

interface Endpoint {
  path: string;
  help: string;
  /** Envoy's `mutates_server_state`: POST only. */
  mutates: boolean;
  handle(ctx: AdminContext, req: AdminRequest, state: AdminState): AdminResponse;
}

// Help texts are Envoy's, for the endpoints we implement.
const ENDPOINTS: Endpoint[] = [
  { path: '/', help: 'Admin home page', mutates: false, handle: () => homePage() },
  {
    path: '/clusters',
    help: 'upstream cluster status',
    mutates: false,
    handle: (ctx, req) =>
      req.query.get('format') === 'json'
        ? jsonResponse(renderClustersJson(ctx.clusters()))
        : textResponse(renderClustersText(ctx.clusters())),
  },
  {
    path: '/config_dump',
    help: 'dump current Envoy configs (experimental)',
    mutates: false,
    handle: (ctx, req) =>
      handleConfigDump(ctx.bootstrap(), req.query, ctx.server.reloadedAt?.() ?? ctx.server.startTime),
  },
  {
    path: '/healthcheck/fail',
    help: 'cause the server to fail health checks',
    mutates: true,
    handle: (ctx) => handleHealthcheck(ctx, true),
  },
  {
    path: '/healthcheck/ok',
    help: 'cause the server to pass health checks',
    mutates: true,
    handle: (ctx) => handleHealthcheck(ctx, false),
  },
  {
    path: '/help',
    help: 'print out list of admin commands',
    mutates: false,
    handle: () => textResponse(helpText()),
  },
  { path: '/listeners', help: 'print listener info', mutates: false, handle: handleListeners },
  {
    path: '/memory',
    help: 'print current allocation/heap usage',
    mutates: false,
    handle: () => handleMemory(),
  },
  { path: '/quitquitquit', help: 'exit the server', mutates: true, handle: handleQuit },
  {
    path: '/ready',
    help: 'print server state, return 200 if LIVE, otherwise return 503',
    mutates: false,
    handle: handleReady,
  },
  {
    path: '/reset_counters',
    help: 'reset all counters to zero',
    mutates: true,
    handle: (ctx) => handleResetCounters(ctx.stats),
  },
  { path: '/runtime', help: 'print runtime values', mutates: false, handle: handleRuntime },
  {
    path: '/runtime_modify',
    help: 'Adds or modifies runtime values as passed in query parameters. To delete a previously added key, use an empty string as the value.',
    mutates: true,
    handle: handleRuntimeModify,
  },
  {
    path: '/server_info',
    help: 'print server version/status information',
    mutates: false,
    handle: (ctx) => handleServerInfo(ctx),
  },
  {
    path: '/stats',
    help: 'print server stats',
    mutates: false,
    handle: (ctx, req, state) => handleStats(ctx.stats, req, state.intervals),
  },
  {
    path: '/stats/prometheus',
    help: 'print server stats in prometheus format',
    mutates: false,
    handle: (ctx, req, state) => handleStats(ctx.stats, req, state.intervals, true),
  },
];

const BY_PATH = new Map(ENDPOINTS.map((e) => [e.path, e]));

/** `/help`: Envoy's "admin commands are:" list. */
export function helpText(): string {
  return `admin commands are:\n${ENDPOINTS.map((e) => `  ${e.path}: ${e.help}\n`).join('')}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function homePage(): AdminResponse {
  const rows = ENDPOINTS.filter((e) => e.path !== '/')
    .map((e) => {
      const link = e.mutates
        ? `<form action="${e.path}" method="post"><button>${e.path}</button></form>`
        : `<a href="${e.path}">${e.path}</a>`;
      return `<tr><td>${link}</td><td>${escapeHtml(e.help)}</td></tr>`;
    })
    .join('\n');
  const body = `<!DOCTYPE html>\n<html><head><title>Envoy Admin</title></head><body>\n<table>\n${rows}\n</table>\n</body></html>\n`;
  return { status: 200, body, contentType: 'html' };
}

/** Routes one request; pure except for what the handlers do to the context. */
export function dispatchAdmin(ctx: AdminContext, req: AdminRequest, state: AdminState): AdminResponse {
  const endpoint = BY_PATH.get(req.path);
  if (!endpoint) return textResponse(`invalid path. ${helpText()}`, 404);
  if (endpoint.mutates && req.method !== 'POST') {
    return textResponse(`Method ${req.method} not allowed, POST required.`, 405);
  }
  return endpoint.handle(ctx, req, state);
}
