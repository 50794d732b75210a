// Server-level endpoints: /ready, /server_info, /healthcheck/{fail,ok}, /quitquitquit, /listeners,
// /memory (server/admin/server_info_handler.cc, server_cmd_handler.cc, listeners_handler.cc).
import type { AdminRequest, AdminResponse } from './admin-response.ts';
import { jsonResponse, textResponse } from './admin-response.ts';
import type { AdminContext, ServerState } from './context.ts';
import { hostPort, prettyJson, protoSeconds, socketAddressJson } from './proto-json.ts';

/** Envoy's `Utility::serverState`: a failed health check reads as DRAINING whatever the init state. */
export function effectiveState(ctx: AdminContext): ServerState {
  return ctx.server.healthcheckFailed ? 'DRAINING' : ctx.server.state();
}

export function handleReady(ctx: AdminContext): AdminResponse {
  const state = effectiveState(ctx);
  return textResponse(`${state}\n`, state === 'LIVE' ? 200 : 503);
}

/** `envoy.admin.v3.ServerInfo`, printed with every primitive field (Envoy passes always_print). */
export function handleServerInfo(ctx: AdminContext, now = new Date()): AdminResponse {
  const b = ctx.bootstrap();
  const rawNode = b.raw['node'];
  const node =
    typeof rawNode === 'object' && rawNode !== null ? rawNode : { id: b.node.id, cluster: b.node.cluster };
  const uptime = protoSeconds((now.getTime() - ctx.server.startTime.getTime()) / 1000);
  return jsonResponse(
    prettyJson({
      version: ctx.server.version,
      state: effectiveState(ctx),
      uptime_current_epoch: uptime,
      // No hot restart: the current epoch is the only one.
      uptime_all_epochs: uptime,
      hot_restart_version: 'disabled',
      command_line_options: ctx.server.commandLine,
      node,
    }),
  );
}

export function handleHealthcheck(ctx: AdminContext, failed: boolean): AdminResponse {
  ctx.server.healthcheckFailed = failed;
  return textResponse('OK\n');
}

export function handleQuit(ctx: AdminContext): AdminResponse {
  return { ...textResponse('OK\n'), afterSend: () => ctx.server.quit() };
}

export function handleListeners(ctx: AdminContext, req: AdminRequest): AdminResponse {
  const listeners = ctx.bootstrap().listeners;
  if (req.query.get('format') === 'json') {
    const statuses = listeners.map((l) => ({
      name: l.name,
      local_address: socketAddressJson(l.address.address, l.address.port),
    }));
    return jsonResponse(prettyJson(statuses.length > 0 ? { listener_statuses: statuses } : {}));
  }
  return textResponse(
    listeners.map((l) => `${l.name}::${hostPort(l.address.address, l.address.port)}\n`).join(''),
  );
}

/** `envoy.admin.v3.Memory` from V8's view of the process (uint64 fields print as strings). */
export function handleMemory(): AdminResponse {
  const m = process.memoryUsage();
  return jsonResponse(
    prettyJson({
      allocated: String(m.heapUsed),
      heap_size: String(m.heapTotal),
      pageheap_unmapped: '0',
      pageheap_free: '0',
      total_thread_cache: '0',
      total_physical_bytes: String(m.rss),
    }),
  );
}
