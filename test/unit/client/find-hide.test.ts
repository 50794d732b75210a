import { describe, expect, it } from 'vitest';
import {
  type FindValues,
  formatParseError,
  parseExpression,
  toPredicate,
} from '../../../client/src/graph/find-hide.ts';

const reviewsV2: FindValues = {
  rps: 7.5,
  '5xx%': 2,
  '503%': 1.5,
  p95: 120,
  version: 'v2',
  namespace: 'bookinfo',
  app: 'reviews',
  name: 'reviews',
  kind: 'versionedApp',
  health: 'degraded',
};
const idleDetails: FindValues = {
  rps: 0,
  '5xx%': 0,
  '503%': 0,
  p95: null,
  version: undefined,
  namespace: 'bookinfo',
  app: 'details',
  name: 'details',
  kind: 'app',
  health: 'idle',
};

function matches(expr: string, v: FindValues): boolean {
  const r = parseExpression(expr);
  if (!r.ok) throw new Error(formatParseError(r));
  const p = toPredicate(r.expr);
  if (!p) throw new Error('empty expression');
  return p(v);
}

function errorOf(expr: string): { message: string; position: number } {
  const r = parseExpression(expr);
  if (r.ok) throw new Error(`'${expr}' parsed`);
  return r;
}

describe('find/hide expressions', () => {
  it.each([
    ['rps > 5', true, false],
    ['rps >= 7.5', true, false],
    ['rps < 1', false, true],
    ['rps <= 0', false, true],
    ['rps = 0', false, true],
    ['rps != 0', true, false],
    ['503% > 1', true, false],
    ['503% > 1.5', false, false],
    ['5xx% >= 2%', true, false],
    ['p95 > 100', true, false],
    ['p95 < 100ms', false, false],
    ['version = v2', true, false],
    ['version != v2', false, false],
    ['namespace = bookinfo and rps > 1', true, false],
    ['namespace = bookinfo or rps > 1', true, true],
    ['app = details or (version = v2 and health = degraded)', true, true],
    ['name = rev*', true, false],
    ['NAME = Reviews', true, false],
    ['kind = "versionedApp"', true, false],
    ["health = 'idle'", false, true],
    ['rps>5 AND version=v2', true, false],
  ])('%s', (expr, forReviews, forDetails) => {
    expect(matches(expr, reviewsV2)).toBe(forReviews);
    expect(matches(expr, idleDetails)).toBe(forDetails);
  });

  it('binds and tighter than or', () => {
    // (version = v1 and rps > 5) or app = details: false for reviews v2, true for details.
    expect(matches('version = v1 and rps > 5 or app = details', reviewsV2)).toBe(false);
    expect(matches('version = v1 and rps > 5 or app = details', idleDetails)).toBe(true);
    expect(matches('version = v1 and (rps > 5 or app = reviews)', reviewsV2)).toBe(false);
    expect(matches('version = v2 and (rps > 500 or app = reviews)', reviewsV2)).toBe(true);
  });

  it('treats a blank expression as no filter', () => {
    const r = parseExpression('   ');
    expect(r).toEqual({ ok: true, expr: undefined });
    expect(toPredicate(undefined)).toBeUndefined();
  });

  it.each([
    ['rsp > 5', 0, /unknown field 'rsp'/],
    ['rps 5', 4, /expected an operator .* after 'rps', found '5'/],
    ['rps >', 5, /expected a value after 'rps >', found the end/],
    ['rps > fast', 6, /'rps' needs a number, found 'fast'/],
    ['version > v2', 8, /'version' is compared with = or != only/],
    ['(rps > 5', 8, /expected '\)' to close the '\(' at column 1/],
    ['rps > 5)', 7, /unexpected '\)'/],
    ['rps > 5 version = v2', 8, /expected 'and' or 'or' before 'version'/],
    ['rps > 5 and', 11, /expected a field .* found the end/],
    ['name = "reviews', 7, /unterminated quoted value/],
    ['rps ! 5', 4, /'!' must be followed by '='/],
    ['and rps > 5', 0, /expected a field/],
    ['p95 > 5%', 6, /'p95' needs a number, found '5%'/],
  ])('rejects %s at its column', (expr, position, message) => {
    const e = errorOf(expr);
    expect(e.position).toBe(position);
    expect(e.message).toMatch(message);
  });

  it('says where in the message shown under the box', () => {
    expect(formatParseError(errorOf('rps > 5 and rsp < 2'))).toBe(
      "Column 13: unknown field 'rsp'; fields are rps, 5xx%, 503%, p95, version, namespace, app, name, kind, health, badge",
    );
  });

  it('never matches a missing figure or identity', () => {
    expect(matches('p95 >= 0', idleDetails)).toBe(false);
    expect(matches('p95 < 1000000', idleDetails)).toBe(false);
    expect(matches('version != v1', idleDetails)).toBe(false);
  });

  it('matches glob characters literally except *', () => {
    const dotted = { ...reviewsV2, name: 'reviews.bookinfo' };
    expect(matches('name = reviews.bookinfo', dotted)).toBe(true);
    expect(matches('name = reviewsxbookinfo', { ...reviewsV2, name: 'reviews.bookinfo' })).toBe(false);
    expect(matches('name = reviewsXbookinfo', { ...reviewsV2, name: 'reviewsXbookinfo' })).toBe(true);
    expect(matches('name = *info', dotted)).toBe(true);
  });
});
