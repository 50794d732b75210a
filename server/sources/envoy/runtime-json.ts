// `GET /runtime` → the effective value of every runtime key. Envoy answers
// `{ "layers": [...], "entries": { key: { "layer_values": [...], "final_value": "..." } } }`, where
// `final_value` is what the proxy uses (the highest layer that sets the key: an admin
// `/runtime_modify` override over a disk layer over the static layer). Weighted routes with a
// `runtime_key_prefix` read `<prefix>.<cluster>` from here.
import { field, isJsonObject } from './proto-json.ts';

export function parseRuntimeJson(doc: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const entries = field(doc, 'entries');
  if (!isJsonObject(entries)) return out;
  for (const [key, entry] of Object.entries(entries)) {
    const value = field(entry, 'final_value');
    // Envoy prints strings; accept numbers and booleans from anything that re-encoded the output.
    if (typeof value === 'string') out.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') out.set(key, String(value));
  }
  return out;
}

/** Runtime layer names, lowest first (informative: which layers exist, e.g. a disk layer). */
export function runtimeLayers(doc: unknown): string[] {
  const layers = field(doc, 'layers');
  return Array.isArray(layers) ? layers.filter((l): l is string => typeof l === 'string') : [];
}
