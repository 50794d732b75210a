// The find/hide expression language: comparisons on a node's or an edge's figures and identity,
// combined with `and`/`or` and parentheses, e.g. `rps > 5`, `503% > 1`, `version = v2`,
// `namespace = bookinfo and (rps > 1 or p95 >= 250)`, `badge = circuitBreakerOpen` (any of the element's
// policy badges, shared/api/policies.ts). Errors name the column where parsing stopped,
// so the box can say exactly what is wrong. Pure: no DOM, no Cytoscape.

export const NUMERIC_FIELDS = ['rps', '5xx%', '503%', 'p95'] as const;
export const TEXT_FIELDS = ['version', 'namespace', 'app', 'name', 'kind', 'health', 'badge'] as const;
export type NumericField = (typeof NUMERIC_FIELDS)[number];
export type TextField = (typeof TEXT_FIELDS)[number];
export type FindField = NumericField | TextField;
export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=';

/** What an expression is evaluated against: one per node and per edge (decorate.ts fills them). */
export type FindValues = { [F in NumericField]: number | null } & {
  [F in Exclude<TextField, 'badge'>]: string | undefined;
} & {
  /** Policy badges, space-separated; `badge = x` matches when one of them does. */
  badge?: string | undefined;
};

export type Expr =
  | { type: 'compare'; field: NumericField; op: Operator; value: number }
  | { type: 'match'; field: TextField; negate: boolean; pattern: RegExp }
  | { type: 'and' | 'or'; left: Expr; right: Expr };

export type ParseResult =
  | { ok: true; expr: Expr | undefined }
  | { ok: false; message: string; position: number };

export type Predicate = (v: FindValues) => boolean;

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'op'; text: Operator; pos: number }
  | { kind: '(' | ')'; pos: number }
  | { kind: 'end'; pos: number };

class ExprError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

const OPS: readonly Operator[] = ['!=', '>=', '<=', '=', '>', '<'];
const WORD = /[^\s()=!<>"']+/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, pos: i++ });
      continue;
    }
    if (ch === '"' || ch === "'") {
      const close = text.indexOf(ch, i + 1);
      if (close < 0) throw new ExprError(`unterminated quoted value (opened with ${ch})`, i);
      tokens.push({ kind: 'string', text: text.slice(i + 1, close), pos: i });
      i = close + 1;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    if (ch === '!') throw new ExprError("'!' must be followed by '=' (use != for 'not equal')", i);
    WORD.lastIndex = i;
    const m = WORD.exec(text)!;
    tokens.push({ kind: 'word', text: m[0], pos: i });
    i += m[0].length;
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'the end of the expression';
  return 'text' in t ? `'${t.text}'` : `'${t.kind}'`;
}

const isKeyword = (t: Token, k: 'and' | 'or') => t.kind === 'word' && t.text.toLowerCase() === k;

/** `*` matches any run of characters; everything else literally, case-insensitively. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  parse(): Expr {
    const e = this.or();
    const t = this.peek();
    if (t.kind === ')') throw new ExprError("unexpected ')' without a matching '('", t.pos);
    if (t.kind !== 'end') throw new ExprError(`expected 'and' or 'or' before ${describe(t)}`, t.pos);
    return e;
  }

  private or(): Expr {
    let left = this.and();
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.primary();
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      left = { type: 'and', left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === '(') {
      const inner = this.or();
      const close = this.next();
      if (close.kind !== ')')
        throw new ExprError(
          `expected ')' to close the '(' at column ${t.pos + 1}, found ${describe(close)}`,
          close.pos,
        );
      return inner;
    }
    if (t.kind !== 'word' || isKeyword(t, 'and') || isKeyword(t, 'or'))
      throw new ExprError(
        `expected a field (${[...NUMERIC_FIELDS, ...TEXT_FIELDS].join(', ')}), found ${describe(t)}`,
        t.pos,
      );
    return this.comparison(t);
  }

  private comparison(fieldToken: Token & { kind: 'word' }): Expr {
    const field = fieldToken.text.toLowerCase();
    const numeric = (NUMERIC_FIELDS as readonly string[]).includes(field);
    if (!numeric && !(TEXT_FIELDS as readonly string[]).includes(field))
      throw new ExprError(
        `unknown field '${fieldToken.text}'; fields are ${[...NUMERIC_FIELDS, ...TEXT_FIELDS].join(', ')}`,
        fieldToken.pos,
      );
    const op = this.next();
    if (op.kind !== 'op')
      throw new ExprError(
        `expected an operator (=, !=, >, >=, <, <=) after '${field}', found ${describe(op)}`,
        op.pos,
      );
    const value = this.next();
    if (value.kind !== 'word' && value.kind !== 'string')
      throw new ExprError(
        `expected a value after '${field} ${op.text}', found ${describe(value)}`,
        value.pos,
      );
    if (numeric)
      return { type: 'compare', field: field as NumericField, op: op.text, value: number(field, value) };
    if (op.text !== '=' && op.text !== '!=')
      throw new ExprError(`'${field}' is compared with = or != only`, op.pos);
    return {
      type: 'match',
      field: field as TextField,
      negate: op.text === '!=',
      pattern: globToRegExp(value.text),
    };
  }
}

/** Numbers, with the unit a field is shown in allowed after them: `1%` for percentages, `250ms` for p95. */
function number(field: string, t: Token & { text: string }): number {
  const unit = field.endsWith('%') ? '%' : field === 'p95' ? 'ms' : '';
  const raw = unit !== '' && t.text.endsWith(unit) ? t.text.slice(0, -unit.length) : t.text;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (t.kind !== 'word' || !Number.isFinite(n))
    throw new ExprError(`'${field}' needs a number, found '${t.text}'`, t.pos);
  return n;
}

/** Parses an expression; an empty (or blank) text is valid and matches nothing. */
export function parseExpression(text: string): ParseResult {
  try {
    const tokens = tokenize(text);
    if (tokens.length === 1) return { ok: true, expr: undefined };
    return { ok: true, expr: new Parser(tokens).parse() };
  } catch (e) {
    if (e instanceof ExprError) return { ok: false, message: e.message, position: e.position };
    throw e;
  }
}

function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/** A missing figure (p95 without samples) or identity (a node without a version) never matches. */
export function evaluate(e: Expr, v: FindValues): boolean {
  switch (e.type) {
    case 'and':
      return evaluate(e.left, v) && evaluate(e.right, v);
    case 'or':
      return evaluate(e.left, v) || evaluate(e.right, v);
    case 'compare': {
      const x = v[e.field];
      return x !== null && compare(x, e.op, e.value);
    }
    case 'match': {
      const s = v[e.field];
      if (e.field === 'badge') {
        const any = (s ?? '').split(' ').some((b) => b !== '' && e.pattern.test(b));
        return any !== e.negate;
      }
      return s !== undefined && e.pattern.test(s) !== e.negate;
    }
  }
}

export function toPredicate(expr: Expr | undefined): Predicate | undefined {
  return expr === undefined ? undefined : (v) => evaluate(expr, v);
}

/** The message shown under the box: what is wrong and where. */
export function formatParseError(r: { message: string; position: number }): string {
  return `Column ${r.position + 1}: ${r.message}`;
}
