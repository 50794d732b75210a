import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedTotals,
  validateRevert,
  validateWeightChange,
  type WeightRules,
} from '../../../server/weights/validate-weights.ts';
import { MAX_WEIGHT } from '../../../shared/api/weights.ts';

const rules: WeightRules = { clusters: ['backend_v1', 'backend_v2', 'backend_v3'], allowedTotals: [100] };
const problem = (body: unknown, r: WeightRules = rules) => {
  const v = validateWeightChange(body, r);
  return v.ok ? undefined : v.problem;
};

describe('validateWeightChange', () => {
  it('accepts integer weights for every cluster that add up to 100, with a reason', () => {
    const body = { weights: { backend_v1: 50, backend_v2: 50, backend_v3: 0 }, reason: 'canary' };
    expect(validateWeightChange(body, rules)).toEqual({ ok: true, value: body });
  });

  it.each([
    ['a fraction', { backend_v1: 50.5, backend_v2: 49.5, backend_v3: 0 }, 'weights.backend_v1', /integer/],
    [
      'a negative weight',
      { backend_v1: 110, backend_v2: -10, backend_v3: 0 },
      'weights.backend_v2',
      /negative/,
    ],
    [
      'a string',
      { backend_v1: '50', backend_v2: 50, backend_v3: 0 },
      'weights.backend_v1',
      /integer, got the string/,
    ],
    ['null', { backend_v1: null, backend_v2: 100, backend_v3: 0 }, 'weights.backend_v1', /got null/],
    [
      'an unknown cluster',
      { backend_v1: 50, backend_v2: 50, backend_v3: 0, backend_v9: 0 },
      'weights.backend_v9',
      /unknown cluster/,
    ],
    ['a missing cluster', { backend_v1: 50, backend_v2: 50 }, 'weights.backend_v3', /missing/],
    [
      'a sum other than 100',
      { backend_v1: 50, backend_v2: 40, backend_v3: 0 },
      'weights',
      /add up to 90; they must add up to 100/,
    ],
    ['all zero', { backend_v1: 0, backend_v2: 0, backend_v3: 0 }, 'weights', /all weights are 0/],
    [
      'an absurdly large weight',
      { backend_v1: MAX_WEIGHT + 1, backend_v2: 0, backend_v3: 0 },
      'weights.backend_v1',
      /at most/,
    ],
  ])('refuses %s and names the field', (_what, weights, field, message) => {
    const p = problem({ weights });
    expect(p?.field).toBe(field);
    expect(p?.message).toMatch(message);
  });

  it('refuses extra fields, a missing or malformed weights object, a bad reason, a non-object body', () => {
    expect(problem({ weights: { backend_v1: 100, backend_v2: 0, backend_v3: 0 }, force: true })).toEqual({
      field: 'force',
      message: "unknown field 'force' (allowed: weights, reason)",
    });
    expect(problem({})?.field).toBe('weights');
    expect(problem({ weights: [50, 50] })?.message).toMatch(/got an array/);
    expect(problem({ weights: { backend_v1: 100, backend_v2: 0, backend_v3: 0 }, reason: 5 })?.field).toBe(
      'reason',
    );
    expect(
      problem({ weights: { backend_v1: 100, backend_v2: 0, backend_v3: 0 }, reason: 'x'.repeat(501) })?.field,
    ).toBe('reason');
    expect(problem([])?.field).toBeUndefined();
    expect(problem('weights')?.message).toMatch(/JSON object/);
    expect(problem(null)?.message).toMatch(/got null/);
  });

  it('takes the route total_weight, or the configured sum besides 100', () => {
    expect(allowedTotals(undefined, 100)).toEqual([100]);
    expect(allowedTotals(undefined, 10)).toEqual([100, 10]);
    expect(allowedTotals(1000, 100)).toEqual([1000]);
    const lab = { clusters: ['a', 'b'], allowedTotals: allowedTotals(undefined, 10) };
    expect(validateWeightChange({ weights: { a: 5, b: 5 } }, lab).ok).toBe(true);
    expect(validateWeightChange({ weights: { a: 50, b: 50 } }, lab).ok).toBe(true);
    expect(problem({ weights: { a: 6, b: 5 } }, lab)?.message).toMatch(/must add up to 100 or 10/);
  });
});

