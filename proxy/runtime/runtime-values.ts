// Runtime values as Envoy stores them: every layer maps dotted keys to raw strings, and each string is
// parsed once, when a snapshot is built, into the typed views the hot path reads. Pure.

/** One key of the merged snapshot. */
export interface RuntimeEntry {
  readonly value: string;
  /** `getInteger`'s view: set when the value reads as a non-negative number (floored), as Envoy's uint. */
  readonly integer: number | undefined;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Envoy's `SnapshotImpl::resolveEntryType`: a value parses as a double (surrounding blanks allowed);
 * if it is ≥ 0 it is also the integer value, floored ("3.7" → 3). "true"/"false", negatives and text
 * have no integer value, so `getInteger` falls back to its default for them.
 */
export function parseRuntimeInteger(raw: string): number | undefined {
  const t = raw.trim();
  if (!NUMBER.test(t)) return undefined;
  const d = Number(t);
  if (!(d >= 0) || d > 2 ** 64) return undefined;
  return Math.floor(d) + 0;
}

export function runtimeEntry(value: string): RuntimeEntry {
  return { value, integer: parseRuntimeInteger(value) };
}

/**
 * A `static_layer` (a protobuf Struct) as flat keys, as Envoy's `ProtoLayer`: nested maps join their
 * keys with `.`; numbers and booleans become their text; a map that is empty or has `numerator` /
 * `denominator` is a FractionalPercent and stays one value (written as a flow mapping); lists and nulls
 * are errors.
 */
export function flattenStaticLayer(values: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(values)) walk(out, k, v);
  return out;
}

function walk(out: Map<string, string>, key: string, v: unknown): void {
  if (typeof v === 'string') {
    out.set(key, v);
  } else if (typeof v === 'number' || typeof v === 'boolean') {
    out.set(key, String(v));
  } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const fields = v as Record<string, unknown>;
    const names = Object.keys(fields);
    if (names.length === 0 || 'numerator' in fields || 'denominator' in fields) {
      out.set(key, JSON.stringify(fields));
      return;
    }
    for (const name of names) walk(out, `${key}.${name}`, fields[name]);
  } else {
    throw new Error(`Invalid runtime entry value for ${key}`);
  }
}

/** Whether two layers hold exactly the same keys and values. */
export function sameValues(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
