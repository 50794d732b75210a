// StringMatcher / HeaderMatcher / QueryParameterMatcher → model matchers, enforcing the proto "oneof"
// rules the schema cannot express.

import { type FieldPath, fail } from './config-error.ts';
import type { HeaderMatcher, QueryParameterMatcher, StringMatcher } from './model.ts';
import type { HeaderMatcherInput, StringMatcherInput } from './schema-route.ts';

/** The names of the fields in `names` that are set on `message`. */
export function setFields<T extends object>(
  message: T,
  names: readonly (keyof T & string)[],
): (keyof T & string)[] {
  return names.filter((name) => message[name] !== undefined);
}

/** Enforces a proto oneof: at most one of `names` (exactly one when `required`). */
export function oneOf<T extends object>(
  message: T,
  names: readonly (keyof T & string)[],
  path: FieldPath,
  required: boolean,
): (keyof T & string) | undefined {
  const set = setFields(message, names);
  if (set.length > 1)
    fail([...path, set[1]!], `must not be set together with ${set[0]} (set only one of ${names.join(', ')})`);
  if (set.length === 0 && required) fail(path, `needs one of ${names.join(', ')}`);
  return set[0];
}

export function convertStringMatcher(m: StringMatcherInput, path: FieldPath): StringMatcher {
  const kind = oneOf(m, ['exact', 'prefix', 'suffix', 'contains', 'safe_regex'], path, true);
  // Envoy: ignore_case "has no effect for the safe_regex match".
  const ignoreCase = m.ignore_case ?? false;
  if (kind === 'safe_regex') return { kind: 'regex', regex: m.safe_regex!.regex };
  if (kind === 'exact') return { kind: 'exact', value: m.exact!, ignoreCase };
  if (kind === 'prefix') return { kind: 'prefix', value: m.prefix!, ignoreCase };
  if (kind === 'suffix') return { kind: 'suffix', value: m.suffix!, ignoreCase };
  return { kind: 'contains', value: m.contains!, ignoreCase };
}

export function convertHeaderMatcher(h: HeaderMatcherInput, path: FieldPath): HeaderMatcher {
  const specifier = oneOf(
    h,
    [
      'exact_match',
      'prefix_match',
      'suffix_match',
      'contains_match',
      'present_match',
      'safe_regex_match',
      'string_match',
    ],
    path,
    false,
  );
  const name = h.name.toLowerCase();
  const invert = h.invert_match ?? false;
  const plain = (kind: 'exact' | 'prefix' | 'suffix' | 'contains', value: string): HeaderMatcher => ({
    name,
    match: { kind, value, ignoreCase: false },
    invert,
  });
  switch (specifier) {
    case 'exact_match':
      return plain('exact', h.exact_match!);
    case 'prefix_match':
      return plain('prefix', h.prefix_match!);
    case 'suffix_match':
      return plain('suffix', h.suffix_match!);
    case 'contains_match':
      return plain('contains', h.contains_match!);
    case 'safe_regex_match':
      return { name, match: { kind: 'regex', regex: h.safe_regex_match!.regex }, invert };
    case 'string_match':
      return { name, match: convertStringMatcher(h.string_match!, [...path, 'string_match']), invert };
    case 'present_match':
      return { name, match: { kind: 'present', present: h.present_match! }, invert };
    default:
      // Envoy: a HeaderMatcher with no match specifier matches when the header is present.
      return { name, match: { kind: 'present', present: true }, invert };
  }
}

export function convertQueryParameterMatcher(
  q: { name: string; string_match?: StringMatcherInput; present_match?: boolean },
  path: FieldPath,
): QueryParameterMatcher {
  const specifier = oneOf(q, ['string_match', 'present_match'], path, false);
  if (specifier === 'string_match') {
    return { name: q.name, match: convertStringMatcher(q.string_match!, [...path, 'string_match']) };
  }
  // Envoy: with no specifier the parameter only has to be present.
  return { name: q.name, match: { kind: 'present', present: q.present_match ?? true } };
}
