// Envoy's --config-yaml "will override and merge with the bootstrap loaded from --config-path": the
// bootstrap proto's MergeFrom. On the normalized JSON form that is: messages merge field by field,
// repeated fields are appended, scalars are replaced, and map-like free-form values (a Struct such as
// static_layer) take the overlay's entry per key.

import type { FieldPath } from './config-error.ts';
import { isFreeForm } from './normalize-keys.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mergeBootstrapDocs(base: unknown, overlay: unknown, path: FieldPath = []): unknown {
  if (Array.isArray(base) && Array.isArray(overlay)) return [...base, ...overlay];
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (isFreeForm(key, path) && isPlainObject(existing) && isPlainObject(value))
      out[key] = { ...existing, ...value };
    else out[key] = mergeBootstrapDocs(existing, value, [...path, key]);
  }
  return out;
}
