// The weights API behind PUT /api/routes/:id/weights, POST …/revert and GET …/history, and the
// reconciliation that keeps applied weights in place. Everything that can refuse a change is checked
// first, before anything is written: validation (400), a missing or stale If-Match (428, 409), a route
// whose weights are not runtime values (422: static rewrite and Istio VirtualServices are not
// implemented yet). Then the runtime strategy applies it (runtime-strategy.ts). One change at a time
// per route: the version check and the change are one step, so of two changes made from the same
// version, the second is a 409.
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { RouteHistory, WeightChangeResult } from '../../shared/api/weights.ts';
import type { ServiceResult, WeightsService } from '../api/dashboard-core.ts';
import { KeyLock } from './key-lock.ts';
import { type DesiredWeights, planRepairs, type ReplicaRuntime, replicaDrift } from './reconciler.ts';
import { managedVersion, normalizeIfMatch, routeConfigIn, scrapeStartedAt } from './route-weights.ts';
import { RuntimeStrategy, type RuntimeStrategyOptions, type WeightsLog } from './runtime-strategy.ts';
import { type Failure, failure } from './service-failure.ts';
import { allowedTotals, validateRevert, validateWeightChange } from './validate-weights.ts';

export type { WeightsLog } from './runtime-strategy.ts';

export interface WeightsControllerOptions extends RuntimeStrategyOptions {
  /** The dashboard's routes (decorated or not: decorate() is idempotent). */
  routes: () => readonly WeightedRoute[];
}

export interface ReconcileSummary {
  repaired: number;
  failed: number;
}

export class WeightsController implements WeightsService {
  private readonly opts: WeightsControllerOptions;
  private readonly now: () => number;
  private readonly log: WeightsLog;
  private readonly runtime: RuntimeStrategy;
  private readonly routeLock = new KeyLock();
  /** When each sidecar was last repaired: scrapes that began before say nothing new about it. */
  private readonly repairedAt = new Map<string, number>();
  private reconciling = false;

  constructor(opts: WeightsControllerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.runtime = new RuntimeStrategy(opts);
  }

  // ---- the routes as the API shows them ----

  /** Adds drift, desired weights, the allowed totals and (for managed routes) the managed version. */
  decorate(routes: readonly WeightedRoute[]): WeightedRoute[] {
    return routes.map((r) => this.decorateRoute(r));
  }

  private desiredOf(route: WeightedRoute): DesiredWeights | undefined {
    if (route.runtimeKeyPrefix === null) return undefined;
    const entry = this.opts.audit.desired(route.id);
    return entry === undefined ? undefined : { auditId: entry.id, at: entry.at, weights: entry.to };
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
      return this.runtime.apply(route, v.value.weights, { who, reason: v.value.reason, revertOf: undefined });
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
      return this.runtime.apply(route, entry.from, { who, reason: v.value.reason, revertOf: entry.id });
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
              await this.runtime.repair(target, repair.values);
              this.repairedAt.set(repair.sidecarId, this.now());
              summary.repaired++;
              this.log('info', `reconciled ${repair.sidecarId} on ${repair.routeId}`);
            } catch (e) {
              summary.failed++;
              this.log('debug', `reconciling ${repair.sidecarId} failed: ${(e as Error).message}`);
            }
          }),
        ),
      );
    } finally {
      this.reconciling = false;
    }
    return summary;
  }
}
