// What the guarded shift runner offers the HTTP layer, and what it needs of the weights controller:
// the router and the runner's tests depend on these, not on the classes behind them.
import type { GuardedShift } from '../../shared/api/guarded-shift.ts';
import type { AuditEntry } from '../../shared/api/weights.ts';
import type { ServiceResult, WeightsService } from '../api/dashboard-core.ts';

/** What the runner needs of the weights controller (server/weights/weights-controller.ts). */
export type ShiftWeights = Pick<WeightsService, 'change' | 'history'>;

/** The guarded shift API, as the router sees it. */
export interface GuardedShiftService {
  start(
    routeId: string,
    body: unknown,
    ifMatch: string | undefined,
    who: string,
  ): Promise<ServiceResult<GuardedShift>>;
  get(routeId: string): ServiceResult<GuardedShift>;
  list(): GuardedShift[];
  act(
    routeId: string,
    action: 'pause' | 'resume' | 'abort',
    reason: string | undefined,
    who: string,
  ): Promise<ServiceResult<GuardedShift>>;
  onChange(listener: (shift: GuardedShift) => void): () => void;
}

/** The route's newest audit entry that took effect (its desired weights). */
export function latestAudit(weights: ShiftWeights, routeId: string): AuditEntry | undefined {
  const h = weights.history(routeId);
  return h.ok ? h.value.entries.find((e) => e.outcome !== 'failed') : undefined;
}
