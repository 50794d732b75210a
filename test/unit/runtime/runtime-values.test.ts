import { describe, expect, it } from 'vitest';
import { fileValue } from '../../../proxy/runtime/disk-layer.ts';
import { flattenStaticLayer, parseRuntimeInteger } from '../../../proxy/runtime/runtime-values.ts';

describe('parseRuntimeInteger (Envoy uint view of a value)', () => {
  it('reads non-negative numbers, flooring fractions', () => {
    expect(parseRuntimeInteger('80')).toBe(80);
    expect(parseRuntimeInteger(' 20\n')).toBe(20);
    expect(parseRuntimeInteger('3.7')).toBe(3);
    expect(parseRuntimeInteger('1e3')).toBe(1000);
    expect(parseRuntimeInteger('0')).toBe(0);
    expect(parseRuntimeInteger('-0')).toBe(0);
  });

  it('has no integer for negatives, booleans and text', () => {
    for (const v of ['-1', 'true', 'false', 'abc', '', '12abc', '0x10', 'inf', 'NaN']) {
      expect(parseRuntimeInteger(v), v).toBeUndefined();
    }
  });
});

describe('flattenStaticLayer', () => {
  it('joins nested map keys with dots and writes scalars as text', () => {
    const flat = flattenStaticLayer({
      health_check: { min_interval: 10 },
      routing: { traffic_shift: { backend_v1: 80, backend_v2: '20' } },
      'already.dotted': true,
    });
    expect(Object.fromEntries(flat)).toEqual({
      'health_check.min_interval': '10',
      'routing.traffic_shift.backend_v1': '80',
      'routing.traffic_shift.backend_v2': '20',
      'already.dotted': 'true',
    });
  });

  it('keeps a FractionalPercent (or an empty map) as one value', () => {
    const flat = flattenStaticLayer({ feature: { numerator: 5, denominator: 'HUNDRED' }, empty: {} });
    expect(flat.get('feature')).toBe('{"numerator":5,"denominator":"HUNDRED"}');
    expect(flat.get('empty')).toBe('{}');
    expect(flat.has('feature.numerator')).toBe(false);
  });

  it('rejects lists and nulls as Envoy does', () => {
    expect(() => flattenStaticLayer({ a: { b: [1, 2] } })).toThrow('Invalid runtime entry value for a.b');
    expect(() => flattenStaticLayer({ n: null })).toThrow('Invalid runtime entry value for n');
  });
});

describe('fileValue (a disk-layer file)', () => {
  it('drops # comment lines and trims', () => {
    expect(fileValue('80\n')).toBe('80');
    expect(fileValue('# weight of v1, set by meshscope\n  75 \n')).toBe('75');
    expect(fileValue('# placeholder only\n')).toBe('');
  });
});
