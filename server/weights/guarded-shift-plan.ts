// Pure: a guarded shift request (POST /api/routes/:id/guarded-shift) checked against the route as the
// dashboard reports it, and turned into a plan: the starting weights, the target, the steps between.
// Every refusal names the field at fault; nothing is planned from a route that is not where the
// request saw it (If-Match) or whose weights are not yet in place on every replica (drift).
import {
  type GuardedShiftStart,
  GuardedShiftStartSchema,
  type GuardedShiftThresholds,
} from '../../shared/api/guarded-shift.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { ServiceResult } from '../api/dashboard-core.ts';
import { planSteps, stepWeightOf, targetForPercent, weightsTotal } from './guarded-shift-steps.ts';
import { effectiveWeights, normalizeIfMatch, sameWeights, type Weights } from './route-weights.ts';
import { failure } from './service-failure.ts';

export interface ShiftPlan {
  canary: string;
  baseline: string[];
  startWeights: Weights;
  targetWeights: Weights;
  steps: Weights[];
  stepPercent: number;
  intervalSeconds: number;
  thresholds: GuardedShiftThresholds;
  reason: string | undefined;
}

export function parseShiftStart(body: unknown): ServiceResult<GuardedShiftStart> {
  const r = GuardedShiftStartSchema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  return failure(400, 'invalid_guarded_shift', issue?.message ?? 'invalid request', field);
}

export function planShift(
  route: WeightedRoute,
  body: unknown,
  ifMatch: string | undefined,
): ServiceResult<ShiftPlan> {
  const parsed = parseShiftStart(body);
  if (!parsed.ok) return parsed;
  const req = parsed.value;
  const version = normalizeIfMatch(ifMatch);
  if (version === undefined || version === '' || version === '*') {
    return failure(
      428,
      'precondition_required',
      `send If-Match with the route's version (now ${route.version})`,
    );
  }
  if (version !== route.version) {
    return failure(
      409,
      'version_conflict',
      `the route changed since version ${version} was read (it is now ${route.version}); reload it and try again`,
    );
  }
  const names = route.clusters.map((c) => c.name);
  if (!names.includes(req.canary)) {
    return failure(400, 'invalid_guarded_shift', `the route has no cluster '${req.canary}'`, 'canary');
  }
  if (names.length < 2) {
    return failure(400, 'invalid_guarded_shift', 'the route has no other cluster to compare with', 'canary');
  }
  const start = effectiveWeights(route);
  if (route.desiredWeights !== undefined && !sameWeights(route.desiredWeights, start)) {
    return failure(
      409,
      'drift',
      'the route is not yet at its desired weights on every replica (reconciliation is repairing it); try again in a moment',
    );
  }
  const total = weightsTotal(start);
  if (route.allowedTotals !== undefined && !route.allowedTotals.includes(total)) {
    return failure(
      422,
      'invalid_total',
      `the route's weights add up to ${total}, which a change cannot keep (allowed: ${route.allowedTotals.join(', ')})`,
    );
  }
  let target: Weights;
  if (req.targetCanaryPercent !== undefined) {
    target = targetForPercent(start, req.canary, req.targetCanaryPercent);
  } else {
    target = req.targetWeights!;
    for (const n of names) {
      if (!Object.hasOwn(target, n)) {
        return failure(400, 'invalid_guarded_shift', `missing a weight for '${n}'`, `targetWeights.${n}`);
      }
    }
    for (const n of Object.keys(target)) {
      if (!names.includes(n)) {
        return failure(400, 'invalid_guarded_shift', `the route has no cluster '${n}'`, `targetWeights.${n}`);
      }
    }
    if (weightsTotal(target) !== total) {
      return failure(
        400,
        'invalid_guarded_shift',
        `the target weights add up to ${weightsTotal(target)}, not the route's total ${total}`,
        'targetWeights',
      );
    }
  }
  const field = req.targetCanaryPercent !== undefined ? 'targetCanaryPercent' : `targetWeights.${req.canary}`;
  if (target[req.canary]! <= start[req.canary]!) {
    return failure(
      400,
      'invalid_guarded_shift',
      `the target gives ${req.canary} ${target[req.canary]}, not more than the ${start[req.canary]} it has now`,
      field,
    );
  }
  return {
    ok: true,
    value: {
      canary: req.canary,
      baseline: names.filter((n) => n !== req.canary),
      startWeights: start,
      targetWeights: target,
      steps: planSteps(start, target, req.canary, stepWeightOf(total, req.stepPercent)),
      stepPercent: req.stepPercent,
      intervalSeconds: req.intervalSeconds,
      thresholds: req.thresholds,
      reason: req.reason,
    },
  };
}
