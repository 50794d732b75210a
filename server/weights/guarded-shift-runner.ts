// Runs guarded shifts: applies each step through the weights controller (so validation, If-Match, the
// audit log and reconciliation apply to every step as to a change made by hand), reads the step's
// figures from the sidecars' counters after every scrape cycle (`tick()`), and advances, promotes or
// rolls back as guarded-shift-policy.ts decides. Every transition is written to the state file before
// it is reported (guarded-shift-store.ts); a dashboard that starts again resumes a shift only when its
// route is exactly where the shift left it (guarded-shift-resume.ts), and otherwise stops it as
// `interrupted` without touching the weights.
import type { GuardedShift, ShiftDecision } from '../../shared/api/guarded-shift.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { AuditEntry, RouteHistory, WeightChangeResult } from '../../shared/api/weights.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import { newAuditId } from './audit-log.ts';
import { planShift } from './guarded-shift-plan.ts';
import { judgeStep } from './guarded-shift-policy.ts';
import { type RouteNow, resumeVerdict, shiftAuditReason } from './guarded-shift-resume.ts';
import type { GuardedShiftStore } from './guarded-shift-store.ts';
import { KeyLock } from './key-lock.ts';
import { effectiveWeights, scrapeStartedAt, type Weights } from './route-weights.ts';
import type { WeightsLog } from './runtime-strategy.ts';
import { failure } from './service-failure.ts';
import { type CounterSnapshot, extendSnapshot, stepFigures } from './step-figures.ts';

/** What the runner needs of the weights controller (server/weights/weights-controller.ts). */
export interface ShiftWeights {
  change(
    routeId: string,
    body: unknown,
    ifMatch: string | undefined,
    who: string,
  ): Promise<ServiceResult<WeightChangeResult>>;
  history(routeId: string): ServiceResult<RouteHistory>;
}

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

/** What a shift needs in memory only: its window's starting counters and its counts of trouble. */
interface Live {
  snapshot: CounterSnapshot | undefined;
  windowStart: number;
  /** Set after a restart until the route is checked against the recorded state. */
  resuming: boolean;
  missingTicks: number;
  applyFailures: number;
}

const MAX_DECISIONS = 200;
const MAX_EVENTS = 100;

export class GuardedShiftRunner implements GuardedShiftService {
  private readonly opts: GuardedShiftRunnerOptions;
  private readonly now: () => number;
  private readonly log: WeightsLog;
  private shifts: GuardedShift[] = [];
  private readonly live = new Map<string, Live>();
  private readonly lock = new KeyLock();
  private readonly listeners = new Set<(s: GuardedShift) => void>();
  private ticking = false;

  constructor(opts: GuardedShiftRunnerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
  }

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

