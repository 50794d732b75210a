import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../support/fake-kube/merge-patch.ts';
import { parseFieldSelector, parseLabelSelector } from '../../support/fake-kube/selectors.ts';

describe('parseLabelSelector', () => {
  const labels = { app: 'reviews', version: 'v2', 'app.kubernetes.io/part-of': 'bookinfo' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=reviews', true],
    ['app==reviews', true],
    ['app!=reviews', false],
    ['app=reviews,version=v1', false],
    ['app=reviews, version in (v1, v2)', true],
    ['version notin (v1,v2)', false],
    ['version notin (v3)', true],
    ['missing notin (v3)', true],
    ['missing in (v3)', false],
    ['app.kubernetes.io/part-of', true],
    ['!app.kubernetes.io/part-of', false],
    ['!missing', true],
  ];
  for (const [selector, expected] of cases) {
    it(`${JSON.stringify(selector)} → ${expected}`, () => {
      expect(parseLabelSelector(selector)(labels)).toBe(expected);
    });
  }

  it('throws on a malformed requirement', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(/unable to parse/);
  });
});

describe('parseFieldSelector', () => {
  const fields = { 'metadata.name': 'p1', 'metadata.namespace': 'ns', 'status.phase': 'Running' };

  it('matches = and != on the supported fields', () => {
    expect(parseFieldSelector('metadata.name=p1')(fields)).toBe(true);
    expect(parseFieldSelector('metadata.name=p1,status.phase!=Running')(fields)).toBe(false);
  });

  it('refuses a field the server does not index', () => {
    expect(() => parseFieldSelector('spec.nodeName=n1')).toThrow(/field label not supported/);
  });
});

describe('mergePatch (RFC 7386)', () => {
  it('merges objects recursively, deletes on null, replaces arrays and scalars', () => {
    const target = { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2] };
    const patch = { a: 'z', c: { f: null, h: 1 }, list: [3] };
    expect(mergePatch(target, patch)).toEqual({ a: 'z', c: { d: 'e', h: 1 }, list: [3] });
    expect(target).toEqual({ a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2] });
  });

  it('replaces the target when the patch is not an object', () => {
    expect(mergePatch({ a: 1 }, ['x'])).toEqual(['x']);
    expect(mergePatch('s', { a: { b: null } })).toEqual({ a: {} });
  });
});
