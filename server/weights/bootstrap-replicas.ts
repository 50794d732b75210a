// The replicas of a route and the bootstrap documents behind them, for the static strategy: each
// replica's build (/server_info: does it reload by itself, where is its file) and its document
// (bootstrap-document.ts), grouped so a document shared by replicas is rewritten once; and the
// read-back of a reloaded replica's /config_dump.
import type { ReplicaOutcome } from '../../shared/api/weights.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { WeightedRouteConfig } from '../model/sidecar-data.ts';
import { adminRequest, adminUrl, displayUrl } from '../sources/envoy/admin-client.ts';
import { CONFIG_DUMP_PATH } from '../sources/envoy/admin-paths.ts';
import { weightedRoutesFromConfigDump } from '../sources/envoy/config-dump-routes.ts';
import { parseAdminJson } from '../sources/envoy/proto-json.ts';
import type { BootstrapDocument, BootstrapLookup, BootstrapReload } from './bootstrap-document.ts';
import type { RouteLocator } from './bootstrap-rewrite.ts';
import { fetchSidecarBuild, type SidecarBuild } from './sidecar-build.ts';

export interface BootstrapReplica {
  sidecarId: string;
  adminUrl: string;
  target: SidecarTarget | undefined;
  /** Undefined when /server_info did not answer (the replica is down). */
  build: SidecarBuild | undefined;
  reload: BootstrapReload;
  docKey: string;
}

export interface BootstrapPlan {
  replicas: BootstrapReplica[];
  docs: Map<string, BootstrapDocument>;
}

export function replicaUrl(target: SidecarTarget): string {
  return displayUrl(adminUrl(target.admin, '/')).replace(/\/$/, '');
}

/** Every replica's document, or the reasons some have none (then nothing may be written). */
export async function planBootstrapReplicas(
  replicas: readonly { sidecarId: string; adminUrl: string }[],
  sidecar: (id: string) => SidecarTarget | undefined,
  lookup: BootstrapLookup,
  buildOf: (t: SidecarTarget) => Promise<SidecarBuild>,
): Promise<{ ok: true; plan: BootstrapPlan } | { ok: false; reasons: string[] }> {
  const reasons: string[] = [];
  const docs = new Map<string, BootstrapDocument>();
  const planned = await Promise.all(
    replicas.map(async (r): Promise<BootstrapReplica | undefined> => {
      const target = sidecar(r.sidecarId);
      if (target === undefined) {
        reasons.push(`${r.sidecarId}: no longer discovered`);
        return undefined;
      }
      const build = await buildOf(target).catch(() => undefined);
      const found = await lookup(target, build);
      if (!found.ok) {
        reasons.push(found.reason);
        return undefined;
      }
      if (!docs.has(found.doc.key)) docs.set(found.doc.key, found.doc);
      return { ...r, target, build, reload: found.reload, docKey: found.doc.key };
    }),
  );
  if (reasons.length > 0) return { ok: false, reasons };
  return { ok: true, plan: { replicas: planned as BootstrapReplica[], docs } };
}

export const defaultBuildOf = (timeoutMs: number) => (t: SidecarTarget) => fetchSidecarBuild(t, timeoutMs);

/** The route in a replica's live /config_dump. */
export async function liveRouteConfig(
  target: SidecarTarget,
  at: RouteLocator,
  timeoutMs: number,
): Promise<WeightedRouteConfig | undefined> {
  const res = await adminRequest(target.admin, 'GET', CONFIG_DUMP_PATH, {
    timeoutMs,
    maxBytes: 32 * 1024 * 1024,
    target: target.id,
  });
  return weightedRoutesFromConfigDump(parseAdminJson(res.body, `${target.id}: GET ${res.url}`)).find(
    (c) =>
      c.listener === at.listener &&
      c.routeConfig === at.routeConfig &&
      c.virtualHost === at.virtualHost &&
      c.routeIndex === at.routeIndex,
  );
}

/**
 * Waits until a replica that reloads by itself serves what `serves` accepts (read back from its
 * /config_dump), up to `confirmMs`; its outcome for the API.
 */
export async function confirmReload(
  r: BootstrapReplica,
  at: RouteLocator,
  serves: (c: WeightedRouteConfig) => boolean,
  opts: { timeoutMs: number; confirmMs: number },
): Promise<ReplicaOutcome> {
  const base = { sidecarId: r.sidecarId, adminUrl: r.adminUrl };
  if (r.build === undefined) {
    return { ...base, status: 'pending', error: 'unreachable: it reads the new bootstrap when it starts' };
  }
  if (r.reload === 'restart') {
    const what = r.build.product === 'envoy' ? `Envoy ${r.build.version}` : 'this sidecar';
    return {
      ...base,
      status: 'pending',
      error: `written; ${what} reads its bootstrap only at start: restart it to serve the new weights`,
    };
  }
  if (r.reload === 'kubelet') {
    return {
      ...base,
      status: 'pending',
      error:
        'written; the kubelet updates the mounted file within about a minute, and the sidecar reloads it then',
    };
  }
  const deadline = performance.now() + opts.confirmMs;
  let last = '';
  for (;;) {
    try {
      const c = await liveRouteConfig(r.target!, at, opts.timeoutMs);
      if (c !== undefined && serves(c)) return { ...base, status: 'applied' };
      last =
        c === undefined
          ? 'the route is not in its /config_dump'
          : `it still serves ${c.clusters.map((x) => `${x.name}=${x.weight}`).join(' ')}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (performance.now() >= deadline) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return { ...base, status: 'failed', error: `did not reload the new bootstrap (${last}); see its log` };
}
