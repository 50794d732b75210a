// GET /runtime and POST /runtime_modify (server/admin/runtime_handler.cc).
import type { AdminRequest, AdminResponse } from './admin-response.ts';
import { jsonResponse, textResponse } from './admin-response.ts';
import type { AdminContext, RuntimeDump } from './context.ts';
import { prettyJson } from './proto-json.ts';

/**
 * Envoy builds /runtime as a google.protobuf.Struct, whose printer sorts keys: `entries` before
 * `layers`, entries by key, and `final_value` before `layer_values` inside each.
 */
export function renderRuntime(dump: RuntimeDump): string {
  const entries: Record<string, unknown> = {};
  for (const key of Object.keys(dump.entries).sort()) {
    const e = dump.entries[key]!;
    entries[key] = { final_value: e.final_value, layer_values: e.layer_values };
  }
  return prettyJson({ entries, layers: dump.layers });
}

export function handleRuntime(ctx: AdminContext): AdminResponse {
  return jsonResponse(renderRuntime(ctx.runtime.dump()));
}

const MODIFY_USAGE =
  'usage: /runtime_modify?key1=value1&key2=value2&keyN=valueN\n' +
  '       or send the parameters as form values\n' +
  'use an empty value to remove a previously added override';

/** First value of each key, like Envoy's `QueryParamsMulti`. */
function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * Overrides come from the query string, or else from a form-encoded body. A rejected update (the
 * runtime throws) is answered 400 with the runtime's message; the runtime applies all or nothing.
 */
export function handleRuntimeModify(ctx: AdminContext, req: AdminRequest): AdminResponse {
  let updates = firstValues(req.query);
  if (Object.keys(updates).length === 0 && req.contentType === 'application/x-www-form-urlencoded') {
    updates = firstValues(new URLSearchParams(req.body));
  }
  if (Object.keys(updates).length === 0) return textResponse(MODIFY_USAGE, 400);
  try {
    ctx.runtime.modify(updates);
  } catch (e) {
    return textResponse(e instanceof Error ? e.message : String(e), 400);
  }
  return textResponse('OK\n');
}
