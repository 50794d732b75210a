// Runs guarded shifts: applies each step through the weights controller (so validation, If-Match, the
// audit log and reconciliation apply to every step as to a change made by hand), reads the step's
// figures from the sidecars' counters after every scrape cycle (`tick()`), and advances, promotes or
// rolls back as guarded-shift-policy.ts decides. Every transition is written to the state file before
// it is reported (guarded-shift-store.ts); a dashboard that starts again resumes a shift only when its
// route is exactly where the shift left it (guarded-shift-resume.ts), and otherwise stops it as
// `interrupted` without touching the weights.
import type { GuardedShift, ShiftDecision } from '../../shared/api/guarded-shift.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import { planShift } from './guarded-shift-plan.ts';
import { judgeStep } from './guarded-shift-policy.ts';
import { fmtWeights, newShift } from './guarded-shift-record.ts';
import { type RouteNow, resumeVerdict } from './guarded-shift-resume.ts';
import { type GuardedShiftService, latestAudit } from './guarded-shift-service.ts';
import { freshLive, GuardedShiftTransitions, isActive, type Live } from './guarded-shift-transitions.ts';
import { KeyLock } from './key-lock.ts';
import { effectiveWeights, scrapeStartedAt } from './route-weights.ts';
import { failure } from './service-failure.ts';
import { type CounterSnapshot, extendSnapshot, stepFigures } from './step-figures.ts';

export type { GuardedShiftService, ShiftWeights } from './guarded-shift-service.ts';
export type { GuardedShiftRunnerOptions } from './guarded-shift-transitions.ts';

export class GuardedShiftRunner extends GuardedShiftTransitions implements GuardedShiftService {
  private readonly lock = new KeyLock();
  private ticking = false;

  /** Loads the state file; running and paused shifts are checked against their routes on the next ticks. */
  async open(): Promise<void> {
    const { shifts, skipped } = await this.opts.store.load();
    for (const s of skipped) this.log('warning', `${this.opts.store.path}: skipped ${s}`);
    this.shifts = shifts;
    for (const s of shifts) {
      if (s.state === 'running' || s.state === 'paused') {
        this.live.set(s.id, { ...freshLive(this.now()), resuming: true });
        this.log('info', `guarded shift ${s.id} on ${s.routeId} was ${s.state}: checking its route`);
      }
    }
  }

  onChange(listener: (shift: GuardedShift) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): GuardedShift[] {
    return this.shifts.map((s) => structuredClone(s));
  }

  get(routeId: string): ServiceResult<GuardedShift> {
    const s = this.latestOf(routeId);
    return s === undefined
      ? failure(404, 'not_found', `no guarded shift on route '${routeId}'`)
      : { ok: true, value: structuredClone(s) };
  }

  private latestOf(routeId: string): GuardedShift | undefined {
    const mine = this.shifts.filter((s) => s.routeId === routeId);
    return mine.find(isActive) ?? mine.at(-1);
  }

  // ---- the API ----

  start(routeId: string, body: unknown, ifMatch: string | undefined, who: string) {
    return this.lock.run(routeId, async (): Promise<ServiceResult<GuardedShift>> => {
      const route = this.route(routeId);
      if (route === undefined) return failure(404, 'not_found', `no route '${routeId}'`);
      const active = this.shifts.find((s) => s.routeId === routeId && isActive(s));
      if (active !== undefined) {
        return failure(409, 'shift_active', `guarded shift ${active.id} is ${active.state} on this route`);
      }
      const plan = planShift(route, body, ifMatch);
      if (!plan.ok) return plan;
      const shift = newShift(plan.value, {
        routeId,
        who,
        now: this.now(),
        lastAuditId: latestAudit(this.opts.weights, routeId)?.id ?? null,
      });
      this.shifts.push(shift);
      this.live.set(shift.id, freshLive(shift.startedAt));
      const applied = await this.applyStep(shift, 1, route.version, true);
      if (!applied.ok) {
        // Refused before anything changed (version, validation, strategy): no shift took place.
        this.shifts = this.shifts.filter((s) => s !== shift);
        this.live.delete(shift.id);
        await this.persist();
        return applied;
      }
      this.emit(shift);
      return { ok: true, value: structuredClone(shift) };
    });
  }

