// Reading Envoy's admin JSON, which is proto3 JSON: field names are printed in lowerCamelCase by
// default, but snake_case when Envoy (or a tool that re-encoded the output, like the istioctl fixture)
// preserved proto field names, and both can be mixed in one document. Zero and default values are
// omitted, and 64-bit integers are strings. These helpers read a field by its proto (snake_case) name
// in either style, so the parsers are written once against the proto names.

export type JsonObject = Record<string, unknown>;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const camelCache = new Map<string, string>();

/** `host_statuses` → `hostStatuses`. */
export function lowerCamel(snake: string): string {
  let camel = camelCache.get(snake);
  if (camel === undefined) {
    camel = snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    camelCache.set(snake, camel);
  }
  return camel;
}

/** The value of proto field `snake` (snake_case or lowerCamelCase), or undefined. */
export function field(obj: unknown, snake: string): unknown {
  if (!isJsonObject(obj)) return undefined;
  const v = obj[snake];
  return v !== undefined ? v : obj[lowerCamel(snake)];
}

export function objectField(obj: unknown, snake: string): JsonObject | undefined {
  const v = field(obj, snake);
  return isJsonObject(v) ? v : undefined;
}

/** A repeated message field; omitted (empty) and malformed fields read as []. */
export function objectList(obj: unknown, snake: string): JsonObject[] {
  const v = field(obj, snake);
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

export function stringField(obj: unknown, snake: string): string | undefined {
  const v = field(obj, snake);
  return typeof v === 'string' ? v : undefined;
}

/** A numeric field: a JSON number, or a string for 64-bit integers; omitted = `fallback`. */
export function numberField(obj: unknown, snake: string, fallback: number): number {
  const v = field(obj, snake);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return fallback;
}

export function boolField(obj: unknown, snake: string): boolean {
  return field(obj, snake) === true;
}

/** A google.protobuf.UInt32Value may be printed bare (`80`) or, by some tools, as `{ "value": 80 }`. */
export function wrappedNumberField(obj: unknown, snake: string): number | undefined {
  const v = field(obj, snake);
  if (isJsonObject(v)) return numberOrUndefined(v['value']);
  return numberOrUndefined(v);
}

function numberOrUndefined(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Parses admin JSON text; the error says which endpoint sent something that is not JSON. */
export function parseAdminJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`${what}: not JSON (${reason}); starts with ${JSON.stringify(text.slice(0, 80))}`);
  }
}
