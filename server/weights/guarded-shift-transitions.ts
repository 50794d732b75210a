// The state of the guarded shifts and the changes they make to their routes: each step applied
// through the weights controller (intent written to the state file first), rollbacks to the starting
// weights, stops that leave the weights alone (`interrupted`), and the bookkeeping every transition
// does (events, decisions, the state file, the listeners). GuardedShiftRunner (guarded-shift-runner.ts)
// adds the API and the loop that decides when to make them.
import { type GuardedShift, isActiveShift, type ShiftDecision } from '../../shared/api/guarded-shift.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { WeightChangeResult } from '../../shared/api/weights.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import {
  fmtWeights,
  markInterrupted,
  markRolledBack,
  noteEvent,
  recordDecision,
} from './guarded-shift-record.ts';
import { shiftAuditReason } from './guarded-shift-resume.ts';
import { latestAudit, type ShiftWeights } from './guarded-shift-service.ts';
import type { GuardedShiftStore } from './guarded-shift-store.ts';
import type { WeightsLog } from './runtime-strategy.ts';
import { failure } from './service-failure.ts';
import type { CounterSnapshot } from './step-figures.ts';

export interface GuardedShiftRunnerOptions {
  weights: ShiftWeights;
  /** The routes as GET /api/routes shows them (decorated: version, desired weights). */
  routes: () => readonly WeightedRoute[];
  scrape: (sidecarId: string) => SidecarScrape | undefined;
  store: GuardedShiftStore;
  now?: () => number;
  log?: WeightsLog;
  /** Ticks a shift waits for its route to be reported (after a restart, or if it vanishes); default 20. */
  missingRouteTicks?: number;
  /** Failed attempts at applying a step (or a rollback) before giving up; default 3. */
  maxApplyFailures?: number;
  /** Finished shifts kept in the state file and the list; default 50. */
  keepFinished?: number;
}

/** What a shift needs in memory only: its window's starting counters and its counts of trouble. */
export interface Live {
  snapshot: CounterSnapshot | undefined;
  windowStart: number;
  /** Set after a restart until the route is checked against the recorded state. */
  resuming: boolean;
  missingTicks: number;
  applyFailures: number;
}

export class GuardedShiftTransitions {
  protected readonly opts: GuardedShiftRunnerOptions;
  protected readonly now: () => number;
  protected readonly log: WeightsLog;
  protected shifts: GuardedShift[] = [];
  protected readonly live = new Map<string, Live>();
  protected readonly listeners = new Set<(s: GuardedShift) => void>();