  act(routeId: string, action: 'pause' | 'resume' | 'abort', reason: string | undefined, who: string) {
    return this.lock.run(routeId, async (): Promise<ServiceResult<GuardedShift>> => {
      const shift = this.shifts.find((s) => s.routeId === routeId && isActive(s));
      if (shift === undefined) {
        const last = this.latestOf(routeId);
        return last === undefined
          ? failure(404, 'not_found', `no guarded shift on route '${routeId}'`)
          : failure(
              409,
              'shift_not_active',
              `guarded shift ${last.id} is ${last.state}: nothing to ${action}`,
            );
      }
      const live = this.liveOf(shift);
      if (live.resuming) {
        return failure(
          409,
          'shift_resuming',
          'the shift is being checked against its route after a restart; try again in a moment',
        );
      }
      const by = `${who}${reason ? `: ${reason}` : ''}`;
      if (action === 'pause') {
        if (shift.state === 'paused') return failure(409, 'shift_paused', 'the shift is already paused');
        shift.state = 'paused';
        shift.stoppedWhy = `paused by ${by}`;
        this.note(shift, `paused by ${by}`);
        await this.persist();
      } else if (action === 'resume') {
        if (shift.state === 'running') return failure(409, 'shift_running', 'the shift is not paused');
        const outside = this.changedOutside(shift);
        if (outside !== undefined) await this.interrupt(shift, outside);
        else {
          shift.state = 'running';
          shift.stoppedWhy = null;
          this.restartWindow(shift);
          this.note(shift, `resumed by ${by}; step ${shift.currentStep}'s window starts again`);
          await this.persist();
        }
      } else {
        await this.rollback(shift, 'aborted', `aborted by ${by}`, who);
      }
      this.emit(shift);
      return { ok: true, value: structuredClone(shift) };
    });
  }

  // ---- the loop ----

