// The static strategy (routes without `runtime_key_prefix`: their weights are only in the bootstrap).
// Each replica's bootstrap document (a local file, or the ConfigMap key mounted as its `-c` file) is
// rewritten in place, only the route's weights changing (bootstrap-rewrite.ts), every document checked
// before any is written. A replica that reloads its bootstrap by itself (meshscope-proxy) is read back
// until its /config_dump serves the new weights; Envoy reads a static bootstrap only at start, so its
// replicas are `pending` and the answer says a restart is needed (a rollout restart in Kubernetes).
// Then the change is audited (JSON lines, plus the ConfigMap's history annotation and an Event in
// Kubernetes) before it is answered. Nothing is left half-done: when a write fails, or every
// reloading replica refuses the new text, the documents written so far get their old text back.
//
// The same rewrite converts such a route to runtime weights: `runtime_key_prefix` is added (weights
// unchanged), after which the runtime strategy sets them live.
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type {
  AuditEntry,
  ConvertToRuntimeResult,
  ReplicaOutcome,
  RestartNeeded,
  WeightChangeResult,
} from '../../shared/api/weights.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape, WeightedRouteConfig } from '../model/sidecar-data.ts';
import { type AuditLog, newAuditId } from './audit-log.ts';
import {
  type BootstrapDocument,
  type BootstrapLookup,
  ConflictError,
  localBootstrapLookup,
} from './bootstrap-document.ts';
import {
  type BootstrapPlan,
  confirmReload,
  defaultBuildOf,
  planBootstrapReplicas,
} from './bootstrap-replicas.ts';
import {
  addRuntimeKeyPrefix,
  hasAdminLayer,
  type RewriteResult,
  type RouteLocator,
  rewriteBootstrapWeights,
} from './bootstrap-rewrite.ts';
import { KeyLock } from './key-lock.ts';
import type { AuditMirror } from './kubernetes-audit.ts';
import { effectiveWeights, routeConfigIn, type Weights, writtenVersion } from './route-weights.ts';
import type { ChangeMeta, WeightsLog } from './runtime-strategy.ts';
import { failure } from './service-failure.ts';
import type { SidecarBuild } from './sidecar-build.ts';

export interface StaticStrategyOptions {
  sidecar: (id: string) => SidecarTarget | undefined;
  scrape: (id: string) => SidecarScrape | undefined;
  audit: AuditLog;
  /** Where a replica's bootstrap is; default: a file on this machine. */
  bootstrap?: BootstrapLookup;
  /** A replica's /server_info; default: asked over its admin API. */
  buildOf?: (t: SidecarTarget) => Promise<SidecarBuild>;
  /** Kubernetes: the history annotation and Event of each change. */
  mirror?: AuditMirror;
  /** Kubernetes: a restart is a rollout restart of the route's workload. */
  restartable?: boolean;
  timeoutMs?: number;
  /** How long a reloading replica may take to serve the new bootstrap (default 5 s: its file poll is 1 s). */
  confirmMs?: number;
  now?: () => number;
  log?: WeightsLog;
}

interface Written {
  doc: BootstrapDocument;
  before: string;
}

export class StaticStrategy {
  private readonly opts: StaticStrategyOptions;
  private readonly now: () => number;
  private readonly log: WeightsLog;
  /**
   * One change at a time per document (routes of one bootstrap share it), from its read to its
   * restore: a change to another route of the same file waits instead of failing on the precondition.
   */
  private readonly docLock = new KeyLock();

