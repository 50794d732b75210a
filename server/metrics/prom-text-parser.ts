// Prometheus text exposition format 0.0.4 ("Exposition formats" in the Prometheus docs), as written by
// Envoy's `/stats/prometheus`, istio-proxy's merged `:15020/stats/prometheus` and Consul dataplane.
// A hand-written scanner over the whole text: one pass, character codes, substrings only for the
// tokens kept. Consecutive Envoy lines repeat most of the previous line (same family and tags, often
// the same values), so the part a line shares with the previous one is recognized by comparing whole
// spans and its tokens are reused, not scanned again (see docs/benchmarks.md for the figures: about
// 10× the npm parsers measured in NOTES.md, one of which merged labelled histograms). An invalid line is recorded (line number + reason) and skipped, so one
// bad line from a sidecar never costs the whole scrape; `strict` turns the first one into a throw.

import { baseName, checkMember, isSuffixedMember } from './family-members.ts';
import { type LabelsMaker, labelsMaker } from './labels-maker.ts';
import type {
  Labels,
  MetricType,
  ParsedExposition,
  ParseErrorRecord,
  ParseOptions,
  Sample,
} from './prom-exposition.ts';
import { PromParseError } from './prom-exposition.ts';
import { parsePromFloat, parsePromTimestamp } from './prom-number.ts';

export type {
  Labels,
  MetricFamily,
  MetricType,
  ParsedExposition,
  ParseErrorRecord,
  ParseOptions,
  Sample,
} from './prom-exposition.ts';
export { PromParseError } from './prom-exposition.ts';

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_QUOTE = 34;
const C_HASH = 35;
const C_COMMA = 44;
const C_EQ = 61;
const C_BACKSLASH = 92;
const C_LBRACE = 123;
const C_RBRACE = 125;

// Character classes by code: metric names are [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*.
const NAME_START = 1;
const NAME_CHAR = 2;
const LABEL_START = 4;
const LABEL_CHAR = 8;
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

function hasClass(c: number, cls: number): boolean {
  return c < 128 && (CLASS[c]! & cls) !== 0;
}

function isBlank(c: number): boolean {
  return c === C_SPACE || c === C_TAB;
}

const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const EMPTY_LABELS: Labels = Object.freeze({});
const DEFAULT_MAX_ERRORS = 100;
const ERROR_TEXT_MAX = 200;

interface FamilyState {
  name: string;
  type: MetricType;
  help: string | undefined;
  samples: Sample[];
}

/** Parses one scrape. Never throws unless `opts.strict` is set (then: `PromParseError` at the first bad line). */
export function parsePrometheusText(text: string, opts: ParseOptions = {}): ParsedExposition {
  return new ExpositionScanner(text, opts).run();
}

class ExpositionScanner {
  private readonly text: string;
  private readonly strict: boolean;
  private readonly maxErrors: number;
  private readonly samples: Sample[] = [];
  private readonly families = new Map<string, FamilyState>();
  /** Names that had a TYPE line (a family created by HELP or by a sample is untyped until then). */
  private readonly typed = new Set<string>();
  private readonly errors: ParseErrorRecord[] = [];
  private errorCount = 0;
  private lineNo = 0;
  /** The family of the previous sample or TYPE line: samples nearly always follow their TYPE line. */
  private current: FamilyState | undefined;
  /** A `_bucket`/`_sum`/`_count` name already found to belong to `current`. */
  private currentMember = '';
  // Out-values of the label scanner (kept as fields to avoid allocating a result object per sample).
  private pos = 0;
  private labels: Labels = EMPTY_LABELS;
  private str = '';
  // The previous sample's name, label names and label values by position. Consecutive Envoy lines
  // repeat nearly all of them (same family, same tags, often the same values), so a match reuses the
  // string already made instead of allocating a substring: half the parse time was GC before this.
  private prevName = '';
  private nextBackslash = -1;
  private readonly prevLabelNames: string[] = [];
  private readonly prevLabelValues: string[] = [];
  // The previous label set as an object, and how many labels it has (-1: none to build on): a set with
  // the same names and values is that same object.
  private prevLabels: Labels = EMPTY_LABELS;
  private prevLabelCount = -1;
  /** Whether a label value of the set being scanned differs from the previous set's. */
  private valuesChanged = false;
  /** Builds a label object for the current label names (see labelsMaker). */
  private makeLabels: LabelsMaker | undefined;
  /** Where each label of the previous set ended (after its closing quote), from the set's start. */
  private readonly labelEnds: number[] = [];
  // The previous sample line: where it started, its length, and where its label set started
  // relative to the line (-1: no label set, or one that did not parse).
  private prevLineStart = -1;
  private prevLineLength = 0;
  private prevBlockRel = -1;

