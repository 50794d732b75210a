// Setting runtime values on one replica and confirming them: one `POST /runtime_modify?k1=v1&k2=v2…`
// carrying every key of the route, so the replica switches from the old split to the new one in one
// step (Envoy applies a runtime_modify's keys together, in one new snapshot: runtime_handler.cc), then
// `GET /runtime` to read the final values back. A replica that cannot be reached is `pending`:
// reconciliation gives it the weights when it is back. One that answers with an error is `failed`.
import type { ReplicaOutcome } from '../../shared/api/weights.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import { AdminRequestError, adminRequest, adminUrl, displayUrl } from '../sources/envoy/admin-client.ts';
import { RUNTIME_PATH } from '../sources/envoy/admin-paths.ts';
import { parseAdminJson } from '../sources/envoy/proto-json.ts';
import { parseRuntimeJson } from '../sources/envoy/runtime-json.ts';

export interface ReplicaRuntimeOptions {
  /** Deadline of each admin request. */
  timeoutMs: number;
  /** How long the read-back may wait for the values to show (a disk layer above the admin layer reloads asynchronously). */
  confirmMs: number;
}

const MAX_RUNTIME_BYTES = 8 * 1024 * 1024;

export function runtimeModifyPath(values: Readonly<Record<string, string>>): string {
  return `/runtime_modify?${new URLSearchParams(Object.entries(values)).toString()}`;
}

export async function modifyRuntime(
  target: SidecarTarget,
  values: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<void> {
  await adminRequest(target.admin, 'POST', runtimeModifyPath(values), {
    timeoutMs,
    maxBytes: 64 * 1024,
    target: target.id,
  });
}

export async function readRuntime(target: SidecarTarget, timeoutMs: number): Promise<Map<string, string>> {
  const res = await adminRequest(target.admin, 'GET', RUNTIME_PATH, {
    timeoutMs,
    maxBytes: MAX_RUNTIME_BYTES,
    target: target.id,
  });
  return parseRuntimeJson(parseAdminJson(res.body, `${target.id}: GET ${res.url}`));
}

/** Keys whose final value differs from the wanted one, as `key=seen (wanted)`. */
export function runtimeMismatches(
  seen: ReadonlyMap<string, string>,
  wanted: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(wanted)
    .filter(([k, v]) => seen.get(k)?.trim() !== v)
    .map(([k, v]) => `${k}=${seen.get(k) ?? '(unset)'} (wanted ${v})`);
}

/**
 * Unreachable, as opposed to refusing: connection failures and timeouts, and the gateway errors an API
 * server's pods/proxy answers with when the pod does not.
 */
export function isUnreachable(e: unknown): boolean {
  if (!(e instanceof AdminRequestError)) return false;
  if (e.failure === 'status') return e.status === 502 || e.status === 503 || e.status === 504;
  return e.failure === 'connect' || e.failure === 'timeout' || e.failure === 'network';
}

export async function applyToReplica(
  target: SidecarTarget,
  values: Readonly<Record<string, string>>,
  opts: ReplicaRuntimeOptions,
): Promise<ReplicaOutcome> {
  const base = { sidecarId: target.id, adminUrl: displayUrl(adminUrl(target.admin, '/')).replace(/\/$/, '') };
  try {
    await modifyRuntime(target, values, opts.timeoutMs);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return isUnreachable(e)
      ? { ...base, status: 'pending', error: `unreachable, will be reconciled when it is back: ${error}` }
      : { ...base, status: 'failed', error };
  }
  const deadline = performance.now() + opts.confirmMs;
  let mismatches: string[] = [];
  for (;;) {
    try {
      mismatches = runtimeMismatches(await readRuntime(target, opts.timeoutMs), values);
    } catch (e) {
      // Set but not confirmed: reconciliation checks it at the next scrape.
      const error = e instanceof Error ? e.message : String(e);
      return { ...base, status: 'pending', error: `set, but reading /runtime back failed: ${error}` };
    }
    if (mismatches.length === 0) return { ...base, status: 'applied' };
    if (performance.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    ...base,
    status: 'failed',
    error: `/runtime does not show the new values (a layer above the admin layer may override them): ${mismatches.join(', ')}`,
  };
}
