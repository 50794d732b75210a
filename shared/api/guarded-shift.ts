// The guarded shift contract (issue: weight control, "Guarded shift"): traffic moved to a canary cluster
// in steps, each step kept only while the canary's 503 ratio, 5xx ratio and p99 stay within thresholds
// relative to the baseline (the route's other clusters), otherwise rolled back to the starting weights.
//   POST /api/routes/:id/guarded-shift                 GuardedShiftStart, If-Match: <route version> → GuardedShift
//   GET  /api/routes/:id/guarded-shift                 → GuardedShift (the route's latest)
//   POST /api/routes/:id/guarded-shift/{pause,resume,abort}   GuardedShiftAction                  → GuardedShift
//   GET  /api/guarded-shifts                           → GuardedShiftList
// Flagger's Canary `analysis` (stepWeight, interval, threshold, metrics) and Argo Rollouts' setWeight
// steps are the prior art; here the figures are the sidecars' own cluster stats.
import { z } from 'zod';
import { MAX_WEIGHT } from './weights.ts';

const Weights = z.record(z.string().min(1), z.number().int().nonnegative().max(MAX_WEIGHT));

export const P99ThresholdSchema = z.discriminatedUnion('kind', [
  /** The canary's p99 must stay at or under `ms`. */
  z.object({ kind: z.literal('absolute'), ms: z.number().positive().max(3_600_000) }).strict(),
  /**
   * The canary's p99 must stay at or under `factor` × the baseline's p99, or `floorMs` if that is more:
   * p99s are interpolated inside histogram buckets (Envoy's default bounds 0.5, 1, 5, 10, 25, 50 … ms),
   * so at a few milliseconds one bucket's difference would already be a factor of 2.
   */
  z
    .object({
      kind: z.literal('relative'),
      factor: z.number().min(1).max(1000),
      floorMs: z.number().nonnegative().max(3_600_000).default(50),
    })
    .strict(),
]);
export type P99Threshold = z.infer<typeof P99ThresholdSchema>;

export const GuardedShiftThresholdsSchema = z
  .object({
    /**
     * How far the canary's 503 ratio (upstream_rq_503 / upstream_rq_total) may exceed the baseline's,
     * 0..1. A baseline with fewer than `minRequests` requests counts as 0 (the threshold is then absolute).
     */
    max503Ratio: z.number().min(0).max(1).default(0.01),
    /** As max503Ratio, for every 5xx (upstream_rq_5xx). */
    max5xxRatio: z.number().min(0).max(1).default(0.05),
    /** null: latency is not checked. */
    maxP99: P99ThresholdSchema.nullable().default({ kind: 'relative', factor: 2, floorMs: 50 }),
    /** Canary requests a step needs before it is judged (and before it can fail). */
    minRequests: z.number().int().min(1).max(1_000_000).default(20),
  })
  .strict();
export type GuardedShiftThresholds = z.infer<typeof GuardedShiftThresholdsSchema>;

export const GuardedShiftStartSchema = z
  .object({
    /** The cluster that receives more traffic step by step; the route's other clusters are the baseline. */
    canary: z.string().min(1),
    /** Where to end: every cluster's weight (summing to the route's current total) … */
    targetWeights: Weights.optional(),
    /** … or the canary's share in percent, the baseline clusters keeping their proportions. */
    targetCanaryPercent: z.number().int().min(1).max(100).optional(),
    /** Percentage points of the route's total added to the canary per step. */
    stepPercent: z.number().int().min(1).max(100).default(10),
    /** How long each step is observed before the next. */
    intervalSeconds: z.number().min(1).max(86_400).default(30),
    thresholds: GuardedShiftThresholdsSchema.prefault({}),
    reason: z.string().max(500).optional(),
  })
  .strict()
  .refine((s) => (s.targetWeights === undefined) !== (s.targetCanaryPercent === undefined), {
    message: 'give exactly one of targetWeights and targetCanaryPercent',
    path: ['targetWeights'],
  });
export type GuardedShiftStart = z.infer<typeof GuardedShiftStartSchema>;
export type GuardedShiftStartInput = z.input<typeof GuardedShiftStartSchema>;

