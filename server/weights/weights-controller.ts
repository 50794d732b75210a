// The weights API behind PUT /api/routes/:id/weights, POST …/revert and GET …/history, and the
// reconciliation that keeps applied weights in place. Strategy: runtime (the route has
// `runtime_key_prefix`): the new values are written to the replicas' durable runtime location (disk
// layer directory, or ConfigMap) while every replica gets one `/runtime_modify` and is read back; once
// both are done the change is appended to the audit log (fsynced), then answered. Routes
// without a runtime key prefix (static weights in the bootstrap, Istio VirtualServices) are answered
// 422: those strategies are not implemented yet.
//
// Errors leave nothing changed: validation (400), a missing or stale If-Match (428, 409) and an
// unsupported route (422) are answered before anything is written; when every replica refuses, the
// durable location is restored (502); when the durable write or the audit append fails, the durable
// location and the replicas get the previous weights again (500).
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type {
  AuditEntry,
  ReplicaOutcome,
  RouteHistory,
  WeightChangeResult,
} from '../../shared/api/weights.ts';
import type { ServiceResult, WeightsService } from '../api/dashboard-core.ts';
import type { SidecarTarget } from '../model/inventory.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import { type AuditLog, newAuditId } from './audit-log.ts';
import type { DurableLookup, DurableRuntime } from './durable-runtime.ts';
import { KeyLock } from './key-lock.ts';
import { type DesiredWeights, planRepairs, type ReplicaRuntime, replicaDrift } from './reconciler.ts';
import { applyToReplica, modifyRuntime } from './replica-runtime.ts';
import {
  effectiveWeights,
  managedVersion,
  normalizeIfMatch,
  routeConfigIn,
  runtimeValues,
  scrapeStartedAt,
  type Weights,
} from './route-weights.ts';
import { lookupRuntimeDir } from './runtime-dir-store.ts';
import { allowedTotals, validateRevert, validateWeightChange } from './validate-weights.ts';

export type WeightsLog = (level: 'debug' | 'info' | 'warning', msg: string) => void;

export interface WeightsControllerOptions {
  /** The dashboard's routes (decorated or not: decorate() is idempotent). */
  routes: () => readonly WeightedRoute[];
  sidecar: (id: string) => SidecarTarget | undefined;
  /** The latest scrape of a sidecar (runtime values, disk layer, route configuration). */
  scrape: (id: string) => SidecarScrape | undefined;
  audit: AuditLog;
  /** A replica's durable location; default: its runtime directory on this machine. */
  durable?: (
    target: SidecarTarget,
    scrape: SidecarScrape | undefined,
    keys: readonly string[],
  ) => Promise<DurableLookup>;
  /** Deadline of each admin request (default 2 s). */
  timeoutMs?: number;
  /** How long a read-back may wait for the values to show (default 1 s). */
  confirmMs?: number;
  now?: () => number;
  log?: WeightsLog;
}

export interface ReconcileSummary {
  repaired: number;
  failed: number;
}

type Failure = Extract<ServiceResult<never>, { ok: false }>['error'];
const failure = <T>(status: number, code: string, message: string, field?: string): ServiceResult<T> => ({
  ok: false,
  error: { status, code, message, ...(field !== undefined && { field }) },
});

interface ChangeMeta {
  who: string;
  reason: string | undefined;
  revertOf: string | undefined;
}

export class WeightsController implements WeightsService {
  private readonly opts: WeightsControllerOptions;
  private readonly now: () => number;
  private readonly log: WeightsLog;
  private readonly routeLock = new KeyLock();
  private readonly storeLock = new KeyLock();
  /** When each sidecar was last repaired: scrapes that began before say nothing new about it. */
  private readonly repairedAt = new Map<string, number>();
  private reconciling = false;