  constructor(text: string, opts: ParseOptions) {
    this.text = text;
    this.strict = opts.strict ?? false;
    this.maxErrors = opts.maxErrors ?? DEFAULT_MAX_ERRORS;
  }

  run(): ParsedExposition {
    const text = this.text;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      let next = text.indexOf('\n', pos);
      if (next === -1) next = len;
      // CRLF: the CR belongs to the line break, not to the last token.
      const end = next > pos && text.charCodeAt(next - 1) === C_CR ? next - 1 : next;
      this.lineNo++;
      this.line(pos, end);
      pos = next + 1;
    }
    return {
      samples: this.samples,
      families: this.families,
      errors: this.errors,
      errorCount: this.errorCount,
    };
  }

  private line(start: number, end: number): void {
    const text = this.text;
    let p = start;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (p === end) return;
    const reason = text.charCodeAt(p) === C_HASH ? this.comment(p + 1, end) : this.sample(p, end);
    if (reason !== undefined) this.fail(reason, start, end);
  }

  private fail(reason: string, start: number, end: number): void {
    this.errorCount++;
    if (this.strict) throw new PromParseError(this.lineNo, reason);
    if (this.errors.length < this.maxErrors) {
      const text = this.text.slice(start, Math.min(end, start + ERROR_TEXT_MAX));
      this.errors.push({ line: this.lineNo, reason, text });
    }
  }

  // `name [{labels}] value [timestamp]`; returns the reason when the line is invalid.
  private sample(start: number, end: number): string | undefined {
    const text = this.text;
    let p = start;
    let c = text.charCodeAt(p);
    if (!hasClass(c, NAME_START)) return `expected a metric name, found ${describe(c)}`;
    // How far this line repeats the previous sample line, compared in one tight loop: the metric name
    // and the leading labels within that span are the previous line's and are not scanned again.
    const same = this.sameAsPreviousLine(start, end);
    const blockRel = this.prevBlockRel;
    this.prevLineStart = start;
    this.prevLineLength = end - start;
    this.prevBlockRel = -1;
    let name = this.prevName;
    if (name !== '' && same > name.length) {
      p += name.length;
    } else {
      p++;
      while (p < end && hasClass(text.charCodeAt(p), NAME_CHAR)) p++;
      name = text.slice(start, p);
      this.prevName = name;
    }
    if (p < end) {
      c = text.charCodeAt(p);
      if (!isBlank(c) && c !== C_LBRACE) return `invalid character ${describe(c)} in metric name`;
    }
    while (p < end && isBlank(text.charCodeAt(p))) p++;

    let labels = EMPTY_LABELS;
    let series = name;
    if (p < end && text.charCodeAt(p) === C_LBRACE) {
      const rel = p + 1 - start;
      const reason = this.labelSet(p + 1, end, rel === blockRel ? same - rel : 0);
      if (reason !== undefined) return reason;
      this.prevBlockRel = rel;
      labels = this.labels;
      p = this.pos;
      if (labels !== EMPTY_LABELS) series = text.slice(start, p);
      while (p < end && isBlank(text.charCodeAt(p))) p++;
    }

    const valueStart = p;
    while (p < end && !isBlank(text.charCodeAt(p))) p++;
    if (valueStart === p) return `missing value for ${name}`;
    const value = parsePromFloat(text, valueStart, p);
    if (value === undefined) return `invalid value ${JSON.stringify(text.slice(valueStart, p))} for ${name}`;
    while (p < end && isBlank(text.charCodeAt(p))) p++;

    let timestampMs: number | undefined;
    if (p < end) {
      const tsStart = p;
      while (p < end && !isBlank(text.charCodeAt(p))) p++;
      timestampMs = parsePromTimestamp(text, tsStart, p);
      if (timestampMs === undefined) return `invalid timestamp ${JSON.stringify(text.slice(tsStart, p))}`;
      while (p < end && isBlank(text.charCodeAt(p))) p++;
      if (p < end) return `unexpected text after the timestamp of ${name}`;
    }

    const family = this.familyFor(name);
    const reason = checkMember(family, name, labels);
    if (reason !== undefined) return reason;
    const sample: Sample = { name, labels, value, timestampMs, series };
    this.samples.push(sample);
    family.samples.push(sample);
    return undefined;
  }

  /**
   * How much of `text[start, end)` repeats the previous sample line, in whole tokens: 0, the metric
   * name and the character after it, or that plus the first k labels (up to the closing quote of label
   * k). Spans are compared as substrings, which V8 compares with memcmp: a character loop was 10 times
   * slower. Consecutive Envoy lines mostly differ only in their last label (the cluster of a counter,
   * the `le` of a bucket), so that boundary is tried first.
   */
  private sameAsPreviousLine(start: number, end: number): number {
    const prev = this.prevLineStart;
    if (prev < 0) return 0;
    const limit = Math.min(end - start, this.prevLineLength);
    const nameSpan = this.prevName.length + 1;
    const rel = this.prevBlockRel;
    const n = this.prevLabelCount;
    const ends = this.labelEnds;
    // The usual case first; it covers the name too.
    if (rel > 0 && n >= 2 && this.sameSpan(start, prev, rel + ends[n - 2]!, limit)) {
      return this.sameSpan(start, prev, rel + ends[n - 1]!, limit) ? rel + ends[n - 1]! : rel + ends[n - 2]!;
    }
    if (!this.sameSpan(start, prev, nameSpan, limit)) return 0;
    if (rel < 0 || n <= 0) return nameSpan;
    // The largest k in [0, n] whose span repeats (k = 0: the name alone, already known).
    let k = 0;
    let hi = n >= 2 ? n - 2 : n;
    while (k < hi) {
      const mid = (k + hi + 1) >>> 1;
      if (this.sameSpan(start, prev, rel + ends[mid - 1]!, limit)) k = mid;
      else hi = mid - 1;
    }
    return k === 0 ? nameSpan : rel + ends[k - 1]!;
  }

  private sameSpan(start: number, prev: number, len: number, limit: number): boolean {
    const text = this.text;
    return len <= limit && text.substring(start, start + len) === text.substring(prev, prev + len);
  }

  // After `{`: `name="value"` pairs separated by commas, optional trailing comma, `}`. Leaves the
  // position after `}` in `this.pos` and the labels in `this.labels`. `covered`: how many characters
  // from `start` repeat the previous label set exactly; the labels wholly inside them are the previous
  // set's and are not scanned again.
  private labelSet(start: number, end: number, covered: number): string | undefined {
    const text = this.text;
    const prevNames = this.prevLabelNames;
    const prevValues = this.prevLabelValues;
    const ends = this.labelEnds;
    const basis = this.prevLabels;
    const basisCount = this.prevLabelCount;
    // Until this label set is complete, there is nothing consistent to build the next one on.
    this.prevLabels = EMPTY_LABELS;
    this.prevLabelCount = -1;
    this.valuesChanged = false;
    let namesReused = true;
    let p = start;
    let index = 0;
    let count = 0;
    let afterValue = false;
    if (covered > 0 && basisCount > 0) {
      while (index < basisCount && ends[index]! <= covered) index++;
      if (index > 0) {
        p = start + ends[index - 1]!;
        count = index;
        afterValue = true;
      }
    }
    for (;;) {
      let c: number;
      if (afterValue) {
        while (p < end && isBlank(text.charCodeAt(p))) p++;
        if (p >= end) return 'unterminated label set (missing "}")';
        c = text.charCodeAt(p);
        p++;
        if (c === C_RBRACE) break;
        if (c !== C_COMMA) {
          return `expected "," or "}" after the value of label ${prevNames[index - 1]}, found ${describe(c)}`;
        }
      }
      afterValue = true;
      while (p < end && isBlank(text.charCodeAt(p))) p++;
      if (p >= end) return 'unterminated label set (missing "}")';
      c = text.charCodeAt(p);
      if (c === C_RBRACE) {
        p++;
        break;
      }
      if (!hasClass(c, LABEL_START)) return `expected a label name, found ${describe(c)}`;
      // A name taken from the cache repeats the previous sample's names 0..index, which were checked
      // to be distinct; a new one is checked here, and cuts the cache so that stays true.
      let labelName = prevNames[index];
      if (
        labelName !== undefined &&
        text.startsWith(labelName, p) &&
        !hasClass(text.charCodeAt(p + labelName.length), LABEL_CHAR)
      ) {
        p += labelName.length;
      } else {
        const nameStart = p;
        p++;
        while (p < end && hasClass(text.charCodeAt(p), LABEL_CHAR)) p++;
        labelName = text.slice(nameStart, p);
        // A plain object's `__proto__` setter would swallow this label; Prometheus reserves `__` names anyway.
        if (labelName === '__proto__') return 'label name __proto__ is not supported';
        for (let i = 0; i < index; i++) if (prevNames[i] === labelName) return `duplicate label ${labelName}`;
        prevNames.length = index;
        prevNames.push(labelName);
        namesReused = false;
      }
      while (p < end && isBlank(text.charCodeAt(p))) p++;
      if (p >= end || text.charCodeAt(p) !== C_EQ) return `expected "=" after label name ${labelName}`;
      p++;
      while (p < end && isBlank(text.charCodeAt(p))) p++;
      if (p >= end || text.charCodeAt(p) !== C_QUOTE)
        return `expected '"' to open the value of label ${labelName}`;
      p++;

      const valueStart = p;
      // indexOf runs far faster than a character loop; backslashes are rare enough (none in Envoy
      // output) that the position of the next one is found once and reused until passed.
      p = text.indexOf('"', valueStart);
      if (p === -1 || p >= end) return `unterminated value of label ${labelName}`;
      if (this.nextBackslash < valueStart) {
        const b = text.indexOf('\\', valueStart);
        this.nextBackslash = b === -1 ? Number.POSITIVE_INFINITY : b;
      }
      if (this.nextBackslash > p) {
        const cached = prevValues[index];
        if (
          cached === undefined ||
          cached.length !== p - valueStart ||
          !text.startsWith(cached, valueStart)
        ) {
          prevValues[index] = text.slice(valueStart, p);
          this.valuesChanged = true;
        }
        p++;
      } else {
        const reason = this.escapedValue(valueStart, this.nextBackslash, end, labelName);
        if (reason !== undefined) return reason;
        if (prevValues[index] !== this.str) {
          prevValues[index] = this.str;
          this.valuesChanged = true;
        }
        p = this.pos;
      }
      ends[index] = p - start;
      index++;
      count = index;
    }
    this.pos = p;
    this.labels = this.buildLabels(count, basis, basisCount, namesReused);
    this.prevLabels = this.labels;
    this.prevLabelCount = count;
    return undefined;
  }

  // The label object of the set just scanned (names and values at 0..count-1 of the caches): the
  // previous set's object when names and values are the same (Labels are read-only, so samples may
  // share one), else a new one from the maker of these names.
  private buildLabels(count: number, basis: Labels, basisCount: number, namesReused: boolean): Labels {
    if (count === 0) return EMPTY_LABELS;
    if (namesReused && count === basisCount && !this.valuesChanged) return basis;
    if (!namesReused || count !== basisCount || this.makeLabels === undefined) {
      this.makeLabels = labelsMaker(this.prevLabelNames, count);
    }
    return this.makeLabels(this.prevLabelValues);
  }

  // The slow path of a label value: only `\\`, `\"` and `\n` are defined escapes in 0.0.4.
  private escapedValue(
    valueStart: number,
    firstEscape: number,
    end: number,
    labelName: string,
  ): string | undefined {
    const text = this.text;
    let out = '';
    let segment = valueStart;
    let p = firstEscape;
    while (p < end) {
      const c = text.charCodeAt(p);
      if (c === C_QUOTE) {
        this.str = out + text.slice(segment, p);
        this.pos = p + 1;
        return undefined;
      }
      if (c !== C_BACKSLASH) {
        p++;
        continue;
      }
      out += text.slice(segment, p);
      const e = p + 1 < end ? text.charCodeAt(p + 1) : -1;
      if (e === C_BACKSLASH) out += '\\';
      else if (e === C_QUOTE) out += '"';
      else if (e === 110) out += '\n';
      else if (e === -1) break;
      else return `invalid escape sequence \\${String.fromCharCode(e)} in the value of label ${labelName}`;
      p += 2;
      segment = p;
    }
    return `unterminated value of label ${labelName}`;
  }

  // After `#`: `HELP name text`, `TYPE name type`, or any other comment (ignored).
  private comment(start: number, end: number): string | undefined {
    const text = this.text;
    let p = start;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    const wordStart = p;
    while (p < end && !isBlank(text.charCodeAt(p))) p++;
    if (p - wordStart !== 4) return undefined;
    const keyword = text.slice(wordStart, p);
    if (keyword !== 'HELP' && keyword !== 'TYPE') return undefined;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    const nameStart = p;
    if (p >= end || !hasClass(text.charCodeAt(p), NAME_START))
      return `# ${keyword} without a valid metric name`;
    while (p < end && hasClass(text.charCodeAt(p), NAME_CHAR)) p++;
    if (p < end && !isBlank(text.charCodeAt(p))) {
      return `invalid character ${describe(text.charCodeAt(p))} in the metric name of # ${keyword}`;
    }
    const name = text.slice(nameStart, p);
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (keyword === 'HELP') return this.setHelp(name, unescapeHelp(text.slice(p, end)));

    const typeStart = p;
    while (p < end && !isBlank(text.charCodeAt(p))) p++;
    const type = text.slice(typeStart, p);
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (p < end) return `unexpected text after the type in # TYPE ${name}`;
    if (!METRIC_TYPES.has(type)) return `unknown metric type ${JSON.stringify(type)} for ${name}`;
    return this.setType(name, type as MetricType);
  }

  private setType(name: string, type: MetricType): string | undefined {
    let family = this.families.get(name);
    if (family === undefined) {
      family = { name, type, help: undefined, samples: [] };
      this.families.set(name, family);
    } else {
      // 0.0.4: "Only one TYPE line may exist for a given metric name" and it "must appear before the
      // first sample". Keep the first reading and report this line.
      if (this.typed.has(name)) return `second # TYPE line for ${name}`;
      if (family.samples.length > 0) return `# TYPE line for ${name} after its samples`;
      family.type = type;
    }
    this.typed.add(name);
    this.current = family;
    this.currentMember = '';
    return undefined;
  }

  private setHelp(name: string, help: string): string | undefined {
    const family = this.families.get(name);
    if (family === undefined) {
      this.families.set(name, { name, type: 'untyped', help, samples: [] });
      return undefined;
    }
    if (family.help !== undefined) return `second # HELP line for ${name}`;
    family.help = help;
    return undefined;
  }

  // A sample belongs to the family of its own name, or (`_bucket`/`_sum`/`_count`) to the histogram or
  // summary family of its base name; otherwise it starts an untyped family of its own.
  private familyFor(name: string): FamilyState {
    const current = this.current;
    if (current !== undefined) {
      if (current.name === name || name === this.currentMember) return current;
      if (isSuffixedMember(current, name)) {
        this.currentMember = name;
        return current;
      }
    }
    let family = this.families.get(name);
    if (family === undefined) {
      const base = baseName(name);
      if (base !== undefined) {
        const candidate = this.families.get(base);
        if (candidate !== undefined && isSuffixedMember(candidate, name)) family = candidate;
      }
      if (family === undefined) {
        family = { name, type: 'untyped', help: undefined, samples: [] };
        this.families.set(name, family);
      }
    }
    this.current = family;
    this.currentMember = '';
    return family;
  }
}

// HELP text escapes are `\\` and `\n`; any other backslash is kept as written (HELP is only shown to
// people, so a stray backslash is not worth dropping the line for).
function unescapeHelp(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([\\n])/g, (_m, e: string) => (e === 'n' ? '\n' : '\\'));
}

function describe(c: number): string {
  if (Number.isNaN(c)) return 'end of line';
  if (c === C_LF) return 'a line break';
  return JSON.stringify(String.fromCharCode(c));
}
