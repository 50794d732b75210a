// Prometheus text exposition format 0.0.4 ("Exposition formats" in the Prometheus docs), as written by
// Envoy's `/stats/prometheus`, istio-proxy's merged `:15020/stats/prometheus` and Consul dataplane.
// A hand-written scanner over the whole text: one pass, character codes, substrings only for the
// tokens kept. Consecutive Envoy lines repeat most of the previous line (same family and tags, often
// the same values), so the part a line shares with the previous one is recognized by comparing whole
// spans and its tokens are reused, not scanned again (see docs/benchmarks.md for the figures: about
// 10× the npm parsers measured in NOTES.md, one of which merged labelled histograms). An invalid line
// is recorded (line number + reason) and skipped, so one bad line from a sidecar never costs the whole
// scrape; `strict` turns the first one into a throw.
// This module scans lines and samples; label sets are scanned by prom-label-set-scanner.ts, HELP/TYPE
// lines and the families samples join are kept by prom-family-assembler.ts, numbers read by prom-number.ts.

import { checkMember } from './family-members.ts';
import {
  C_CR,
  C_HASH,
  C_LBRACE,
  describe,
  hasClass,
  isBlank,
  NAME_CHAR,
  NAME_START,
} from './prom-char-classes.ts';
import type { ParsedExposition, ParseErrorRecord, ParseOptions, Sample } from './prom-exposition.ts';
import { PromParseError } from './prom-exposition.ts';
import { FamilyAssembler } from './prom-family-assembler.ts';
import { EMPTY_LABELS, LabelSetScanner } from './prom-label-set-scanner.ts';
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

const DEFAULT_MAX_ERRORS = 100;
const ERROR_TEXT_MAX = 200;

/** Parses one scrape. Never throws unless `opts.strict` is set (then: `PromParseError` at the first bad line). */
export function parsePrometheusText(text: string, opts: ParseOptions = {}): ParsedExposition {
  return new ExpositionScanner(text, opts).run();
}

class ExpositionScanner {
  private readonly text: string;
  private readonly strict: boolean;
  private readonly maxErrors: number;
  private readonly samples: Sample[] = [];
  private readonly errors: ParseErrorRecord[] = [];
  private errorCount = 0;
  private lineNo = 0;
  private readonly labelSets: LabelSetScanner;
  private readonly families: FamilyAssembler;
  /** The previous sample's name: consecutive Envoy lines mostly repeat it (see sameAsPreviousLine). */
  private prevName = '';
  // The previous sample line: where it started, its length, and where its label set started
  // relative to the line (-1: no label set, or one that did not parse).
  private prevLineStart = -1;
  private prevLineLength = 0;
  private prevBlockRel = -1;

  constructor(text: string, opts: ParseOptions) {
    this.text = text;
    this.strict = opts.strict ?? false;
    this.maxErrors = opts.maxErrors ?? DEFAULT_MAX_ERRORS;
    this.labelSets = new LabelSetScanner(text);
    this.families = new FamilyAssembler(text);
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
      families: this.families.families,
      errors: this.errors,
      errorCount: this.errorCount,
    };
  }

  private line(start: number, end: number): void {
    const text = this.text;
    let p = start;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (p === end) return;
    const reason = text.charCodeAt(p) === C_HASH ? this.families.comment(p + 1, end) : this.sample(p, end);
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
      const labelSets = this.labelSets;
      const reason = labelSets.scan(p + 1, end, rel === blockRel ? same - rel : 0);
      if (reason !== undefined) return reason;
      this.prevBlockRel = rel;
      labels = labelSets.labels;
      p = labelSets.pos;
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

    const family = this.families.familyFor(name);
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
    const n = this.labelSets.prevLabelCount;
    const ends = this.labelSets.labelEnds;
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
}