  constructor(opts: StaticStrategyOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  private locator(route: WeightedRoute): RouteLocator | undefined {
    for (const r of route.replicas) {
      const s = this.opts.scrape(r.sidecarId);
      const c = s === undefined ? undefined : routeConfigIn(route, s);
      if (c !== undefined) return c;
    }
    return undefined;
  }

  private async plan(route: WeightedRoute) {
    return planBootstrapReplicas(
      route.replicas,
      this.opts.sidecar,
      this.opts.bootstrap ?? localBootstrapLookup,
      this.opts.buildOf ?? defaultBuildOf(this.opts.timeoutMs ?? 2000),
    );
  }

  /** Reads and rewrites every document; writes nothing unless all of them can be rewritten. */
  private async rewriteAll(
    plan: BootstrapPlan,
    rewrite: (text: string) => RewriteResult,
  ): Promise<
    | { ok: true; texts: Map<string, { before: string; after: string; token: string }> }
    | { ok: false; error: string }
  > {
    const texts = new Map<string, { before: string; after: string; token: string }>();
    for (const [key, doc] of plan.docs) {
      let read: { text: string; token: string };
      try {
        read = await doc.read();
      } catch (e) {
        return { ok: false, error: `cannot read ${doc.location}: ${(e as Error).message}` };
      }
      const r = rewrite(read.text);
      if (!r.ok) return { ok: false, error: `${doc.location}: ${r.error}` };
      texts.set(key, { before: read.text, after: r.text, token: read.token });
    }
    return { ok: true, texts };
  }

  private async writeAll(
    plan: BootstrapPlan,
    texts: Map<string, { before: string; after: string; token: string }>,
  ): Promise<{ written: Written[]; error?: string; conflict?: boolean }> {
    const written: Written[] = [];
    for (const [key, doc] of plan.docs) {
      const t = texts.get(key)!;
      if (t.after === t.before) continue;
      try {
        await doc.write(t.after, t.token);
        written.push({ doc, before: t.before });
      } catch (e) {
        return {
          written,
          error: `could not write ${doc.location}: ${(e as Error).message}`,
          conflict: e instanceof ConflictError,
        };
      }
    }
    return { written };
  }

  private async restore(written: readonly Written[]): Promise<void> {
    for (const { doc, before } of written) {
      try {
        await doc.write(before, (await doc.read()).token);
      } catch (e) {
        this.log('warning', `could not restore ${doc.location}: ${(e as Error).message}`);
      }
    }
  }

  private restartNeeded(route: WeightedRoute, plan: BootstrapPlan): RestartNeeded | undefined {
    const restart = plan.replicas.filter((r) => r.reload === 'restart').map((r) => r.sidecarId);
    if (restart.length === 0) return undefined;
    const envoy = plan.replicas.some((r) => r.reload === 'restart' && r.build?.product === 'envoy');
    return {
      reason: envoy
        ? 'Envoy reads a static bootstrap only at start: the new weights serve once these sidecars restart'
        : 'these sidecars do not reload their bootstrap by themselves: restart them to serve the new weights',
      sidecars: restart,
      workloads: this.opts.restartable
        ? [{ namespace: route.source.namespace, name: route.source.workload }]
        : [],
    };
  }

  private auditTarget(route: WeightedRoute, written: readonly Written[]) {
    const configMaps = written
      .map((w) => w.doc)
      .filter(
        (d): d is BootstrapDocument & { namespace: string; name: string } =>
          d.kind === 'configmap' && 'namespace' in d,
      )
      .map((d) => ({ namespace: d.namespace, name: d.name }));
    return { configMaps, workload: { namespace: route.source.namespace, name: route.source.workload } };
  }

  /**
   * Finds the route in a scrape, plans its replicas' documents and, holding their locks, rewrites every
   * one of them before `change` writes anything: a route not scraped, an unknown bootstrap or a document
   * the rewrite does not fit fails with nothing changed.
   */
  private async rewritePlanned<T>(
    route: WeightedRoute,
    rewrite: (text: string, at: RouteLocator) => RewriteResult,
    change: (
      plan: BootstrapPlan,
      at: RouteLocator,
      texts: Map<string, { before: string; after: string; token: string }>,
    ) => Promise<ServiceResult<T>>,
  ): Promise<ServiceResult<T>> {
    const at = this.locator(route);
    if (at === undefined)
      return failure(409, 'route_not_scraped', 'no replica of this route has been scraped yet; try again');
    const planned = await this.plan(route);
    if (!planned.ok) {
      return failure(
        422,
        'bootstrap_unknown',
        `cannot rewrite this route's bootstrap, nothing was changed: ${planned.reasons.join('; ')}`,
      );
    }
    const plan = planned.plan;
    return this.docLock.runAll([...plan.docs.keys()], async () => {
      const rewritten = await this.rewriteAll(plan, (text) => rewrite(text, at));
      if (!rewritten.ok) return failure(409, 'bootstrap_mismatch', `${rewritten.error}; nothing was changed`);
      return change(plan, at, rewritten.texts);
    });
  }

  /** Sets `to` in the route's bootstrap(s) (the caller has checked the change is allowed). */
  async apply(
    route: WeightedRoute,
    to: Weights,
    meta: ChangeMeta,
  ): Promise<ServiceResult<WeightChangeResult>> {
    const from = effectiveWeights(route);
    const serves = (c: WeightedRouteConfig) => c.clusters.every((x) => x.weight === to[x.name]);
    return this.rewritePlanned(
      route,
      (text, at) => rewriteBootstrapWeights(text, at, to),
      (plan, at, texts) =>
        this.commit(route, plan, texts, serves, at, {
          from,
          to,
          meta,
          answer: (entry, replicas, written, restartNeeded, outcome) => ({
            routeId: route.id,
            version: writtenVersion(route, { id: entry.id, from, to }),
            from,
            to,
            strategy: 'static',
            replicas,
            auditId: entry.id,
            outcome,
            persisted: persistedOf(written),
            ...(restartNeeded !== undefined && { restartNeeded }),
          }),
        }),
    );
  }

  /** Adds `runtime_key_prefix` to the route in its bootstrap(s); the weights stay as they are. */
  async convert(
    route: WeightedRoute,
    prefix: string,
    meta: ChangeMeta,
  ): Promise<ServiceResult<ConvertToRuntimeResult>> {
    const serves = (c: WeightedRouteConfig) => c.runtimeKeyPrefix === prefix;
    return this.rewritePlanned(
      route,
      (text, at) => addRuntimeKeyPrefix(text, at, prefix),
      (plan, at, texts) => {
        const weights = effectiveWeights(route);
        const warnings = [...plan.docs.values()]
          .filter((d) => !hasAdminLayer(texts.get(d.key)!.before))
          .map(
            (d) =>
              `${d.location} has no admin_layer in layered_runtime: Envoy refuses /runtime_modify until one is added (and a disk_layer keeps the weights across restarts)`,
          );
        return this.commit(route, plan, texts, serves, at, {
          from: weights,
          to: weights,
          meta: {
            ...meta,
            reason: meta.reason ?? `convert to runtime weights (runtime_key_prefix ${prefix})`,
          },
          answer: (_entry, replicas, written, restartNeeded) => ({
            routeId: route.id,
            prefix,
            persisted: persistedOf(written),
            replicas,
            ...(restartNeeded !== undefined && { restartNeeded }),
            ...(warnings.length > 0 && { warnings }),
          }),
        });
      },
    );
  }

  private async commit<T>(
    route: WeightedRoute,
    plan: BootstrapPlan,
    texts: Map<string, { before: string; after: string; token: string }>,
    serves: (c: WeightedRouteConfig) => boolean,
    at: RouteLocator,
    c: {
      from: Weights;
      to: Weights;
      meta: ChangeMeta;
      answer: (
        entry: AuditEntry,
        replicas: ReplicaOutcome[],
        written: Written[],
        restartNeeded: RestartNeeded | undefined,
        outcome: AuditEntry['outcome'],
      ) => T;
    },
  ): Promise<ServiceResult<T>> {
    const audit = (outcome: AuditEntry['outcome']): AuditEntry => ({
      id: newAuditId(this.now()),
      at: this.now(),
      who: c.meta.who,
      routeId: route.id,
      from: c.from,
      to: c.to,
      ...(c.meta.reason !== undefined && { reason: c.meta.reason }),
      outcome,
      ...(c.meta.revertOf !== undefined && { revertOf: c.meta.revertOf }),
    });
    const { written, error, conflict } = await this.writeAll(plan, texts);
    if (error !== undefined) {
      await this.restore(written);
      await this.recordQuietly(audit('failed'), route, written);
      return conflict
        ? failure(409, 'bootstrap_changed', `${error}; nothing was changed, reload and try again`)
        : failure(500, 'persist_failed', `${error}; the previous bootstrap was put back`);
    }
    const opts = { timeoutMs: this.opts.timeoutMs ?? 2000, confirmMs: this.opts.confirmMs ?? 5000 };
    const replicas = await Promise.all(plan.replicas.map((r) => confirmReload(r, at, serves, opts)));
    const applied = replicas.filter((r) => r.status === 'applied').length;
    const pending = replicas.filter((r) => r.status === 'pending').length;
    const outcome = applied === replicas.length ? 'applied' : applied + pending > 0 ? 'partial' : 'failed';
    if (outcome === 'failed') {
      await this.restore(written);
      await this.recordQuietly(audit('failed'), route, written);
      const why = replicas.map((r) => `${r.sidecarId}: ${r.error ?? r.status}`).join('; ');
      return failure(
        502,
        'apply_failed',
        `no replica took the new bootstrap, the previous one was put back: ${why}`,
      );
    }
    const entry = audit(outcome);
    try {
      await this.opts.audit.append(entry);
      await this.opts.mirror?.(entry, this.auditTarget(route, written));
    } catch (e) {
      await this.restore(written);
      return failure(
        500,
        'audit_failed',
        `the change could not be recorded (${(e as Error).message}); the previous bootstrap was put back`,
      );
    }
    this.log(
      'info',
      `${route.id} (static) ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)} by ${c.meta.who}: ${outcome}`,
    );
    return { ok: true, value: c.answer(entry, replicas, written, this.restartNeeded(route, plan), outcome) };
  }

  private async recordQuietly(entry: AuditEntry, route: WeightedRoute, written: readonly Written[]) {
    try {
      await this.opts.audit.append(entry);
      await this.opts.mirror?.(entry, this.auditTarget(route, written));
    } catch (e) {
      this.log('warning', `could not record a failed change of ${entry.routeId}: ${(e as Error).message}`);
    }
  }
}

/** The documents a change wrote, as its answer names them. */
function persistedOf(written: readonly Written[]) {
  return written.map(({ doc }) => ({ kind: doc.kind, location: doc.location }));
}