  constructor(opts: WeightsControllerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  // ---- the routes as the API shows them ----

  /** Adds drift, desired weights, the allowed totals and (for managed routes) the managed version. */
  decorate(routes: readonly WeightedRoute[]): WeightedRoute[] {
    return routes.map((r) => this.decorateRoute(r));
  }

  private desiredOf(route: WeightedRoute): (DesiredWeights & { entry: AuditEntry }) | undefined {
    if (route.runtimeKeyPrefix === null) return undefined;
    const entry = this.opts.audit.desired(route.id);
    return entry === undefined ? undefined : { auditId: entry.id, at: entry.at, weights: entry.to, entry };
  }

  private seen(sidecarId: string): ReplicaRuntime | undefined {
    const s = this.opts.scrape(sidecarId);
    if (s === undefined) return undefined;
    const startedAt = scrapeStartedAt(s);
    if (startedAt < (this.repairedAt.get(sidecarId) ?? 0)) return undefined;
    return { startedAt, runtime: s.runtime };
  }

  private totalsOf(route: WeightedRoute): number[] {
    const first = route.replicas[0];
    const scrape = first === undefined ? undefined : this.opts.scrape(first.sidecarId);
    const config = scrape === undefined ? undefined : routeConfigIn(route, scrape);
    const configuredSum = route.clusters.reduce((n, c) => n + c.configuredWeight, 0);
    return allowedTotals(config?.totalWeight, configuredSum);
  }

  private decorateRoute(route: WeightedRoute): WeightedRoute {
    const { desiredWeights: _d, drift: _r, ...base } = route;
    const totals = this.totalsOf(route);
    const desired = this.desiredOf(route);
    const replicas: WeightedRoute['replicas'] = route.replicas.map(({ drift: _x, ...r }) => {
      const drift = desired && replicaDrift(route.runtimeKeyPrefix, desired, this.seen(r.sidecarId));
      return drift === undefined ? r : { ...r, drift };
    });
    if (desired === undefined) return { ...base, replicas, allowedTotals: totals };
    return {
      ...base,
      replicas,
      version: managedVersion(route, desired.auditId),
      desiredWeights: desired.weights,
      drift: replicas.some((r) => r.drift === true),
      allowedTotals: totals,
    };
  }

  private findRoute(routeId: string): WeightedRoute | undefined {
    const route = this.opts.routes().find((r) => r.id === routeId);
    return route === undefined ? undefined : this.decorateRoute(route);
  }

  // ---- the API ----

  history(routeId: string): ServiceResult<RouteHistory> {
    const entries = this.opts.audit.history(routeId);
    if (entries.length === 0 && this.findRoute(routeId) === undefined) {
      return failure(404, 'not_found', `no route '${routeId}'`);
    }
    return { ok: true, value: { routeId, entries } };
  }

  change(routeId: string, body: unknown, ifMatch: string | undefined, who: string) {
    return this.routeLock.run(routeId, async (): Promise<ServiceResult<WeightChangeResult>> => {
      const route = this.findRoute(routeId);
      if (route === undefined) return failure(404, 'not_found', `no route '${routeId}'`);
      const v = validateWeightChange(body, {
        clusters: route.clusters.map((c) => c.name),
        allowedTotals: route.allowedTotals ?? [100],
      });
      if (!v.ok) return failure(400, 'invalid_weights', v.problem.message, v.problem.field);
      const refused = this.precondition(route, ifMatch) ?? this.unsupported(route);
      if (refused !== undefined) return { ok: false, error: refused };
      return this.apply(route, v.value.weights, { who, reason: v.value.reason, revertOf: undefined });
    });
  }

  revert(routeId: string, body: unknown, ifMatch: string | undefined, who: string) {
    return this.routeLock.run(routeId, async (): Promise<ServiceResult<WeightChangeResult>> => {
      const route = this.findRoute(routeId);
      if (route === undefined) return failure(404, 'not_found', `no route '${routeId}'`);
      const v = validateRevert(body);
      if (!v.ok) return failure(400, 'invalid_revert', v.problem.message, v.problem.field);
      const entry = this.opts.audit.get(v.value.auditId);
      if (entry === undefined || entry.routeId !== routeId) {
        return failure(404, 'not_found', `no audit entry '${v.value.auditId}' for this route`, 'auditId');
      }
      const refused = this.precondition(route, ifMatch) ?? this.unsupported(route);
      if (refused !== undefined) return { ok: false, error: refused };
      // The earlier weights must still fit the route: its clusters may have changed since.
      const fits = validateWeightChange(
        { weights: entry.from },
        { clusters: route.clusters.map((c) => c.name), allowedTotals: route.allowedTotals ?? [100] },
      );
      if (!fits.ok) {
        return failure(
          409,
          'cannot_revert',
          `the weights before ${entry.id} no longer fit the route: ${fits.problem.field ?? ''} ${fits.problem.message}`.trim(),
        );
      }
      return this.apply(route, entry.from, { who, reason: v.value.reason, revertOf: entry.id });
    });
  }

  /** 428 without If-Match (a blind write could undo a change its author never saw), 409 when stale. */
  private precondition(route: WeightedRoute, ifMatch: string | undefined): Failure | undefined {
    const version = normalizeIfMatch(ifMatch);
    if (version === undefined || version === '' || version === '*') {
      return {
        status: 428,
        code: 'precondition_required',
        message: `send If-Match with the route's version from GET /api/routes (now ${route.version})`,
      };
    }
    if (version !== route.version) {
      return {
        status: 409,
        code: 'version_conflict',
        message: `the route changed since version ${version} was read (it is now ${route.version}); reload it and try again`,
      };
    }
    return undefined;
  }

  private unsupported(route: WeightedRoute): Failure | undefined {
    if (route.runtimeKeyPrefix !== null) return undefined;
    return {
      status: 422,
      code: 'strategy_not_implemented',
      message:
        'this route has no runtime_key_prefix; static rewrite is not implemented yet (its weights are in the static configuration; patching Istio VirtualServices is not implemented either)',
    };
  }

  // ---- applying ----

  private async durableStores(
    targets: readonly SidecarTarget[],
    keys: readonly string[],
    warnings: string[],
  ): Promise<DurableRuntime[]> {
    const lookup = this.opts.durable ?? lookupRuntimeDir;
    const stores = new Map<string, DurableRuntime>();
    const found = await Promise.all(targets.map((t) => lookup(t, this.opts.scrape(t.id), keys)));
    for (const [i, f] of found.entries()) {
      const t = targets[i]!;
      if (f.ok) stores.set(f.store.key, f.store);
      else
        warnings.push(
          `${t.id}: not persisted (${f.reason}); it keeps these weights until it restarts, and meshscope re-applies them while it runs`,
        );
    }
    return [...stores.values()];
  }

  /** Writes each store in turn; stops at the first failure, saying which. */
  private async writeStores(stores: readonly DurableRuntime[], values: Readonly<Record<string, string>>) {
    const written: { store: DurableRuntime; previous: Record<string, string | undefined> }[] = [];
    for (const store of stores) {
      try {
        written.push({ store, previous: await this.storeLock.run(store.key, () => store.write(values)) });
      } catch (e) {
        return { written, error: { location: store.location, message: (e as Error).message } };
      }
    }
    return { written, error: undefined };
  }

  /** Best effort: the previous weights on every replica again (those that took the change). */
  private async putBackRuntime(
    targets: readonly SidecarTarget[],
    prefix: string,
    from: Weights,
  ): Promise<void> {
    await Promise.all(
      targets.map((t) =>
        modifyRuntime(t, runtimeValues(prefix, from), this.opts.timeoutMs ?? 2000).catch(() => {}),
      ),
    );
  }

  private async restoreStores(
    written: readonly { store: DurableRuntime; previous: Record<string, string | undefined> }[],
  ) {
    for (const { store, previous } of written) {
      try {
        await this.storeLock.run(store.key, () => store.restore(previous));
      } catch (e) {
        this.log('warning', `weights: could not restore ${store.location}: ${(e as Error).message}`);
      }
    }
  }

  private async apply(
    route: WeightedRoute,
    to: Weights,
    meta: ChangeMeta,
  ): Promise<ServiceResult<WeightChangeResult>> {
    const prefix = route.runtimeKeyPrefix!;
    const from = route.desiredWeights ?? effectiveWeights(route);
    const values = runtimeValues(prefix, to);
    const targets = route.replicas.map((r) => this.opts.sidecar(r.sidecarId));
    const present = targets.filter((t): t is SidecarTarget => t !== undefined);
    const warnings: string[] = [];
    const audit = (outcome: AuditEntry['outcome']): AuditEntry => ({
      id: newAuditId(this.now()),
      at: this.now(),
      who: meta.who,
      routeId: route.id,
      from,
      to,
      ...(meta.reason !== undefined && { reason: meta.reason }),
      outcome,
      ...(meta.revertOf !== undefined && { revertOf: meta.revertOf }),
    });

    // 1. The durable location and every replica at once; the answer waits for both, so a change
    // reported done survives a restart. One after the other, the disk layer's swap (which every
    // replica then reloads) would add its time to the replicas' (bench/weights).
    const stores = await this.durableStores(present, Object.keys(values), warnings);
    const [persisted, replicas] = await Promise.all([
      this.writeStores(stores, values),
      Promise.all(
        route.replicas.map((r, i): Promise<ReplicaOutcome> | ReplicaOutcome => {
          const t = targets[i];
          if (t === undefined) {
            return {
              sidecarId: r.sidecarId,
              adminUrl: r.adminUrl,
              status: 'failed',
              error: 'no longer discovered',
            };
          }
          return applyToReplica(t, values, {
            timeoutMs: this.opts.timeoutMs ?? 2000,
            confirmMs: this.opts.confirmMs ?? 1000,
          });
        }),
      ),
    ]);
    const written = persisted.written;
    if (persisted.error !== undefined) {
      await this.restoreStores(written);
      await this.putBackRuntime(present, prefix, from);
      await this.appendQuietly(audit('failed'));
      return failure(
        500,
        'persist_failed',
        `could not write ${persisted.error.location}: ${persisted.error.message}; the previous weights were put back`,
      );
    }
    const applied = replicas.filter((r) => r.status === 'applied').length;
    const pending = replicas.filter((r) => r.status === 'pending').length;
    const outcome = applied === replicas.length ? 'applied' : applied + pending > 0 ? 'partial' : 'failed';
    if (outcome === 'failed') {
      await this.restoreStores(written);
      await this.appendQuietly(audit('failed'));
      const why = replicas.map((r) => `${r.sidecarId}: ${r.error ?? r.status}`).join('; ');
      return failure(502, 'apply_failed', `no replica took the new weights, nothing was changed: ${why}`);
    }

    // 2. Audit, durably, before the answer.
    const entry = audit(outcome);
    try {
      await this.opts.audit.append(entry);
    } catch (e) {
      await this.restoreStores(written);
      await this.putBackRuntime(present, prefix, from);
      return failure(
        500,
        'audit_failed',
        `the change could not be recorded in ${this.opts.audit.path} (${(e as Error).message}); the previous weights were put back`,
      );
    }
    this.log(
      'info',
      `weights: ${route.id} ${JSON.stringify(from)} → ${JSON.stringify(to)} by ${meta.who}: ${outcome}`,
    );
    return {
      ok: true,
      value: {
        routeId: route.id,
        version: managedVersion(route, entry.id),
        from,
        to,
        strategy: 'runtime',
        replicas,
        auditId: entry.id,
        outcome,
        persisted: written.map(({ store }) => ({ kind: store.kind, location: store.location })),
        ...(warnings.length > 0 && { warnings }),
      },
    };
  }

  private async appendQuietly(entry: AuditEntry): Promise<void> {
    try {
      await this.opts.audit.append(entry);
    } catch (e) {
      this.log(
        'warning',
        `weights: could not record a failed change of ${entry.routeId}: ${(e as Error).message}`,
      );
    }
  }

  // ---- reconciliation ----

  /** One pass: every drifting replica of every managed route gets the desired weights again. */
  async reconcile(): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { repaired: 0, failed: 0 };
    if (this.reconciling) return summary;
    this.reconciling = true;
    try {
      const managed = [];
      for (const route of this.decorate(this.opts.routes())) {
        const desired = this.desiredOf(route);
        if (desired !== undefined) managed.push({ route, desired });
      }
      const repairs = planRepairs(managed, (id) => this.seen(id));
      await Promise.all(
        repairs.map((repair) =>
          this.routeLock.run(repair.routeId, async () => {
            // A change made since the plan supersedes it.
            if (this.opts.audit.desired(repair.routeId)?.id !== repair.auditId) return;
            const target = this.opts.sidecar(repair.sidecarId);
            if (target === undefined) return;
            try {
              await this.repairDurable(target, repair.values);
              await modifyRuntime(target, repair.values, this.opts.timeoutMs ?? 2000);
              this.repairedAt.set(repair.sidecarId, this.now());
              summary.repaired++;
              this.log('info', `weights: reconciled ${repair.sidecarId} on ${repair.routeId}`);
            } catch (e) {
              summary.failed++;
              this.log('debug', `weights: reconciling ${repair.sidecarId} failed: ${(e as Error).message}`);
            }
          }),
        ),
      );
    } finally {
      this.reconciling = false;
    }
    return summary;
  }

  /** The drifting replica's durable location too, when it does not hold the desired values. */
  private async repairDurable(
    target: SidecarTarget,
    values: Readonly<Record<string, string>>,
  ): Promise<void> {
    const found = await (this.opts.durable ?? lookupRuntimeDir)(
      target,
      this.opts.scrape(target.id),
      Object.keys(values),
    );
    if (!found.ok) return;
    const store = found.store;
    await this.storeLock.run(store.key, async () => {
      const current = await store.read(Object.keys(values));
      if (Object.entries(values).some(([k, v]) => current[k] !== v)) await store.write(values);
    });
  }
}
