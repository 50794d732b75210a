// The pure helpers under the schemas: durations, RE2 translation, key normalization, paths.

import { describe, expect, it } from 'vitest';
import { ConfigError, formatPath } from '../../../proxy/config/config-error.ts';
import { parseDuration } from '../../../proxy/config/duration.ts';
import { normalizeKeys, toSnakeCase } from '../../../proxy/config/normalize-keys.ts';
import { compileRe2, RegexSyntaxError } from '../../../proxy/config/re2-regex.ts';

describe('parseDuration', () => {
  it('reads proto3 JSON durations as milliseconds', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('0.25s')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('0.000000001s')).toBe(0.000001);
    expect(parseDuration({ seconds: '3', nanos: 1_000_000 })).toBe(3001);
    expect(parseDuration({ nanos: 500_000_000 })).toBe(500);
  });

  it('explains what is wrong with anything else', () => {
    expect(parseDuration('5')).toMatch(/^is not a duration/);
    expect(parseDuration('5ms')).toMatch(/^is not a duration/);
    expect(parseDuration('1.0000000001s')).toMatch(/^is not a duration/);
    expect(parseDuration('-1s')).toMatch(/^must not be negative/);
    expect(parseDuration(3)).toContain('add a unit: "3s"');
    expect(parseDuration({ seconds: 1, millis: 3 })).toContain('unknown field "millis"');
    expect(parseDuration({ seconds: 1.5 })).toContain('integers');
  });
});

describe('compileRe2', () => {
  it('anchors the pattern to the whole input', () => {
    const re = compileRe2('a|b');
    expect(['a', 'b'].every((s) => re.test(s))).toBe(true);
    expect(re.test('ab')).toBe(false);
  });

  it('translates RE2-only syntax', () => {
    expect(compileRe2('(?P<ver>v[0-9])/.*').exec('v1/x')?.groups?.ver).toBe('v1');
    expect(compileRe2('(?i)/API/.*').test('/api/users')).toBe(true);
    expect(compileRe2('\\Afoo\\z').test('foo')).toBe(true);
    expect(compileRe2('[]a]+').test(']a]')).toBe(true);
    expect(compileRe2('a\\-b').test('a-b')).toBe(true);
    expect(compileRe2('\\p{Greek}+').test('αβ')).toBe(true);
    expect(compileRe2('\\p{Greek}+').test('ab')).toBe(false);
    expect(compileRe2('\\pL\\p{^L}').test('a1')).toBe(true);
    expect(compileRe2('\\x{41}\\#').test('A#')).toBe(true);
  });

  it('rejects what RE2 rejects', () => {
    for (const bad of ['(a)\\1', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b', '(?U)a+', 'a[b', '(']) {
      expect(() => compileRe2(bad), bad).toThrow(RegexSyntaxError);
    }
  });
});

describe('normalizeKeys', () => {
  it('converts lowerCamelCase to snake_case and drops nulls', () => {
    expect(toSnakeCase('portValue')).toBe('port_value');
    expect(toSnakeCase('http2ProtocolOptions')).toBe('http2_protocol_options');
    expect(toSnakeCase('@type')).toBe('@type');
    expect(toSnakeCase('port_value')).toBe('port_value');
    expect(
      normalizeKeys({ socketAddress: { portValue: 1, address: null }, list: [{ lbPolicy: 'X' }] }),
    ).toEqual({
      socket_address: { port_value: 1 },
      list: [{ lb_policy: 'X' }],
    });
  });

  it('leaves free-form values alone', () => {
    const doc = {
      layeredRuntime: { layers: [{ staticLayer: { someKey: { innerKey: null } } }] },
      node: { metadata: { camelKey: 1 } },
    };
    expect(normalizeKeys(doc)).toEqual({
      layered_runtime: { layers: [{ static_layer: { someKey: { innerKey: null } } }] },
      node: { metadata: { camelKey: 1 } },
    });
  });
});

describe('ConfigError', () => {
  it('formats paths and joins predicates with a space, other details with a colon', () => {
    expect(formatPath(['a', 0, 'b', '@type'])).toBe('a[0].b.@type');
    expect(formatPath(['static_layer', 'a.b'])).toBe('static_layer["a.b"]');
    expect(new ConfigError(['x', 'y'], 'is required').message).toBe('x.y is required');
    expect(new ConfigError(['x'], 'unknown cluster "c"', { file: 'f.yaml', line: 3 }).message).toBe(
      'f.yaml: x: unknown cluster "c" (line 3, column 1)',
    );
  });
});