describe('validateRevert', () => {
  it('needs an audit id, allows a reason, nothing else', () => {
    expect(validateRevert({ auditId: 'abc', reason: 'oops' })).toEqual({
      ok: true,
      value: { auditId: 'abc', reason: 'oops' },
    });
    const bad = [{}, { auditId: '' }, { auditId: 5 }, { auditId: 'a', extra: 1 }, 'a', null];
    for (const body of bad) expect(validateRevert(body).ok).toBe(false);
  });
});

// ---- properties ----

const clusters = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/), { minLength: 1, maxLength: 5 });

/** Valid weights for `names`: non-negative integers adding up to `total`, not all zero. */
function validWeights(names: string[], total: number) {
  return fc
    .array(fc.integer({ min: 0, max: total }), { minLength: names.length - 1, maxLength: names.length - 1 })
    .map((cuts) => {
      const sorted = [0, ...cuts.sort((a, b) => a - b), total];
      return Object.fromEntries(names.map((n, i) => [n, sorted[i + 1]! - sorted[i]!]));
    });
}

describe('properties', () => {
  it('every body whose weights cover the clusters and add up to an allowed total is accepted', () => {
    fc.assert(
      fc.property(
        clusters.chain((names) =>
          fc.record({ names: fc.constant(names), weights: validWeights(names, 100) }),
        ),
        ({ names, weights }) => {
          expect(validateWeightChange({ weights }, { clusters: names, allowedTotals: [100] }).ok).toBe(true);
        },
      ),
    );
  });

  /** One way to break a valid body; each must be refused, with a field when it is about one. */
  const breakers: Record<string, (w: Record<string, unknown>, names: string[], extra: string) => unknown> = {
    fraction: (w, n) => ({ weights: { ...w, [n[0]!]: (w[n[0]!] as number) + 0.5 } }),
    negative: (w, n) => ({ weights: { ...w, [n[0]!]: -1 - (w[n[0]!] as number) } }),
    string: (w, n) => ({ weights: { ...w, [n[0]!]: String(w[n[0]!]) } }),
    boolean: (w, n) => ({ weights: { ...w, [n[0]!]: true } }),
    unknown: (w, _n, extra) => ({ weights: { ...w, [extra]: 0 } }),
    missing: (w, n) => {
      const { [n[0]!]: _gone, ...rest } = w;
      return { weights: rest };
    },
    sum: (w, n) => ({ weights: { ...w, [n[0]!]: (w[n[0]!] as number) + 1 } }),
    allZero: (_w, n) => ({ weights: Object.fromEntries(n.map((name) => [name, 0])) }),
    huge: (w, n) => ({ weights: { ...w, [n[0]!]: MAX_WEIGHT + 1 } }),
    extraField: (w, _n, extra) => ({ weights: w, [extra]: 1 }),
    weightsNotObject: () => ({ weights: 100 }),
    reasonNotString: (w) => ({ weights: w, reason: 42 }),
    notObject: (w) => [w],
  };

  it('every invalid body is refused', () => {
    fc.assert(
      fc.property(
        clusters.chain((names) =>
          fc.record({
            names: fc.constant(names),
            weights: validWeights(names, 100),
            breaker: fc.constantFrom(...Object.keys(breakers)),
            extra: fc.stringMatching(/^[A-Z][a-z]{0,5}$/), // never a cluster name, never `weights`/`reason`
          }),
        ),
        ({ names, weights, breaker, extra }) => {
          const body = breakers[breaker]!(weights, names, extra);
          const v = validateWeightChange(body, { clusters: names, allowedTotals: [100] });
          expect(v.ok, `${breaker}: ${JSON.stringify(body)}`).toBe(false);
        },
      ),
    );
  });

  it('any JSON value at all is either a valid change or refused with a message, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const v = validateWeightChange(body, rules);
        if (v.ok) expect(Object.values(v.value.weights).reduce((a, b) => a + b, 0)).toBe(100);
        else expect(v.problem.message.length).toBeGreaterThan(0);
      }),
    );
  });
});