  constructor(opts: GuardedShiftRunnerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

  protected route(routeId: string): WeightedRoute | undefined {
    return this.opts.routes().find((r) => r.id === routeId);
  }

  // ---- transitions ----

  /** Applies step k (intent persisted first); a refusal of step 1 is returned to the caller. */
  protected async applyStep(
    shift: GuardedShift,
    k: number,
    ifMatch: string,
    first = false,
  ): Promise<ServiceResult<unknown>> {
    const weights = shift.steps[k - 1]!;
    shift.pending = { kind: 'step', step: k };
    await this.persist();
    const what = `step ${k}/${shift.steps.length}`;
    const r = await this.opts.weights.change(
      shift.routeId,
      { weights, reason: shiftAuditReason(shift.id, what, shift.reason) },
      ifMatch,
      shift.startedBy,
    );
    shift.pending = null;
    const live = this.liveOf(shift);
    if (r.ok) {
      shift.currentStep = k;
      shift.currentWeights = weights;
      shift.lastAuditId = r.value.auditId;
      live.applyFailures = 0;
      this.restartWindow(shift);
      const partly =
        r.value.outcome === 'partial' ? ' (some replicas pending: reconciliation completes them)' : '';
      this.note(shift, `${what} applied: ${fmtWeights(weights)}${partly}`);
      await this.persist();
      // A sidecar that serves rewritten static weights only after a restart (real Envoy) cannot be
      // shifted step by step: what it serves is not what the step says.
      if (r.value.restartNeeded !== undefined) {
        await this.rollback(
          shift,
          'aborted',
          'the route serves new weights only after a restart of its sidecars; a guarded shift needs weights that apply live (convert the route to runtime weights)',
          shift.startedBy,
        );
      }
      return r;
    }
    if (first) return r;
    if (r.error.status === 409 || r.error.status === 428) {
      await this.interrupt(
        shift,
        `${what} was refused: ${r.error.message}; the weights were left as they are`,
      );
      return r;
    }
    live.applyFailures++;
    this.note(shift, `${what} could not be applied: ${r.error.message}`);
    if (live.applyFailures >= (this.opts.maxApplyFailures ?? 3)) {
      await this.rollback(
        shift,
        'rolled_back',
        `${what} could not be applied ${live.applyFailures} times: ${r.error.message}`,
        shift.startedBy,
      );
    } else {
      await this.persist();
    }
    return r;
  }

  /** Back to the starting weights, then `to` (rolled_back or aborted) with `why`. Retried on later ticks. */
  protected async rollback(
    shift: GuardedShift,
    to: GuardedShift['state'],
    why: string,
    who: string,
  ): Promise<void> {
    shift.pending = { kind: 'rollback', to, why };
    await this.persist();
    if (shift.currentStep === 0) {
      this.finishRollback(shift, to, why, shift.lastAuditId);
      await this.persist();
      return;
    }
    const route = this.route(shift.routeId);
    const r =
      route === undefined
        ? failure<WeightChangeResult>(404, 'not_found', 'the route is not reported')
        : await this.opts.weights.change(
            shift.routeId,
            { weights: shift.startWeights, reason: shiftAuditReason(shift.id, 'rollback', why) },
            route.version,
            who,
          );
    if (r.ok) {
      this.finishRollback(shift, to, why, r.value.auditId);
      this.note(shift, `rolled back to ${fmtWeights(shift.startWeights)}: ${why}`);
      await this.persist();
      return;
    }
    const live = this.liveOf(shift);
    live.applyFailures++;
    if (r.error.status === 409 || live.applyFailures >= (this.opts.maxApplyFailures ?? 3)) {
      shift.pending = null;
      await this.interrupt(
        shift,
        `rolling back (${why}) failed: ${r.error.message}; the weights were left at step ${shift.currentStep}'s ${fmtWeights(shift.currentWeights)}`,
      );
      return;
    }
    this.note(shift, `rolling back failed (${r.error.message}); retrying`);
    await this.persist();
  }

  protected finishRollback(
    shift: GuardedShift,
    to: GuardedShift['state'],
    why: string,
    auditId: string | null,
  ) {
    markRolledBack(shift, to, why, auditId);
    shift.updatedAt = this.now();
    this.live.delete(shift.id);
  }

  protected async interrupt(shift: GuardedShift, why: string): Promise<void> {
    markInterrupted(shift, why, this.now());
    this.live.delete(shift.id);
    this.log('warning', `guarded shift ${shift.id} on ${shift.routeId} interrupted: ${why}`);
    await this.persist();
  }

  /** Why the route's weights are no longer the shift's, if someone else changed them. */
  protected changedOutside(shift: GuardedShift): string | undefined {
    const latest = latestAudit(this.opts.weights, shift.routeId);
    if ((latest?.id ?? null) === shift.lastAuditId) return undefined;
    return `the weights were changed outside the shift (audit ${latest?.id} by ${latest?.who}${latest?.reason ? `: ${latest.reason}` : ''}); they were left as they are`;
  }

  // ---- bookkeeping ----

  protected liveOf(shift: GuardedShift): Live {
    let l = this.live.get(shift.id);
    if (l === undefined) {
      l = freshLive(this.now());
      this.live.set(shift.id, l);
    }
    return l;
  }

  protected restartWindow(shift: GuardedShift): void {
    const now = this.now();
    shift.stepStartedAt = now;
    const live = this.liveOf(shift);
    live.snapshot = undefined;
    live.windowStart = now;
  }

  protected record(shift: GuardedShift, d: ShiftDecision): void {
    recordDecision(shift, d);
  }

  protected note(shift: GuardedShift, message: string): void {
    noteEvent(shift, message, this.now());
    this.log('info', `guarded shift ${shift.id} on ${shift.routeId}: ${message}`);
  }

  protected async persist(): Promise<void> {
    const keep = this.opts.keepFinished ?? 50;
    const finished = this.shifts.filter((s) => !isActive(s));
    if (finished.length > keep) {
      const drop = new Set(finished.slice(0, finished.length - keep));
      this.shifts = this.shifts.filter((s) => !drop.has(s));
    }
    await this.opts.store.save(this.shifts);
  }

  protected emit(shift: GuardedShift): void {
    const copy = structuredClone(shift);
    for (const l of this.listeners) l(copy);
  }
}

export const isActive = (s: GuardedShift): boolean => isActiveShift(s);

export function freshLive(now: number): Live {
  return { snapshot: undefined, windowStart: now, resuming: false, missingTicks: 0, applyFailures: 0 };
}
