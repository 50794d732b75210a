// Pure: a guarded shift's record (shared/api/guarded-shift.ts) as the runner changes it: created from
// a plan, decisions and events appended (bounded, so a long shift's state file stays small), and the
// ends it can come to. The runner persists the record after each of these.
import type { GuardedShift, ShiftDecision } from '../../shared/api/guarded-shift.ts';
import { newAuditId } from './audit-log.ts';
import type { ShiftPlan } from './guarded-shift-plan.ts';
import type { Weights } from './route-weights.ts';

const MAX_DECISIONS = 200;
const MAX_EVENTS = 100;

/** `a=10, b=90`: weights in messages, clusters sorted. */
export function fmtWeights(w: Readonly<Weights>): string {
  return Object.keys(w)
    .sort()
    .map((k) => `${k}=${w[k]}`)
    .join(', ');
}

export function newShift(
  plan: ShiftPlan,
  at: { routeId: string; who: string; now: number; lastAuditId: string | null },
): GuardedShift {
  const { now, who } = at;
  return {
    id: `gs-${newAuditId(now)}`,
    routeId: at.routeId,
    canary: plan.canary,
    baseline: plan.baseline,
    state: 'running',
    startedAt: now,
    updatedAt: now,
    startedBy: who,
    ...(plan.reason !== undefined && { reason: plan.reason }),
    stepPercent: plan.stepPercent,
    intervalSeconds: plan.intervalSeconds,
    thresholds: plan.thresholds,
    startWeights: plan.startWeights,
    targetWeights: plan.targetWeights,
    steps: plan.steps,
    currentStep: 0,
    currentWeights: plan.startWeights,
    stepStartedAt: null,
    pending: null,
    lastAuditId: at.lastAuditId,
    lastDecision: null,
    decisions: [],
    events: [
      {
        at: now,
        message: `started by ${who}: ${plan.steps.length} steps to ${fmtWeights(plan.targetWeights)}`,
      },
    ],
    stoppedWhy: null,
  };
}

export function recordDecision(shift: GuardedShift, d: ShiftDecision): void {
  shift.updatedAt = d.at;
  shift.decisions.push(d);
  if (shift.decisions.length > MAX_DECISIONS)
    shift.decisions.splice(0, shift.decisions.length - MAX_DECISIONS);
}

export function noteEvent(shift: GuardedShift, message: string, now: number): void {
  shift.updatedAt = now;
  shift.events.push({ at: now, message });
  if (shift.events.length > MAX_EVENTS) shift.events.splice(0, shift.events.length - MAX_EVENTS);
}

/** The starting weights are back on the route (audit entry `auditId`): the shift ends as `to`. */
export function markRolledBack(
  shift: GuardedShift,
  to: GuardedShift['state'],
  why: string,
  auditId: string | null,
): void {
  shift.state = to;
  shift.currentStep = 0;
  shift.currentWeights = shift.startWeights;
  shift.lastAuditId = auditId;
  shift.pending = null;
  shift.stoppedWhy = why;
}

/** Stopped without touching the weights; `why` says what they are. */
export function markInterrupted(shift: GuardedShift, why: string, now: number): void {
  shift.state = 'interrupted';
  shift.pending = null;
  shift.stoppedWhy = why;
  noteEvent(shift, `interrupted: ${why}`, now);
}
