// Validation of a weight change (PUT /api/routes/:id/weights), pure: the body as received against the
// route's clusters and the sums its weights may have. The first problem found is reported with the field
// it concerns (`weights.backend_v3`, `reason`, …), so the editor can point at it.
//
// Why these rules: Envoy reads a runtime weight as an unsigned integer and falls back to the configured
// weight when the value is not one (route_components.proto, WeightedCluster.runtime_key_prefix), so a
// fraction or a negative number would be silently ignored by the sidecar rather than refused. Every
// cluster needs a value, or the missing one keeps a stale weight. The sum is what the proxy draws from
// (`total_weight` when set, the sum of the weights otherwise): a change that keeps the route's total
// keeps the meaning of every weight as a share. All zero routes nothing at all (Envoy answers 503).
import {
  MAX_WEIGHT,
  type RevertRequest,
  RevertRequestSchema,
  type WeightChangeRequest,
  WeightChangeRequestSchema,
} from '../../shared/api/weights.ts';

export interface WeightRules {
  /** Every cluster of the route: each needs a weight, no other may have one. */
  clusters: readonly string[];
  /** Sums the weights may have (see allowedTotals). */
  allowedTotals: readonly number[];
}

export interface FieldProblem {
  /** Dotted path of the offending field (`weights.backend_v3`); absent for the body as a whole. */
  field?: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

const MAX_REASON = 500;

/**
 * Sums a route's weights may have after a change: exactly `total_weight` when the configuration sets
 * it (Envoy draws from that range); otherwise 100, and also the configured weights' sum when that is
 * not 100 (a lab's `8`/`2` split keeps its scale).
 */
export function allowedTotals(configTotalWeight: number | undefined, configuredSum: number): number[] {
  if (configTotalWeight !== undefined && configTotalWeight > 0) return [configTotalWeight];
  return configuredSum > 0 && configuredSum !== 100 ? [100, configuredSum] : [100];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return typeof v === 'number' ? String(v) : `a ${typeof v}`;
}

function fail<T>(message: string, field?: string): Validated<T> {
  return { ok: false, problem: { message, ...(field !== undefined && { field }) } };
}

/** `reason`, when present: a string of at most 500 characters. */
function reasonProblem(body: Record<string, unknown>): FieldProblem | undefined {
  if (!Object.hasOwn(body, 'reason')) return undefined;
  const reason = body['reason'];
  if (typeof reason !== 'string')
    return { field: 'reason', message: `must be a string, got ${describe(reason)}` };
  if (reason.length > MAX_REASON)
    return { field: 'reason', message: `must be at most ${MAX_REASON} characters, got ${reason.length}` };
  return undefined;
}

function unknownField(body: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  return Object.keys(body)
    .sort()
    .find((k) => !allowed.includes(k));
}

export function validateWeightChange(body: unknown, rules: WeightRules): Validated<WeightChangeRequest> {
  if (!isPlainObject(body)) return fail(`the body must be a JSON object, got ${describe(body)}`);
  const extra = unknownField(body, ['weights', 'reason']);
  if (extra !== undefined) return fail(`unknown field '${extra}' (allowed: weights, reason)`, extra);
  if (!Object.hasOwn(body, 'weights')) return fail('is required', 'weights');
  const weights = body['weights'];
  if (!isPlainObject(weights)) {
    return fail(`must be an object of cluster name → integer weight, got ${describe(weights)}`, 'weights');
  }

  const clusters = new Set(rules.clusters);
  const names = Object.keys(weights).sort();
  for (const name of names) {
    const field = `weights.${name}`;
    if (!clusters.has(name)) {
      return fail(`unknown cluster '${name}'; this route's clusters are ${[...clusters].join(', ')}`, field);
    }
    const w = weights[name];
    if (typeof w !== 'number') return fail(`must be an integer, got ${describe(w)}`, field);
    if (!Number.isInteger(w)) return fail(`must be an integer, got ${describe(w)}`, field);
    if (w < 0) return fail(`must not be negative, got ${w}`, field);
    if (w > MAX_WEIGHT) return fail(`must be at most ${MAX_WEIGHT}, got ${w}`, field);
  }
  for (const name of [...clusters].sort()) {
    if (!Object.hasOwn(weights, name)) {
      return fail(`missing: every cluster of the route needs a weight (${name} has none)`, `weights.${name}`);
    }
  }
  const reason = reasonProblem(body);
  if (reason !== undefined) return { ok: false, problem: reason };

  const sum = names.reduce((n, name) => n + (weights[name] as number), 0);
  if (sum === 0) return fail('all weights are 0: at least one cluster must receive traffic', 'weights');
  if (!rules.allowedTotals.includes(sum)) {
    const totals = rules.allowedTotals.join(' or ');
    return fail(`the weights add up to ${sum}; they must add up to ${totals}`, 'weights');
  }
  // The contract's own schema as the last word, so what passes here is a WeightChangeRequest.
  const parsed = WeightChangeRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(issue?.message ?? 'invalid', issue?.path.map(String).join('.') || undefined);
  }
  return { ok: true, value: parsed.data };
}

export function validateRevert(body: unknown): Validated<RevertRequest> {
  if (!isPlainObject(body)) return fail(`the body must be a JSON object, got ${describe(body)}`);
  const extra = unknownField(body, ['auditId', 'reason']);
  if (extra !== undefined) return fail(`unknown field '${extra}' (allowed: auditId, reason)`, extra);
  const id = body['auditId'];
  if (typeof id !== 'string' || id === '') {
    return fail(`must be the id of an audit entry, got ${describe(id)}`, 'auditId');
  }
  const reason = reasonProblem(body);
  if (reason !== undefined) return { ok: false, problem: reason };
  const parsed = RevertRequestSchema.safeParse(body);
  if (!parsed.success) return fail(parsed.error.issues[0]?.message ?? 'invalid');
  return { ok: true, value: parsed.data };
}
