// What a guarded shift does with a step's figures: hold, wait for traffic, advance, promote, or roll
// back with the figures that crossed a threshold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeStep, MAX_WAIT_INTERVALS } from '../../../server/weights/guarded-shift-policy.ts';
import {
  type GuardedShiftThresholds,
  GuardedShiftThresholdsSchema,
  type StepFigures,
} from '../../../shared/api/guarded-shift.ts';

const T: GuardedShiftThresholds = GuardedShiftThresholdsSchema.parse({});
const fig = (
  requests: number,
  errors503 = 0,
  errors5xx = errors503,
  p99Ms: number | null = 5,
): StepFigures => ({
  requests,
  errors503,
  errors5xx,
  p99Ms,
});
const judge = (
  canary: StepFigures,
  baseline: StepFigures,
  over: Partial<Parameters<typeof judgeStep>[0]> = {},
) =>
  judgeStep({
    canary,
    baseline,
    thresholds: T,
    elapsedMs: 30_000,
    intervalMs: 30_000,
    lastStep: false,
    ...over,
  });

describe('judgeStep', () => {
  it('defaults: 1 % more 503s, 5 % more 5xx, p99 at most twice the baseline, 20 requests', () => {
    expect(T).toEqual({
      max503Ratio: 0.01,
      max5xxRatio: 0.05,
      maxP99: { kind: 'relative', factor: 2, floorMs: 50 },
      minRequests: 20,
    });
  });

  it('holds within the interval and advances once it is over', () => {
    expect(judge(fig(100), fig(300), { elapsedMs: 10_000 }).action).toBe('hold');
    expect(judge(fig(100), fig(300)).action).toBe('advance');
  });

  it('promotes after the last step held for an interval', () => {
    expect(judge(fig(100), fig(0, 0, 0, null), { lastStep: true }).action).toBe('promote');
  });

  it('rolls back on a 503 ratio above the baseline plus the allowance, saying with which figures', () => {
    const d = judge(fig(100, 5), fig(300, 3), { elapsedMs: 1_000 });
    expect(d.action).toBe('rollback');
    expect(d.why).toBe("canary 503 ratio 5.0% (5 of 100 requests) exceeds the baseline's 1.0% + 1.0%");
  });

  it('tolerates what the baseline suffers too', () => {
    expect(judge(fig(100, 5, 5), fig(300, 15, 15)).action).toBe('advance');
  });

  it('judges 5xx other than 503 on their own allowance', () => {
    const d = judge(fig(100, 0, 8), fig(300, 0, 0));
    expect(d.action).toBe('rollback');
    expect(d.why).toMatch(/^canary 5xx ratio 8\.0% \(8 of 100 requests\)/);
  });

  it('counts a baseline with too few requests as error-free', () => {
    expect(judge(fig(100, 2), fig(10, 10)).action).toBe('rollback');
  });

  it('p99: relative to the baseline, or absolute', () => {
    expect(judge(fig(100, 0, 0, 130), fig(300, 0, 0, 60)).why).toBe(
      "canary p99 130.0 ms exceeds 2 × the baseline's 60.0 ms (at least 50 ms)",
    );
    expect(judge(fig(100, 0, 0, 119), fig(300, 0, 0, 60)).action).toBe('advance');
    // Below the floor, a factor of 2 is one histogram bucket: not a regression worth a rollback.
    expect(judge(fig(100, 0, 0, 45), fig(300, 0, 0, 10)).action).toBe('advance');
    expect(judge(fig(100, 0, 0, 51), fig(300, 0, 0, 10)).action).toBe('rollback');
    const abs = { ...T, maxP99: { kind: 'absolute' as const, ms: 50 } };
    expect(
      judgeStep({
        canary: fig(100, 0, 0, 60),
        baseline: fig(0),
        thresholds: abs,
        elapsedMs: 0,
        intervalMs: 1,
        lastStep: false,
      }).why,
    ).toBe('canary p99 60.0 ms exceeds 50 ms');
    const none = { ...T, maxP99: null };
    expect(
      judgeStep({
        canary: fig(100, 0, 0, 900),
        baseline: fig(300),
        thresholds: none,
        elapsedMs: 1,
        intervalMs: 1,
        lastStep: false,
      }).action,
    ).toBe('advance');
  });

  it('judges nothing before the minimum number of canary requests, and waits after the interval', () => {
    expect(judge(fig(19, 19), fig(300), { elapsedMs: 1_000 }).action).toBe('hold');
    const d = judge(fig(19, 19), fig(300));
    expect(d).toEqual({ action: 'wait', why: '19 of the 20 canary requests needed to judge the step' });
  });

  it('rolls back a step that cannot get enough traffic in MAX_WAIT_INTERVALS intervals', () => {
    const d = judge(fig(3), fig(300), { elapsedMs: 30_000 * MAX_WAIT_INTERVALS });
    expect(d.action).toBe('rollback');
    expect(d.why).toMatch(/too little traffic/);
  });

  it('never advances or promotes a canary whose error ratios exceed the allowances (any figures)', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.nat(10_000),
        fc.nat(10_000),
        fc.nat(10_000),
        fc.nat(120_000),
        fc.boolean(),
        (cReq, c503, bReq, b503, elapsedMs, lastStep) => {
          const canary = fig(cReq, Math.min(c503, cReq), Math.min(c503, cReq), null);
          const baseline = fig(bReq, Math.min(b503, bReq), Math.min(b503, bReq), null);
          const d = judgeStep({ canary, baseline, thresholds: T, elapsedMs, intervalMs: 30_000, lastStep });
          if (d.action === 'advance' || d.action === 'promote') {
            const c = canary.errors503 / canary.requests;
            const b = baseline.requests >= T.minRequests ? baseline.errors503 / baseline.requests : 0;
            expect(canary.requests).toBeGreaterThanOrEqual(T.minRequests);
            expect(c).toBeLessThanOrEqual(b + T.max503Ratio);
            expect(elapsedMs).toBeGreaterThanOrEqual(30_000);
            expect(d.action === 'promote').toBe(lastStep);
          }
        },
      ),
    );
  });
});
