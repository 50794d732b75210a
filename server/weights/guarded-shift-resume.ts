// Pure: what a dashboard that starts again does with a guarded shift it finds running (or paused) in
// its state file. It goes on only when the route is exactly where the shift left it; anything else
// stops the shift as `interrupted`, touching no weight, and says what the route has instead.
//
// The shift writes its intent (`pending`) before each change and clears it once the change is
// confirmed, so a dashboard that died in between finds one of two weight sets on the route: the last
// confirmed step's (the change never happened) or the pending one's (it happened; the audit log has an
// entry whose reason names the shift). Either is resumed; a pending rollback is finished.
import type { GuardedShift } from '../../shared/api/guarded-shift.ts';
import type { AuditEntry } from '../../shared/api/weights.ts';
import { sameWeights, type Weights } from './route-weights.ts';

export interface RouteNow {
  /** What the route's replicas use (route.clusters[].effectiveWeight). */
  effective: Weights;
  /** The weights meshscope's audit log says the route should have, when it manages them. */
  desired: Weights | undefined;
  /** The newest audit entry that took effect on the route. */
  latestAudit: Pick<AuditEntry, 'id' | 'who' | 'reason'> | undefined;
}

export type ResumeVerdict =
  /** Go on from `step` (its window starts again now); `auditId` is the entry that set its weights. */
  | { kind: 'resume'; step: number; auditId: string | null; note: string }
  /** A rollback was under way and the weights are still the confirmed step's: roll back again. */
  | { kind: 'rollback'; auditId: string | null; note: string }
  /** A rollback had been applied: the shift ends as it was going to. */
  | { kind: 'finished'; auditId: string | null; note: string }
  | { kind: 'interrupt'; why: string }
  /**
   * The route is not reported (yet), or its replicas drift from the recorded step while the audit log
   * still says it (reconciliation is putting it back): ask again after the next scrape; `why` is
   * what to say if it stays so.
   */
  | { kind: 'wait'; why?: string };

const fmt = (w: Weights) =>
  Object.keys(w)
    .sort()
    .map((k) => `${k}=${w[k]}`)
    .join(', ');

/** The audit reason of a change the shift makes: `guarded shift step 2/4 (<id>): <reason>`. */
export function shiftAuditReason(id: string, what: string, reason: string | undefined): string {
  return `guarded shift ${what} (${id})${reason ? `: ${reason}` : ''}`.slice(0, 500);
}

/** The audit entry is one this shift wrote (its reasons name the shift's id). */
export function isShiftEntry(shift: Pick<GuardedShift, 'id'>, entry: Pick<AuditEntry, 'reason'>): boolean {
  const r = entry.reason ?? '';
  return r.startsWith('guarded shift ') && r.includes(`(${shift.id})`);
}

function holds(route: RouteNow, w: Weights): boolean {
  return sameWeights(route.effective, w) && (route.desired === undefined || sameWeights(route.desired, w));
}

export function resumeVerdict(shift: GuardedShift, route: RouteNow | undefined): ResumeVerdict {
  if (route === undefined) return { kind: 'wait' };
  const latest = route.latestAudit;
  const latestId = latest?.id ?? null;
  const unchanged = latestId === shift.lastAuditId;
  const byShift = unchanged || (latest !== undefined && isShiftEntry(shift, latest));
  const pending = shift.pending;

  if (pending?.kind === 'step' && byShift && !unchanged) {
    const w = shift.steps[pending.step - 1];
    if (w !== undefined && holds(route, w)) {
      return {
        kind: 'resume',
        step: pending.step,
        auditId: latestId,
        note: `step ${pending.step} had been applied (audit ${latestId}) but not recorded before the restart`,
      };
    }
  }
  if (pending?.kind === 'rollback' && byShift && holds(route, shift.startWeights)) {
    return { kind: 'finished', auditId: latestId, note: 'the rollback had been applied before the restart' };
  }
  if (unchanged && holds(route, shift.currentWeights)) {
    if (pending?.kind === 'rollback') {
      return {
        kind: 'rollback',
        auditId: latestId,
        note: 'the rollback under way at the restart is done again',
      };
    }
    return {
      kind: 'resume',
      step: shift.currentStep,
      auditId: latestId,
      note:
        pending?.kind === 'step'
          ? `step ${pending.step} had not been applied before the restart; step ${shift.currentStep} observed again`
          : `step ${shift.currentStep}'s window starts again after the restart`,
    };
  }
  if (
    unchanged &&
    pending === null &&
    route.desired !== undefined &&
    sameWeights(route.desired, shift.currentWeights)
  ) {
    return {
      kind: 'wait',
      why: `after the restart the route's replicas serve ${fmt(route.effective)}, not step ${shift.currentStep}'s ${fmt(shift.currentWeights)}, and reconciliation did not put it back; the weights were left as they are`,
    };
  }
  if (!byShift && latest !== undefined) {
    return {
      kind: 'interrupt',
      why: `the weights were changed outside the shift (audit ${latest.id} by ${latest.who}${latest.reason ? `: ${latest.reason}` : ''}); they are ${fmt(route.effective)} and were left as they are`,
    };
  }
  return {
    kind: 'interrupt',
    why: `after the restart the route's weights are ${fmt(route.effective)}, not step ${shift.currentStep}'s ${fmt(shift.currentWeights)}; they were left as they are`,
  };
}
