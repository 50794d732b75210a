// What a restarted dashboard does with a shift it finds running: resume only when the route is where
// the shift left it (or where its pending change put it), otherwise stop it as interrupted and say why.
import { describe, expect, it } from 'vitest';
import {
  isShiftEntry,
  resumeVerdict,
  shiftAuditReason,
} from '../../../server/weights/guarded-shift-resume.ts';
import { type GuardedShift, GuardedShiftThresholdsSchema } from '../../../shared/api/guarded-shift.ts';

const steps = [
  { v1: 75, v2: 25 },
  { v1: 50, v2: 50 },
  { v1: 25, v2: 75 },
  { v1: 0, v2: 100 },
];
const shift = (over: Partial<GuardedShift> = {}): GuardedShift => ({
  id: 'gs-1',
  routeId: 'r',
  canary: 'v2',
  baseline: ['v1'],
  state: 'running',
  startedAt: 0,
  updatedAt: 0,
  startedBy: 'local',
  stepPercent: 25,
  intervalSeconds: 30,
  thresholds: GuardedShiftThresholdsSchema.parse({}),
  startWeights: { v1: 100, v2: 0 },
  targetWeights: { v1: 0, v2: 100 },
  steps,
  currentStep: 2,
  currentWeights: steps[1]!,
  stepStartedAt: 0,
  pending: null,
  lastAuditId: 'a2',
  lastDecision: null,
  decisions: [],
  events: [],
  stoppedWhy: null,
  ...over,
});
const entry = (id: string, what: string, who = 'local') => ({
  id,
  who,
  reason: shiftAuditReason('gs-1', what, undefined),
});

describe('resumeVerdict', () => {
  it('waits for a route that is not reported yet', () => {
    expect(resumeVerdict(shift(), undefined)).toEqual({ kind: 'wait' });
  });

  it('resumes the recorded step when the route still has its weights', () => {
    const v = resumeVerdict(shift(), {
      effective: steps[1]!,
      desired: steps[1]!,
      latestAudit: entry('a2', 'step 2/4'),
    });
    expect(v).toMatchObject({ kind: 'resume', step: 2, auditId: 'a2' });
  });

  it('adopts a pending step that was applied (audited by the shift) before the restart', () => {
    const s = shift({ pending: { kind: 'step', step: 3 } });
    const v = resumeVerdict(s, {
      effective: steps[2]!,
      desired: steps[2]!,
      latestAudit: entry('a3', 'step 3/4'),
    });
    expect(v).toMatchObject({ kind: 'resume', step: 3, auditId: 'a3' });
  });

  it('observes the confirmed step again when the pending one never happened', () => {
    const s = shift({ pending: { kind: 'step', step: 3 } });
    const v = resumeVerdict(s, {
      effective: steps[1]!,
      desired: steps[1]!,
      latestAudit: entry('a2', 'step 2/4'),
    });
    expect(v).toMatchObject({ kind: 'resume', step: 2 });
  });

  it('finishes or redoes a rollback that was under way', () => {
    const s = shift({ pending: { kind: 'rollback', to: 'rolled_back', why: 'canary 503s' } });
    const done = {
      effective: { v1: 100, v2: 0 },
      desired: { v1: 100, v2: 0 },
      latestAudit: entry('a9', 'rollback'),
    };
    expect(resumeVerdict(s, done)).toMatchObject({ kind: 'finished', auditId: 'a9' });
    const notYet = { effective: steps[1]!, desired: steps[1]!, latestAudit: entry('a2', 'step 2/4') };
    expect(resumeVerdict(s, notYet)).toMatchObject({ kind: 'rollback' });
  });

  it('interrupts, naming the change, when someone else changed the weights', () => {
    const v = resumeVerdict(shift(), {
      effective: { v1: 90, v2: 10 },
      desired: { v1: 90, v2: 10 },
      latestAudit: { id: 'a5', who: 'alice', reason: 'hotfix' },
    });
    expect(v).toEqual({
      kind: 'interrupt',
      why: 'the weights were changed outside the shift (audit a5 by alice: hotfix); they are v1=90, v2=10 and were left as they are',
    });
  });

  it('waits while the replicas drift from a step the audit log still holds (reconciliation repairs them)', () => {
    const v = resumeVerdict(shift(), {
      effective: { v1: 100, v2: 0 },
      desired: steps[1]!,
      latestAudit: entry('a2', 'step 2/4'),
    });
    expect(v).toEqual({
      kind: 'wait',
      why: "after the restart the route's replicas serve v1=100, v2=0, not step 2's v1=50, v2=50, and reconciliation did not put it back; the weights were left as they are",
    });
  });

  it('interrupts when the weights are neither step and nothing will put them back', () => {
    const v = resumeVerdict(shift(), {
      effective: { v1: 90, v2: 10 },
      desired: undefined,
      latestAudit: entry('a2', 'step 2/4'),
    });
    expect(v).toEqual({
      kind: 'interrupt',
      why: "after the restart the route's weights are v1=90, v2=10, not step 2's v1=50, v2=50; they were left as they are",
    });
  });
});

describe('isShiftEntry', () => {
  it('recognises the reasons the shift writes and nothing else', () => {
    expect(isShiftEntry({ id: 'gs-1' }, { reason: shiftAuditReason('gs-1', 'step 1/4', 'go') })).toBe(true);
    expect(isShiftEntry({ id: 'gs-1' }, { reason: shiftAuditReason('gs-2', 'step 1/4', undefined) })).toBe(
      false,
    );
    expect(isShiftEntry({ id: 'gs-1' }, { reason: 'copied (gs-1)' })).toBe(false);
    expect(isShiftEntry({ id: 'gs-1' }, {})).toBe(false);
  });
});
