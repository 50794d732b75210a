// Number tokens of the Prometheus text format. Sample values are "a float represented as required by
// Go's ParseFloat()", plus NaN, +Inf and -Inf; timestamps are int64 milliseconds. JavaScript's Number()
// accepts forms Go rejects ("" is 0, "0x10", "0b1", surrounding spaces) and rejects "+Inf", so the token's
// grammar is checked by hand first and Number() only converts a checked decimal literal, which it rounds
// correctly even at the 32 significant digits Envoy prints.

const C_0 = 48;
const C_9 = 57;
const C_PLUS = 43;
const C_MINUS = 45;
const C_DOT = 46;
const C_E_LOWER = 101;
const C_E_UPPER = 69;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

/**
 * Parses `text[start, end)` as a sample value. Returns undefined when the token is not a valid Go float:
 * decimal with optional sign, fraction and exponent, or `NaN` / `[+-]Inf` / `[+-]Infinity` in any case
 * (Go's ParseFloat special values). Hexadecimal floats and underscores are not accepted.
 */
export function parsePromFloat(text: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let i = start;
  let c = text.charCodeAt(i);
  if (c === C_PLUS || c === C_MINUS) {
    i++;
    if (i === end) return undefined;
    c = text.charCodeAt(i);
  }
  if (!isDigit(c) && c !== C_DOT) return parseSpecial(text, start, i, end);
  let digits = 0;
  let integer = 0;
  while (i < end) {
    c = text.charCodeAt(i);
    if (!isDigit(c)) break;
    integer = integer * 10 + (c - C_0);
    i++;
    digits++;
  }
  // Fast path for plain integers (most Envoy counters, gauges and bucket counts): exact below 2^53.
  if (i === end && digits <= 15) return text.charCodeAt(start) === C_MINUS ? -integer : integer;
  if (i < end && text.charCodeAt(i) === C_DOT) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  if (i < end) {
    c = text.charCodeAt(i);
    if (c !== C_E_LOWER && c !== C_E_UPPER) return undefined;
    i++;
    if (i < end) {
      c = text.charCodeAt(i);
      if (c === C_PLUS || c === C_MINUS) i++;
    }
    const expStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart || i !== end) return undefined;
  }
  return Number(text.slice(start, end));
}

function parseSpecial(text: string, start: number, afterSign: number, end: number): number | undefined {
  const word = text.slice(afterSign, end).toLowerCase();
  if (word === 'inf' || word === 'infinity') {
    return text.charCodeAt(start) === C_MINUS ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  // Go accepts a sign before NaN too; the sign means nothing for NaN.
  if (word === 'nan') return Number.NaN;
  return undefined;
}

/** Parses `text[start, end)` as a timestamp: an optionally signed integer of milliseconds. */
export function parsePromTimestamp(text: string, start: number, end: number): number | undefined {
  let i = start;
  const c = text.charCodeAt(i);
  if (c === C_MINUS || c === C_PLUS) i++;
  if (i >= end) return undefined;
  for (; i < end; i++) if (!isDigit(text.charCodeAt(i))) return undefined;
  return Number(text.slice(start, end));
}
