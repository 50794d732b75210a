// Envoy's `json_format` (SubstitutionFormatString.json_format, "Format Dictionaries" in the access log
// docs): a Struct whose string values are format strings. Each entry becomes one JSON object on its own
// line, keys in the configured order. A value that is a single operator keeps its type — numbers for
// codes, sizes and durations, null when unset (where a text format prints `-`); any other value is the
// text format's string.

import {
  type AccessLogEntry,
  AccessLogFormatError,
  type AccessLogFormatter,
  compileAccessLogFormat,
  NUMERIC_OPERATORS,
  singleOperator,
} from './access-log-format.ts';

type Render = (e: AccessLogEntry) => unknown;

function compileValue(value: unknown, where: string): Render {
  if (typeof value === 'string') {
    const single = singleOperator(value);
    if (single !== undefined) {
      const { get } = single;
      if (NUMERIC_OPERATORS.has(single.command)) {
        return (e) => {
          const v = get(e);
          return v === undefined || v === '' ? null : Number(v);
        };
      }
      return (e) => {
        const v = get(e);
        return v === undefined || v === '' ? null : v;
      };
    }
    return compileAccessLogFormat(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return () => value;
  if (typeof value === 'object' && !Array.isArray(value))
    return compileObject(value as Record<string, unknown>, where);
  throw new AccessLogFormatError(
    `${where}: json_format values must be strings, numbers, booleans or objects`,
  );
}

function compileObject(struct: Record<string, unknown>, where: string): Render {
  const fields = Object.entries(struct).map(
    ([key, value]) => [key, compileValue(value, `${where}.${key}`)] as const,
  );
  return (e) => {
    const out: Record<string, unknown> = {};
    for (const [key, render] of fields) out[key] = render(e);
    return out;
  };
}

/** Compiles a json_format Struct; throws AccessLogFormatError for an unknown operator or a list value. */
export function compileJsonAccessLogFormat(struct: Record<string, unknown>): AccessLogFormatter {
  const render = compileObject(struct, 'json_format');
  return (e) => `${JSON.stringify(render(e))}\n`;
}
