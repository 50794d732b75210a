// The label set of a sample line (`{name="value",…}`) in Prometheus text format 0.0.4, scanned with the
// previous line's label names, values and object at hand: consecutive Envoy lines repeat nearly all of
// them (same family, same tags, often the same values), so a match reuses the string already made
// instead of allocating a substring; half the parse time was GC before this. One scanner per parse,
// owned by the line scanner in prom-text-parser.ts, which reads its out-fields after each `scan`.

import { type LabelsMaker, labelsMaker } from './labels-maker.ts';
import {
  C_BACKSLASH,
  C_COMMA,
  C_EQ,
  C_QUOTE,
  C_RBRACE,
  describe,
  hasClass,
  isBlank,
  LABEL_CHAR,
  LABEL_START,
} from './prom-char-classes.ts';
import type { Labels } from './prom-exposition.ts';

/** The labels of every sample without a label set (or with `{}`): one frozen object for all. */
export const EMPTY_LABELS: Labels = Object.freeze({});

export class LabelSetScanner {
  private readonly text: string;
  // Out-values of `scan` (fields rather than a result object, so a sample allocates none).
  /** The position after the `}` of the set just scanned. */
  pos = 0;
  /** The labels of the set just scanned. */
  labels: Labels = EMPTY_LABELS;
  /** Where each label of the previous set ended (after its closing quote), from the set's start. */
  readonly labelEnds: number[] = [];
  /** How many labels the previous set has (-1: none to build on, e.g. it did not parse). */
  prevLabelCount = -1;
  // The previous set's label names and values by position, and the set as an object: a set with the
  // same names and values is that same object.
  private readonly prevLabelNames: string[] = [];
  private readonly prevLabelValues: string[] = [];
  private prevLabels: Labels = EMPTY_LABELS;
  /** Whether a label value of the set being scanned differs from the previous set's. */
  private valuesChanged = false;
  /** Builds a label object for the current label names (see labelsMaker). */
  private makeLabels: LabelsMaker | undefined;
  /** The next backslash in the text at or after the last label value looked at (+Infinity: none). */
  private nextBackslash = -1;
  /** Out-value of `escapedValue`: the unescaped label value. */
  private str = '';

  constructor(text: string) {
    this.text = text;
  }

  /**
   * After `{`: `name="value"` pairs separated by commas, optional trailing comma, `}`; returns the
   * reason when the set is invalid, else leaves `pos` and `labels`. `covered`: how many characters
   * from `start` repeat the previous label set exactly; the labels wholly inside them are the previous
   * set's and are not scanned again.
   */
  scan(start: number, end: number, covered: number): string | undefined {
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

  // The slow path of a label value: only `\\`, `\"` and `\n` are defined escapes in 0.0.4. Leaves the
  // value in `str` and the position after its closing quote in `pos`.
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
}
