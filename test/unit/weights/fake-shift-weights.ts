// A stand-in for the weights controller as GuardedShiftRunner relies on it (versions, If-Match, audit
// entries, refusals as the controller gives them), serving one weighted route.
import type { ServiceResult } from '../../../server/api/dashboard-core.ts';
import type { ShiftWeights } from '../../../server/weights/guarded-shift-runner.ts';
import type { Weights } from '../../../server/weights/route-weights.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import type { AuditEntry, RouteHistory, WeightChangeResult } from '../../../shared/api/weights.ts';

export const ROUTE = 'default/web/listener/route/vh/0';
export const REPLICAS = ['default/web/0', 'default/web/1'];

/** The weights controller's behaviour as the runner relies on it: If-Match, audit entries, refusals. */
export class FakeWeights implements ShiftWeights {
  weights: Weights;
  entries: AuditEntry[] = [];
  version = 'v0';
  refuse: { status: number; message: string } | undefined;
  /** Answer as the static strategy does for real Envoy: written, served only after a restart. */
  needsRestart = false;
  changes: { weights: Weights; reason: string | undefined; who: string }[] = [];
  constructor(start: Weights) {
    this.weights = { ...start };
  }
  async change(routeId: string, body: unknown, ifMatch: string | undefined, who: string) {
    const b = body as { weights: Weights; reason?: string };
    if (ifMatch !== this.version) {
      return {
        ok: false as const,
        error: { status: 409, code: 'version_conflict', message: `stale version ${ifMatch}` },
      };
    }
    if (this.refuse) return { ok: false as const, error: { ...this.refuse, code: 'refused' } };
    const value = this.set(routeId, b.weights, who, b.reason);
    if (this.needsRestart)
      value.restartNeeded = { reason: 'static bootstrap', sidecars: ['x'], workloads: [] };
    return { ok: true as const, value };
  }
  /** A change as the controller records it, also used for changes "made by someone else". */
  set(routeId: string, weights: Weights, who: string, reason?: string): WeightChangeResult {
    const id = `a${this.entries.length + 1}`;
    const from = this.weights;
    this.weights = { ...weights };
    this.entries.push({
      id,
      at: 0,
      who,
      routeId,
      from,
      to: { ...weights },
      outcome: 'applied',
      ...(reason !== undefined && { reason }),
    });
    this.changes.push({ weights: { ...weights }, reason, who });
    this.version = `v${this.entries.length}`;
    return {
      routeId,
      version: this.version,
      from,
      to: weights,
      strategy: 'runtime',
      replicas: [],
      auditId: id,
    };
  }
  history(routeId: string): ServiceResult<RouteHistory> {
    return { ok: true, value: { routeId, entries: [...this.entries].reverse() } };
  }
  route(): WeightedRoute {
    const latest = this.entries.at(-1);
    return {
      id: ROUTE,
      source: { namespace: 'default', workload: 'web' },
      replicas: REPLICAS.map((id) => ({ sidecarId: id, adminUrl: 'http://127.0.0.1:9' })),
      listener: 'listener',
      routeConfig: 'route',
      virtualHost: 'vh',
      routeName: null,
      match: 'prefix /',
      runtimeKeyPrefix: 'split',
      totalWeight: 100,
      clusters: Object.entries(this.weights).map(([name, w]) => ({
        name,
        configuredWeight: 0,
        runtimeWeight: w,
        effectiveWeight: w,
        destination: null,
        observedShare: null,
      })),
      version: this.version,
      ...(latest && { desiredWeights: latest.to }),
      allowedTotals: [100],
    };
  }
}
