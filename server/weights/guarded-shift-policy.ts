// Pure: what a guarded shift does with one step's figures. The canary is compared with the baseline
// (the route's other clusters) over the same window, the way Flagger's analysis checks its metrics
// every interval, with one difference: a crossed threshold rolls back at once, not after N failed
// checks, because a step's window already holds `minRequests` canary requests before it is judged.
//
// - Too few canary requests: nothing is judged yet (hold; once the interval is over, wait). A step
//   that waits MAX_WAIT_INTERVALS intervals without enough traffic is rolled back: a shift that
//   cannot be judged must not stay half done.
// - 503 and 5xx ratios: the canary's may exceed the baseline's by at most max503Ratio / max5xxRatio.
//   A baseline with fewer than minRequests requests counts as error-free, so the allowance is absolute.
// - p99: absolute, or at most `factor` × the baseline's p99 but never less than `floorMs` (skipped
//   when the baseline has no p99 or too few requests to have a meaningful one).
// - Within thresholds and the interval over: advance, or promote after the last step.
import type { GuardedShiftThresholds, ShiftAction, StepFigures } from '../../shared/api/guarded-shift.ts';

export const MAX_WAIT_INTERVALS = 10;

export interface StepJudgement {
  action: ShiftAction;
  why: string;
}

export interface StepInput {
  canary: StepFigures;
  baseline: StepFigures;
  thresholds: GuardedShiftThresholds;
  elapsedMs: number;
  intervalMs: number;
  /** The step judged is the last (the target): a healthy interval promotes. */
  lastStep: boolean;
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
const ratio = (n: number, d: number) => (d > 0 ? n / d : 0);

/** The first threshold the canary crosses, described with the figures; undefined when none. */
export function crossedThreshold(
  canary: StepFigures,
  baseline: StepFigures,
  t: GuardedShiftThresholds,
): string | undefined {
  const baselineCounts = baseline.requests >= t.minRequests;
  const ratios = [
    ['503', canary.errors503, baseline.errors503, t.max503Ratio],
    ['5xx', canary.errors5xx, baseline.errors5xx, t.max5xxRatio],
  ] as const;
  for (const [what, errors, baseErrors, allowance] of ratios) {
    const c = ratio(errors, canary.requests);
    const b = baselineCounts ? ratio(baseErrors, baseline.requests) : 0;
    if (c > b + allowance) {
      return `canary ${what} ratio ${pct(c)} (${errors} of ${canary.requests} requests) exceeds the baseline's ${pct(b)} + ${pct(allowance)}`;
    }
  }
  const p99 = t.maxP99;
  if (p99 !== null && canary.p99Ms !== null) {
    if (p99.kind === 'absolute' && canary.p99Ms > p99.ms) {
      return `canary p99 ${canary.p99Ms.toFixed(1)} ms exceeds ${p99.ms} ms`;
    }
    if (p99.kind === 'relative' && baselineCounts && baseline.p99Ms !== null && baseline.p99Ms > 0) {
      const limit = Math.max(p99.factor * baseline.p99Ms, p99.floorMs);
      if (canary.p99Ms > limit) {
        return `canary p99 ${canary.p99Ms.toFixed(1)} ms exceeds ${p99.factor} × the baseline's ${baseline.p99Ms.toFixed(1)} ms (at least ${p99.floorMs} ms)`;
      }
    }
  }
  return undefined;
}

export function judgeStep(input: StepInput): StepJudgement {
  const { canary, baseline, thresholds: t, elapsedMs, intervalMs } = input;
  const over = elapsedMs >= intervalMs;
  if (canary.requests < t.minRequests) {
    if (elapsedMs >= intervalMs * MAX_WAIT_INTERVALS) {
      return {
        action: 'rollback',
        why: `the canary got ${canary.requests} of the ${t.minRequests} requests a step needs in ${MAX_WAIT_INTERVALS} intervals: too little traffic to judge it`,
      };
    }
    return {
      action: over ? 'wait' : 'hold',
      why: `${canary.requests} of the ${t.minRequests} canary requests needed to judge the step`,
    };
  }
  const crossed = crossedThreshold(canary, baseline, t);
  if (crossed !== undefined) return { action: 'rollback', why: crossed };
  if (!over) return { action: 'hold', why: 'within thresholds; the interval is not over' };
  return input.lastStep
    ? { action: 'promote', why: 'the target held within thresholds for a whole interval' }
    : { action: 'advance', why: 'within thresholds for a whole interval' };
}