  private route(routeId: string): WeightedRoute | undefined {
    return this.opts.routes().find((r) => r.id === routeId);
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
      const p = plan.value;
      const now = this.now();
      const shift: GuardedShift = {
        id: `gs-${newAuditId(now)}`,
        routeId,
        canary: p.canary,
        baseline: p.baseline,
        state: 'running',
        startedAt: now,
        updatedAt: now,
        startedBy: who,
        ...(p.reason !== undefined && { reason: p.reason }),
        stepPercent: p.stepPercent,
        intervalSeconds: p.intervalSeconds,
        thresholds: p.thresholds,
        startWeights: p.startWeights,
        targetWeights: p.targetWeights,
        steps: p.steps,
        currentStep: 0,
        currentWeights: p.startWeights,
        stepStartedAt: null,
        pending: null,
        lastAuditId: latestAudit(this.opts.weights, routeId)?.id ?? null,
        lastDecision: null,
        decisions: [],
        events: [
          { at: now, message: `started by ${who}: ${p.steps.length} steps to ${fmt(p.targetWeights)}` },
        ],
        stoppedWhy: null,
      };
      this.shifts.push(shift);
      this.live.set(shift.id, freshLive(now));
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
          `the route is no longer reported by its sidecars; its weights were left at step ${shift.currentStep}'s ${fmt(shift.currentWeights)}`,
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
      this.note(shift, `promoted at ${fmt(shift.currentWeights)}`);
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

  // ---- transitions ----

  /** Applies step k (intent persisted first); a refusal of step 1 is returned to the caller. */
  private async applyStep(
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
      this.note(shift, `${what} applied: ${fmt(weights)}${partly}`);
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
  private async rollback(
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
      this.note(shift, `rolled back to ${fmt(shift.startWeights)}: ${why}`);
      await this.persist();
      return;
    }
    const live = this.liveOf(shift);
    live.applyFailures++;
    if (r.error.status === 409 || live.applyFailures >= (this.opts.maxApplyFailures ?? 3)) {
      shift.pending = null;
      await this.interrupt(
        shift,
        `rolling back (${why}) failed: ${r.error.message}; the weights were left at step ${shift.currentStep}'s ${fmt(shift.currentWeights)}`,
      );
      return;
    }
    this.note(shift, `rolling back failed (${r.error.message}); retrying`);
    await this.persist();
  }

  private finishRollback(
    shift: GuardedShift,
    to: GuardedShift['state'],
    why: string,
    auditId: string | null,
  ) {
    shift.state = to;
    shift.currentStep = 0;
    shift.currentWeights = shift.startWeights;
    shift.lastAuditId = auditId;
    shift.pending = null;
    shift.stoppedWhy = why;
    this.live.delete(shift.id);
  }

  private async interrupt(shift: GuardedShift, why: string): Promise<void> {
    shift.state = 'interrupted';
    shift.pending = null;
    shift.updatedAt = this.now();
    shift.stoppedWhy = why;
    this.note(shift, `interrupted: ${why}`);
    this.live.delete(shift.id);
    this.log('warning', `guarded shift ${shift.id} on ${shift.routeId} interrupted: ${why}`);
    await this.persist();
  }

  /** Why the route's weights are no longer the shift's, if someone else changed them. */
  private changedOutside(shift: GuardedShift): string | undefined {
    const latest = latestAudit(this.opts.weights, shift.routeId);
    if ((latest?.id ?? null) === shift.lastAuditId) return undefined;
    return `the weights were changed outside the shift (audit ${latest?.id} by ${latest?.who}${latest?.reason ? `: ${latest.reason}` : ''}); they were left as they are`;
  }

  // ---- bookkeeping ----

  private liveOf(shift: GuardedShift): Live {
    let l = this.live.get(shift.id);
    if (l === undefined) {
      l = freshLive(this.now());
      this.live.set(shift.id, l);
    }
    return l;
  }

  private restartWindow(shift: GuardedShift): void {
    const now = this.now();
    shift.stepStartedAt = now;
    const live = this.liveOf(shift);
    live.snapshot = undefined;
    live.windowStart = now;
  }

  private record(shift: GuardedShift, d: ShiftDecision): void {
    shift.updatedAt = d.at;
    shift.decisions.push(d);
    if (shift.decisions.length > MAX_DECISIONS)
      shift.decisions.splice(0, shift.decisions.length - MAX_DECISIONS);
  }

  private note(shift: GuardedShift, message: string): void {
    shift.updatedAt = this.now();
    shift.events.push({ at: shift.updatedAt, message });
    if (shift.events.length > MAX_EVENTS) shift.events.splice(0, shift.events.length - MAX_EVENTS);
    this.log('info', `guarded shift ${shift.id} on ${shift.routeId}: ${message}`);
  }

  private async persist(): Promise<void> {
    const keep = this.opts.keepFinished ?? 50;
    const finished = this.shifts.filter((s) => !isActive(s));
    if (finished.length > keep) {
      const drop = new Set(finished.slice(0, finished.length - keep));
      this.shifts = this.shifts.filter((s) => !drop.has(s));
    }
    await this.opts.store.save(this.shifts);
  }

  private emit(shift: GuardedShift): void {
    const copy = structuredClone(shift);
    for (const l of this.listeners) l(copy);
  }

  /** Waits for work under way (a tick, an action); the state file is then up to date. */
  async close(): Promise<void> {
    await this.lock.runAll(
      this.shifts.map((s) => s.routeId),
      async () => {},
    );
  }
}

function isActive(s: GuardedShift): boolean {
  return s.state === 'running' || s.state === 'paused';
}

function freshLive(now: number): Live {
  return { snapshot: undefined, windowStart: now, resuming: false, missingTicks: 0, applyFailures: 0 };
}

/** The route's newest audit entry that took effect (its desired weights). */
function latestAudit(weights: ShiftWeights, routeId: string): AuditEntry | undefined {
  const h = weights.history(routeId);
  return h.ok ? h.value.entries.find((e) => e.outcome !== 'failed') : undefined;
}

const fmt = (w: Weights) =>
  Object.keys(w)
    .sort()
    .map((k) => `${k}=${w[k]}`)
    .join(', ');