export const GuardedShiftActionSchema = z.object({ reason: z.string().max(500).optional() }).strict();
export type GuardedShiftAction = z.infer<typeof GuardedShiftActionSchema>;

/** Counts over a step's window (since its figures were first read after it was applied), summed over replicas. */
export const StepFiguresSchema = z.object({
  requests: z.number().nonnegative(),
  errors503: z.number().nonnegative(),
  errors5xx: z.number().nonnegative(),
  /** From the window's `upstream_rq_time` bucket increases; null without observations. */
  p99Ms: z.number().nonnegative().nullable(),
});
export type StepFigures = z.infer<typeof StepFiguresSchema>;

export const ShiftActionSchema = z.enum(['hold', 'wait', 'advance', 'promote', 'rollback']);
export type ShiftAction = z.infer<typeof ShiftActionSchema>;

export const ShiftDecisionSchema = z.object({
  /** Epoch ms. */
  at: z.number(),
  /** The step judged (1..totalSteps). */
  step: z.number().int().nonnegative(),
  /**
   * hold: within thresholds, interval not over; wait: interval over but too few canary requests;
   * advance: next step; promote: target reached and held; rollback: a threshold was crossed.
   */
  action: ShiftActionSchema,
  why: z.string(),
  elapsedSeconds: z.number().nonnegative(),
  canary: StepFiguresSchema,
  baseline: StepFiguresSchema,
});
export type ShiftDecision = z.infer<typeof ShiftDecisionSchema>;

/** Something the shift did or was told that is not a step decision (start, pause, restart, …). */
export const ShiftEventSchema = z.object({ at: z.number(), message: z.string() });
export type ShiftEvent = z.infer<typeof ShiftEventSchema>;

export const GuardedShiftStateSchema = z.enum([
  'running',
  'paused',
  'promoted',
  'rolled_back',
  'aborted',
  'interrupted',
]);
export type GuardedShiftState = z.infer<typeof GuardedShiftStateSchema>;

export const GuardedShiftSchema = z.object({
  id: z.string(),
  routeId: z.string(),
  canary: z.string(),
  baseline: z.array(z.string()),
  state: GuardedShiftStateSchema,
  startedAt: z.number(),
  updatedAt: z.number(),
  startedBy: z.string(),
  reason: z.string().optional(),
  stepPercent: z.number().int(),
  intervalSeconds: z.number(),
  thresholds: GuardedShiftThresholdsSchema,
  startWeights: Weights,
  targetWeights: Weights,
  /** Each step's weights; the last is the target. */
  steps: z.array(Weights),
  /** The last step confirmed applied: 0 means the starting weights, steps.length the target. */
  currentStep: z.number().int().nonnegative(),
  /** The weights of `currentStep` (what the route should have now). */
  currentWeights: Weights,
  /** When `currentStep` was applied (its window starts at the first figures read after it). */
  stepStartedAt: z.number().nullable(),
  /**
   * Written before a change is applied and cleared once it is confirmed, so a dashboard that dies in
   * between knows, when it starts again, which two weight sets the route may have.
   */
  pending: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('step'), step: z.number().int().positive() }),
      z.object({ kind: z.literal('rollback'), to: GuardedShiftStateSchema, why: z.string() }),
    ])
    .nullable(),
  /** The audit entry of the last change the shift made: another entry means someone else changed it. */
  lastAuditId: z.string().nullable(),
  lastDecision: ShiftDecisionSchema.nullable(),
  /** Step decisions that moved the shift (advance, promote, rollback, wait), oldest first, bounded. */
  decisions: z.array(ShiftDecisionSchema),
  events: z.array(ShiftEventSchema),
  /** Why it is no longer running: set for every state but `running` (and `paused`: who paused it). */
  stoppedWhy: z.string().nullable(),
});
export type GuardedShift = z.infer<typeof GuardedShiftSchema>;

export const GuardedShiftListSchema = z.object({ shifts: z.array(GuardedShiftSchema) });
export type GuardedShiftList = z.infer<typeof GuardedShiftListSchema>;

export function isActiveShift(s: Pick<GuardedShift, 'state'>): boolean {
  return s.state === 'running' || s.state === 'paused';
}
