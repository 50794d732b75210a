// proto3's JSON mapping lets every field be written in lowerCamelCase as well as its proto name
// (`portValue` or `port_value`), and Envoy accepts both in YAML and JSON bootstraps. We normalize to
// snake_case once, before validation, so schemas and error paths only know one spelling.
//
// proto3 JSON also reads `null` as "field not set", so null fields are dropped here.
//
// Free-form values (google.protobuf.Struct and maps keyed by user data) are copied untouched: a runtime
// key `upstream.useHttp2` in a static layer must stay as written.

import { ConfigError, type FieldPath } from './config-error.ts';

/** Fields whose value is a Struct or a user-keyed map: their contents are data, not proto field names. */
const FREE_FORM_FIELDS = new Set(['static_layer', 'filter_metadata', 'typed_filter_metadata', 'json_format']);

export function isFreeForm(key: string, path: FieldPath): boolean {
  if (FREE_FORM_FIELDS.has(key)) return true;
  // Node.metadata is a Struct (elsewhere `metadata` is the Metadata message with filter_metadata).
  return key === 'metadata' && path.length === 1 && path[0] === 'node';
}

/**
 * Proto names with an underscore before a digit lose it in their JSON name (`consecutive_5xx` is
 * `consecutive5xx`), which the upper-case rule cannot restore.
 */
const DIGIT_NAMES: Readonly<Record<string, string>> = {
  consecutive5xx: 'consecutive_5xx',
  enforcingConsecutive5xx: 'enforcing_consecutive_5xx',
};

/** `portValue` → `port_value`; names that are already snake_case (or `@type`) are returned unchanged. */
export function toSnakeCase(key: string): string {
  const digitName = DIGIT_NAMES[key];
  if (digitName !== undefined) return digitName;
  if (!/^[a-z][a-zA-Z0-9]*$/.test(key) || !/[A-Z]/.test(key)) return key;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function normalizeKeys(value: unknown, path: FieldPath = []): unknown {
  if (Array.isArray(value)) return value.map((item, i) => normalizeKeys(item, [...path, i]));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  const spelledAs = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined) continue;
    const name = toSnakeCase(key);
    const earlier = spelledAs.get(name);
    if (earlier !== undefined) {
      throw new ConfigError([...path, name], `is given twice, as "${earlier}" and as "${key}"`);
    }
    spelledAs.set(name, key);
    out[name] = isFreeForm(name, path) ? child : normalizeKeys(child, [...path, name]);
  }
  return out;
}