  /** After each scrape cycle: every running shift reads its figures and acts on them. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const active = this.shifts.filter(isActive);
      for (const shift of active) {
        await this.lock.run(shift.routeId, async () => {
          if (!isActive(shift)) return;
          const before = JSON.stringify(shift);
          try {
            await this.step(shift);
          } catch (e) {
            this.log('warning', `guarded shift ${shift.id}: ${(e as Error).message}`);
          }
          if (JSON.stringify(shift) !== before) this.emit(shift);
        });
      }
    } finally {
      this.ticking = false;
    }
  }

  private async step(shift: GuardedShift): Promise<void> {
    const live = this.liveOf(shift);
    const route = this.route(shift.routeId);
    if (route === undefined) {
      live.missingTicks++;
      if (live.missingTicks >= (this.opts.missingRouteTicks ?? 20)) {
        await this.interrupt(
          shift,
          `the route is no longer reported by its sidecars; its weights were left at step ${shift.currentStep}'s ${fmtWeights(shift.currentWeights)}`,
        );
      }
      return;
    }
    if (live.resuming) return this.resume(shift, route, live);
    live.missingTicks = 0;
    if (shift.pending?.kind === 'rollback') {
      return this.rollback(shift, shift.pending.to, shift.pending.why, shift.startedBy);
    }
    if (shift.state !== 'running') return;
    const outside = this.changedOutside(shift);
    if (outside !== undefined) return this.interrupt(shift, outside);
    if (shift.currentStep === 0) {
      await this.applyStep(shift, 1, route.version);
      return;
    }
    const figures = this.figures(shift, route, live);
    if (figures === undefined) return;
    const now = this.now();
    const elapsedMs = now - live.windowStart;
    const judged = judgeStep({
      ...figures,
      thresholds: shift.thresholds,
      elapsedMs,
      intervalMs: shift.intervalSeconds * 1000,
      lastStep: shift.currentStep === shift.steps.length,
    });
    const decision: ShiftDecision = {
      at: now,
      step: shift.currentStep,
      action: judged.action,
      why: judged.why,
      elapsedSeconds: elapsedMs / 1000,
      ...figures,
    };
    shift.lastDecision = decision;
    if (judged.action === 'hold') return;
    if (judged.action === 'wait') {
      // Recorded once per step: the decision list tells what happened, not every look at it.
      const prev = shift.decisions.at(-1);
      if (prev?.action === 'wait' && prev.step === shift.currentStep) return;
      this.record(shift, decision);
      await this.persist();
      return;
    }
    this.record(shift, decision);
    if (judged.action === 'advance') {
      await this.applyStep(shift, shift.currentStep + 1, route.version);
    } else if (judged.action === 'promote') {
      shift.state = 'promoted';
      shift.stoppedWhy = `promoted: ${judged.why}`;
      this.note(shift, `promoted at ${fmtWeights(shift.currentWeights)}`);
      await this.persist();
    } else {
      await this.rollback(shift, 'rolled_back', judged.why, shift.startedBy);
    }
  }

  /** The step's canary and baseline figures, once a scrape that began after the step was applied is in. */
  private figures(shift: GuardedShift, route: WeightedRoute, live: Live) {
    const since = shift.stepStartedAt ?? 0;
    const latest: CounterSnapshot = new Map();
    for (const r of route.replicas) {
      const s = this.opts.scrape(r.sidecarId);
      if (s !== undefined && scrapeStartedAt(s) >= since) latest.set(r.sidecarId, s.clusters);
    }
    if (latest.size === 0) return undefined;
    if (live.snapshot === undefined) {
      live.snapshot = new Map();
      live.windowStart = this.now();
    }
    extendSnapshot(live.snapshot, latest);
    return {
      canary: stepFigures(live.snapshot, latest, [shift.canary]),
      baseline: stepFigures(live.snapshot, latest, shift.baseline),
    };
  }

  private async resume(shift: GuardedShift, route: WeightedRoute, live: Live): Promise<void> {
    const latest = latestAudit(this.opts.weights, shift.routeId);
    const now: RouteNow = {
      effective: effectiveWeights(route),
      desired: route.desiredWeights,
      latestAudit: latest,
    };
    const v = resumeVerdict(shift, now);
    if (v.kind === 'wait') {
      live.missingTicks++;
      if (v.why !== undefined && live.missingTicks >= (this.opts.missingRouteTicks ?? 20)) {
        live.resuming = false;
        await this.interrupt(shift, v.why);
      }
      return;
    }
    live.resuming = false;
    if (v.kind === 'interrupt') return this.interrupt(shift, v.why);
    shift.lastAuditId = v.auditId;
    if (v.kind === 'resume') {
      shift.currentStep = v.step;
      shift.currentWeights = v.step === 0 ? shift.startWeights : shift.steps[v.step - 1]!;
      shift.pending = null;
      this.restartWindow(shift);
      this.note(shift, `dashboard restarted: ${v.note}${shift.state === 'paused' ? ' (still paused)' : ''}`);
      await this.persist();
    } else if (v.kind === 'finished') {
      const p = shift.pending as Extract<GuardedShift['pending'], { kind: 'rollback' }>;
      this.finishRollback(shift, p.to, p.why, v.auditId);
      this.note(shift, `dashboard restarted: ${v.note}`);
      await this.persist();
    } else {
      this.note(shift, `dashboard restarted: ${v.note}`);
      const p = shift.pending as Extract<GuardedShift['pending'], { kind: 'rollback' }>;
      await this.rollback(shift, p.to, p.why, shift.startedBy);
    }
  }
  /** Waits for work under way (a tick, an action); the state file is then up to date. */
  async close(): Promise<void> {
    await this.lock.runAll(
      this.shifts.map((s) => s.routeId),
      async () => {},
    );
  }
}
