// Runtime keys that carry route weights (`<runtime_key_prefix>.<cluster>`) must hold what Envoy reads
// them as: a uint32. Envoy itself would accept any string and silently fall back to the configured
// weight; refusing it at /runtime_modify turns a typo into a clear 400 instead of a silent no-op.
import type { Bootstrap } from '../config/model.ts';

const UINT32_MAX = 4294967295;

export function weightKeys(b: Bootstrap): Set<string> {
  const keys = new Set<string>();
  for (const l of b.listeners) {
    for (const vh of l.hcm.routeConfig.virtualHosts) {
      for (const r of vh.routes) {
        const wc = r.action.kind === 'route' ? r.action.weightedClusters : undefined;
        if (wc?.runtimeKeyPrefix === undefined) continue;
        for (const c of wc.clusters) keys.add(`${wc.runtimeKeyPrefix}.${c.name}`);
      }
    }
  }
  return keys;
}

let cache: { b: Bootstrap; keys: Set<string> } | undefined;

export function weightKeyValidator(b: Bootstrap): (key: string, value: string) => string | undefined {
  if (cache?.b !== b) cache = { b, keys: weightKeys(b) };
  const keys = cache.keys;
  return (key, value) => {
    if (!keys.has(key) || value === '') return undefined;
    if (!/^[0-9]+$/.test(value) || Number(value) > UINT32_MAX) {
      return `runtime key '${key}' is a route weight and must be an integer between 0 and ${UINT32_MAX}, got '${value}'`;
    }
    return undefined;
  };
}
