// Character codes and classes shared by the scanners of the Prometheus text format (prom-text-parser.ts,
// prom-label-set-scanner.ts, prom-family-assembler.ts): they compare char codes, never one-char strings.

export const C_TAB = 9;
export const C_LF = 10;
export const C_CR = 13;
export const C_SPACE = 32;
export const C_QUOTE = 34;
export const C_HASH = 35;
export const C_COMMA = 44;
export const C_EQ = 61;
export const C_BACKSLASH = 92;
export const C_LBRACE = 123;
export const C_RBRACE = 125;

// Character classes by code: metric names are [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*.
export const NAME_START = 1;
export const NAME_CHAR = 2;
export const LABEL_START = 4;
export const LABEL_CHAR = 8;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alpha = /[a-zA-Z_]/.test(ch);
  const digit = /[0-9]/.test(ch);
  CLASS[c] =
    (alpha || ch === ':' ? NAME_START | NAME_CHAR : 0) |
    (digit ? NAME_CHAR | LABEL_CHAR : 0) |
    (alpha ? LABEL_START | LABEL_CHAR : 0);
}

export function hasClass(c: number, cls: number): boolean {
  return c < 128 && (CLASS[c]! & cls) !== 0;
}

export function isBlank(c: number): boolean {
  return c === C_SPACE || c === C_TAB;
}

/** A character code as error messages show it (NaN: charCodeAt past the end of the line). */
export function describe(c: number): string {
  if (Number.isNaN(c)) return 'end of line';
  if (c === C_LF) return 'a line break';
  return JSON.stringify(String.fromCharCode(c));
}
